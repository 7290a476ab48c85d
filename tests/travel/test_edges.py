"""The API routes and CLI commands of travel and payment screening (thin edges over the service)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ctnode.api.app import create_app
from ctnode.node import Node
from tests.conftest import ADMIN
from tests.travel.conftest import FIXTURES

PAYMENTS = Path(__file__).parents[1] / "payments" / "fixtures"
runner = CliRunner()


def cli() -> typer.Typer:
    """The real ``ctnode`` command, into which cli/travel.py registers its commands."""
    from ctnode.cli.main import app

    return app


def env(node: Node) -> dict[str, str]:
    return {"CTNODE_DATA_DIR": str(node.settings.data_dir),
            "CTNODE_DATABASE_URL": node.settings.store_url, "CTNODE_MODE": "development"}


def key(node: Node, role: str = "screener") -> dict[str, str]:
    return {"X-API-Key": node.create_key(ADMIN, name=f"{role}-key", role=role),
            "X-Purpose": "border screening", "X-Case-Ref": "CASE-API"}


def test_api_manifest_json_jsonl_csv(node: Node) -> None:
    client = TestClient(create_app(node))
    data = (FIXTURES / "paxlst_edge_cases.edi").read_bytes()
    assert client.post("/screen/manifest", content=data).status_code == 401
    headers = key(node)
    body = client.post("/screen/manifest", content=data, headers=headers).json()
    assert body["manifest"]["kind"] == "PAXLST" and body["manifest"]["travellers"] == 4
    assert body["manifest"]["skipped"] == 1
    vedenov = next(t for t in body["travellers"] if t["name"] == "ARSLAN TIMUROVICH VEDENOV")
    assert vedenov["hits"][0]["reference"] == "DMi.002" and vedenov["screening_id"]
    r = client.post("/screen/manifest?format=jsonl", content=data, headers=headers)
    assert r.headers["content-type"].startswith("application/x-ndjson")
    assert json.loads(r.text.splitlines()[0])["type"] == "manifest"
    r = client.post("/screen/manifest?format=csv", content=data, headers=headers)
    assert next(csv.DictReader(io.StringIO(r.text)))["ref"] == "T1"
    (entry, *_) = node.audit_log.entries(event="screen.manifest")
    assert entry.case_ref == "CASE-API" and entry.detail["channel"] == "api"


def test_api_errors_are_typed(node: Node) -> None:
    client = TestClient(create_app(node))
    headers = key(node)
    r = client.post("/screen/manifest", content=(FIXTURES / "cusres_unknown.edi").read_bytes(),
                    headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "unknown_message_type"
    assert "segment 2 (UNH)" in r.json()["detail"]
    r = client.post("/screen/payments", content=(PAYMENTS / "xml_bomb.xml").read_bytes(),
                    headers=headers)
    assert r.status_code == 422 and "DOCTYPE" in r.json()["detail"]
    r = client.post("/screen/payments", content=b"", headers=headers)
    assert r.status_code == 422


def test_api_payments(node: Node) -> None:
    client = TestClient(create_app(node))
    r = client.post("/screen/payments", content=(PAYMENTS / "pacs008_wallets.xml").read_bytes(),
                    headers=key(node))
    assert r.status_code == 200
    body = r.json()
    assert body["message"]["format"] == "pacs.008.001.10"
    tx = body["transactions"][0]
    debtor = next(p for p in tx["parties"] if p["role"] == "debtor")
    assert debtor["hits"][0]["reference"] == "DMi.002"
    assert tx["wallets"][0]["address"] == "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


def test_api_accepts_multipart_upload(node: Node) -> None:
    client = TestClient(create_app(node))
    data = (FIXTURES / "paxlst_edge_cases.edi").read_bytes()
    r = client.post("/screen/manifest", files={"file": ("m.edi", data)}, headers=key(node))
    assert r.status_code == 200 and r.json()["manifest"]["travellers"] == 4
    r = client.post("/screen/payments", files={"other": ("m.xml", b"<x/>")}, headers=key(node))
    assert r.status_code == 422 and "file" in r.json()["detail"]


def test_api_refuses_oversized_body(node: Node) -> None:
    node.settings.max_upload_bytes = 1024
    client = TestClient(create_app(node))
    r = client.post("/screen/manifest", content=b"U" * 5000, headers=key(node))
    assert r.status_code == 413


def test_cli_manifest_formats(node: Node, tmp_path: Path) -> None:
    path = str(FIXTURES / "paxlst_edge_cases.edi")
    r = runner.invoke(cli(), ["screen", "manifest", path], env=env(node))
    assert r.exit_code == 0, r.output
    assert "DMi.002" in r.output and "VEDENOV" in r.output
    r = runner.invoke(cli(), ["screen", "manifest", path, "-f", "jsonl"], env=env(node))
    assert json.loads(r.output.splitlines()[0])["kind"] == "PAXLST"
    out = tmp_path / "report.csv"
    r = runner.invoke(cli(), ["screen", "manifest", path, "-f", "csv", "-o", str(out)],
                      env=env(node))
    assert r.exit_code == 0 and out.read_text().startswith("ref,role,name")


def test_cli_payments_and_errors(node: Node) -> None:
    r = runner.invoke(cli(), ["screen", "payments", str(PAYMENTS / "mt103_multi_wallet.fin"),
                              "-f", "jsonl"], env=env(node))
    assert r.exit_code == 0, r.output
    records = [json.loads(x) for x in r.output.splitlines()]
    assert records[0]["format"] == "MT103" and records[0]["skipped"] == 1
    r = runner.invoke(cli(), ["screen", "payments", str(PAYMENTS / "xxe.xml")], env=env(node))
    assert r.exit_code == 1 and "DOCTYPE" in r.output
    r = runner.invoke(cli(), ["screen", "manifest", "/nonexistent.edi"], env=env(node))
    assert r.exit_code == 1 and "no such file" in r.output


def test_cli_retention(node: Node) -> None:
    r = runner.invoke(cli(), ["travel-retention"], env=env(node))
    assert r.exit_code == 0 and "masked 0" in r.output
