"""``ctnode screen --batch`` on worker processes writes what one process writes (issue 11):
the same output lines in input order, the same bad lines reported with their line numbers,
the same warnings and summary, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ctnode.cli.main import app
from ctnode.node import Node

runner = CliRunner()

# forks of this (the test) process, counted by a hook: proof that workers were forked
FORKS: list[int] = []
os.register_at_fork(after_in_parent=lambda: FORKS.append(1))


def _batch_lines() -> list[str]:
    lines = []
    for i in range(12):
        lines += [
            json.dumps({"id": f"a{i}", "name": "Ayman al-Zawahiri", "birthDate": "1951-06-19"}),
            json.dumps({"id": f"b{i}", "name": "АЙМАН АЗ-ЗАВАХИРИ", "birthDate": "1951-13-45"}),
            "{not json" if i % 5 == 0 else json.dumps({"id": f"c{i}", "name": f"Quigley {i}"}),
            json.dumps({"id": f"d{i}", "schema": "Organization",
                        "name": "Al-Nusrah Front for the People of the Levant"}),
            json.dumps({"id": f"e{i}", "name": ""}) if i % 4 == 0 else "",
            json.dumps({"id": f"f{i}", "name": "Hamza bin Laden", "nationality": "Saudi Arabia",
                        **({"colour": "red"} if i == 7 else {})}),
        ]
    return lines


def test_workers_write_what_one_process_writes(node_with_un: Node, tmp_path: Path) -> None:
    env = {"CTNODE_DATA_DIR": str(node_with_un.settings.data_dir),
           "CTNODE_DATABASE_URL": node_with_un.settings.store_url,
           "CTNODE_MODE": "development", "CTNODE_BATCH_PARALLEL_MIN": "10"}
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(_batch_lines()) + "\n", encoding="utf-8")
    written, said = {}, {}
    for workers in ("1", "2"):
        out = tmp_path / f"out-{workers}.jsonl"
        forks = len(FORKS)
        r = runner.invoke(app, ["screen", "--batch", str(src), "--out", str(out),
                                "--workers", workers], env=env)
        assert r.exit_code == 0, r.output
        assert len(FORKS) - forks == (0 if workers == "1" else 2)
        written[workers], said[workers] = out.read_text(encoding="utf-8"), r.output
    assert written["1"] == written["2"]
    assert said["1"] == said["2"]
    rows = [json.loads(x) for x in written["2"].splitlines()]
    text = " ".join(said["2"].split())
    bad = [n for n in range(1, 73) if f"line {n}:" in text]
    assert bad == [3, 5, 29, 33, 48, 53, 63], said["2"]
    assert "line 48: unknown field(s) colour" in text
    assert len(rows) == 72 - 7 - 9  # bad lines skipped, blank lines ignored
    assert [r["id"] for r in rows[:5]] == ["a0", "b0", "d0", "f0", "a1"]
    assert rows[0]["hits"][0]["reference"] == "QDi.006"
    assert rows[1]["warnings"] and rows[1]["hits"][0]["reference"] == "QDi.006"
    assert f"screened {len(rows)} subjects" in text and "7 bad line(s) skipped" in text


def test_a_batch_files_lines_are_read_collecting_rarely(node_with_un: Node, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch file's queries (kept to the end) are read with the heap frozen and the
    young generation collected rarely: read with Python's thresholds, the UN batch's 7,492
    lines had a full collection go over them, 0.05 CPU-s before the workers start."""
    import gc

    import ctnode.cli.screening as screening
    from ctnode.services.screening.workers import GC_YOUNG

    env = {"CTNODE_DATA_DIR": str(node_with_un.settings.data_dir),
           "CTNODE_DATABASE_URL": node_with_un.settings.store_url,
           "CTNODE_MODE": "development"}
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(_batch_lines()) + "\n", encoding="utf-8")
    seen: list[tuple[int, bool]] = []
    parse = screening._parse_batch_line

    def parse_(lineno: int, raw: str) -> Any:
        seen.append((gc.get_threshold()[0], gc.get_freeze_count() > 0))
        return parse(lineno, raw)

    monkeypatch.setattr(screening, "_parse_batch_line", parse_)
    before = gc.get_threshold()
    r = runner.invoke(app, ["screen", "--batch", str(src), "--out", str(tmp_path / "o.jsonl"),
                            "--workers", "1"], env=env)
    assert r.exit_code == 0, r.output
    assert len(seen) > 50 and set(seen) == {(GC_YOUNG, True)}
    assert gc.get_threshold() == before
