"""Explanations: what a name comparison says in words, part by part."""

from __future__ import annotations

from ctnode.match.normalise import parse_name, token_rules
from ctnode.match.score import NameForm, NameScore
from ctnode.match.weights import MODEL
from ctnode.model.screening import FeatureExplanation, Hit


def _notes(form: NameForm, side: str) -> list[str]:
    """What normalisation did to a name that changed how it compares."""
    out = []
    for parsed in parse_name(form.original, form.kind):
        if parsed.tokens == form.tokens:
            out += [f"{side}: {note}" for note in parsed.notes]
            break
    if form.kind == "org":
        out.append(f"{side} read as an organisation's name (legal forms, numbers, joining "
                   "words normalised)")
    return out


UNMATCHED_IN_QUERY = "unmatched in query: "


def every_query_part_aligned(hit: Hit) -> bool:
    """Whether a hit's best name aligned every part of the query (read from the explanation
    :func:`explain_name` wrote): what a search for a part of a name ("Haqqani") asks."""
    for e in hit.explanation:
        if e.feature == "name":
            return f"{UNMATCHED_IN_QUERY}none;" in e.detail and not e.detail.startswith("0 ")
    return False


def explain_name(q: NameForm, c: NameForm, ns: NameScore, factor: float,
                 kept_apart: bool = False) -> list[FeatureExplanation]:
    """One entry for the name as a whole, one per aligned part, one for rarity scaling."""
    q_rules = token_rules(q.original)
    c_rules = token_rules(c.original)
    out: list[FeatureExplanation] = []
    detail = (f"{len(ns.pairs)} name part(s) aligned; {UNMATCHED_IN_QUERY}"
              f"{', '.join(ns.unmatched_query) or 'none'}; unmatched in listed name: "
              f"{', '.join(ns.unmatched_candidate) or 'none'}")
    if ns.rule:
        detail += f"; {ns.rule}"
    if q.truncated:
        detail += ("; query cut at its field limit: listed parts after the cut cost nothing, "
                   "its last part may be the start of a listed part")
    if kept_apart:
        detail += (f"; person and organisation kept apart: counted only because the names "
                   f"are near-exact (at least {MODEL.cross_schema_min:.2f})")
    notes = _notes(q, "query") + _notes(c, "listed name")
    if notes:
        detail += "; " + "; ".join(notes)
    if factor < 1.0:
        detail += f"; weak alias counted at {factor:.2f}"
    out.append(FeatureExplanation("name", q.original, c.original, round(ns.score * factor, 4),
                                  detail))
    for p in ns.pairs:
        half = (p.q.weight + p.c.weight) / 2.0
        q_orig = " ".join(q_rules.get(q.tokens[k], (q.tokens[k], ""))[0]
                          for k in range(p.q.start, p.q.end + 1))
        c_orig = " ".join(c_rules.get(c.tokens[k], (c.tokens[k], ""))[0]
                          for k in range(p.c.start, p.c.end + 1))
        translits = sorted({q_rules.get(q.tokens[k], ("", "latin"))[1]
                            for k in range(p.q.start, p.q.end + 1)}
                           | {c_rules.get(c.tokens[k], ("", "latin"))[1]
                              for k in range(p.c.start, p.c.end + 1)})
        translit = [t for t in translits if t and t != "latin"]
        how = f"'{p.q.latin}' ~ '{p.c.latin}': {p.rule}"
        if translit:
            how += f"; transliterated ({', '.join(translit)})"
        how += f"; similarity {p.sim:.2f}, rarity weight {half:.2f}"
        out.append(FeatureExplanation("name_part", q_orig, c_orig, round(p.sim * half, 4), how))
    if ns.information < MODEL.min_information and ns.raw > 0 and ns.score < ns.raw:
        out.append(FeatureExplanation(
            "name_rarity", q.original, c.original, round((ns.score - ns.raw) * factor, 4),
            f"only common name parts matched (rarity {ns.information:.2f} < "
            f"{MODEL.min_information:.2f}): "
            "score scaled down"))
    return out
