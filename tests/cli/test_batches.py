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
    assert json.loads(r.stdout.splitlines()[0])["kind"] == "PAXLST"
    out = tmp_path / "report.csv"
    r = runner.invoke(app, ["screen", "manifest", path, "-f", "csv", "-o", str(out)],
                      env=env(node))
    assert r.exit_code == 0 and out.read_text().startswith("ref,role,name")


def test_cli_payments_and_errors(node: Node) -> None:
    r = runner.invoke(app, ["screen", "payments", str(PAYMENT_FIXTURES / "mt103_multi_wallet.fin"),
                              "-f", "jsonl"], env=env(node))
    assert r.exit_code == 0, r.output
    records = [json.loads(x) for x in r.stdout.splitlines()]
    assert records[0]["format"] == "MT103" and records[0]["skipped"] == 1
    r = runner.invoke(app, ["screen", "payments", str(PAYMENT_FIXTURES / "xxe.xml")], env=env(node))
    assert r.exit_code == 1 and "DOCTYPE" in r.output
    r = runner.invoke(app, ["screen", "manifest", "/nonexistent.edi"], env=env(node))
    assert r.exit_code == 1 and "no such file" in r.output


def test_cli_retention(node: Node) -> None:
    r = runner.invoke(app, ["travel-retention"], env=env(node))
    assert r.exit_code == 0 and "masked 0" in r.output


def _run(node: Node, *args: str) -> str:
    r = runner.invoke(app, list(args), env=env(node))
    assert r.exit_code == 0, r.output
    return r.stdout


def test_hits_only_in_every_format_of_manifests(node: Node) -> None:
    path = str(TRAVEL_FIXTURES / "paxlst_edge_cases.edi")
    every = [json.loads(x) for x in _run(node, "screen", "manifest", path, "-f", "jsonl")
             .splitlines()]
    assert len(every) == 1 + every[0]["travellers"] == 5
    head, *rows = [json.loads(x) for x in _run(node, "screen", "manifest", path, "-f", "jsonl",
                                                 "--hits-only").splitlines()]
    assert head["hits_only"] is True and head["travellers"] == 4
    assert rows and all(r["hits"] or r["suppressed"] or r["error"] for r in rows)
    assert len(rows) == head["travellers_with_hits"] + sum(1 for r in rows if r["error"])
    assert "SHCHUKINA" not in json.dumps(rows) and "VEDENOV" in json.dumps(rows)
    csv_rows = _run(node, "screen", "manifest", path, "-f", "csv", "--hits-only").splitlines()
    assert csv_rows[0].startswith("ref,role,name")
    assert all("SHCHUKINA" not in line for line in csv_rows)
    assert any("VEDENOV" in line and "DMi.002" in line for line in csv_rows[1:])
    table = _run(node, "screen", "manifest", path, "--hits-only")
    assert "VEDENOV" in table and "SHCHUKINA" not in table


def test_hits_only_in_every_format_of_payments(node: Node) -> None:
    path = str(PAYMENT_FIXTURES / "mt103_multi_wallet.fin")
    every = _run(node, "screen", "payments", path, "-f", "jsonl")
    assert "JOHN SAMPLE" in every
    for fmt in ("jsonl", "csv", "table"):
        text = _run(node, "screen", "payments", path, "-f", fmt, "--hits-only")
        assert "JOHN SAMPLE" not in text, fmt  # the innocent ordering customer
        assert "VEDENOV" in text, fmt
    head, *txs = [json.loads(x) for x in _run(node, "screen", "payments", path, "-f", "jsonl",
                                                "--hits-only").splitlines()]
    assert head["hits_only"] is True
    assert [p["role"] for t in txs for p in t["parties"]] == ["beneficiary"]
