"""``ctnode intel ...``: collections, STIX and MISP import and export, show, links, round trip
(thin edges over the intel service; refusals are one clear line and exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ctnode.cli.main import app
from ctnode.node import Node
from tests.cli.test_batches import env

runner = CliRunner()
FIXTURES = Path(__file__).parents[1] / "intel" / "fixtures"
ACTOR_ID = "threat-actor--2cb85f3f-4a24-439a-9d99-8017f5e2fc57"


def test_cli_intel_import_show_export_and_misp(node: Node, tmp_path: Path) -> None:
    e = env(node)
    r = runner.invoke(app, ["intel", "create", "CT indicators", "--alias", "ct"], env=e)
    assert r.exit_code == 0, r.output
    bundle = str(FIXTURES / "ct-bundle.json")
    r = runner.invoke(app, ["intel", "import", bundle, "-c", "ct", "--json"], env=e)
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["added"] == 19 and "un_sc-QDe.115" in report["links"]
    r = runner.invoke(app, ["intel", "import", bundle, "-c", "ct"], env=e)
    assert "added 0 object versions, already present 19" in r.output
    r = runner.invoke(app, ["intel", "show", ACTOR_ID, "-c", "ct"], env=e)
    assert r.exit_code == 0 and "un_sc-QDe.115" in r.output
    r = runner.invoke(app, ["intel", "linked", "un_sc-QDe.115", "--json"], env=e)
    assert [row["object_id"] for row in json.loads(r.stdout)] == [ACTOR_ID]
    out = tmp_path / "out.json"
    r = runner.invoke(app, ["intel", "export", "-c", "ct", "--type", "malware", "-o", str(out)],
                      env=e)
    assert r.exit_code == 0 and [o["type"] for o in json.loads(out.read_text())["objects"]] == [
        "malware"]
    r = runner.invoke(app, ["intel", "misp", "import", str(FIXTURES / "misp-event.json"),
                            "-c", "ct"], env=e)
    assert r.exit_code == 0 and "MISP event" in r.output
    r = runner.invoke(app, ["intel", "misp", "export", "-c", "ct", "--type", "indicator"],
                      env=e)
    assert r.exit_code == 0 and json.loads(r.stdout)["Event"]["info"]
    r = runner.invoke(app, ["intel", "collections", "--json"], env=e)
    assert json.loads(r.stdout)[0]["objects"] > 19


def test_cli_intel_refusals_and_round_trip(node: Node, tmp_path: Path) -> None:
    e = env(node)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"type": "indicator", "id": "indicator--1"}))
    runner.invoke(app, ["intel", "create", "X", "--alias", "x"], env=e)
    r = runner.invoke(app, ["intel", "import", str(bad), "-c", "x"], env=e)
    assert r.exit_code == 1 and "bad.json" in r.output and "invalid_stix" in r.output
    assert "spec_version" in r.output
    r = runner.invoke(app, ["intel", "import", str(bad), "-c", "nope"], env=e)
    assert r.exit_code == 1 and "no collection 'nope'" in r.output
    r = runner.invoke(app, ["intel", "round-trip", str(FIXTURES / "misp-event.json"), "--json"],
                      env=e)
    assert r.exit_code == 0 and json.loads(r.stdout)["losses"]
    assert node.store.intel.count_objects() == {}
