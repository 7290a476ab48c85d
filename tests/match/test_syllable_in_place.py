"""Two names of romanised East Asian syllables with a syllable of each left unmatched
(issue 12, fp12b): a query syllable in the place of a listed one is another given name or
surname, so the listed syllable costs its full weight, like the query's
(score.another_syllable); the index's bound still holds (fast == naive), other names are
scored as before, and the explanation says so."""

from __future__ import annotations

import pytest

from ctnode.match import Matcher, NaiveMatcher, Thresholds
from ctnode.match.score import (
    SYLLABLE_IN_PLACE,
    UNMATCHED_CANDIDATE_FACTOR,
    NameForm,
    NameScore,
    Rarity,
    compare_names,
    name_score_value,
    syllable_in_place,
)
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery


def _score(q: str, c: str) -> tuple[NameScore, NameForm, NameForm]:
    rarity = Rarity()  # an empty list: every part rare unless world-wide common
    qf, cf = NameForm.parse(q, rarity), NameForm.parse(c, rarity)
    ns = compare_names(qf, cf)
    assert name_score_value(qf, cf) == ns.score  # the hot path gives the same value
    return ns, qf, cf


def _expected(ns: NameScore, qf: NameForm, cf: NameForm, listed_cost: float) -> float:
    """M / D with exact pairs, unmatched query parts at 1 and listed ones at listed_cost."""
    half = sum((p.q.weight + p.c.weight) / 2.0 for p in ns.pairs)
    left_q = sum(w for t, w in zip(qf.tokens, qf.weights, strict=True)
                 if t in ns.unmatched_query)
    left_c = sum(w for t, w in zip(cf.tokens, cf.weights, strict=True)
                 if t in ns.unmatched_candidate)
    return half / (half + left_q + listed_cost * left_c)


@pytest.mark.parametrize(("query", "listed"), [
    ("PAEK JUNG BONG", "PAEK SE BONG"),  # one syllable in the place of another
    ("HAN YUNG YUAN", "TSANG YUNG YUAN"),  # another surname
    ("Sok Chol Hun", "Ryu Chol Hun"),
])
def test_a_syllable_in_the_place_of_another_costs_its_full_weight(query: str,
                                                                  listed: str) -> None:
    ns, qf, cf = _score(query, listed)
    assert qf.syllabic and cf.syllabic and syllable_in_place(qf, cf, ns)
    assert ns.unmatched_query and ns.unmatched_candidate
    assert ns.score == pytest.approx(_expected(ns, qf, cf, SYLLABLE_IN_PLACE))
    assert ns.score < _expected(ns, qf, cf, UNMATCHED_CANDIDATE_FACTOR) - 0.05


@pytest.mark.parametrize(("query", "listed"), [
    ("Rahimi Jamal Karimov", "Rahimi Omar Karimov"),  # not syllables: half, as before
    ("Nasrullah Wexley Tarkovski", "Nasrullah Brunhilda Tarkovski"),
])
def test_other_names_as_before(query: str, listed: str) -> None:
    ns, qf, cf = _score(query, listed)
    assert not qf.syllabic and not syllable_in_place(qf, cf, ns)
    assert ns.score == pytest.approx(_expected(ns, qf, cf, UNMATCHED_CANDIDATE_FACTOR))


def test_a_syllable_left_out_or_added_is_not_the_rule() -> None:
    for query in ("PAEK BONG", "PAEK SE BONG IL"):
        ns, qf, cf = _score(query, "PAEK SE BONG")
        assert qf.syllabic and not syllable_in_place(qf, cf, ns)


def _e(eid: str, name: str) -> Entity:
    e = Entity(id=eid, schema="Person", dataset="t", reference=eid)
    e.add("name", name)
    return e


LIST = [_e("paek", "PAEK SE BONG"), _e("tsang", "TSANG YUNG YUAN"), _e("kang", "KANG RYONG"),
        _e("kim", "KIM JONG UN"), _e("cho", "Cho Yong Chol"), _e("pak", "PAK YONG SIK"),
        _e("rahimi", "Mohammed Ali Rahimi")]
QUERIES = ["PAEK JUNG BONG", "PAEK SE BONG", "HAN YUNG YUAN", "KO YUNG YUAN", "CHANG RYONG HUN",
           "KIM JONG IL", "Pak U JONG", "CHO U YONG", "PAEK BONG", "Mohammed Ali Karimi"]


def test_fast_equals_naive() -> None:
    fast, naive = Matcher(Thresholds()), NaiveMatcher(Thresholds())
    fast.build(LIST)
    naive.build(LIST)
    for name in QUERIES:
        q = ScreenQuery(names=[name], schema="Person")
        got = [(h.entity_id, round(h.score, 9)) for h in fast.screen(q, include_below=True)]
        want = [(h.entity_id, round(h.score, 9)) for h in naive.screen(q, include_below=True)]
        assert got == want, name


def test_explanation_names_the_rule() -> None:
    m = Matcher(Thresholds())
    m.build(LIST)
    hits = m.screen(ScreenQuery(names=["PAEK JUNG BONG"]), include_below=True)
    hit = next(h for h in hits if h.entity_id == "paek")
    name = next(e for e in hit.explanation if e.feature == "name")
    assert "another syllable in the place of se" in name.detail
    other = m.screen(ScreenQuery(names=["PAEK BONG"]), include_below=True)
    name = next(e for e in other[0].explanation if e.feature == "name")
    assert "another syllable" not in name.detail
