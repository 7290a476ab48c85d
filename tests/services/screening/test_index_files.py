"""The node's name index files (services/screening/index.py): built once and loaded by
the next process without analysing a listed name, brought up to date by every import, noticed
by a running process through the stamp file, and rebuilt with a message when unusable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctnode.ingest.un_sc import parse_un_sc
from ctnode.match import Matcher, persist
from ctnode.model.entities import Entity, Statement
from ctnode.model.lists import ParsedList
from ctnode.model.screening import ScreenQuery
from ctnode.node import Node
from ctnode.services.screening.index import MatchIndex
from tests.conftest import ADMIN, DEMO_LIST


def _fresh_index(node: Node, messages: list[str]) -> MatchIndex:
    """What another process on the same data folder and store would hold."""
    return MatchIndex(node.settings, node.store.entities, announce=messages.append)


def _no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Matcher, entities: object) -> None:
        raise AssertionError("the index was built again instead of loaded")

    monkeypatch.setattr(Matcher, "build", refuse)


def _national(*names: str) -> ParsedList:
    entities = []
    for i, name in enumerate(names):
        e = Entity(id=f"nat-{i}", schema="Person", dataset="nat", reference=f"N{i}",
                   status="listed")
        e.statements.append(Statement(prop="name", value=name, original=name, dataset="nat"))
        entities.append(e)
    return ParsedList(dataset="nat", title="National list", source="test", version="1",
                      entities=entities)


def _top(index: MatchIndex, name: str) -> str | None:
    hits = index.refresh().screen(ScreenQuery(names=[name], schema="Person"))
    return hits[0].entity_id if hits else None


def test_built_once_then_loaded_by_the_next_process(
        node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    messages: list[str] = []
    first = _fresh_index(node, messages)
    first.refresh()
    stamp = persist.read_stamp(first.folder)
    assert stamp is not None and stamp["mark"] == node.store.entities.change_mark() > 0
    assert messages == ["name index: none in this data folder yet; building it from the store "
                        "(once)"]
    _no_build(monkeypatch)
    later: list[str] = []
    second = _fresh_index(node, later)
    assert _top(second, "Faris Nadir") == _top(first, "Faris Nadir") == "un_sc-DMi.001"
    assert later == [] and len(second.matcher) == len(first.matcher)


def test_a_build_keeps_rigours_han_words_beside_the_index(node: Node) -> None:
    """The index build writes the Han words (a kept table, transliterate.HAN_WORDS) once,
    whole: a later screen's first long Han name reads them from the file, not from rigour's
    dictionary."""
    from ctnode.match import symbols
    from ctnode.match.transliterate import HAN_WORDS

    if not symbols.dictionary_available():
        pytest.skip("rigour's name dictionary cannot be read in this install")
    index = _fresh_index(node, [])
    index.refresh()
    assert HAN_WORDS.load(index.folder) == " ".join(sorted(symbols.read_han_keys()))


def test_an_import_updates_the_files_without_a_rebuild(
        node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    node.index.refresh()
    _no_build(monkeypatch)
    node.lists.import_list(_national("Quentin Zebulon Marchetti"), ADMIN)
    node.index.wait()  # applied on a thread of its own
    stamp = persist.read_stamp(node.index.folder)
    assert stamp is not None and stamp["mark"] == node.store.entities.change_mark()
    assert _top(node.index, "Quentin Marchetti") == "nat-0"
    # another process loads the files with the delta in them, no rebuild, no store read
    messages: list[str] = []
    other = _fresh_index(node, messages)
    assert _top(other, "Quentin Marchetti") == "nat-0" and messages == []
    # a delisting (re-import without the record) reaches the files too
    node.lists.import_list(_national("Ottavia Brambilla Vescovi"), ADMIN)
    node.index.wait()
    again = _fresh_index(node, messages)
    assert _top(again, "Quentin Marchetti") is None
    assert _top(again, "Ottavia Vescovi") == "nat-0"


def test_a_running_process_notices_files_written_by_another(node: Node) -> None:
    messages: list[str] = []
    server = _fresh_index(node, messages)
    assert _top(server, "Quentin Marchetti") is None
    calls = {"n": 0}
    real = node.store.entities.change_mark

    def counting() -> int:
        calls["n"] += 1
        return real()

    server.entities = type("Counting", (), {})()  # only what refresh may use
    server.entities.change_mark = counting  # type: ignore[attr-defined]
    server.entities.changed_since = node.store.entities.changed_since  # type: ignore[attr-defined]
    server.entities.get_entity = node.store.entities.get_entity  # type: ignore[attr-defined]
    for _ in range(50):
        server.refresh()
    assert calls["n"] == 0  # no store round trip per screen while nothing changed
    node.lists.import_list(_national("Quentin Zebulon Marchetti"), ADMIN)  # another process
    node.index.wait()
    assert _top(server, "Quentin Marchetti") == "nat-0"
    assert calls["n"] == 1


def test_corrupt_or_stale_files_are_rebuilt_with_a_message(node: Node) -> None:
    node.index.refresh()
    folder: Path = node.index.folder
    stamp = json.loads((folder / persist.STAMP).read_text())
    (folder / stamp["generation"] / persist.STATE).write_bytes(b"garbage")
    messages: list[str] = []
    other = _fresh_index(node, messages)
    assert _top(other, "Faris Nadir") == "un_sc-DMi.001"
    assert len(messages) == 1 and "state.pkl is corrupt" in messages[0]
    assert "rebuilding" in messages[0]
    # a stamp newer than the store (a store restored from a backup): rebuilt
    stamp = json.loads((folder / persist.STAMP).read_text())
    stamp_mark = stamp["mark"]
    stamp["mark"] = stamp_mark + 1000
    (folder / persist.STAMP).write_text(json.dumps(stamp))
    messages.clear()
    third = _fresh_index(node, messages)
    third.refresh()
    assert len(messages) == 1 and "backup" in messages[0]
    assert persist.read_stamp(folder)["mark"] == stamp_mark  # type: ignore[index]


def test_state_and_rebuild_for_the_command_line(node: Node) -> None:
    state = node.index.state()
    assert state.problem == "no index yet" and state.stamp is None
    node.index.rebuild()
    state = node.index.state()
    assert state.problem is None and state.stamp is not None
    assert state.stamp["records"] == node.lists.count(status=None)
    node.lists.import_list(parse_un_sc(DEMO_LIST), ADMIN)  # no change: mark unchanged
    assert node.index.state().problem is None
