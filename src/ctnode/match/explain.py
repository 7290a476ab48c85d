"""Explanations: what a name comparison says in words, part by part."""

from __future__ import annotations

from ctnode.match.normalize import token_rules
from ctnode.match.score import NameForm, NameScore
from ctnode.model.screening import FeatureExplanation


def explain_name(q: NameForm, c: NameForm, ns: NameScore,
                 factor: float) -> list[FeatureExplanation]:
    """One entry for the name as a whole, one per aligned part, one for rarity scaling."""
    q_rules = token_rules(q.original)
    c_rules = token_rules(c.original)
    out: list[FeatureExplanation] = []
    detail = (f"{len(ns.pairs)} name part(s) aligned; unmatched in query: "
              f"{', '.join(ns.unmatched_query) or 'none'}; unmatched in listed name: "
              f"{', '.join(ns.unmatched_candidate) or 'none'}")
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
    if ns.information < 1.0 and ns.raw > 0:
        out.append(FeatureExplanation(
            "name_rarity", q.original, c.original, round((ns.score - ns.raw) * factor, 4),
            f"only common name parts matched (rarity {ns.information:.2f} < 1.00): "
            "score scaled down"))
    return out
