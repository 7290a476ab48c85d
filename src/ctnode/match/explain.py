"""Explanations: what a name comparison says in words, part by part."""

from __future__ import annotations

from functools import lru_cache

from ctnode.match.normalise import parse_name, token_rules
from ctnode.match.phrases import (
    PHRASE_CACHE,
    SIDES,
    Said,
    english,
    explained,
    note_phrase,
    parts,
    rule_phrase,
    said,
)
from ctnode.match.score import (
    NameForm,
    NameScore,
    pair_half,
    syllable_in_place,
    weak_pair,
    whole_rarity,
    word_in_place,
)
from ctnode.match.weights import MODEL
from ctnode.model.phrases import Phrase
from ctnode.model.screening import FeatureExplanation, Hit

READING_ARROW = " → "  # a note of a part's other reading: "read as RULE: RAW → READING"


def _used(note: str, rules: str) -> bool:
    """Whether a note is worth showing with this alignment: an Arabic-script part's other
    reading (the article as said, a glued bin) only when a pair's rule used it (it names
    the reading, or joined two parts in which it may be); every other note always."""
    if not note.startswith("read as ") or READING_ARROW not in note:
        return True
    reading = note.rsplit(READING_ARROW, 1)[1]
    return " " in reading or f"'{reading}'" in rules or "merged parts" in rules


def _notes(form: NameForm, side: str, rules: str = "") -> list[Said]:
    """What normalisation did to a name that changed how it compares (``rules``: the
    aligned pairs' rules, see :func:`_used`)."""
    out: list[Said] = []
    who = SIDES[side]
    for parsed in parse_name(form.original, form.kind):
        if parsed.tokens == form.tokens:
            out += [_note(who, note) for note in parsed.notes if _used(note, rules)]
            break
    if form.kind == "org":
        out.append(said("match.note.org", ("side", who)))
    return out


@lru_cache(maxsize=PHRASE_CACHE)
def _note(side: Phrase, note: str) -> Said:
    return said("match.note", ("side", side), ("note", note_phrase(note)))


@lru_cache(maxsize=PHRASE_CACHE)
def _rule(rule: str) -> Said:
    """A name-level rule's phrase (:func:`rule_phrase`) and its English."""
    phrase = rule_phrase(rule)
    return phrase, english([phrase])


@lru_cache(maxsize=PHRASE_CACHE)
def _part_pair(query: str, listed: str, rule: str) -> Said:
    return said("match.part.pair", ("query", query), ("listed", listed),
                ("rule", rule_phrase(rule)))


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
    name = [said("match.name.aligned", ("n", str(len(ns.pairs)))),
            said("match.name.unmatched_query", ("parts", parts(ns.unmatched_query))),
            said("match.name.unmatched_listed", ("parts", parts(ns.unmatched_candidate)))]
    if ns.rule:
        name.append(_rule(ns.rule))
    if ns.whole:
        share = MODEL.covered_query if ns.whole == "query" else MODEL.covered_listed
        cost = 1.0 - share * whole_rarity(ns.information)
        name.append(said("match.name.found_whole", ("side", SIDES[ns.whole]),
                         ("cost", f"{cost:.2f}")))
    if syllable_in_place(q, c, ns):
        name.append(said("match.name.syllable_in_place", ("parts", parts(ns.unmatched_candidate))))
    if word_in_place(q, c, ns):
        name.append(said("match.name.word_in_place", ("parts", parts(ns.unmatched_candidate))))
    if q.truncated:
        name.append(said("match.name.truncated"))
    if kept_apart:
        name.append(said("match.name.kept_apart", ("min", f"{MODEL.cross_schema_min:.2f}")))
    rules = " ".join(p.rule for p in ns.pairs)
    name += _notes(q, "query", rules) + _notes(c, "listed", rules)
    if factor < 1.0:
        name.append(said("match.name.weak_alias", ("factor", f"{factor:.2f}")))
    out.append(explained("name", q.original, c.original, round(ns.score * factor, 4), name))
    for p in ns.pairs:
        half = pair_half(p.q, p.c)
        q_orig = " ".join(q_rules.get(q.tokens[k], (q.tokens[k], ""))[0]
                          for k in range(p.q.start, p.q.end + 1))
        c_orig = " ".join(c_rules.get(c.tokens[k], (c.tokens[k], ""))[0]
                          for k in range(p.c.start, p.c.end + 1))
        translits = sorted({q_rules.get(q.tokens[k], ("", "latin"))[1]
                            for k in range(p.q.start, p.q.end + 1)}
                           | {c_rules.get(c.tokens[k], ("", "latin"))[1]
                              for k in range(p.c.start, p.c.end + 1)})
        translit = [t for t in translits if t and t != "latin"]
        how = [_part_pair(p.q.latin, p.c.latin, p.rule)]
        if translit:
            how.append(said("match.part.transliterated", ("schemes", ", ".join(translit))))
        how.append(said("match.part.weights", ("sim", f"{p.sim:.2f}"), ("weight", f"{half:.2f}")))
        if weak_pair(p.q, p.c, p.sim):
            how.append(said("match.part.weak"))
        out.append(explained("name_part", q_orig, c_orig, round(p.sim * half, 4), how))
    if ns.recognised < MODEL.min_information and ns.raw > 0 and ns.score < ns.raw:
        out.append(explained(
            "name_rarity", q.original, c.original, round((ns.score - ns.raw) * factor, 4),
            [said("match.name.rarity", ("info", f"{ns.recognised:.2f}"),
                  ("min", f"{MODEL.min_information:.2f}"))]))
    return out
