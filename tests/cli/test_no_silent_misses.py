"""The command line: imports that refuse to destroy, dataset removal, coverage warnings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ctnode.cli.main import app
from ctnode.node import Node
from tests.conftest import DEMO_LIST, REPO

runner = CliRunner()
FTM = REPO / "tests" / "ingest" / "fixtures" / "opensanctions-sample.ftm.json"


@pytest.fixture
def env(empty_node: Node) -> dict[str, str]:
    return {
        "CTNODE_DATA_DIR": str(empty_node.settings.data_dir),
        "CTNODE_DATABASE_URL": empty_node.settings.store_url,
        "CTNODE_MODE": "development",
    }


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_imports_refuse_to_destroy(env: dict[str, str], tmp_path: Path) -> None:
    r = runner.invoke(app, ["screen", "Faris Nadir"], env=env)
    assert r.exit_code == 0 and "WARNING (no_lists)" in _flat(r.stdout)
    assert runner.invoke(app, ["import", "un-sc", str(DEMO_LIST)], env=env).exit_code == 0
    r = runner.invoke(app, ["import", "ftm", str(FTM), "--dataset", "un_sc"], env=env)
    assert r.exit_code == 1 and "import_refused" in _flat(r.output)
    assert "holds a list imported as un-sc" in _flat(r.output)
    newer = tmp_path / "newer.xml"
    text = DEMO_LIST.read_text(encoding="utf-8").replace("2026-01-01T00:00:00.000Z",
                                                         "2026-02-01T00:00:00.000Z")
    newer.write_text(re.sub(r"<INDIVIDUAL>.*?</INDIVIDUAL>", "", text, count=1, flags=re.S))
    r = runner.invoke(app, ["import", "un-sc", str(newer), "--dry-run"], env=env)
    assert r.exit_code == 0 and "dry run" in r.stdout and "removed: DMi.001" in r.stdout
    r = runner.invoke(app, ["import", "un-sc", str(newer)], env=env)
    assert r.exit_code == 1 and "would delist 1 of the 16" in _flat(r.output)
    r = runner.invoke(app, ["import", "un-sc", str(newer), "--confirm", "--json"], env=env)
    assert r.exit_code == 0 and json.loads(r.stdout)["removed_ids"] == ["un_sc-DMi.001"]
    r = runner.invoke(app, ["import", "un-sc", str(DEMO_LIST)], env=env)
    assert r.exit_code == 1 and "--allow-older" in _flat(r.output)


def test_a_list_of_another_publisher_is_refused_in_one_line(env: dict[str, str],
                                                           tmp_path: Path) -> None:
    """The same format from another source into a held dataset: exit 1 with one line naming
    both sources and the way out; --source states it; `ctnode datasets` shows the publisher."""
    ours = tmp_path / "national.ftm.json"
    ours.write_text(json.dumps({"id": "n1", "schema": "Person", "datasets": ["nl_ministry"],
                                "properties": {"name": ["Nationalperson Listed"]}}) + "\n")
    r = runner.invoke(app, ["import", "ftm", str(ours), "--dataset", "national"], env=env)
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["import", "ftm", str(FTM), "--dataset", "national"], env=env)
    assert r.exit_code == 1 and "import_refused" in r.output
    (line,) = [x for x in r.output.splitlines() if x.strip()]
    assert "'nl_ministry'" in line and "'demo'" in line and "--source" in line
    assert "ctnode datasets remove national" in line
    r = runner.invoke(app, ["datasets"], env=env)
    assert "national:" in r.stdout and "published by nl_ministry" in _flat(r.stdout)
    assert "1 listed" in r.stdout
    r = runner.invoke(app, ["import", "ftm", str(FTM), "--dataset", "national", "--source",
                            "nl_ministry", "--confirm", "--json"], env=env)
    assert r.exit_code == 0 and json.loads(r.stdout)["removed"] == 1


def test_a_suppressed_hit_is_shown_marked_by_a_cli_screen(env: dict[str, str],
                                                          tmp_path: Path) -> None:
    """A false positive on an identified subject: `ctnode screen` still shows the hit,
    marked with the decision's id and author (table and JSON); revoked, it is a hit again."""
    assert runner.invoke(app, ["import", "un-sc", str(DEMO_LIST)], env=env).exit_code == 0
    subject = ["Arslan Timurovich Vedenov", "--birth-date", "1982-01-01"]
    r = runner.invoke(app, ["screen", *subject, "--json"], env=env)
    first = json.loads(r.stdout)
    assert [h["entity_id"] for h in first["hits"]][:1] == ["un_sc-DMi.002"]
    r = runner.invoke(app, ["decide", "un_sc-DMi.002", "--decision", "false_positive",
                            "--comment", "another man, passport checked",
                            "--screening", first["screening_id"]], env=env)
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["screen", *subject, "--json"], env=env)
    again = json.loads(r.stdout)
    assert "un_sc-DMi.002" not in [h["entity_id"] for h in again["hits"]]
    (marked,) = [h for h in again["suppressed"] if h["entity_id"] == "un_sc-DMi.002"]
    did, by = marked["suppressed"]["decision_id"], marked["suppressed"]["by"]
    assert did and by
    r = runner.invoke(app, ["screen", *subject], env=env)
    table = _flat(r.stdout)
    assert "DMi.002" in table and did in table and "suppressed" in table
    assert "revoke-decision" in table
    # a batch file from the command line keeps it too, marked
    batch = tmp_path / "in.jsonl"
    batch.write_text(json.dumps({"id": "v", "name": "Arslan Timurovich Vedenov",
                                 "birthDate": "1982-01-01"}) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["screen", "--batch", str(batch), "--out", str(tmp_path / "o.jsonl")],
                      env=env)
    assert r.exit_code == 0, r.output
    (row,) = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert "un_sc-DMi.002" not in [h["entity_id"] for h in row["hits"]]
    (kept,) = [h for h in row["suppressed"] if h["entity_id"] == "un_sc-DMi.002"]
    assert kept["suppressed"]["decision_id"] == did and kept["suppressed"]["by"] == by
    r = runner.invoke(app, ["revoke-decision", did, "--reason", "mistaken"], env=env)
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["screen", *subject, "--json"], env=env)
    assert "un_sc-DMi.002" in [h["entity_id"] for h in json.loads(r.stdout)["hits"]]


def test_datasets_lists_and_removes(env: dict[str, str]) -> None:
    assert runner.invoke(app, ["import", "un-sc", str(DEMO_LIST)], env=env).exit_code == 0
    r = runner.invoke(app, ["datasets"], env=env)
    assert r.exit_code == 0 and "un_sc:" in r.stdout and "un-sc" in r.stdout
    r = runner.invoke(app, ["datasets", "--json"], env=env)
    data = json.loads(r.stdout)
    assert data["datasets"][0]["kind"] == "un-sc" and "complete" in data["coverage"]
    r = runner.invoke(app, ["datasets", "remove", "un_sc", "--reason", "test", "--yes"], env=env)
    assert r.exit_code == 0 and "16 records" in r.stdout
    r = runner.invoke(app, ["datasets"], env=env)
    assert "WARNING (no_lists)" in _flat(r.stdout)
    r = runner.invoke(app, ["audit", "list", "--json", "--event", "dataset.remove"], env=env)
    assert json.loads(r.stdout)[0]["detail"]["reason"] == "test"


def test_read_only_commands_refuse_to_create_a_store(tmp_path: Path) -> None:
    folder = tmp_path / "elsewhere"
    env = {"CTNODE_DATA_DIR": str(folder), "CTNODE_DATABASE_URL": "",
           "CTNODE_MODE": "development"}
    for args in (["screen", "Ayman al-Zawahiri"], ["datasets"], ["review"],
                 ["entity", "QDi.006"], ["audit", "verify"], ["export", "ftm"]):
        r = runner.invoke(app, args, env=env)
        assert r.exit_code == 1, (args, r.output)
        flat = _flat(r.output)
        assert "no node data here (looked in" in flat and "set CTNODE_DATA_DIR" in flat
        assert str(folder) in flat.replace(" ", "") or str(folder) in flat
    assert not folder.exists() or not any(folder.iterdir())
    # a command that sets a node up may create it
    r = runner.invoke(app, ["import", "un-sc", str(DEMO_LIST)], env=env)
    assert r.exit_code == 0 and (folder / "ctnode.db").exists()
    assert runner.invoke(app, ["datasets"], env=env).exit_code == 0
