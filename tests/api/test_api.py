"""The HTTP API: credentials on every route, yente-compatible /match, provenance, 4xx on bad input."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ctnode.api.app import create_app
from ctnode.node import Node
from tests.conftest import ADMIN


@pytest.fixture
def demo_client(node: Node) -> Iterator[TestClient]:
    """A client of a node holding the fictional demo list: for tests that need no real
    record, so they run on a fresh clone without the shared data."""
    with TestClient(create_app(node)) as c:
        yield c


@pytest.fixture
def client(node_with_un: Node) -> Iterator[TestClient]:
    with TestClient(create_app(node_with_un)) as c:
        yield c


def _key(node: Node, role: str) -> dict[str, str]:
    return {"X-API-Key": node.access.create_key(ADMIN, name=f"{role}-key", role=role)}


def test_every_route_but_health_needs_a_key(node: Node) -> None:
    app = create_app(node)
    client = TestClient(app)
    assert client.get("/healthz").json() == {"status": "ok"}
    checked = 0
    for route_path, methods in app.openapi()["paths"].items():
        if route_path in {"/healthz", "/readyz"}:
            continue
        path = re.sub(r"\{[^}]+\}", "x", route_path)
        for method in methods:
            r = client.request(method.upper(), path, json={})
            checked += 1
            if route_path.startswith("/federation/v1/"):
                # Node-to-node routes take no API key: the credential is the envelope's
                # signature by a trusted peer; an unsigned message is refused.
                assert r.status_code in {400, 401, 403}, (method, route_path, r.status_code)
                continue
            assert r.status_code == 401, (method, route_path, r.status_code)
            if route_path.startswith("/taxii2/"):
                # TAXII clients send the key as HTTP Basic or a bearer token, and are asked so
                assert r.headers.get("www-authenticate", "").startswith("Basic realm=")
                assert r.headers["content-type"] == "application/taxii+json;version=2.1"
                continue
            assert r.headers.get("www-authenticate") == "ApiKey"
    assert checked >= 10
    bad = client.get("/search", params={"q": "x"}, headers={"X-API-Key": "ctn_nope_nope"})
    assert bad.status_code == 401


def test_roles_are_enforced(client: TestClient, node_with_un: Node) -> None:
    screener = _key(node_with_un, "screener")
    assert (
        client.post("/screen", json={"name": "Aiman al-Zawahiri"}, headers=screener).status_code
        == 200
    )
    assert client.get("/entities/un_sc-QDi.006", headers=screener).status_code == 403
    assert (
        client.post("/keys", json={"name": "x", "role": "admin"}, headers=screener).status_code
        == 403
    )
    assert client.get("/audit", headers=screener).status_code == 403


def test_revoked_key_is_refused(demo_client: TestClient, node: Node) -> None:
    client, admin = demo_client, _key(node, "admin")
    created = client.post("/keys", json={"name": "temp", "role": "screener"}, headers=admin).json()
    temp = {"Authorization": f"ApiKey {created['token']}"}
    assert client.post("/screen", json={"name": "x y"}, headers=temp).status_code == 200
    assert client.delete(f"/keys/{created['id']}", headers=admin).status_code == 204
    assert client.post("/screen", json={"name": "x y"}, headers=temp).status_code == 401


def test_screen_returns_explained_hits(client: TestClient, node_with_un: Node) -> None:
    r = client.post(
        "/screen",
        json={"name": "Ayman al-Zawahiri", "birthDate": "1951-06-19"},
        headers=_key(node_with_un, "screener") | {"X-Purpose": "border screening"},
    )
    assert r.status_code == 200, r.text
    hit = r.json()["hits"][0]
    assert hit["reference"] == "QDi.006" and hit["list"] == "un_sc"
    assert hit["band"] == "match" and 0 <= hit["score"] <= 1
    assert {e["feature"] for e in hit["explanation"]} >= {"name", "birth_date"}
    entry = list(node_with_un.audit.entries(event="screen"))[-1]
    assert entry.purpose == "border screening" and "un_sc-QDi.006" in entry.result_ids


def test_yente_match_shape(client: TestClient, node_with_un: Node) -> None:
    body = {
        "queries": {
            "q1": {
                "schema": "Person",
                "properties": {
                    "name": ["Aiman Muhammed Rabi al-Zawahiri"],
                    "birthDate": ["1951"],
                    "nationality": ["eg"],
                },
            }
        }
    }
    r = client.post(
        "/match/default",
        json=body,
        params={"limit": 3},
        headers={"Authorization": "ApiKey " + _key(node_with_un, "screener")["X-API-Key"]},
    )
    assert r.status_code == 200, r.text
    data = r.json()
    assert set(data) == {"responses", "matcher", "limit"}
    resp = data["responses"]["q1"]
    assert resp["status"] == 200 and resp["total"]["relation"] == "eq"
    top = resp["results"][0]
    for field in (
        "id",
        "caption",
        "schema",
        "properties",
        "datasets",
        "score",
        "features",
        "match",
        "target",
        "referents",
        "first_seen",
        "last_seen",
    ):
        assert field in top
    assert top["id"] == "un_sc-QDi.006" and top["match"] is True
    assert isinstance(top["features"], dict) and top["datasets"] == ["un_sc"]
    assert (
        client.post(
            "/match/no_such_list", json=body, headers=_key(node_with_un, "screener")
        ).status_code
        == 404
    )
    assert (
        client.post("/match/un_sc", json=body, headers=_key(node_with_un, "screener")).status_code
        == 200
    )


def test_entity_has_provenance(client: TestClient, node_with_un: Node) -> None:
    r = client.get("/entities/un_sc-QDi.006", headers=_key(node_with_un, "analyst"))
    assert r.status_code == 200
    data = r.json()
    assert data["reference"] == "QDi.006"
    for s in data["statements"]:
        assert s["dataset"] == "un_sc" and s["original"] and s["first_seen"] and s["last_seen"]
    assert data["history"][0]["kind"] == "listed"
    assert client.get("/entities/nope", headers=_key(node_with_un, "analyst")).status_code == 404


def test_search_in_arabic_script(client: TestClient, node_with_un: Node) -> None:
    r = client.get(
        "/search", params={"q": "أيمن محمد ربيع الظواهري"}, headers=_key(node_with_un, "screener")
    )
    assert r.status_code == 200
    assert r.json()["results"][0]["reference"] == "QDi.006"


def test_false_positive_is_not_raised_again(client: TestClient, node_with_un: Node) -> None:
    screener, analyst = _key(node_with_un, "screener"), _key(node_with_un, "analyst")
    subject = {"name": "Ayman al-Zawahiri", "birthDate": "1951-06-19"}
    first = client.post("/screen", json=subject, headers=screener).json()
    assert first["hits"][0]["entity_id"] == "un_sc-QDi.006"
    queue = client.get("/review", headers=analyst).json()["screenings"]
    assert any(s["id"] == first["screening_id"] for s in queue)
    d = client.post(
        "/decisions",
        headers=analyst,
        json={
            "entity_id": "un_sc-QDi.006",
            "decision": "false_positive",
            "comment": "different person, checked passport",
            "screening_id": first["screening_id"],
        },
    )
    assert d.status_code == 201, d.text
    again = client.post("/screen", json=subject, headers=screener).json()
    assert "un_sc-QDi.006" not in [h["entity_id"] for h in again["hits"]]
    (suppressed,) = again["suppressed"]
    assert suppressed["entity_id"] == "un_sc-QDi.006" and suppressed["band"] == "match"
    assert suppressed["suppressed"]["decision_id"] == d.json()["id"]
    assert suppressed["suppressed"]["by"] == "key:analyst-key"
    # A different subject with the same name still gets the hit.
    other = client.post("/screen", json={"name": "Ayman al-Zawahiri"}, headers=screener).json()
    assert other["hits"][0]["entity_id"] == "un_sc-QDi.006"
    history = client.get("/entities/un_sc-QDi.006", headers=analyst).json()["history"]
    assert history[-1]["kind"] == "decision"
    assert history[-1]["detail"]["decision"] == "false_positive"


BAD_REQUESTS: list[tuple[str, str, Any]] = [
    ("post", "/screen", {}),
    ("post", "/screen", {"name": ""}),
    ("post", "/screen", {"name": "x" * 600}),
    ("post", "/screen", {"name": "Ali", "schema": "Vessel"}),
    ("post", "/screen", {"name": "Ali", "limit": 0}),
    ("post", "/screen", {"name": "Ali", "surprise": 1}),
    ("post", "/screen", "not json"),
    ("post", "/screen", [1, 2]),
    ("post", "/screen/batch", {"subjects": []}),
    ("post", "/screen/batch", {"subjects": [{"name": None}]}),
    ("post", "/match/default", {"queries": {}}),
    ("post", "/match/default", {"queries": {"a": {"schema": "Person", "properties": {}}}}),
    ("post", "/match/default", {"nothing": 1}),
    ("post", "/decisions", {"entity_id": "un_sc-QDi.006", "decision": "maybe", "comment": "x"}),
    ("post", "/decisions", {"entity_id": "un_sc-QDi.006", "decision": "unsure", "comment": "x"}),
    (
        "post",
        "/decisions",
        {"entity_id": "nope", "decision": "unsure", "comment": "x", "screening_id": "x"},
    ),
    ("get", "/search?q=", None),
    ("get", "/search?q=x&limit=100000", None),
    ("get", "/audit?after_seq=-1", None),
    ("post", "/keys", {"name": "", "role": "admin"}),
    ("post", "/keys", {"name": "x", "role": "root"}),
    ("delete", "/keys/nope", None),
]


@pytest.mark.parametrize(("method", "path", "body"), BAD_REQUESTS)
def test_invalid_input_gets_a_4xx_with_a_message(
    demo_client: TestClient, node: Node, method: str, path: str, body: Any
) -> None:
    client, headers = demo_client, _key(node, "admin")
    if isinstance(body, str):
        r = client.request(
            method, path, content=body, headers=headers | {"content-type": "application/json"}
        )
    else:
        r = client.request(method, path, json=body, headers=headers)
    assert 400 <= r.status_code < 500, (path, body, r.status_code, r.text)
    assert r.json()["detail"]
