"""The API routes of manifest and payment screening (thin edges over the batch services)."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient

from ctnode.api.app import create_app
from ctnode.node import Node
from tests.conftest import ADMIN, PAYMENT_FIXTURES, TRAVEL_FIXTURES


def key(node: Node, role: str = "screener") -> dict[str, str]:
    return {"X-API-Key": node.access.create_key(ADMIN, name=f"{role}-key", role=role),
            "X-Purpose": "border screening", "X-Case-Ref": "CASE-API"}


def test_api_manifest_json_jsonl_csv(node: Node) -> None:
    client = TestClient(create_app(node))
    data = (TRAVEL_FIXTURES / "paxlst_edge_cases.edi").read_bytes()
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
    (entry, *_) = node.audit.entries(event="screen.manifest")
    assert entry.case_ref == "CASE-API" and entry.detail["channel"] == "api"


def test_api_errors_are_typed(node: Node) -> None:
    client = TestClient(create_app(node))
    headers = key(node)
    r = client.post("/screen/manifest", content=(TRAVEL_FIXTURES / "cusres_unknown.edi").read_bytes(),
                    headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "unknown_message_type"
    assert "segment 2 (UNH)" in r.json()["detail"]
    r = client.post("/screen/payments", content=(PAYMENT_FIXTURES / "xml_bomb.xml").read_bytes(),
                    headers=headers)
    assert r.status_code == 422 and "DOCTYPE" in r.json()["detail"]
    r = client.post("/screen/payments", content=b"", headers=headers)
    assert r.status_code == 422


def test_api_payments(node: Node) -> None:
    client = TestClient(create_app(node))
    r = client.post("/screen/payments", content=(PAYMENT_FIXTURES / "pacs008_wallets.xml").read_bytes(),
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
    data = (TRAVEL_FIXTURES / "paxlst_edge_cases.edi").read_bytes()
    r = client.post("/screen/manifest", files={"file": ("m.edi", data)}, headers=key(node))
    assert r.status_code == 200 and r.json()["manifest"]["travellers"] == 4
    r = client.post("/screen/payments", files={"other": ("m.xml", b"<x/>")}, headers=key(node))
    assert r.status_code == 422 and "file" in r.json()["detail"]


def test_api_refuses_oversized_body(node: Node) -> None:
    node.settings.max_upload_bytes = 1024
    client = TestClient(create_app(node))
    r = client.post("/screen/manifest", content=b"U" * 5000, headers=key(node))
    assert r.status_code == 413


def test_api_hits_only_in_every_format(node: Node) -> None:
    client = TestClient(create_app(node))
    headers = key(node)
    data = (TRAVEL_FIXTURES / "paxlst_edge_cases.edi").read_bytes()
    body = client.post("/screen/manifest?hits_only=true", content=data, headers=headers).json()
    assert body["manifest"]["hits_only"] is True and body["manifest"]["travellers"] == 4
    assert [t["name"] for t in body["travellers"]] == ["ARSLAN TIMUROVICH VEDENOV"]
    for fmt in ("jsonl", "csv"):
        text = client.post(f"/screen/manifest?format={fmt}&hits_only=true", content=data,
                           headers=headers).text
        assert "VEDENOV" in text and "SHCHUKINA" not in text, fmt
    payment = (PAYMENT_FIXTURES / "mt103_multi_wallet.fin").read_bytes()
    for fmt in ("json", "jsonl", "csv"):
        text = client.post(f"/screen/payments?format={fmt}&hits_only=true", content=payment,
                           headers=headers).text
        assert "VEDENOV" in text and "JOHN SAMPLE" not in text, fmt
