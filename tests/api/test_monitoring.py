"""The ``/watch`` routes over HTTP: authenticated, roles from the permission table,
purpose headers required, bad input refused with the field named, everything audited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ctnode.api.app import create_app
from ctnode.node import Node
from tests.conftest import ADMIN

HEADERS = {"X-Purpose": "case work", "X-Legal-Basis": "CT Act s.12", "X-Case-Ref": "C-9"}


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    with TestClient(create_app(node)) as c:
        yield c


def _key(node: Node, role: str, name: str | None = None) -> dict[str, str]:
    return {"X-API-Key": node.access.create_key(ADMIN, name=name or f"{role}-key", role=role)}


def test_watch_alert_read_and_remove_over_http(client: TestClient, node: Node) -> None:
    analyst = {**_key(node, "analyst"), **HEADERS}
    body = {"subjects": [{"id": "cust-1", "name": "Fares Nadir al-Qamari",
                          "birthDate": "1975-04-17"},
                         {"names": ["Ingrid Haugland"], "nationality": "no"}],
            "days": 90}
    r = client.post("/watch", json=body, headers=analyst)
    assert r.status_code == 201, r.text
    out = r.json()
    faris, ingrid = out["subjects"]
    assert faris["label"] == "cust-1" and faris["owner"] == "key:analyst-key"
    assert faris["purpose"] == "case work" and faris["case"] == "C-9"
    assert out["capped"] is False
    (alert,) = out["alerts"]
    assert alert["kind"] == "new" and alert["entity_id"] == "un_sc-DMi.001"
    listed = client.get("/watch", headers=analyst).json()
    assert listed["total"] == 2 and [s["id"] for s in listed["subjects"]] == [
        faris["id"], ingrid["id"]]
    one = client.get(f"/watch/{faris['id']}", headers=analyst).json()
    assert one["hits"][0]["entity_id"] == "un_sc-DMi.001"
    alerts = client.get("/watch/alerts", params={"unread": True}, headers=analyst).json()
    assert [a["id"] for a in alerts["alerts"]] == [alert["id"]]
    r = client.post("/watch/alerts/read", json={"ids": [alert["id"]]}, headers=analyst)
    assert r.json() == {"marked": 1}
    assert client.get("/watch/alerts", params={"unread": True},
                      headers=analyst).json()["alerts"] == []
    r = client.delete(f"/watch/{ingrid['id']}", params={"reason": "closed"}, headers=analyst)
    assert r.status_code == 204
    assert client.get(f"/watch/{ingrid['id']}", headers=analyst).status_code == 404
    events = [e.event for e in node.audit.entries()]
    assert {"watch.add", "watch.list", "watch.remove"} <= set(events)


def test_roles_purpose_and_validation(client: TestClient, node: Node) -> None:
    body = {"subjects": [{"name": "Fares Nadir"}]}
    assert client.post("/watch", json=body, headers=HEADERS).status_code == 401
    screener = {**_key(node, "screener"), **HEADERS}
    assert client.post("/watch", json=body, headers=screener).status_code == 403
    assert client.get("/watch", headers=screener).status_code == 403
    analyst = _key(node, "analyst")
    r = client.post("/watch", json=body, headers=analyst)  # no purpose headers
    assert r.status_code == 422 and "legal basis" in r.json()["detail"]
    r = client.post("/watch", json={"subjects": [{"name": "X", "birthDate": "31.02.x"}]},
                    headers={**analyst, **HEADERS})
    assert r.status_code == 422 and "birthDate" in r.json()["detail"]
    r = client.post("/watch", json={"subjects": [], "days": 3}, headers={**analyst, **HEADERS})
    assert r.status_code == 422
    r = client.post("/watch", json={**body, "colour": "red"}, headers={**analyst, **HEADERS})
    assert r.status_code == 422
    assert client.get("/watch", params={"everyone": True}, headers=analyst).status_code == 403
    assert client.post("/watch/rescreen", headers=analyst).status_code == 403
    other = {**_key(node, "analyst", "other"), **HEADERS}
    sid = client.post("/watch", json=body, headers=other).json()["subjects"][0]["id"]
    assert client.delete(f"/watch/{sid}", headers=analyst).status_code == 403
    assert client.get(f"/watch/{sid}", headers=analyst).status_code == 403
    admin = _key(node, "admin")
    assert client.get("/watch", params={"everyone": True}, headers=admin).json()["total"] == 1
    r = client.post("/watch/rescreen", headers=admin)
    assert r.status_code == 200 and r.json()["subjects"] == 1 and r.json()["alerts"] == 0


def test_import_a_file_over_http(client: TestClient, node: Node) -> None:
    analyst = {**_key(node, "analyst"), **HEADERS}
    data = "id,name,birthDate\nk-1,Arslan Wedenow,1982\nk-2,Ingrid Haugland,\n"
    r = client.post("/watch/import", params={"format": "csv", "name": "kyc.csv"},
                    content=data.encode(), headers=analyst)
    assert r.status_code == 201, r.text
    assert [s["label"] for s in r.json()["subjects"]] == ["k-1", "k-2"]
    assert [a["entity_id"] for a in r.json()["alerts"]] == ["un_sc-DMi.002"]
    r = client.post("/watch/import", params={"format": "csv", "name": "kyc.csv"},
                    content=b"id,name,birthDate\nk-3,Some One,1999-99\n", headers=analyst)
    assert r.status_code == 422 and "kyc.csv, line 2" in r.json()["detail"]
    assert client.get("/watch", headers=analyst).json()["total"] == 2
