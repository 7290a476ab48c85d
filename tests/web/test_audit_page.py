"""The Audit page over HTTP in-process: filters, the chain and the signed checkpoints
verified, a rewritten history caught, and the export as CSV and JSON lines (issue 14)."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient
from sqlalchemy import text

from ctnode.federation.checkpoints import verify_export
from ctnode.node import Node
from tests.web.test_console import ADMIN, client, sign_in  # noqa: F401  (the fixture)


def test_filter_verify_with_checkpoints_and_export(client: TestClient, node: Node) -> None:  # noqa: F811
    csrf = sign_in(client)
    client.post("/console/screen", data={"csrf_token": csrf, "name": "Faris Nadir"})
    node.federation.directory.init(ADMIN, node_id="node-x", organisation="X", country="XX",
                                   contact="x@example.org")
    cp = node.federation.checkpoints.checkpoint(ADMIN)

    page = client.get("/console/audit", params={"event": "screen", "actor": "user:ana"}).text
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr>") == 1 and "user:ana" in rows and ">screen<" in rows
    assert client.get("/console/audit", params={"actor": "user:nobody"}).text.split(
        "<tbody>")[1].split("</tbody>")[0].strip() == ""
    assert client.get("/console/audit", params={"since": "not a day"}).status_code == 422

    r = client.post("/console/audit/verify", data={"csrf_token": csrf})
    assert 'id="verified"' in r.text and "Signed checkpoints matched: 1" in r.text

    # CSV: one row per entry of the filter, every field; the export is itself audited
    r = client.get("/console/audit/export", params={"format": "csv", "event": "screen"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["event"] for row in table] == ["screen"] and table[0]["actor"] == "user:ana"
    assert json.loads(table[0]["detail"]) == next(node.audit.entries(event="screen")).detail
    assert [e.detail["format"] for e in node.audit.entries(event="audit.export")] == ["csv"]

    # JSON lines of the whole log verify away from the node against the signed checkpoint
    r = client.get("/console/audit/export", params={"format": "jsonl"})
    lines = r.text.splitlines()
    assert verify_export(lines, [(cp["seq"], cp["hash"])]) == len(lines)
    assert client.get("/console/audit/export", params={"format": "xml"}).status_code == 422

    # a rewritten entry (even with its hash recomputed) breaks the chain or the checkpoint
    with node.store.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'user:mallory' WHERE seq = 2"))
    r = client.post("/console/audit/verify", data={"csrf_token": csrf})
    assert 'id="broken"' in r.text and "entry 2" in r.text


def test_a_screener_may_not_read_or_export_the_audit_log(client: TestClient) -> None:  # noqa: F811
    sign_in(client, "sam")
    assert client.get("/console/audit/export", params={"format": "csv"}).status_code == 403
