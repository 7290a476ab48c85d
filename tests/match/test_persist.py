"""The name index on disk (ctnode.match.persist): a saved and loaded matcher answers
exactly as the one saved (and as the naive reference), takes deltas after loading, and a
damaged or foreign file is refused, never used."""

from __future__ import annotations

import gc
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from ctnode.ingest.un_sc import parse_un_sc
from ctnode.match import Matcher, NaiveMatcher, Thresholds, persist
from ctnode.match.columns import KeyedColumn, KeyedSet
from ctnode.match.postings import PostingKind
from ctnode.model.entities import Entity, Statement
from ctnode.model.screening import ScreenQuery
from tests.match.conftest import listed_person

pytestmark = pytest.mark.usefixtures("hand_model")


def _queries(entities: list[Entity], n: int, seed: int = 7) -> list[ScreenQuery]:
    rng = random.Random(seed)
    out = []
    for e in rng.sample(entities, min(n, len(entities))):
        name = rng.choice(e.get("name") + e.get("alias"))
        tokens = name.split()
        if len(tokens) > 1 and rng.random() < 0.5:
            tokens.pop(0)
        out.append(ScreenQuery(names=[" ".join(tokens)], schema=e.schema))
    return [*out, ScreenQuery(names=["Mohammed Ali"], schema="Person")]


def _answers(m: Matcher | NaiveMatcher, qs: list[ScreenQuery]) -> list[list[tuple[str, float]]]:
    return [[(h.entity_id, h.score) for h in m.screen(q, include_below=True)] for q in qs]


def test_loaded_index_answers_as_saved_and_as_naive(entities: list[Entity], tmp_path: Path) -> None:
    built = Matcher(Thresholds())
    built.build(entities)
    saved = persist.save(built, tmp_path, {"mark": 5})
    assert saved.names == len(built._name_text) and saved.bytes > 0
    loaded, stamp = persist.load(tmp_path, Thresholds(), 200, {"mark": 5})
    assert stamp["mark"] == 5 and stamp["records"] == len(entities)
    assert loaded.tables.packed is not None  # the long postings come from the mapped file
    # records, names and tables are read from the mapped columns: nothing made per record
    # or per key until a screen asks for it
    assert isinstance(loaded.tables.postings[PostingKind.LATIN], KeyedColumn)
    assert loaded._records._cache == {} and loaded._records._more == []
    naive = NaiveMatcher(Thresholds())
    naive.build(entities)
    qs = _queries(entities, 40)
    expected = _answers(naive, qs)
    assert any(expected)
    assert _answers(loaded, qs) == expected == _answers(built, qs)


def test_deltas_after_loading_match_the_same_deltas_in_memory(
        entities: list[Entity], tmp_path: Path) -> None:
    built = Matcher(Thresholds())
    built.build(entities)
    persist.save(built, tmp_path, {"mark": 1})
    loaded, _ = persist.load(tmp_path, Thresholds(), 200, {"mark": 1})
    first = entities[0]
    for m in (built, loaded):
        m.add(listed_person("new-1", first.caption + " Junior", "Zarqawi Qurashi Abdelmalek"))
        m.remove(entities[1].id)
        m.remove(entities[3].id)
        m.add(entities[3])  # removed, then listed again
        m.add(listed_person(entities[2].id, "Qurashi Abdelmalek Zarqawi"))  # replaced
        m.remove("not-held")
    # a packed list that took a new name became an array; the rest stay mapped
    skeletons = loaded.tables.postings[PostingKind.SKELETON]
    assert any(not isinstance(skeletons.get(k), int) for k in skeletons)
    assert len(loaded) == len(built) == len(entities)
    assert loaded.record(entities[1].id) is None and loaded.record("new-1") is not None
    assert loaded.record(entities[3].id) is not None
    qs = [*_queries(entities, 30), ScreenQuery(names=["Zarqawi Qurashi"], schema="Person"),
          ScreenQuery(names=[entities[2].caption], schema="Person")]
    assert _answers(loaded, qs) == _answers(built, qs)
    hits = loaded.screen(ScreenQuery(names=["Qurashi Abdelmalek Zarqawi"]))
    assert {h.entity_id for h in hits[:2]} == {entities[2].id, "new-1"}
    (hit, *_) = loaded.screen(ScreenQuery(names=["Zarqawi Qurashi Abdelmalek"]))
    assert hit.entity_id == "new-1"
    # and the delta survives another save and load
    persist.save(loaded, tmp_path, {"mark": 2})
    again, _ = persist.load(tmp_path, Thresholds(), 200, {"mark": 2})
    assert _answers(again, qs) == _answers(built, qs)
    assert len(list(tmp_path.glob("gen-*"))) == 1  # older generations are removed


def test_a_corrupt_file_is_refused(entities: list[Entity], tmp_path: Path) -> None:
    m = Matcher(Thresholds())
    m.build(entities)
    persist.save(m, tmp_path, {"mark": 1})
    stamp = json.loads((tmp_path / persist.STAMP).read_text())
    postings = tmp_path / stamp["generation"] / persist.POSTINGS
    whole = postings.read_bytes()
    data = bytearray(whole)
    data[len(data) // 2] ^= 0xFF
    postings.write_bytes(bytes(data))
    with pytest.raises(persist.IndexUnusable, match=r"postings\.i32 is corrupt"):
        persist.load(tmp_path, Thresholds(), 200, {"mark": 1})
    postings.write_bytes(whole)
    persist.load(tmp_path, Thresholds(), 200, {"mark": 1})  # whole again: usable
    (tmp_path / stamp["generation"] / persist.STATE).unlink()
    with pytest.raises(persist.IndexUnusable, match=r"state\.pkl is missing"):
        persist.load(tmp_path, Thresholds(), 200, {"mark": 1})


def test_an_index_for_something_else_is_refused(entities: list[Entity], tmp_path: Path) -> None:
    with pytest.raises(persist.IndexUnusable, match="no index yet"):
        persist.load(tmp_path, Thresholds(), 200, {})
    m = Matcher(Thresholds())
    m.build(entities[:3])
    persist.save(m, tmp_path, {"store": "a", "mark": 3})
    with pytest.raises(persist.IndexUnusable, match="built for store 'a'"):
        persist.load(tmp_path, Thresholds(), 200, {"store": "b"})
    with pytest.raises(persist.IndexUnusable, match="built for mark 3, the store is at 4"):
        persist.load(tmp_path, Thresholds(), 200, {"store": "a", "mark": 4})
    stamp = json.loads((tmp_path / persist.STAMP).read_text())
    stamp["model"] = "0" * 16
    (tmp_path / persist.STAMP).write_text(json.dumps(stamp))
    with pytest.raises(persist.IndexUnusable, match="another version of the matcher"):
        persist.load(tmp_path, Thresholds(), 200, {})
    (tmp_path / persist.STAMP).write_text("{not json")
    with pytest.raises(persist.IndexUnusable, match="unreadable"):
        persist.load(tmp_path, Thresholds(), 200, {})


def test_the_symbol_table_answers_as_rigour_where_it_can_matter(shared_data: Path,
                                                                tmp_path: Path) -> None:
    """A loaded index never starts rigour's name tagger for a query: its table answers every
    token exactly as rigour does on the listed symbols (the only ones a score can use);
    the table survives saving and loading."""
    from ctnode.match import symbols
    from ctnode.match.normalise import name_symbols, rigour_symbols

    entities = parse_un_sc(shared_data / "un-sc-consolidated.xml").entities
    m = Matcher(Thresholds())
    m.build(entities)
    assert m.symbol_table is not None, "rigour's name dictionary could not be read"
    persist.save(m, tmp_path, {})
    table = persist.load(tmp_path, Thresholds(), 200, {})[0].symbol_table
    assert table is not None
    loaded = {key: table.lexicon[key] for key in table.lexicon}  # a memory-mapped column
    assert table.listed == m.symbol_table.listed and loaded == m.symbol_table.lexicon
    assert table.listed and table.lexicon  # the dictionary keys of the listed symbols
    tokens = {w for e in entities for n in e.get("name") + e.get("alias")
              for w in n.lower().split()}
    variants = (shared_data / "name-variants")
    for path in sorted(variants.glob("*"))[:3] if variants.is_dir() else []:
        if path.is_file() and path.stat().st_size < 5_000_000:
            tokens |= {w for w in path.read_text(errors="replace").lower().split()
                       if w.isalpha()}
    tokens |= {"mahoma", "foma", "josyp", "usama", "владимир", "мухаммад", "zzqx"}
    with symbols.using(table):
        differ = [t for t in tokens
                  if name_symbols(t) & table.listed != rigour_symbols(t) & table.listed]
    assert differ == []
    assert len(tokens) > 3000


def test_loading_leaves_the_garbage_collector_as_it_was(entities: list[Entity],
                                                        tmp_path: Path) -> None:
    """The collector is off while the state is unpickled (a million names load 2× faster)
    and on again afterwards, also when the file cannot be read."""
    m = Matcher(Thresholds())
    m.build(entities)
    persist.save(m, tmp_path, {"mark": 1})
    assert gc.isenabled()
    persist.load(tmp_path, Thresholds(), 200, {"mark": 1})
    assert gc.isenabled()
    stamp = json.loads((tmp_path / persist.STAMP).read_text())
    state = tmp_path / stamp["generation"] / persist.STATE
    state.write_bytes(b"\x00" * state.stat().st_size)  # same size, unreadable
    with pytest.raises(persist.IndexUnusable, match="cannot be read"):
        persist.load(tmp_path, Thresholds(), 200, {"mark": 1}, verify_files=False)
    assert gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(persist.IndexUnusable):
            persist.load(tmp_path, Thresholds(), 200, {"mark": 1}, verify_files=False)
        assert not gc.isenabled()  # left off, as the caller had it
    finally:
        gc.enable()


def test_loaded_index_keeps_the_records_years_of_birth(entities: list[Entity],
                                                       tmp_path: Path) -> None:
    """The years of birth a screen lifts its floor by are saved and loaded with the records
    (and kept for records added after loading): dated queries answer as the reference."""
    built = Matcher(Thresholds())
    built.build(entities)
    persist.save(built, tmp_path, {"mark": 1})
    loaded, _stamp = persist.load(tmp_path, Thresholds(), 200, {"mark": 1})
    assert loaded._rec_year_lo == built._rec_year_lo
    assert loaded._rec_year_hi == built._rec_year_hi
    assert loaded._rec_countries == built._rec_countries
    assert any(loaded._rec_countries)  # and nationalities
    assert any(lo > 0 for lo in loaded._rec_year_lo)  # the demo list has dates of birth
    late = listed_person("late", "Tarkhan Batirashvili")
    late.statements.append(Statement(prop="birthDate", value="1986-01-11", original="1986-01-11",
                                     dataset="t"))
    late.statements.append(Statement(prop="nationality", value="ge", original="ge",
                                     dataset="t"))
    loaded.add(late)
    assert len(loaded._rec_year_lo) == len(loaded._rec_countries) == len(loaded._records)
    assert loaded._rec_year_lo[-1] == loaded._rec_year_hi[-1] == 1986
    naive = NaiveMatcher(Thresholds())
    naive.build([*entities, late])
    rng = random.Random(3)
    qs = []
    for q in [*_queries(entities, 40), ScreenQuery(names=["Tarkhan Batirashvili"])]:
        year = 1950 + rng.randrange(40)
        qs.append(ScreenQuery(names=q.names, schema=q.schema, birth_dates=[str(year)]))
    qs.append(ScreenQuery(names=["Tarkhan Batirashvili"], birth_dates=["1986"]))
    qs += [ScreenQuery(names=q.names, schema=q.schema, nationalities=["af"])
           for q in qs[:20]]
    qs.append(ScreenQuery(names=["Tarkhan Batirashvili"], nationalities=["Georgia"]))
    want = [[(h.entity_id, h.score) for h in naive.screen(q)] for q in qs]
    assert [[(h.entity_id, h.score) for h in loaded.screen(q)] for q in qs] == want
    assert want[-1] == [("late", want[-1][0][1])]
    assert want[-22] == [("late", want[-22][0][1])]


def test_a_loaded_index_reads_only_its_marked_katakana_keys(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The listed katakana parts' loanword keys (``PostingTables.katakana_keys``, asked
    for by a query's first single part) are read from a loaded vocabulary's marked keys
    alone, not by going over every listed token (a million names: 130,000 tokens decoded
    in the first screen of a process); a Latin query finds the record written in katakana
    as the built index does, also after a delta (mm, 2026-12-07)."""
    listed = [listed_person("k", "ヴィクトル スミス"), listed_person("o", "Viktor Smirnov")]
    built = Matcher(Thresholds())
    built.build(listed)
    persist.save(built, tmp_path, {"mark": 1})
    loaded, _ = persist.load(tmp_path, Thresholds(), 200, {"mark": 1})

    def no_walk(self: KeyedSet) -> Iterator[str]:
        raise AssertionError("the whole vocabulary was read")

    monkeypatch.setattr(KeyedSet, "__iter__", no_walk)
    assert loaded.tables.katakana_keys() == built.tables.katakana_keys() != frozenset()
    q = ScreenQuery(names=["Victor Smith"], schema="Person")
    assert _answers(loaded, [q]) == _answers(built, [q])
    assert _answers(loaded, [q])[0][0][0] == "k"
    for m in (built, loaded):
        m.add(listed_person("k2", "チャールズ ダーウィン"))
    assert loaded.tables.katakana_keys() == built.tables.katakana_keys()
    q = ScreenQuery(names=["Charles Darwin"], schema="Person")
    assert _answers(loaded, [q]) == _answers(built, [q])
    assert _answers(loaded, [q])[0][0][0] == "k2"
