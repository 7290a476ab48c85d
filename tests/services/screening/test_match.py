"""What yente's /match shows of a listed entity depends on the caller's role, and showing it is
audited like any entity view (decided in the screening service, not in the router)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ctnode.api.app import create_app
from ctnode.model.access import Purpose
from ctnode.node import Node
from ctnode.services.screening.query import query_from_example
from tests.conftest import ADMIN, ANALYST, SCREENER

BODY = {"queries": {"q1": {"schema": "Person", "properties": {"name": ["Faris Nadir"]}}}}
P = Purpose("border screening", "Act 12", "CASE-1")


def test_screener_sees_names_only_and_no_entity_view(node: Node) -> None:
    query = query_from_example("Person", {"name": ["Faris Nadir"]}, None)
    (top, *_) = node.screening.match({"q1": query}, SCREENER, P)["q1"].matches
    assert not top.full
    assert set(top.properties) == {"name"}
    assert top.entity.caption in top.properties["name"]
    assert "birthDate" in top.entity.properties  # held, but not shown to a screener
    assert list(node.audit.entries(event="entity.view")) == []
    (screen,) = node.audit.entries(event="screen")
    assert screen.detail["source"] == "match" and screen.actor == SCREENER.name


def test_analyst_sees_the_record_and_the_view_is_audited(node: Node) -> None:
    query = query_from_example("Person", {"name": ["Faris Nadir"]}, None)
    found = node.screening.match({"q1": query}, ANALYST, P)["q1"].matches
    assert found and all(m.full for m in found)
    assert found[0].properties == found[0].entity.properties
    (view,) = node.audit.entries(event="entity.view")
    assert view.actor == ANALYST.name and view.detail == {"via": "match"}
    assert set(view.result_ids) == {m.entity.id for m in found}
    assert view.purpose == "border screening" and view.case_ref == "CASE-1"


def test_the_route_answers_each_role_as_the_service_decides(node: Node) -> None:
    client = TestClient(create_app(node))
    shown = {}
    for role in ("screener", "analyst"):
        key = node.access.create_key(ADMIN, name=f"{role}-key", role=role)
        r = client.post("/match/default", json=BODY, headers={"X-API-Key": key})
        assert r.status_code == 200, r.text
        top = r.json()["responses"]["q1"]["results"][0]
        assert top["id"] == "un_sc-DMi.001" and top["match"] is True
        shown[role] = top["properties"]
    assert set(shown["screener"]) == {"name"}
    assert {"name", "birthDate", "nationality"} <= set(shown["analyst"])
    views = list(node.audit.entries(event="entity.view"))
    assert [v.actor for v in views] == ["key:analyst-key"]
