"""What the monitoring service asks of the matcher: scores of chosen records equal to a
screen's, and the reverse reach (subjects as records, a listed record as the query)."""

from __future__ import annotations

from ctnode.ingest.un_sc import parse_un_sc
from ctnode.match import Matcher, Thresholds
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery
from tests.conftest import DEMO_LIST

QUERIES = [
    ScreenQuery(names=["Fares Nader Alkamari"], birth_dates=["1975"]),
    ScreenQuery(names=["Arslan Wedenow"]),
    ScreenQuery(names=["Yosra Barakzay"], birth_dates=["1990"]),
    ScreenQuery(names=["Silver Crescent Brigade"], schema="Organization"),
]


def _matcher() -> Matcher:
    matcher = Matcher(Thresholds())
    matcher.build(parse_un_sc(DEMO_LIST).entities)
    return matcher


def test_scores_of_chosen_records_equal_a_screen() -> None:
    matcher = _matcher()
    for query in QUERIES:
        screened = [(h.entity_id, h.score, h.band) for h in matcher.screen(query, limit=50)]
        assert screened, query.names
        ids = [h[0] for h in screened] + ["un_sc-DMi.010", "no-such-id"]
        chosen = [(h.entity_id, h.score, h.band) for h in matcher.score_records(query, ids)]
        assert chosen == screened
        rest = [(h.entity_id, h.score) for h in matcher.score_records(query, ids[1:])]
        assert rest == [(i, s) for i, s, _b in screened[1:]]  # only the records asked for


def _subject(i: int, name: str) -> Entity:
    e = Entity(id=f"s{i}", schema="Person", dataset="watch")
    e.add("name", name)
    return e


def test_the_reverse_reach_finds_the_subjects_a_record_resembles() -> None:
    listed = _matcher()
    names = ["Fares Nader al-Qamari", "Faris Kamari", "Ingrid Haugland", "Arslan Vedenov",
             "Mohammed Nadir", "Qamari"]
    reverse = Matcher(Thresholds())
    reverse.build([_subject(i, n) for i, n in enumerate(names)], rarity=listed.rarity)
    assert reverse.rarity is listed.rarity
    record = ScreenQuery(names=["FARIS NADIR AL-QAMARI", "Fares Nader Alkamari"])
    everything = reverse.reach(record)
    bounded = reverse.reach(record, 0.4)
    assert {"s0", "s1"} <= bounded <= everything
    assert "s2" not in everything and "s3" not in everything
    reverse.remove("s0")
    assert "s0" not in reverse.reach(record, 0.4)
