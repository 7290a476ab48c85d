"""The scorer's score of a labelled pair, taken apart into the linear features the fit
uses (project venv; no fitting library here).

ctnode's score is ``name + Σ details`` with ``name = cap · Σ_pairs sim · half / D``, and
each rule's similarity is linear in its parameters (``skeleton_base + skeleton_span ·
ratio − vowel_mismatch · n``, ...). So with the alignment, the cap and D of the current
model fixed, the score is a linear function of the parameters: feature ``f_k`` is the sum,
over the aligned pairs a rule of parameter ``k`` applied to, of ``half · g / D · cap``
(``g`` = 1, the Levenshtein ratio, the number of vowel slots ...). The fit refits the
parameters on these features; the alignment is then redone with them (a few rounds).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rapidfuzz.distance import Levenshtein

from ctnode.match import Matcher, Thresholds
from ctnode.match.normalise import vowel_mismatches
from ctnode.match.score import NameScore, compare_names
from ctnode.match.similarity import SHORT_SYLLABLE
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery

NAME_FEATURES = ("exact", "skeleton", "skeleton_lev", "skeleton_vowels", "skeleton_short",
                 "unvowelled", "typo", "typo_lev", "skeleton_typo", "skeleton_typo_lev",
                 "symbol", "nickname", "initial", "prefix", "prefix_cov", "acronym",
                 "syllable")
DETAIL_FEATURES = ("dob_exact", "dob_year", "dob_swapped", "dob_same_year_other_day",
                   "dob_contradict", "nat_agree", "nat_contradict", "doc_agree",
                   "doc_contradict", "schema_mismatch")
FEATURES = NAME_FEATURES + DETAIL_FEATURES
_READ_AS = re.compile(r"\(read as '([^']*)'/'([^']*)'\)")


def entity(raw: dict[str, Any]) -> Entity:
    e = Entity(id=raw["id"], schema=raw["schema"], dataset=raw["dataset"],
               reference=raw["reference"], status=raw.get("status", "listed"))
    for prop, values in raw["properties"].items():
        for v in values:
            e.add(prop, v)
    return e


def query(raw: dict[str, Any]) -> ScreenQuery:
    return ScreenQuery(names=raw["names"], schema=raw["schema"],
                       birth_dates=raw.get("birth_dates", []),
                       nationalities=raw.get("nationalities", []),
                       truncated_at=raw.get("truncated_at"))


def _name_features(ns: NameScore, factor: float) -> dict[str, float]:
    f = dict.fromkeys(NAME_FEATURES, 0.0)
    if not ns.pairs:
        if "acronym" in ns.rule and ns.score > 0:
            f["acronym"] = factor
        return f
    denom = 0.0
    for p in ns.pairs:
        denom += (p.q.weight + p.c.weight) / 2.0
    # D of compare_names: the score is raw · cap, raw = M / D
    matched = sum(p.sim * (p.q.weight + p.c.weight) / 2.0 for p in ns.pairs)
    total_d = matched / ns.raw if ns.raw > 0 else 0.0
    if total_d <= 0:
        return f
    cap = ns.score / ns.raw if ns.raw > 0 else 0.0
    for p in ns.pairs:
        share = (p.q.weight + p.c.weight) / 2.0 / total_d * cap * factor
        a, b = p.q.latin, p.c.latin
        m = _READ_AS.search(p.rule)
        if m:
            a, b = m.group(1), m.group(2)
        rule = p.rule
        if p.sim == 1.0 and (rule.startswith(("exact", "merged parts")) or m):
            f["exact"] += share
        elif rule.startswith("initial"):
            f["initial"] += share
        elif rule.startswith("cut at the field limit"):
            f["prefix"] += share
            f["prefix_cov"] += share * (len(a) / max(1, len(b)))
        elif rule.startswith("one name in two languages"):
            f["symbol"] += share
        elif rule.startswith("nickname"):
            f["nickname"] += share
        elif rule.startswith("one East Asian syllable"):
            f["syllable"] += share
        elif "vowels not written" in rule:
            f["unvowelled"] += share
        elif rule.startswith("one edit apart"):
            f["typo"] += share
            f["typo_lev"] += share * Levenshtein.normalized_similarity(a, b)
        elif rule.startswith("skeletons one edit apart"):
            f["skeleton_typo"] += share
            f["skeleton_typo_lev"] += share * Levenshtein.normalized_similarity(a, b)
        elif "phonetic skeleton" in rule:
            vowels = vowel_mismatches(a, b)
            f["skeleton"] += share
            f["skeleton_lev"] += share * Levenshtein.normalized_similarity(a, b)
            f["skeleton_vowels"] += share * vowels
            if vowels and max(len(a), len(b)) <= SHORT_SYLLABLE:
                f["skeleton_short"] += share
        else:  # floor of the skeleton rule and anything unforeseen: counted as skeleton
            f["skeleton"] += share
    return f


def _detail_features(features: Iterable[Any]) -> dict[str, float]:
    from ctnode.match.weights import MODEL

    by_value = {
        ("birth_date", MODEL.dob_exact): "dob_exact", ("birth_date", MODEL.dob_year): "dob_year",
        ("birth_date", MODEL.dob_swapped): "dob_swapped",
        ("birth_date", MODEL.dob_same_year_other_day): "dob_same_year_other_day",
        ("birth_date", MODEL.dob_contradict): "dob_contradict",
        ("nationality", MODEL.nat_agree): "nat_agree",
        ("nationality", MODEL.nat_contradict): "nat_contradict",
        ("document", MODEL.doc_agree): "doc_agree", ("document", MODEL.doc_contradict):
            "doc_contradict", ("schema", MODEL.schema_mismatch): "schema_mismatch"}
    f = dict.fromkeys(DETAIL_FEATURES, 0.0)
    for feat in features:
        key = by_value.get((feat.feature, feat.contribution))
        if key:
            f[key] = 1.0
    return f


class PairScorer:
    """Scores pairs of one list with a Matcher built on that list's candidates."""

    def __init__(self, candidates: list[dict[str, Any]]) -> None:
        unique = {c["id"]: c for c in candidates}
        self.matcher = Matcher(Thresholds())
        self.matcher.build(entity(c) for c in unique.values())

    def score(self, q: dict[str, Any], cand_id: str) -> float:
        hit = self.matcher.compare(query(q), cand_id)
        return hit.score if hit is not None else 0.0

    def features(self, q: dict[str, Any], cand_id: str) -> tuple[dict[str, float], float]:
        m = self.matcher
        idx = m._by_id[cand_id]
        prepared = m.prepare(query(q))
        if not prepared.names:
            return dict.fromkeys(FEATURES, 0.0), 0.0
        result = m._score_record(idx, prepared, ((1.0, n) for n in m._records[idx].names))
        if result is None:
            return dict.fromkeys(FEATURES, 0.0), 0.0
        qn = prepared.names[result.query_idx]
        cand = m.name_form(result.name_id)
        factor = m._name_factor[result.name_id]
        ns = compare_names(qn, cand)
        out = _name_features(ns, factor)
        out.update(_detail_features(m.features_of(result, prepared)))
        return out, result.score
