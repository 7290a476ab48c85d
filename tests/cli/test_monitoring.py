"""``ctnode watch``: add, import, list, show, alerts, remove, rescreen from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ctnode.cli.main import app
from ctnode.node import Node

runner = CliRunner()
WHY = ["--purpose", "case work", "--legal-basis", "CT Act s.12", "--case", "C-3"]


@pytest.fixture
def env(node: Node) -> dict[str, str]:
    return {
        "CTNODE_DATA_DIR": str(node.settings.data_dir),
        "CTNODE_DATABASE_URL": node.settings.store_url,
        "CTNODE_MODE": "development",
        "COLUMNS": "200",  # tables as wide as they want (a narrow terminal wraps the cells)
    }


def test_watch_from_the_command_line(env: dict[str, str], tmp_path: Path) -> None:
    r = runner.invoke(app, ["watch", "add", "Fares Nadir al-Qamari", "--birth-date",
                            "1975-04-17", "--label", "cust-1", "--days", "90", *WHY,
                            "--json"], env=env)
    assert r.exit_code == 0, r.output
    added = json.loads(r.stdout)
    (subject,) = added["subjects"]
    assert subject["label"] == "cust-1" and subject["case"] == "C-3"
    assert [a["entity_id"] for a in added["alerts"]] == ["un_sc-DMi.001"]
    r = runner.invoke(app, ["watch", "add", "Fares Nadir"], env=env)
    assert r.exit_code == 1 and "legal basis" in r.output
    path = tmp_path / "customers.csv"
    path.write_text("id,name,birthDate\nk-1,Arslan Wedenow,1982\n")
    r = runner.invoke(app, ["watch", "import", str(path), *WHY], env=env)
    assert r.exit_code == 0, r.output
    assert "1 subject(s) under watch" in r.stdout and "un_sc-DMi.002" in r.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"name": "A B"}\n{"nom": "C"}\n')
    r = runner.invoke(app, ["watch", "import", str(bad), *WHY], env=env)
    assert r.exit_code == 1 and "bad.jsonl, line 2: unknown field(s) nom" in r.output
    r = runner.invoke(app, ["watch", "list", "--json"], env=env)
    listed = json.loads(r.stdout)
    assert [s["label"] for s in listed] == ["cust-1", "k-1"]
    r = runner.invoke(app, ["watch", "show", subject["id"]], env=env)
    assert r.exit_code == 0 and "un_sc-DMi.001" in r.stdout and "match" in r.stdout
    r = runner.invoke(app, ["watch", "alerts", "--unread", "--mark-read"], env=env)
    assert r.exit_code == 0 and "2 alert(s) marked read" in r.stdout
    r = runner.invoke(app, ["watch", "alerts", "--unread", "--json"], env=env)
    assert json.loads(r.stdout) == []
    r = runner.invoke(app, ["watch", "rescreen", "--json"], env=env)
    assert r.exit_code == 0 and json.loads(r.stdout)["subjects"] == 2
    assert json.loads(r.stdout)["alerts"] == 0
    r = runner.invoke(app, ["watch", "remove", subject["id"], "--reason", "closed"], env=env)
    assert r.exit_code == 0 and f"removed {subject['id']}" in r.stdout
    r = runner.invoke(app, ["watch", "remove", subject["id"]], env=env)
    assert r.exit_code == 1 and "no watched subject" in r.output
