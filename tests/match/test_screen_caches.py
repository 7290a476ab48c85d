"""What a screen works out once and reuses (a batch's queries share most of their parts)
answers as worked out afresh, and follows the index when names are added: a query unit's
posting lists, the name bound with a query name's constants, the prefix filter's split,
the listed abjad keys, a symbol table's answers, rule texts read into phrases."""

from __future__ import annotations

import dataclasses
import io
import random
from pathlib import Path

import numpy as np
import pytest

from ctnode.ingest.un_sc import parse_un_sc
from ctnode.match import Matcher, NaiveMatcher, Thresholds, persist, similarity, weights
from ctnode.match.bounds import (
    EPS,
    WHOLE_EPS,
    Plan,
    Shape,
    bound_of,
    name_bound,
    name_bounds,
    plans_for,
    split_plans,
)
from ctnode.match.columns import ColumnFile, ColumnWriter, HashedKeys, KeyedColumn, KeyedSet
from ctnode.match.phrases import english, rule_phrase, said
from ctnode.match.postings import ALT_PREFIX, PostingKind
from ctnode.match.symbols import SymbolTable
from ctnode.match.transliterate import ABJAD_MARK
from ctnode.match.weights import MODEL
from ctnode.model.entities import Entity
from ctnode.model.screening import Hit, ScreenQuery
from tests.match.conftest import listed_person

pytestmark = pytest.mark.usefixtures("hand_model")


def _hits(m: Matcher | NaiveMatcher, q: ScreenQuery) -> list[tuple[str, float, str]]:
    return [(h.entity_id, h.score, h.matched_name) for h in m.screen(q, include_below=True)]


@pytest.mark.parametrize("covered", [(0.0, 0.0), (0.3, 0.2), (0.7, 0.9)])
def test_the_bound_with_a_query_names_constants_is_name_bound(covered: tuple[float, float],
                                                               ) -> None:
    """The same value, bit for bit, as :func:`name_bound` for any inputs (ties at every
    ``min``, ``max`` and at "the query found whole"), with the model read when it is made."""
    saved = (MODEL.covered_query, MODEL.covered_listed)
    MODEL.covered_query, MODEL.covered_listed = covered
    try:
        rng = random.Random(11)
        for _ in range(3000):
            w_q = rng.choice([0.0, 0.05, 0.4, 1.0, 2.3, rng.uniform(0, 4)])
            shape = Shape(rng.random() < 0.5, rng.random() < 0.2)
            bound = bound_of(w_q, shape)
            a = rng.choice([0.0, w_q, MODEL.min_information, 2 * MODEL.min_information,
                            rng.uniform(0, 5)])
            c = rng.choice([0.0, a, rng.uniform(0, 5)])
            qw = rng.choice([0.0, w_q, w_q - WHOLE_EPS, w_q - 2 * WHOLE_EPS, rng.uniform(0, 4)])
            w_c = rng.choice([0.0, c, rng.uniform(0, 5)])
            assert bound(a, c, qw, w_c) == name_bound(w_q, a, c, qw, w_c, shape), (
                w_q, a, c, qw, w_c, shape)
    finally:
        MODEL.covered_query, MODEL.covered_listed = saved


@pytest.mark.parametrize("covered", [(0.0, 0.0), (0.3, 0.2), (0.7, 0.9)])
def test_the_bounds_over_arrays_are_name_bound(covered: tuple[float, float]) -> None:
    """:func:`name_bounds` (numpy, worked in place) gives :func:`name_bound`'s value bit for
    bit for every name, in every shape, with ties at every ``min`` and ``max`` and at "the
    query found whole" (a query name of some weight: its denominator is positive)."""
    saved = (MODEL.covered_query, MODEL.covered_listed)
    MODEL.covered_query, MODEL.covered_listed = covered
    try:
        rng = random.Random(12)
        for _ in range(200):
            w_q = rng.choice([0.05, 0.4, 1.0, 2.3, rng.uniform(0.01, 4)])
            shape = Shape(rng.random() < 0.5, rng.random() < 0.3)
            rows = []
            for _ in range(40):
                a = rng.choice([0.0, w_q, MODEL.min_information, 2 * MODEL.min_information,
                                rng.uniform(0, 5)])
                c = rng.choice([0.0, a, rng.uniform(0, 5)])
                qw = rng.choice([0.0, w_q, w_q - WHOLE_EPS, w_q - 2 * WHOLE_EPS,
                                 rng.uniform(0, 4)])
                w_c = rng.choice([0.0, c, rng.uniform(0, 5)])
                rows.append((a, c, qw, w_c))
            a_v, c_v, qw_v, wc_v = (np.array(col) for col in zip(*rows, strict=True))
            got = name_bounds(w_q, a_v, c_v, qw_v, wc_v, shape).tolist()
            want = [name_bound(w_q, *row, shape) for row in rows]
            assert got == want, (w_q, shape)
    finally:
        MODEL.covered_query, MODEL.covered_listed = saved


def _split_reference(plans: list[Plan], w_q: float, floor: float,
                     shape: Shape) -> tuple[list[Plan], list[Plan]]:
    """The prefix filter's split as first written (every plan rebuilt)."""
    entries = sorted(((len(arr), i, j) for i, p in enumerate(plans)
                      for j, (arr, _qv, _cv) in enumerate(p.reach)), reverse=True)
    a_u, c_u, in_s = [0.0] * len(plans), [0.0] * len(plans), [False] * len(plans)
    a = c = qw = 0.0
    skip: set[tuple[int, int]] = set()
    for _size, i, j in entries:
        _arr, qv, cv = plans[i].reach[j]
        a2 = a - a_u[i] + max(a_u[i], qv)
        c2 = c - c_u[i] + max(c_u[i], cv)
        qw2 = qw if in_s[i] else qw + plans[i].qweight
        if name_bound(w_q, a2, c2, qw2, c2, shape) + EPS >= floor:
            continue
        a, c, qw = a2, c2, qw2
        a_u[i], c_u[i], in_s[i] = max(a_u[i], qv), max(c_u[i], cv), True
        skip.add((i, j))
    finding: list[Plan] = []
    skipped: list[Plan] = []
    for i, p in enumerate(plans):
        for side, keep in ((finding, False), (skipped, True)):
            reach = [r for j, r in enumerate(p.reach) if ((i, j) in skip) == keep]
            if reach:
                side.append(Plan(p.unit, sum(len(r[0]) for r in reach), p.qweight,
                                 max(r[1] for r in reach), max(r[2] for r in reach), reach))
    return finding, skipped


def test_the_split_is_the_one_first_written(shared_data: Path) -> None:
    """Plans kept or set aside whole are passed on as they are; the split is the same."""
    un = parse_un_sc(shared_data / "un-sc-consolidated.xml").entities
    m = Matcher(Thresholds())
    m.build(un)
    rng = random.Random(5)
    names = [n for e in un for n in e.get("name") + e.get("alias")]
    queries = [*rng.sample(names, 80), "Mohammed Ali", "Abdul Rahman Mohammed", "Ali Khan"]
    split = 0
    for text in queries:
        for qn in m.prepare(ScreenQuery(names=[text])).names:
            plans = sorted(plans_for(m.tables, qn), key=lambda p: p.size)
            for floor in (0.2, 0.5, 0.7, 0.9):
                got = split_plans(plans, qn.total, floor, Shape(qn.capped, qn.truncated))
                want = _split_reference(plans, qn.total, floor, Shape(qn.capped, qn.truncated))
                assert got == want, (text, floor)
                split += bool(got[0]) and bool(got[1])
    assert split > 20  # both sides were met


def test_a_units_lists_are_what_it_reaches_and_follow_added_names() -> None:
    m = Matcher(Thresholds())
    m.build([listed_person("a", "Khalid Sheikh Mohammed"), listed_person("b", "Mohammed Omar")])
    qn = m.prepare(ScreenQuery(names=["Mohamed Zarqawi"])).names[0]

    def fresh() -> list[list[tuple[list[int], float, float]]]:
        out = []
        for unit in qn.units:
            reach = [(list(m.tables.lookup(kind, key)), ub, ub * wk)
                     for kind, key, ub, wk in m.tables.expand_unit(unit)]
            out.append([r for r in reach if r[0]])
        return out

    def cached() -> list[list[tuple[list[int], float, float]]]:
        return [[(list(arr), ub, cv) for arr, ub, cv in m.tables.unit_postings(u).lists]
                for u in qn.units]

    assert cached() == fresh()
    assert not m.screen(ScreenQuery(names=["Mohamed Zarqawi"]))
    m.add(listed_person("c", "Abu Musab al-Zarqawi"))
    assert cached() == fresh()  # the remembered lists were dropped with the new name
    (hit, *_) = m.screen(ScreenQuery(names=["Abu Musab Zarqawi"]))
    assert hit.entity_id == "c"


def test_indexing_keeps_no_listed_name_forms_and_screens_keep_theirs() -> None:
    """A build or an add parses each listed name for its postings and keeps none of the
    forms: kept, the last ``FORM_CACHE`` of a million names were freed by the first screen
    after the build (0.7 s at 200,000 names). The forms a screen scores are kept, and are
    the ones indexing reads."""
    m = Matcher(Thresholds())
    m.build([listed_person("a", "Khalid Sheikh Mohammed"), listed_person("b", "Mohammed Omar")])
    assert not m._forms
    m.add(listed_person("c", "Abu Musab al-Zarqawi"))
    assert not m._forms
    (hit, *_) = m.screen(ScreenQuery(names=["Abu Musab Zarqawi"]))
    assert hit.entity_id == "c"
    assert m._forms
    for name_id, form in m._forms.items():
        fresh = m.new_name_form(name_id)
        assert (form.original, form.singles, form.merged_units, form.total) == (
            fresh.original, fresh.singles, fresh.merged_units, fresh.total)


def test_a_large_index_freezes_what_its_screens_keep_after_a_full_collection(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """At FREEZE_AT names or more, a screen after which a full collection has run freezes
    what survived it (the caches the screens fill, out of the collector's view as the index
    is), at most CACHE_FREEZES times; a smaller index never freezes; the hits are the
    same."""
    import gc

    from ctnode.match import corpus

    people = [listed_person("a", "Khalid Sheikh Mohammed"), listed_person("b", "Mohammed Omar")]
    query = ScreenQuery(names=["Mohamed Omar"])
    small = Matcher(Thresholds())
    small.build(people[1:])  # one name
    large, fresh = Matcher(Thresholds()), Matcher(Thresholds())  # two names each
    large.build(people)
    fresh.build(people)
    expected = _hits(large, query)
    monkeypatch.setattr(corpus, "FREEZE_AT", 2)
    monkeypatch.setattr(corpus, "CACHE_FREEZES", 2)
    gc.unfreeze()
    try:
        gc.collect()
        assert small.screen(query)
        assert gc.get_freeze_count() == 0
        frozen = []
        for _ in range(3):
            gc.collect()  # a full collection, then a screen
            assert _hits(large, query) == expected
            frozen.append(gc.get_freeze_count())
            gc.unfreeze()
        assert frozen[0] > 0 and frozen[1] > 0 and frozen[2] == 0  # at most CACHE_FREEZES
        fresh.screen(query)
        assert gc.get_freeze_count() > 0  # its first screen
        gc.unfreeze()
        full = gc.get_stats()[2]["collections"]
        fresh.screen(query)
        if gc.get_stats()[2]["collections"] == full:  # (none ran during the screen)
            assert gc.get_freeze_count() == 0  # no full collection since its last screen
    finally:
        gc.unfreeze()


def test_the_abjad_keys_are_every_listed_one_built_loaded_and_added(
        entities: list[Entity], tmp_path: Path) -> None:
    """The Arabic-script readings' skeleton keys (plain and alternative), found in a built
    table, found by the byte search in a loaded one, and joined by a name added since: a
    Latin query meets them as the reference does."""
    arabic = listed_person("ar-1", "أبو مصعب الزرقاوي")
    built = Matcher(Thresholds())
    built.build([*entities, arabic])
    persist.save(built, tmp_path, {"mark": 1})
    loaded, _ = persist.load(tmp_path, Thresholds(), 200, {"mark": 1})
    index = loaded.tables.postings[PostingKind.SKELETON]
    assert isinstance(index, KeyedColumn)
    alt = ALT_PREFIX + ABJAD_MARK
    for m in (built, loaded):
        every = {k for k in m.tables.postings[PostingKind.SKELETON]
                 if k[:1] == ABJAD_MARK or k[:2] == alt}
        assert len(every) > 1 and m.tables.abjad_keys() == every
    added = listed_person("ar-2", "عبد المالك دروكدال")
    naive = NaiveMatcher(Thresholds())
    naive.build([*entities, arabic, added])
    for m in (built, loaded):
        before = set(m.tables.abjad_keys())
        m.add(added)
        assert m.tables.abjad_keys() > before  # the new keys joined the remembered set
        for text in ("Abdelmalek Droukdal", "Abdelmalek Drukdal", "Abu Musab Zarqawi",
                     "Abu Musab al-Zarkawi"):
            q = ScreenQuery(names=[text], schema="Person")
            assert _hits(m, q) == _hits(naive, q), text
    q = ScreenQuery(names=["Abdelmalek Droukdal"], schema="Person")
    assert "ar-2" in {h.entity_id for h in loaded.screen(q)}


def test_keys_starting_with_a_mark_are_found_by_their_bytes() -> None:
    keys = ["\x03abc", "x\x03y", "\x01\x03dd", "\x01\x01\x03no", "héllo\x03", "\x03",
            "\x01", "plain", "ж\x03", "\x03ж", "", "\x01\x03"]
    out = ColumnWriter()
    HashedKeys.pack(keys, out, "k")
    buf = io.BytesIO()
    out.write(buf)
    hashed = HashedKeys.read(ColumnFile(memoryview(buf.getvalue()), out.directory), "k")
    want = ["\x03abc", "\x01\x03dd", "\x03", "\x03ж", "\x01\x03"]
    assert hashed.starting_with("\x03", "\x01") == want
    assert hashed.starting_with("\x03") == ["\x03abc", "\x03", "\x03ж"]
    column = KeyedColumn(hashed, lambda row: row)
    column["\x01\x03new"] = 99
    column["other"] = 98
    assert column.starting_with("\x03", "\x01") == [*want, "\x01\x03new"]
    kept = KeyedSet(hashed)  # (a set over the same keys: the katakana keys' reading)
    kept.add("\x03more")
    kept.add("\x03abc")  # (already held: not added again)
    assert kept.starting_with("\x03") == ["\x03abc", "\x03", "\x03ж", "\x03more"]
    empty = ColumnWriter()
    HashedKeys.pack([], empty, "k")
    buf = io.BytesIO()
    empty.write(buf)
    none = HashedKeys.read(ColumnFile(memoryview(buf.getvalue()), empty.directory), "k")
    assert none.starting_with("\x03", "\x01") == [] == KeyedSet(none).starting_with("\x03")


def test_a_symbol_tables_remembered_answers_follow_its_lexicon(entities: list[Entity]) -> None:
    m = Matcher(Thresholds())
    m.build(entities)
    table = m.symbol_table
    assert table is not None
    tokens = sorted({t.lower() for e in entities for n in e.get("name") for t in n.split()})
    token = next(t for t in tokens if table.answer(t))
    answer = table.answer(token)
    assert answer and table.answer(token) is answer  # remembered
    other = SymbolTable()
    assert other.answer(token) == frozenset()  # no listed symbol: nothing to meet
    assert other.extend({token: answer})  # a delta's new symbols: answers read again
    assert other.answer(token) == answer
    table.lexicon = {}  # another lexicon (as a load sets it): answers read again
    assert table.answer(token) == frozenset()


def test_rule_texts_read_into_the_same_phrases() -> None:
    text = "one name in two languages (rigour name symbol Q123), phonetic skeleton 'mhmd'"
    first = rule_phrase(text)
    assert first.code == "match.rule.symbol_and" and rule_phrase(text) is first
    rule_phrase.cache_clear()
    assert rule_phrase(text) == first


def test_a_hit_sent_by_a_batch_worker_arrives_whole(entities: list[Entity]) -> None:
    """Hits pickled (as a forked batch worker sends them) load equal, phrases and all."""
    import pickle

    m = Matcher(Thresholds())
    m.build(entities)
    hits = [h for e in entities[:20] for h in m.screen(ScreenQuery(names=[e.caption]))]
    assert hits and any(f.phrases for h in hits for f in h.explanation)
    back = pickle.loads(pickle.dumps(hits, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == hits
    assert [[f.phrases for f in h.explanation] for h in back] == [
        [f.phrases for f in h.explanation] for h in hits]
    assert [h.as_dict() for h in back] == [h.as_dict() for h in hits]


def _whole(hits: list[Hit]) -> list[dict[str, object]]:
    return [{**h.as_dict(), "explanation": [f.as_record() for f in h.explanation]}
            for h in hits]


def _variants(entities: list[Entity]) -> list[ScreenQuery]:
    """Spellings, reorderings and parts of listed names, several per record (as a batch's
    queries share their parts), some with a year of birth."""
    rng = random.Random(17)
    out = []
    for e in entities[:40]:
        for name in e.get("name")[:1] + e.get("alias")[:2]:
            parts = name.split()
            out.append(ScreenQuery(names=[name]))
            out.append(ScreenQuery(names=[" ".join(reversed(parts))], birth_dates=["1970"]))
            if len(parts) > 2:
                out.append(ScreenQuery(names=[" ".join(rng.sample(parts, len(parts) - 1))]))
            typo = list(name)
            k = rng.randrange(1, max(2, len(typo) - 1))
            typo[k], typo[k - 1] = typo[k - 1], typo[k]
            out.append(ScreenQuery(names=["".join(typo)]))
    return out


def test_query_parts_similarities_kept_across_screens_give_fresh_scores(
        entities: list[Entity]) -> None:
    """A query part's similarities are kept for the next queries with that part: every hit,
    score and explanation is what a screen with nothing kept gives; the kept ones are
    forgotten when the scorer's model changes and when a name is added."""
    m = Matcher(Thresholds())
    m.build(entities)
    queries = _variants(entities)
    kept = [_whole(m.screen(q, include_below=True)) for q in queries]
    assert m._unit_memos  # something was kept
    fresh = []
    for q in queries:
        m._unit_memos = {}
        fresh.append(_whole(m.screen(q, include_below=True)))
    assert kept == fresh
    assert sum(map(len, kept)) > 100
    # another model: what was kept under the first is not used
    for q in queries:
        m.screen(q, include_below=True)
    other = weights.load()
    before = dataclasses.replace(MODEL)
    similarity.use_model(other)
    try:
        now = [_whole(m.screen(q, include_below=True)) for q in queries]
        fresh = []
        for q in queries:
            m._unit_memos = {}
            fresh.append(_whole(m.screen(q, include_below=True)))
        assert now == fresh != kept
    finally:
        similarity.use_model(before)
    m.add(listed_person("new", "Mohammed Omar Zarqawi"))
    assert m._unit_memos == {}


def test_explanations_are_their_phrases_in_english_and_share_them(
        entities: list[Entity]) -> None:
    """Each explanation's ``detail`` is its phrases in English; a phrase said again (the
    same part, rule or weight in another hit) is the same object, and so is a detail's
    explanation (the calibration, a nationality that agrees), whatever hit holds it."""
    m = Matcher(Thresholds())
    m.build(entities)
    hits = [h for q in _variants(entities) for h in m.screen(q, include_below=True)]
    features = [f for h in hits for f in h.explanation]
    assert all(f.detail == english(f.phrases) for f in features)
    phrases = [p for f in features for p in f.phrases]
    distinct = {id(p) for p in phrases}
    assert len({(p.code, p.values) for p in phrases}) == len(distinct) < len(phrases) / 3
    calibrations = {id(f) for f in features if f.feature == "calibration"}
    assert len(calibrations) == (1 if MODEL.score_offset else 0)
    query = ScreenQuery(names=[hits[0].matched_name])
    first = _whole(m.screen(query))
    said.cache_clear()  # made again: equal phrases, equal words
    assert _whole(m.screen(query)) == first
