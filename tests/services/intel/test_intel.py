"""The threat-intelligence services on a real node (SQLite and PostgreSQL): imports are
validated whole and audited, a refused file leaves the store as it was, threat actors link to
watchlist records by list reference, MISP events come in and go out, TAXII answers through
the service with the caller's rights and TLP, and pulls resume from their checkpoint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ctnode.api.app import create_app
from ctnode.errors import Forbidden, InvalidInput, NotFound
from ctnode.intel.taxii.media import TAXII_MEDIA_TYPE, TaxiiError
from ctnode.model.access import Actor
from ctnode.model.entities import Entity, Statement
from ctnode.model.lists import ParsedList
from ctnode.model.tlp import TLP
from ctnode.node import Node
from tests.conftest import ADMIN, ANALYST, SCREENER

FIXTURES = Path(__file__).parents[2] / "intel" / "fixtures"


def _bundle() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "ct-bundle.json").read_text())
    return data


def _actor_linked_to(reference: str) -> dict[str, Any]:
    return {
        "type": "threat-actor", "spec_version": "2.1",
        "id": "threat-actor--0d4c9a52-7f3e-4b1a-9c55-3e2f1a0b9c8d",
        "created": "2026-02-01T00:00:00.000Z", "modified": "2026-02-01T00:00:00.000Z",
        "name": "Demo front", "object_marking_refs": [TLP.GREEN.marking_id],
        "external_references": [{"source_name": "un-sc-consolidated-list",
                                  "external_id": reference}],
    }


def test_import_is_validated_audited_and_linked_to_the_watchlist(node: Node) -> None:
    col = node.intel.create_collection(ADMIN, title="Indicators", alias="indicators")
    listed = node.store.entities.find_by_reference("DMi.001")
    result = node.intel.import_stix(ADMIN, json.dumps({"type": "bundle", "id":
                                    "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects":
                                    [*_bundle()["objects"], _actor_linked_to("DMi.001")]}),
                                    collection="indicators", source="ct-bundle.json")
    assert result.added == len(_bundle()["objects"]) + 1 and result.present == 0
    assert result.links == ["national_xx-XX-2026-014", "un_sc-DMi.001", "un_sc-QDe.115"]
    again = node.intel.import_stix(ADMIN, json.dumps(_bundle()), collection=col["id"],
                                   source="again.json")
    assert (again.added, again.present) == (0, len(_bundle()["objects"]))
    shown = node.intel.show(ANALYST, "threat-actor--0d4c9a52-7f3e-4b1a-9c55-3e2f1a0b9c8d",
                            "indicators")
    assert shown["watchlist"][0]["entity_id"] == listed.id == "un_sc-DMi.001"
    assert shown["watchlist"][0]["caption"] == listed.caption
    assert [r["object_id"] for r in node.intel.linked_to(ANALYST, listed.id)] == [
        "threat-actor--0d4c9a52-7f3e-4b1a-9c55-3e2f1a0b9c8d"]
    events = [e.event for e in node.audit.entries()]
    assert events.count("intel.import") == 2 and "intel.view" in events


def test_a_refused_file_leaves_the_store_unchanged_and_is_audited(empty_node: Node) -> None:
    node = empty_node
    node.intel.create_collection(ADMIN, title="Indicators", alias="c")
    objects = _bundle()["objects"]
    broken = [*objects, {**objects[-1], "id": "report--6b1d", "spec_version": "2.1"}]
    with pytest.raises(InvalidInput, match=r"bad.json: .*report--6b1d"):
        node.intel.import_stix(ADMIN, json.dumps(broken), collection="c", source="bad.json")
    assert node.store.intel.count_objects() == {}
    failed = list(node.audit.entries(event="intel.import.failed"))
    assert len(failed) == 1 and failed[0].detail["source"] == "bad.json"


def test_permissions(empty_node: Node) -> None:
    node = empty_node
    with pytest.raises(Forbidden):
        node.intel.create_collection(ANALYST, title="x")
    node.intel.create_collection(ADMIN, title="x", alias="x")
    with pytest.raises(Forbidden):
        node.intel.import_stix(SCREENER, b"{}", collection="x", source="s")
    with pytest.raises(Forbidden):
        node.intel.list_collections(SCREENER)
    with pytest.raises(NotFound):
        node.intel.import_stix(ADMIN, b"{}", collection="nope", source="s")


def test_misp_event_in_and_out(empty_node: Node) -> None:
    node = empty_node
    node.intel.create_collection(ADMIN, title="MISP", alias="misp")
    result = node.intel.import_misp(ADMIN, (FIXTURES / "misp-event.json").read_bytes(),
                                    collection="misp", source="misp-event.json")
    assert result.added > 5 and result.counts.get("report") == 1
    assert "MISP event" in result.source
    event, _notes = node.intel.export_misp(ANALYST, "misp")
    assert event["Event"]["info"] and len(event["Event"].get("Attribute", [])) >= 1
    assert [e.detail["format"] for e in node.audit.entries(event="intel.export")] == ["misp"]


def _taxii(node: Node) -> str:
    col = node.intel.create_collection(ADMIN, title="Shared", alias="shared")
    node.intel.import_stix(ADMIN, json.dumps(_bundle()), collection="shared", source="b.json")
    return str(col["id"])


def test_taxii_pages_without_red_and_answers_rights(empty_node: Node) -> None:
    node = empty_node
    cid = _taxii(node)
    seen: list[dict[str, Any]] = []
    params: list[tuple[str, str]] = [("limit", "4")]
    while True:
        resp = node.taxii.read(ANALYST, "objects", cid, params, TAXII_MEDIA_TYPE)
        assert resp.status == 200 and resp.headers["Content-Type"] == TAXII_MEDIA_TYPE
        seen += resp.body.get("objects", [])
        if not resp.body["more"]:
            break
        params = [("limit", "4"), ("next", resp.body["next"])]
    red = TLP.RED.marking_id
    assert seen and all(red not in o.get("object_marking_refs", []) for o in seen)
    assert len(seen) == len({o["id"] for o in _bundle()["objects"]}) - 1  # one RED indicator
    screener = node.taxii.collections(SCREENER, None).body
    assert screener == {}  # nothing a screener may read or write
    with pytest.raises(TaxiiError, match="not readable"):
        node.taxii.read(SCREENER, "objects", cid, [], None)
    assert node.audit.count() > 0 and list(node.audit.entries(event="intel.read"))


def test_taxii_post_keeps_a_status_for_its_poster(empty_node: Node) -> None:
    node = empty_node
    node.intel.create_collection(ADMIN, title="In", alias="in")
    objects = [*_bundle()["objects"][:4], {"type": "indicator", "id": "indicator--x"}]
    resp = node.taxii.add_objects(ANALYST, "in", json.dumps({"objects": objects}).encode(),
                                  TAXII_MEDIA_TYPE, None)
    assert resp.status == 202
    body = resp.body
    assert (body["success_count"], body["failure_count"]) == (4, 1)
    again = node.taxii.status(ANALYST, body["id"], None).body
    assert again["failures"][0]["id"] == "indicator--x"
    with pytest.raises(TaxiiError, match="no such status"):
        node.taxii.status(Actor("other", "analyst"), body["id"], None)
    assert node.store.intel.count_objects() == {node.intel.collection("in")["id"]: 4}


def test_a_threat_actors_page_over_http_shows_the_listed_record(node: Node) -> None:
    node.intel.create_collection(ADMIN, title="Indicators", alias="indicators")
    listed = node.store.entities.find_by_reference("DMi.001")
    actor = _actor_linked_to("DMi.001")
    analyst = {"X-API-Key": node.access.create_key(ADMIN, name="a", role="analyst")}
    screener = {"X-API-Key": node.access.create_key(ADMIN, name="s", role="screener")}
    with TestClient(create_app(node)) as client:
        r = client.post("/intel/collections/indicators/import", content=json.dumps(actor),
                        headers=analyst)
        assert r.status_code == 200, r.text
        assert r.json()["links"] == [listed.id]
        r = client.get(f"/intel/collections/indicators/objects/{actor['id']}", headers=analyst)
        assert r.status_code == 200, r.text
        page = r.json()
        assert page["object"] == actor and page["tlp"] == TLP.GREEN.value
        [record] = page["watchlist"]
        assert (record["entity_id"], record["reference"]) == (listed.id, "DMi.001")
        assert (record["caption"], record["status"]) == (listed.caption, listed.status)
        r = client.get(f"/intel/links/{listed.id}", headers=analyst)
        assert [o["object_id"] for o in r.json()["objects"]] == [actor["id"]]
        assert client.get(f"/intel/links/{listed.id}", headers=screener).status_code == 403
    assert [e.event for e in node.audit.entries()].count("intel.view") == 2


def test_a_link_finds_a_record_held_under_another_id_by_its_list_and_reference(
        node: Node) -> None:
    """A copy of a peer's list names its records ``<publisher>:<id>`` (issue 13): the link
    an import makes (``<list>-<reference>``) still finds the record, both ways."""
    record = Entity(id="node-a:fx-001", schema="Person", dataset="fx", reference="FX-001")
    record.statements.append(Statement(prop="name", value="Ingrid Haraldsdottir",
                                       original="Ingrid Haraldsdottir", dataset="fx"))
    node.lists.import_list(ParsedList("fx", "fx (updates from node-a)", "1", "peer:node-a",
                                      [record]), ADMIN)
    node.intel.create_collection(ADMIN, title="Feed", alias="feed")
    actor = {**_actor_linked_to("DMi.001"), "external_references": [
        {"source_name": "ctnode-list:fx", "external_id": "FX-001"}]}
    result = node.intel.import_stix(ADMIN, json.dumps(actor), collection="feed", source="a")
    assert result.links == ["fx-FX-001"]  # what the reference says
    [named] = node.intel.show(ANALYST, actor["id"], "feed")["watchlist"]
    assert (named["entity_id"], named["caption"]) == ("node-a:fx-001", "Ingrid Haraldsdottir")
    assert [r["object_id"] for r in node.intel.linked_to(ANALYST, "node-a:fx-001")] == [
        actor["id"]]
    # a reference no list holds is said so
    gone = {**actor, "modified": "2026-03-01T00:00:00.000Z", "external_references": [
        {"source_name": "ctnode-list:fx", "external_id": "FX-404"}]}
    node.intel.import_stix(ADMIN, json.dumps(gone), collection="feed", source="b")
    [named] = node.intel.show(ANALYST, actor["id"], "feed")["watchlist"]
    assert (named["entity_id"], named["caption"]) == ("fx-FX-404", None)
    assert node.intel.linked_to(ANALYST, "node-a:fx-001") == []
