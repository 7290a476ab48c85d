"""A large import's CPU (issue 11: a million persons imported and indexed in 5 minutes):
Python's cyclic collector is paused while the store writes a list and while the index is
built from it (its full passes over the growing heap freed nothing, 12 s of a 100 s import
at 200,000 persons), and put back as it was; the tables kept beside the index are written
before the build, while rigour's dictionary is still held (a large build lets it go)."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest

from ctnode.match import Matcher, kept, persist
from ctnode.node import Node
from tests.conftest import ADMIN

PEOPLE = [
    ("q-1", "Quentin Zebulon Marchetti", "1961-04-02"),
    ("q-2", "Ottavia Brambilla Vescovi", "1975"),
    ("q-3", "Faris Nadir Haddad", "1990-02-28"),
]


def _write(path: Path) -> Path:
    lines = [{"id": ref, "schema": "Person", "datasets": ["nat"],
              "properties": {"name": [name], "birthDate": [born]}}
             for ref, name, born in PEOPLE]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path



@pytest.mark.usefixtures("collecting")
def test_the_store_write_pauses_the_collector(node: Node, tmp_path: Path) -> None:
    seen: list[bool] = []

    def progress(done: int, total: int) -> None:  # called inside the store's write
        seen.append(gc.isenabled())

    report = node.lists.import_source("ftm", str(_write(tmp_path / "nat.jsonl")), ADMIN,
                                      dataset="nat", version="1", progress=progress)
    node.index.wait()
    assert len(report.added) == len(PEOPLE)
    assert seen and not any(seen)
    assert gc.isenabled()


@pytest.mark.usefixtures("collecting")
def test_a_failed_store_write_puts_the_collector_back(node: Node, tmp_path: Path) -> None:
    def progress(done: int, total: int) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        node.lists.import_source("ftm", str(_write(tmp_path / "nat.jsonl")), ADMIN,
                                 dataset="nat", version="1", progress=progress)
    assert gc.isenabled()
    assert node.store.entities.count_entities(dataset="nat") == 0


def test_the_kept_tables_are_written_before_the_build(
        node: Node, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large build lets rigour's dictionary go once its symbol table is made; the Han
    words table is worked out from the dictionary's text, so it is written first."""
    folder = node.index.folder
    for table in kept._TABLES:
        (folder / table.file).unlink(missing_ok=True)
    present: list[list[str]] = []
    real = Matcher.build

    def build(self: Matcher, entities: Any, *args: Any, **kwargs: Any) -> None:
        present.append(sorted(t.file for t in kept._TABLES if (folder / t.file).exists()))
        real(self, entities, *args, **kwargs)

    monkeypatch.setattr(Matcher, "build", build)
    node.index.rebuild()
    assert kept._TABLES
    assert present == [sorted(t.file for t in kept._TABLES)]


@pytest.mark.usefixtures("collecting")
def test_the_index_build_pauses_the_collector_until_its_files_are_written(
        node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, bool] = {}
    real_write, real_save = kept.write_all, persist.save

    def write_all(folder: Path) -> None:
        seen["kept"] = gc.isenabled()
        real_write(folder)

    def save(*args: Any, **kwargs: Any) -> persist.Saved:
        seen["save"] = gc.isenabled()
        return real_save(*args, **kwargs)

    monkeypatch.setattr(kept, "write_all", write_all)
    monkeypatch.setattr(persist, "save", save)
    node.index.rebuild()
    assert seen == {"kept": False, "save": False}
    assert gc.isenabled()


@pytest.mark.usefixtures("collecting")
def test_the_import_command_pauses_the_collector(
        node: Node, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from ctnode.cli.main import app
    from ctnode.services.lists import Lists

    seen: list[bool] = []
    real = Lists.import_source

    def import_source(self: Lists, *args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Lists, "import_source", import_source)
    env = {"CTNODE_DATA_DIR": str(node.settings.data_dir),
           "CTNODE_DATABASE_URL": node.settings.store_url, "CTNODE_MODE": "development"}
    r = CliRunner().invoke(app, ["import", "ftm", str(_write(tmp_path / "nat.jsonl")),
                                 "--dataset", "nat", "--version", "1"], env=env)
    assert r.exit_code == 0, r.output
    assert seen == [False]
    assert gc.isenabled()
