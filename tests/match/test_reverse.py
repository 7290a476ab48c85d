"""What the monitoring service asks of the matcher: scores of chosen records equal to a
screen's, and the reverse reach (subjects as records, a listed record as the query)."""

from __future__ import annotations

from functools import cache

import pytest

from ctnode.ingest.un_sc import parse_un_sc
from ctnode.match import Matcher, Thresholds
from ctnode.match.corpus import ListedRecord, details_of
from ctnode.match.details import details_value
from ctnode.match.reverse import SubjectMatcher
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery
from tests.conftest import DEMO_LIST

QUERIES = [
    ScreenQuery(names=["Fares Nader Alkamari"], birth_dates=["1975"]),
    ScreenQuery(names=["Arslan Wedenow"]),
    ScreenQuery(names=["Yosra Barakzay"], birth_dates=["1990"]),
    ScreenQuery(names=["Silver Crescent Brigade"], schema="Organization"),
]


@cache
def _matcher() -> Matcher:
    """The demo list's index (built once: the tests only read it)."""
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


def test_scoring_chosen_records_by_bounds_equals_scoring_every_name() -> None:
    """``Matcher.score_records`` scores only the names whose bound can reach the threshold,
    best bound first; ``NameCorpus.score_records`` (the naive way) scores every name of
    every record. Same hits, same scores, same bands, for queries near and far, with and
    without details that lift or sink a score."""
    import random

    from ctnode.match.corpus import NameCorpus

    matcher = _matcher()
    rng = random.Random(15)
    everyone = [rec.id for rec in matcher._records]
    queries = list(QUERIES)
    for rec in matcher._records:
        for n in rec.names[:2]:
            parts = matcher._name_text[n].split()
            i = rng.randrange(len(parts))
            word = parts[i]
            j = rng.randrange(len(word))
            typo = " ".join([*parts[:i], word[:j] + rng.choice("aeiy") + word[j + 1:],
                             *parts[i + 1:]])
            for name in (matcher._name_text[n], typo, " ".join(reversed(parts))):
                if rng.random() < 0.5:
                    queries.append(ScreenQuery(names=[name], schema=rec.schema))
                else:  # details that lift or sink the score
                    queries.append(ScreenQuery(
                        names=[name], schema=rec.schema,
                        birth_dates=[str(1940 + rng.randrange(60))],
                        nationalities=[rng.choice(["iq", "sy", "fr"])]))
    hits = 0
    for query in queries:
        chosen = rng.sample(everyone, 8) + [h.entity_id for h in matcher.screen(query, 5)]
        naive = NameCorpus.score_records(matcher, query, chosen)
        bounded = matcher.score_records(query, chosen)
        assert [(h.entity_id, h.score, h.band, h.matched_name) for h in bounded] == [
            (h.entity_id, h.score, h.band, h.matched_name) for h in naive], query
        hits += len(naive)
    assert len(queries) > 80 and hits > 40


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


def _subjects_of_every_kind() -> list[Entity]:
    """Persons in several scripts (typos, parts turned round, initials), organisations
    (acronyms read their tokens), details of every kind, a subject with two names."""
    names = [("Person", "Fares Nader al-Qamari"), ("Person", "Faris Kamari"),
             ("Person", "فارس نادر القمري"), ("Person", "Фарес Надер Аль-Камари"),
             ("Person", "Qamari, Fares"), ("Person", "F. N. Alkamari"),
             ("Person", "Arslan Vedenov"), ("Person", "Mohammed Nadir"),
             ("Person", "Ingrid Haugland"), ("Organization", "Silver Crescent Brigade"),
             ("Organization", "SCB"), ("LegalEntity", "Crescent Silver Trading LLC"),
             ("Person", "Yosra Barakzai"), ("Person", "Abdul Rahman Nadir")]
    out: list[Entity] = []
    for i, (schema, name) in enumerate(names):
        e = Entity(id=f"s{i}", schema=schema, dataset="watch")
        e.add("name", name)
        if i % 3 == 0:
            e.add("birthDate", "1975-04-07" if i % 2 else "1975")
        if i % 4 == 1:
            e.add("nationality", "iq")
        if i == 7:
            e.add("name", "Muhammad Nader")
            e.add("passportNumber", "A1234567")
        out.append(e)
    return out


def test_the_subjects_matcher_looks_up_exactly_what_a_full_matcher_does() -> None:
    """The reverse index's matcher keeps only what a look-up reads (no names' text nor
    tokens for persons): every look-up equals that of a full ``Matcher`` built on the same
    subjects with the same rarity, after its build and after subjects are added and
    removed; it refuses to screen (it no longer holds what scoring reads)."""
    listed = _matcher()
    subjects = _subjects_of_every_kind()
    full = Matcher(Thresholds())
    full.build(subjects[:10], rarity=listed.rarity, symbol_table=False)
    lean = SubjectMatcher(Thresholds())
    lean.build_subjects(subjects[:10], listed.rarity)
    assert lean.rarity is listed.rarity
    assert lean._name_text[0] == "" and lean.record("s0") is not None
    assert lean.record("s0").caption == ""  # type: ignore[union-attr]
    for entity in subjects[10:]:
        full.add(entity)
        lean.add(entity)
    full.remove("s4")
    lean.remove("s4")
    queries = [ScreenQuery(names=[listed._name_text[n] for n in rec.names], schema=rec.schema)
               for rec in listed._records]
    queries += [*QUERIES, ScreenQuery(names=["SCB"], schema="Organization"),
                ScreenQuery(names=["Fares"])]
    reached = 0
    for query in queries:
        assert lean.reach(query) == full.reach(query), query.names
        for floor in (0.3, 0.5, 0.7):
            found = lean.reach_bounds(query, floor)
            assert found == full.reach_bounds(query, floor), (query.names, floor)
            reached += len(found)
    assert reached > 20  # the look-ups found subjects, of several kinds
    for i in range(len(subjects)):
        a, b = lean.record(f"s{i}"), full.record(f"s{i}")
        if b is None:
            assert a is None
            continue
        assert a is not None
        assert (a.dates, a.countries, a.docs, a.schema) == (b.dates, b.countries, b.docs,
                                                             b.schema)
    with pytest.raises(TypeError, match="look-ups"):
        lean.screen(QUERIES[0])


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


def test_the_reverse_look_up_reads_the_listed_records_written_acronyms() -> None:
    """A watched subject ``ASL`` scores against a listed AL-HARAMAIN AN SHIPPING LLC by the
    acronym as written (a listed name's, see ParsedName): the look-up of that record, the
    query here, must find the subject, bound included."""
    from ctnode.model.entities import Entity as _Entity

    def org(i: str, name: str, dataset: str) -> _Entity:
        e = _Entity(id=i, schema="Organization", dataset=dataset)
        e.add("name", name)
        return e

    full = "AL-HARAMAIN AN SHIPPING LLC"
    listed = Matcher(Thresholds())
    listed.build([org("l", full, "un_sc")])
    hit = listed.compare(ScreenQuery(names=["ASL"], schema="Organization"), "l")
    assert hit is not None and hit.score >= 0.7
    reverse = SubjectMatcher(Thresholds())
    reverse.build_subjects([org("s", "ASL", "watch"), org("t", "HSX", "watch")],
                           listed.rarity)
    record = ScreenQuery(names=[full], schema="Organization")
    assert reverse.reach(record) == {"s"}
    bounds = reverse.reach_bounds(record, 0.7)
    assert set(bounds) == {"s"} and bounds["s"] >= hit.score
