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
from ctnode.match.score import (
    NameForm,
    NameScore,
    compare_names,
    pair_half,
    whole_rarity,
    whole_side,
)
from ctnode.match.similarity import SHORT_SYLLABLE
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery

NAME_FEATURES = ("exact", "skeleton", "skeleton_lev", "skeleton_vowels", "skeleton_short",
                 "skeleton_floor",
                 "unvowelled", "typo", "typo_lev", "skeleton_typo", "skeleton_typo_lev",
                 "symbol", "nickname", "initial", "prefix", "prefix_cov", "acronym",
                 "syllable", "covered_query", "covered_listed")
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


def _masks(ns: NameScore) -> tuple[int, int]:
    used_q = used_c = 0
    for p in ns.pairs:
        used_q |= (2 << p.q.end) - (1 << p.q.start)
        used_c |= (2 << p.c.end) - (1 << p.c.start)
    return used_q, used_c


def _covered_features(q: NameForm, c: NameForm, ns: NameScore, factor: float,
                      f: dict[str, float]) -> None:
    """"A name found whole": the score's derivative in ``covered_query`` /
    ``covered_listed`` at the current model (the rule's share sits in D, so the score is
    not linear in it: the fit takes the first-order term, and the rounds re-linearise).
    With D = H + f_q·U_q + f_c·U_c and score = cap·M/D: ∂score/∂covered_query =
    cap·M·½·U_c·r/D² (f_c = ½·(1 − covered_query·r), r = score.whole_rarity),
    ∂/∂covered_listed = cap·M·U_q·r/D²."""
    if not ns.pairs or ns.raw <= 0 or q.truncated:
        return
    used_q, used_c = _masks(ns)
    side = whole_side(q, c, used_q, used_c)
    if not side:
        return
    matched = sum(p.sim * pair_half(p.q, p.c) for p in ns.pairs)
    d = matched / ns.raw
    cap = ns.score / ns.raw * whole_rarity(ns.information)
    if side == "query":
        left = sum(w for k, w in enumerate(c.weights) if not used_c >> k & 1)
        f["covered_query"] = cap * factor * matched * 0.5 * left / (d * d)
    else:
        left = sum(w for k, w in enumerate(q.weights) if not used_q >> k & 1)
        f["covered_listed"] = cap * factor * matched * left / (d * d)


def _at_floor(sim: float, a: str, b: str) -> bool:
    """Whether a same-skeleton pair's similarity is the rule's floor (``skeleton_min``):
    its linear value (base + span · ratio − vowel_mismatch · slots) is below it."""
    from ctnode.match.weights import MODEL

    if sim != MODEL.skeleton_min:
        return False
    vowels = vowel_mismatches(a, b)
    linear = (MODEL.skeleton_base + MODEL.skeleton_span * Levenshtein.normalized_similarity(
        a, b) - MODEL.vowel_mismatch * max(0, vowels))
    return linear < MODEL.skeleton_min


def _name_features(ns: NameScore, factor: float) -> dict[str, float]:
    f = dict.fromkeys(NAME_FEATURES, 0.0)
    if not ns.pairs:
        if "acronym" in ns.rule and ns.score > 0:
            f["acronym"] = factor
        return f
    denom = 0.0
    for p in ns.pairs:
        denom += pair_half(p.q, p.c)
    # D of compare_names: the score is raw · cap, raw = M / D
    matched = sum(p.sim * pair_half(p.q, p.c) for p in ns.pairs)
    total_d = matched / ns.raw if ns.raw > 0 else 0.0
    if total_d <= 0:
        return f
    cap = ns.score / ns.raw if ns.raw > 0 else 0.0
    for p in ns.pairs:
        share = pair_half(p.q, p.c) / total_d * cap * factor
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
        elif "phonetic skeleton" in rule and _at_floor(p.sim, a, b):
            # the rule's floor decided the value (skeleton_min), not its linear terms
            f["skeleton_floor"] += share
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
        _covered_features(qn, cand, ns, factor, out)
        out.update(_detail_features(m.features_of(result, prepared)))
        return out, result.score
