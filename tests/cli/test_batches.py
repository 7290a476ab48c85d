"""The CLI commands of manifest and payment screening and retention (thin edges)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ctnode.cli.main import app
from ctnode.node import Node
from tests.conftest import PAYMENT_FIXTURES, TRAVEL_FIXTURES

runner = CliRunner()


def env(node: Node) -> dict[str, str]:
    return {"CTNODE_DATA_DIR": str(node.settings.data_dir),
            "CTNODE_DATABASE_URL": node.settings.store_url, "CTNODE_MODE": "development"}


def test_cli_manifest_formats(node: Node, tmp_path: Path) -> None:
    path = str(TRAVEL_FIXTURES / "paxlst_edge_cases.edi")
    r = runner.invoke(app, ["screen", "manifest", path], env=env(node))
    assert r.exit_code == 0, r.output
    assert "DMi.002" in r.output and "VEDENOV" in r.output
    r = runner.invoke(app, ["screen", "manifest", path, "-f", "jsonl"], env=env(node))
    assert json.loads(r.output.splitlines()[0])["kind"] == "PAXLST"
    out = tmp_path / "report.csv"
    r = runner.invoke(app, ["screen", "manifest", path, "-f", "csv", "-o", str(out)],
                      env=env(node))
    assert r.exit_code == 0 and out.read_text().startswith("ref,role,name")


def test_cli_payments_and_errors(node: Node) -> None:
    r = runner.invoke(app, ["screen", "payments", str(PAYMENT_FIXTURES / "mt103_multi_wallet.fin"),
                              "-f", "jsonl"], env=env(node))
    assert r.exit_code == 0, r.output
    records = [json.loads(x) for x in r.output.splitlines()]
    assert records[0]["format"] == "MT103" and records[0]["skipped"] == 1
    r = runner.invoke(app, ["screen", "payments", str(PAYMENT_FIXTURES / "xxe.xml")], env=env(node))
    assert r.exit_code == 1 and "DOCTYPE" in r.output
    r = runner.invoke(app, ["screen", "manifest", "/nonexistent.edi"], env=env(node))
    assert r.exit_code == 1 and "no such file" in r.output


def test_cli_retention(node: Node) -> None:
    r = runner.invoke(app, ["travel-retention"], env=env(node))
    assert r.exit_code == 0 and "masked 0" in r.output
