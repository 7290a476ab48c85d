"""What the monitoring service asks of the matcher: scores of chosen records equal to a
screen's, and the reverse reach (subjects as records, a listed record as the query)."""

from __future__ import annotations

from ctnode.ingest.un_sc import parse_un_sc
from ctnode.match import Matcher, Thresholds
from ctnode.match.corpus import ListedRecord, details_of
from ctnode.match.details import details_value
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


def test_reach_bounds_hold_the_scores_of_the_other_direction() -> None:
    """Each subject ``reach_bounds`` finds comes with a bound of its screen's name score
    against the record (the record's best name against the subject's names, as a screen
    scores it): never below the score the subject gets from its own screen."""
    listed = _matcher()
    names = ["Fares Nader al-Qamari", "Faris Kamari", "Mohammed Nadir", "Qamari",
             "Fares Alkamari Nader", "Arslan Vedenov"]
    subjects = [_subject(i, n) for i, n in enumerate(names)]
    reverse = Matcher(Thresholds())
    reverse.build(subjects, rarity=listed.rarity, symbol_table=False)
    assert reverse.symbol_table is None
    checked = 0
    for entity_id in ("un_sc-DMi.001", "un_sc-DMi.002", "un_sc-DMi.010"):
        rec = listed.record(entity_id)
        assert rec is not None
        record_names = [listed._name_text[n] for n in rec.names]
        found = reverse.reach_bounds(ScreenQuery(names=record_names), 0.3)
        assert set(found) == reverse.reach(ScreenQuery(names=record_names), 0.3)
        for subject_id, bound in found.items():
            query = ScreenQuery(names=[names[int(subject_id[1:])]])
            hit = listed.compare(query, entity_id)
            if hit is not None:  # no details: the score is the name score
                assert hit.score <= bound + 1e-9, (subject_id, entity_id)
                checked += 1
    assert checked >= 3


def test_details_value_is_the_sum_of_the_explained_details() -> None:
    """The pair test's shortcut adds what the explained details add, case by case."""
    dates = [(), ("1975",), ("1975-04-07",), ("1976",), ("1990-01-02", "1975-07-04")]
    countries = [(), ("iq",), ("sy", "iq"), ("fr",)]
    docs = [(), ("A1234567",), ("B7654321",)]
    compared = 0
    for c_dates in dates:
        for c_countries in countries[:3]:
            for c_docs in docs[:2]:
                for schema in ("Person", "Organization"):
                    record = _record(c_dates, c_countries, c_docs, schema)
                    for q_dates in dates:
                        for q_countries in countries:
                            for q_docs in docs:
                                explained = sum(f.contribution for f in details_of(
                                    list(q_dates), list(q_countries), list(q_docs),
                                    "Person", record))
                                assert details_value(
                                    q_dates, q_countries, q_docs, "Person", record.dates,
                                    record.countries, record.docs, record.schema,
                                ) == explained
                                compared += 1
    assert compared > 1000


def _record(dates: tuple[str, ...], countries: tuple[str, ...], docs: tuple[str, ...],
            schema: str) -> ListedRecord:
    entity = Entity(id="r", schema=schema, dataset="d")
    for value in dates:
        entity.add("birthDate", value)
    for value in countries:
        entity.add("nationality", value)
    for value in docs:
        entity.add("passportNumber", value)
    return ListedRecord(entity, ())
