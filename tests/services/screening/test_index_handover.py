"""A first import hands its entities to the name index (services/lists.py ``hand_over``,
services/screening/index.py ``Handed``): the index is built from them and the store's other
lists, not read back from the store, and is the index a rebuild from the store makes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ctnode.errors import InvalidInput
from ctnode.match import Matcher
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery
from ctnode.node import Node
from ctnode.services.screening.index import MatchIndex
from tests.conftest import ADMIN

PEOPLE = [
    ("p-20", "Quentin Zebulon Marchetti", "1961-04-02", "it"),
    ("p-03", "Ottavia Brambilla Vescovi", "1975", "it"),
    ("p-11", "Abdul Rahman al-Hashimi", "1980-01-31", "iq"),
    ("p-07", "Mohammed Abdel Karim", "1969-13-45", "eg"),  # an invalid date: left out
    ("p-15", "Иван Петрович Сидоров", "1958-07-19", "ru"),
    ("p-01", "Faris Nadir Haddad", "1990-02-28", "sy"),
]


def _write(path: Path, people: list[tuple[str, str, str, str]], extra: list[dict[str, Any]]
           ) -> Path:
    lines = [{"id": ref, "schema": "Person", "datasets": ["nat"],
              "properties": {"name": [name], "alias": [name.upper()], "birthDate": [born],
                             "nationality": [country], "notes": ["listed 2026"]}}
             for ref, name, born, country in people]
    # no value the index reads: the store's read for the index leaves it out too
    lines += extra
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def _spy(node: Node) -> list[str | None]:
    """Record the ``exclude`` of every read of the store for the index."""
    calls: list[str | None] = []
    store = node.store.entities
    real = store.iter_for_matching

    def reading(props: Any, exclude: str | None = None) -> Iterator[Entity]:
        calls.append(exclude)
        return real(props, exclude)

    store.iter_for_matching = reading  # type: ignore[method-assign]
    return calls


def _shape(matcher: Matcher) -> tuple[list[Any], list[Any]]:
    records = [(r.id, r.fields()) for r in matcher._records]
    names = [(matcher._name_text[i], tuple(matcher._name_tokens[i]),
              matcher._name_rec[i]) for i in range(len(matcher._name_text))]
    return records, names


def _hits(matcher: Matcher, name: str) -> list[tuple[str, float, str]]:
    return [(h.entity_id, h.score, h.matched_name)
            for h in matcher.screen(ScreenQuery(names=[name], schema="Person"))]


def test_a_first_import_builds_the_index_from_its_entities(
        node: Node, tmp_path: Path) -> None:
    calls = _spy(node)
    path = _write(tmp_path / "nat.jsonl", PEOPLE, [
        {"id": "w-1", "schema": "Person", "properties": {"notes": ["no name"]}}])
    report = node.lists.import_source("ftm", str(path), ADMIN, dataset="nat", version="1")
    node.index.wait()
    assert len(report.added) == len(PEOPLE) + 1 and report.entities is None
    assert calls == ["nat"]  # only the other lists were read from the store
    built = node.index.matcher
    # a second host on the same store rebuilds from the store: the same index
    other = MatchIndex(node.settings.model_copy(update={"data_dir": tmp_path / "host2"}),
                       node.store.entities)
    rebuilt = other.rebuild()
    assert calls == ["nat", None]
    assert _shape(built) == _shape(rebuilt)
    assert "nat-w-1" not in built._by_id  # no value the index reads, as from the store
    for name in ("Quentin Marchetti", "Ottavia Vescovi", "Abdulrahman Hashimi",
                 "Ivan Sidorov", "Faris Nadir"):
        assert _hits(built, name) == _hits(rebuilt, name)
    assert _hits(built, "Quentin Marchetti")[0][0] == "nat-p-20"
    assert node.index.verify(sample=30).differ == []


def test_a_small_import_into_a_larger_index_is_applied_as_a_delta(
        node: Node, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    node.index.refresh()
    held = len(node.index.matcher)
    assert held > 2
    calls = _spy(node)

    def refuse(self: Matcher, entities: object) -> None:
        raise AssertionError("the index was built again instead of updated")

    monkeypatch.setattr(Matcher, "build", refuse)
    path = _write(tmp_path / "nat.jsonl", PEOPLE[:2], [])
    node.lists.import_source("ftm", str(path), ADMIN, dataset="nat", version="1")
    node.index.wait()
    assert calls == [] and len(node.index.matcher) == held + 2
    assert _hits(node.index.matcher, "Quentin Marchetti")[0][0] == "nat-p-20"


def test_a_re_import_is_not_handed_over(node: Node, tmp_path: Path) -> None:
    path = _write(tmp_path / "nat.jsonl", PEOPLE, [])
    node.lists.import_source("ftm", str(path), ADMIN, dataset="nat", version="1")
    node.index.wait()
    calls = _spy(node)
    # the dataset held records before: the store's version of it is not the file's
    changed = [(ref, name + " Junior", born, c) for ref, name, born, c in PEOPLE]
    _write(path, changed, [])
    node.lists.import_source("ftm", str(path), ADMIN, dataset="nat", version="2")
    node.index.wait()
    assert calls == []  # applied as a delta
    assert _hits(node.index.matcher, "Quentin Marchetti Junior")[0][0] == "nat-p-20"


def test_bad_text_in_a_bulk_import_is_refused_and_nothing_is_written(
        node: Node, tmp_path: Path) -> None:
    before = node.lists.count(status=None)
    people = [*PEOPLE[:3], ("p-99", "Bad\u0000Name", "1970", "fr")]
    path = _write(tmp_path / "nat.jsonl", people, [])
    with pytest.raises(InvalidInput, match="NUL"):
        node.lists.import_source("ftm", str(path), ADMIN, dataset="nat", version="1")
    assert node.lists.count(status=None) == before
    assert not [d for d in node.store.entities.list_datasets() if d["name"] == "nat"]
