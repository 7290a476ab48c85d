"""Issue 12 (init, 2026-12-07), Latin-script people's names: a query initial aligned with a
listed part counts at the initial's weight on both sides (score.pair_half), and a pair
recognised as one name counts its whole rarity toward the rarity cap (score.recognised);
the index's bound still holds (fast == naive), under the hand-set and the fitted model."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from ctnode.match import Matcher, NaiveMatcher, Thresholds, similarity, weights
from ctnode.match.score import (
    NameForm,
    NameScore,
    Rarity,
    compare_names,
    name_score_value,
    pair_half,
)
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery


@pytest.fixture(params=["hand", "hand-cap", "fitted"])
def any_model(request: pytest.FixtureRequest) -> Iterator[weights.ScoringModel]:
    """The hand-set values, those with the cap's similarity the fit holds (0.7), and the
    packaged fitted model."""
    shipped = weights.load()
    model = {"hand": weights.ScoringModel(),
             "hand-cap": replace(weights.ScoringModel(), cap_similarity=0.7),
             "fitted": shipped}[request.param]
    similarity.use_model(model)
    yield weights.MODEL
    similarity.use_model(shipped)


def _score(q: str, c: str, rarity: Rarity | None = None) -> tuple[NameScore, NameForm]:
    rarity = rarity or Rarity()  # an empty list: every part rare unless world-wide common
    qf, cf = NameForm.parse(q, rarity), NameForm.parse(c, rarity)
    ns = compare_names(qf, cf)
    assert name_score_value(qf, cf) == ns.score  # the hot path gives the same value
    return ns, qf


@pytest.mark.parametrize(("query", "with_part", "without"), [
    ("H. SADDAM HUSSEIN AL-TIKRITI", "HALA SADDAM HUSSEIN AL-TIKRITI",
     "SADDAM HUSSEIN AL-TIKRITI"),
    ("A. WALI MOHAMMAD", "ATIQULLAH WALI MOHAMMAD", "WALI MOHAMMAD"),
    ("Q. BARZAN NAJAFI", "QUSAY BARZAN NAJAFI", "BARZAN NAJAFI"),
])
def test_an_initial_meets_the_listed_part_it_begins(
        any_model: weights.ScoringModel, query: str, with_part: str, without: str) -> None:
    """The listed name holding a part the query's initial begins scores above the one
    without it (at the mean weight, an initial on a rare part cost more than one left
    unmatched), and the pair counts at the initial's weight."""
    ns, _ = _score(query, with_part)
    other, _ = _score(query, without)
    assert ns.score > other.score
    pair = next(p for p in ns.pairs if len(p.q.latin) == 1)
    assert pair.rule == "initial"
    assert pair_half(pair.q, pair.c) == any_model.initial_weight < pair.c.weight
    wrong, _ = _score("X." + query[2:], with_part)  # another letter: both left unmatched
    assert wrong.score < other.score


def test_a_listed_initial_keeps_the_mean_weight(any_model: weights.ScoringModel) -> None:
    ns, _ = _score("HALA SADDAM HUSSEIN", "H. SADDAM HUSSEIN")
    pair = next(p for p in ns.pairs if len(p.c.latin) == 1)
    assert pair_half(pair.q, pair.c) == pytest.approx((pair.q.weight + pair.c.weight) / 2)


@pytest.mark.parametrize(("query", "listed"), [
    ("WALIAJN", "WALIJAN"),  # two neighbours swapped: same skeleton
    ("HIDAYATULALH", "HIDAYATULLAH"),  # one edit apart (typo)
    ("RUHINA", "RUHINDA"),
])
def test_a_recognised_pair_counts_its_whole_rarity_in_the_cap(
        any_model: weights.ScoringModel, query: str, listed: str) -> None:
    """A one-part name matched by a spelling rule at cap_similarity or more scores its
    similarity, not about its square (the cap no longer counts the similarity again)."""
    ns, _ = _score(query, listed)
    (pair,) = ns.pairs
    if pair.sim >= any_model.cap_similarity:
        assert ns.score == ns.raw == pytest.approx(pair.sim)
        assert ns.recognised == pytest.approx(pair.q.weight)
    else:  # below it (the hand-set 1.0: the rule before) the similarity counts again
        assert ns.score == pytest.approx(pair.sim * pair.sim * pair.q.weight)


def test_a_weak_pair_still_counts_its_similarity(any_model: weights.ScoringModel) -> None:
    """A pair below cap_similarity adds only its similarity's share of its rarity."""
    ns, _ = _score("Sunani", "Sanon")
    (pair,) = ns.pairs
    assert pair.sim < any_model.cap_similarity
    assert ns.recognised == pytest.approx(pair.sim * pair.q.weight)
    assert ns.score == pytest.approx(ns.raw * min(1.0, ns.recognised))


def test_common_parts_respelt_still_add_up_by_similarity(
        any_model: weights.ScoringModel) -> None:
    """Only one rare part recognised lifts the cap: two common parts matched by spelling
    rules (each under the weight of a rare part) add their similarity-weighted rarity, as
    before (a recombination such as JANAN AHMADI / AHMAD JAN stays scaled down)."""
    ns, _ = _score("Mohamed Hasan", "Muhammad Hassan")
    assert len(ns.pairs) == 2 and all(p.sim < 1.0 for p in ns.pairs)
    assert all(p.q.weight < any_model.min_information for p in ns.pairs)
    info = sum(p.sim * p.q.weight for p in ns.pairs)
    assert ns.recognised == pytest.approx(info)
    assert ns.recognised < any_model.min_information
    assert ns.score == pytest.approx(ns.raw * info)


def _person(eid: str, name: str) -> Entity:
    e = Entity(id=eid, schema="Person", dataset="t", reference=eid)
    e.add("name", name)
    return e


def _people(rng: random.Random, n: int) -> list[Entity]:
    """Persons over a Zipf-weighted vocabulary (long postings: the prefix filter and both
    bound implementations work) with rare parts and initials of their own."""
    parts = ["Mohammed", "Ali", "Khan", "Ahmad", "Hassan", "Abdul", "Saddam", "Hussein",
             "Tikriti", "Walijan", "Hidayatullah", "Ruhinda", "Barzan", "Sabawi", "Qusay",
             "Hala", "Raghad", "Atiqullah", "Wali", "Ghalib", "Zaidi", "Najafi"]
    parts += [f"{a}{b}" for a in ("Kar", "Nas", "Mur", "Tal") for b in ("imov", "ulla", "adze")]
    weights_ = [1.0 / (r + 1) for r in range(len(parts))]
    people = []
    for i in range(n):
        toks = rng.choices(parts, weights_, k=rng.choice((1, 2, 3, 3, 4)))
        if rng.random() < 0.1:
            toks[0] = toks[0][0] + "."  # a listed initial
        people.append(_person(f"p{i}", " ".join(toks)))
    return people


def _typo(rng: random.Random, token: str) -> str:
    if len(token) < 5:
        return token
    i = rng.randrange(1, len(token) - 2)
    return token[:i] + token[i + 1] + token[i] + token[i + 2:]  # two neighbours swapped


def test_fast_equals_naive_with_initials_and_typos(any_model: weights.ScoringModel) -> None:
    rng = random.Random(1207)
    people = _people(rng, 1200)
    naive = NaiveMatcher(Thresholds())
    naive.build(people)
    fasts = []
    for small, found, ranked in ((10**9, 10**9, 10**9), (0, 0, 0), (0, 10**9, 10**9)):
        fast = Matcher(Thresholds(), max_candidates=10_000)
        fast.small_postings, fast.few_found, fast.few_ranked = small, found, ranked
        fast.build(people)
        fasts.append(fast)
    queries = []
    for e in rng.sample(people, 40):
        toks = e.get("name")[0].split()
        kind = rng.randrange(3)
        if kind == 0 and len(toks) > 1:
            toks[0] = toks[0][0] + "."  # a query initial
        elif kind == 1:
            toks = [_typo(rng, t) for t in toks]
        queries.append(ScreenQuery(names=[" ".join(toks)]))
    queries += [ScreenQuery(names=[n]) for n in (
        "H. SADDAM HUSSEIN TIKRITI", "Q. SADDAM", "A. B. Khan", "WALIAJN", "HIDAYATULALH",
        "M. Ali", "R. Mohammed Ali Khan")]
    found = 0
    for q in queries:
        options: tuple[dict[str, Any], ...] = ({}, {"limit": 5, "include_below": True})
        for kwargs in options:
            want = [(h.entity_id, h.score, h.matched_name) for h in naive.screen(q, **kwargs)]
            for fast in fasts:
                got = [(h.entity_id, h.score, h.matched_name) for h in fast.screen(q, **kwargs)]
                assert got == want, (q.names, kwargs)
            found += bool(want)
    assert found > 40


def test_bound_is_never_below_the_score_with_initials(any_model: weights.ScoringModel) -> None:
    rng = random.Random(71)
    people = _people(rng, 400)
    m = Matcher(Thresholds())
    m.build(people)
    checked = 0
    for name in ("H. SADDAM HUSSEIN TIKRITI", "A. B. WALI", "R. Hala Raghad", "WALIAJN",
                 "Q. Barzan Najafi", "G. Zaidi"):
        q = m.prepare(ScreenQuery(names=[name]))
        bounds = m._bounds(q, None)
        for name_id in range(len(m._name_text)):
            score = max(name_score_value(qn, m.name_form(name_id)) for qn in q.names)
            if score > 0.0:
                assert bounds.get(name_id, -1.0) >= score, (name, m._name_text[name_id])
                checked += 1
    assert checked > 50


def test_explanation_shows_the_initial_weight_and_no_rarity_cut() -> None:
    m = Matcher(Thresholds())
    m.build([_person("hala", "HALA SADDAM HUSSEIN AL-TIKRITI"), _person("w", "WALIJAN")])
    hit = m.screen(ScreenQuery(names=["H. SADDAM HUSSEIN AL-TIKRITI"]), include_below=True)[0]
    part = next(e for e in hit.explanation if e.feature == "name_part" and "initial" in e.detail)
    assert f"rarity weight {weights.MODEL.initial_weight:.2f}" in part.detail
    hit = m.screen(ScreenQuery(names=["WALIAJN"]), include_below=True)[0]
    assert weights.MODEL.cap_similarity < 1.0  # the shipped model's rule
    assert not any(e.feature == "name_rarity" for e in hit.explanation)
