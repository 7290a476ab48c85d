"""``ctnode library ...``: add a Markdown guide, find it, show it, withdraw it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ctnode.cli.main import app
from ctnode.node import Node
from tests.cli.test_batches import env

runner = CliRunner()
GUIDE = Path(__file__).parents[1] / "library" / "fixtures" / "guide.md"


def test_cli_library(empty_node: Node) -> None:
    e = env(empty_node)
    r = runner.invoke(app, ["library", "add", str(GUIDE), "--topic", "forensics", "--source",
                            "Test ministry", "--date", "2026-01-10", "--lang", "en", "--json"],
                      env=e)
    assert r.exit_code == 0, r.output
    doc_id = json.loads(r.stdout)["id"]
    r = runner.invoke(app, ["library", "search", "seized devices", "--json"], env=e)
    found = json.loads(r.stdout)
    assert found["total"] == 1 and found["hits"][0]["document_id"] == doc_id
    r = runner.invoke(app, ["library", "search", "custody"], env=e)
    assert "1 documents match" in r.output and "Handling digital evidence" in r.output
    r = runner.invoke(app, ["library", "show", doc_id], env=e)
    assert "forensics" in r.output
    r = runner.invoke(app, ["library", "add", str(GUIDE), "--topic", "cooking", "--source", "x",
                            "--date", "2026-01-10"], env=e)
    assert r.exit_code == 1 and "field 'languages' is required" in r.output  # not in Markdown
    r = runner.invoke(app, ["library", "add", str(GUIDE), "--topic", "cooking", "--source", "x",
                            "--date", "2026-01-10", "--lang", "en"], env=e)
    assert r.exit_code == 1 and "field 'topics': 'cooking' is not in" in r.output
    r = runner.invoke(app, ["library", "withdraw", doc_id, "--reason", "superseded"], env=e)
    assert r.exit_code == 0
    r = runner.invoke(app, ["library", "list", "--json"], env=e)
    assert json.loads(r.stdout) == []
