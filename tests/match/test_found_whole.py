"""A name found whole in the other (issue 12): when every part of one name is aligned, the
other's leftover parts cost a fitted share less (score.unmatched_costs); the index's bound
still holds (fast == naive), one-part names and legal forms do not count, and the
explanation says so."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest

from ctnode.match import Matcher, NaiveMatcher, Thresholds, similarity, weights
from ctnode.match.score import NameForm, Rarity, compare_names, name_score_value, whole_side
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery

ON = replace(weights.ScoringModel(), covered_query=0.6, covered_listed=0.4)


@pytest.fixture()
def model_on() -> Iterator[None]:
    shipped = weights.load()
    similarity.use_model(ON)
    yield
    similarity.use_model(shipped)


@pytest.fixture()
def model_off() -> Iterator[None]:
    shipped = weights.load()
    similarity.use_model(weights.ScoringModel())
    yield
    similarity.use_model(shipped)


def _forms(q: str, c: str, kind: str = "person") -> tuple[NameForm, NameForm]:
    rarity = Rarity()  # an empty list: every part rare (weight 1) unless world-wide common
    return NameForm.parse(q, rarity, kind), NameForm.parse(c, rarity, kind)  # type: ignore[arg-type]


def _score(q: str, c: str, kind: str = "person") -> float:
    qf, cf = _forms(q, c, kind)
    ns = compare_names(qf, cf)
    assert name_score_value(qf, cf) == ns.score  # the hot path gives the same value
    return ns.score


def test_query_found_whole_costs_less_by_the_fitted_share(model_on: None) -> None:
    qf, cf = _forms("Zelenkova Brunhilda", "Zelenkova Brunhilda Ottokarovna Wexley")
    ns = compare_names(qf, cf)
    assert ns.whole == "query"
    # both query parts exact and rare (information 2: all of the rule); two listed parts
    # left over cost ½·(1 − 0.6) of their weight
    h = sum(qf.weights)
    left = sum(cf.weights) - h
    assert ns.raw == pytest.approx(h / (h + 0.5 * (1 - 0.6) * left))


def test_listed_name_found_whole_costs_less(model_on: None) -> None:
    qf, cf = _forms("Polaniko Atifew Abdulrazaq Xaviero", "Polaniko Atifew")
    ns = compare_names(qf, cf)
    assert ns.whole == "listed"
    h = sum(cf.weights)
    left = sum(qf.weights) - h
    assert ns.raw == pytest.approx(h / (h + (1 - 0.4) * left))


def test_rule_off_is_the_plain_formula(model_off: None) -> None:
    qf, cf = _forms("Zelenkova Brunhilda", "Zelenkova Brunhilda Ottokarovna Wexley")
    ns = compare_names(qf, cf)
    assert ns.whole == ""
    h = sum(qf.weights)
    assert ns.raw == pytest.approx(h / (h + 0.5 * (sum(cf.weights) - h)))


def test_what_is_not_found_whole(model_on: None) -> None:
    on = _score("Brunhilda", "Zelenkova Brunhilda")  # a one-part name: no rule
    qf, cf = _forms("Brunhilda", "Zelenkova Brunhilda")
    assert compare_names(qf, cf).whole == ""
    assert on == pytest.approx(1 / (1 + 0.5))
    # both sides have a part left over: no rule
    qf, cf = _forms("Zelenkova Brunhilda Maria", "Zelenkova Brunhilda Ottokarovna")
    assert compare_names(qf, cf).whole == ""
    # a legal form is no second part: RAMAK LTD is one part found whole
    qf, cf = _forms("RAMAK LTD", "RAMAK DUTY FREE SHOPS LTD", "org")
    ns = compare_names(qf, cf)
    assert ns.whole == "" and whole_side(qf, cf, 0b11, 0b10001) == ""


def _e(eid: str, name: str, schema: str = "Person") -> Entity:
    e = Entity(id=eid, schema=schema, dataset="t", reference=eid)
    e.add("name", name)
    return e


LIST = [_e("diaz", "DIAZ GUILLEN, Claudia Patricia"), _e("polani", "POLANI, Atif"),
        _e("alaudinov", "ALAUDINOV, Apti Kharonovich"), _e("badi", "BADI, Salah"),
        _e("other", "Claudia Hernandez"), _e("arch", "ARCH CONSULTING", "Organization"),
        _e("falcon", "FALCON STRATEGIC SOLUTIONS DOO", "Organization"),
        _e("rahimi", "Mohammed Ali Rahimi")]
QUERIES = ["DIAZ, Claudia", "POLANI, Atif Abdul Aziz", "ALAUDINOV, Apty", "BADI, Salah Edine",
           "Claudia Diaz Hernandez", "ARCH CONSULTING AND ENGINEERING",
           "FALCON STRATEGIC SOLUTIONS DOO BEOGRAD-PALILULA", "Mohammed Ali", "Salah Omar"]


def test_fast_equals_naive_with_the_rule_on(model_on: None) -> None:
    """The index's bound (bounds.name_bound with the least costs) keeps every hit."""
    fast, naive = Matcher(Thresholds()), NaiveMatcher(Thresholds())
    fast.build(LIST)
    naive.build(LIST)
    for name in QUERIES:
        for schema in ("Person", "Organization", "LegalEntity"):
            q = ScreenQuery(names=[name], schema=schema)
            got = [(h.entity_id, round(h.score, 9)) for h in fast.screen(q, include_below=True)]
            want = [(h.entity_id, round(h.score, 9))
                    for h in naive.screen(q, include_below=True)]
            assert got == want, (name, schema)


def test_explanation_names_the_rule(model_on: None) -> None:
    m = Matcher(Thresholds())
    m.build(LIST)
    hits = m.screen(ScreenQuery(names=["DIAZ, Claudia"]))
    assert hits and hits[0].entity_id == "diaz"
    name = next(e for e in hits[0].explanation if e.feature == "name")
    assert "the query is found whole in the other name" in name.detail
    # Diaz and Claudia are not rare enough for all of the rule (score.whole_rarity)
    cost = re.search(r"leftover parts cost (0\.\d\d) of their weight", name.detail)
    assert cost and 0.4 <= float(cost.group(1)) < 1.0


def test_common_parts_alone_still_do_not_alert(model_on: None) -> None:
    """The rarity cap still applies: two common parts found whole are not an alert."""
    m = Matcher(Thresholds())
    m.build(LIST)
    assert [h for h in m.screen(ScreenQuery(names=["Mohammed Ali"])) if h.reportable] == []


LATE = replace(ON, whole_start=1.5)


@pytest.fixture()
def model_late() -> Iterator[None]:
    shipped = weights.load()
    similarity.use_model(LATE)
    yield
    similarity.use_model(shipped)


def test_the_rule_starts_at_whole_start(model_late: None) -> None:
    """``whole_start`` (fitted since fp12): the rule counts from that much matched
    information (× min_information) and in full one unit above it. Two rare parts
    (information 2) get half of it at 1.5; a rare part with a common one (information
    under 1.5: ABD BHUTTAVI in HAFIZ ABDUL SALAM BHUTTAVI on the UN list) none."""
    from ctnode.match.score import whole_rarity

    assert whole_rarity(2.0) == pytest.approx(0.5)
    assert whole_rarity(1.4) == 0.0 and whole_rarity(2.6) == 1.0
    qf, cf = _forms("Zelenkova Brunhilda", "Zelenkova Brunhilda Ottokarovna Wexley")
    ns = compare_names(qf, cf)
    assert ns.whole == "query" and ns.information == pytest.approx(2.0)
    h = sum(qf.weights)
    left = sum(cf.weights) - h
    assert ns.raw == pytest.approx(h / (h + 0.5 * (1 - 0.6 * 0.5) * left))
    qf, cf = _forms("Abdul Zelenkova", "Hafiz Abdul Salam Zelenkova")  # abdul: common
    ns = compare_names(qf, cf)
    r = whole_rarity(ns.information)
    assert ns.whole == "query" and r < 0.05  # information about 1.5: next to none of it
    h = sum(qf.weights)
    assert ns.raw == pytest.approx(h / (h + 0.5 * (1 - 0.6 * r) * (sum(cf.weights) - h)))


def test_fast_equals_naive_with_a_late_start(model_late: None) -> None:
    fast, naive = Matcher(Thresholds()), NaiveMatcher(Thresholds())
    fast.build(LIST)
    naive.build(LIST)
    for name in QUERIES:
        q = ScreenQuery(names=[name], schema="Person")
        got = [(h.entity_id, round(h.score, 9)) for h in fast.screen(q, include_below=True)]
        want = [(h.entity_id, round(h.score, 9)) for h in naive.screen(q, include_below=True)]
        assert got == want, name
