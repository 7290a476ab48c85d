"""Over HTTP: coverage on every answer, malformed dates screened, suppressed hits marked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from ctnode import clock
from ctnode.api.app import create_app
from ctnode.node import Node
from tests.conftest import ADMIN

FARIS = {"name": "Faris Nadir", "birthDate": "1975-04-17"}


def _key(node: Node, role: str) -> dict[str, str]:
    return {"X-API-Key": node.access.create_key(ADMIN, name=f"{role}-key", role=role)}


def test_malformed_dates_never_drop_a_query(node: Node) -> None:
    client = TestClient(create_app(node))
    headers = _key(node, "screener")
    subjects = [{"id": i, "name": "Faris Nadir", "birthDate": bad}
                for i, bad in enumerate(["1974-01-32", "1968-13-30", "1981-3-05"])]
    r = client.post("/screen/batch", json={"subjects": subjects}, headers=headers)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["id"] for x in results] == [0, 1, 2]
    for x, bad in zip(results, ["1974-01-32", "1968-13-30", "1981-3-05"], strict=True):
        assert x["hits"][0]["reference"] == "DMi.001"
        assert len(x["warnings"]) == 1 and repr(bad) in x["warnings"][0]
    r = client.post("/match/default", headers=headers, json={"queries": {"a": {
        "schema": "Person", "properties": {"name": ["Faris Nadir"], "birthDate": ["1974-01-32"]}}}})
    assert r.status_code == 200, r.text
    answer = r.json()["responses"]["a"]
    assert answer["results"][0]["id"] == "un_sc-DMi.001" and "1974-01-32" in answer["warnings"][0]


def test_every_answer_carries_its_coverage(node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    client = TestClient(create_app(node))
    headers = _key(node, "screener")
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 1, 15, tzinfo=UTC))
    cov = client.post("/screen", json=FARIS, headers=headers).json()["coverage"]
    assert cov["complete"] is True and cov["warnings"] == []
    assert [(c["list"], c["version"], c["age_days"]) for c in cov["lists"]] == [
        ("un_sc", "2026-01-01T00:00:00.000Z", 14)]
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 6, 1, tzinfo=UTC))
    for cov in (
        client.post("/screen", json=FARIS, headers=headers).json()["coverage"],
        client.post("/screen/batch", json={"subjects": [FARIS]},
                    headers=headers).json()["results"][0]["coverage"],
        client.post("/match/un_sc", json={"queries": {"a": {"schema": "Person", "properties": {
            "name": ["Faris Nadir"]}}}}, headers=headers).json()["responses"]["a"]["coverage"],
    ):
        assert cov["complete"] is False
        assert [w["code"] for w in cov["warnings"]] == ["stale_list"]


def test_suppressed_results_are_marked_and_revocable(node: Node) -> None:
    client = TestClient(create_app(node))
    screener, analyst = _key(node, "screener"), _key(node, "analyst")
    first = client.post("/screen", json={"name": "Faris Nadir"}, headers=screener).json()
    r = client.post("/decisions", headers=analyst, json={
        "entity_id": "un_sc-DMi.001", "decision": "false_positive", "comment": "not him",
        "screening_id": first["screening_id"]})
    assert r.status_code == 422 and "identified beyond the name" in r.json()["detail"]
    subject = {**FARIS, "subjectId": "case-4/p-1"}
    first = client.post("/screen", json=subject, headers=screener).json()
    r = client.post("/decisions", headers=analyst, json={
        "entity_id": "un_sc-DMi.001", "decision": "false_positive", "comment": "not him",
        "screening_id": first["screening_id"]})
    assert r.status_code == 201, r.text
    did = r.json()["id"]
    again = client.post("/screen", json=subject, headers=screener).json()
    assert again["suppressed"][0]["suppressed"]["decision_id"] == did
    assert again["suppressed"][0]["suppressed"]["by"] == "key:analyst-key"
    # the same person without the subject id is another subject: not suppressed
    plain = client.post("/screen", json=FARIS, headers=screener).json()
    assert plain["hits"][0]["entity_id"] == "un_sc-DMi.001" and plain["suppressed"] == []
    r = client.post(f"/decisions/{did}/revoke", json={"reason": "mistaken"}, headers=analyst)
    assert r.status_code == 200 and r.json()["revoked_by"] == "key:analyst-key"
    assert client.post(f"/decisions/{did}/revoke", json={"reason": "x"},
                       headers=screener).status_code == 403
    after = client.post("/screen", json=subject, headers=screener).json()
    assert after["hits"][0]["entity_id"] == "un_sc-DMi.001" and after["suppressed"] == []
