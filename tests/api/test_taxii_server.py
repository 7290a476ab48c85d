"""The node's TAXII 2.1 server in a real ``ctnode serve`` process on loopback, used by the real
``taxii2-client`` library (HTTP Basic with a node API key, and a bearer token), and by a
second node that pulls the collection through its transport on its scheduler's job."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from taxii2client.v21 import Collection, Server, as_pages

from ctnode.intel.taxii.media import TAXII_MEDIA_TYPE
from ctnode.model.access import Actor
from ctnode.model.tlp import TLP
from tests.federation.cluster import NodeProc, make_nodes, seed_stores

FIXTURES = Path(__file__).parents[1] / "intel" / "fixtures"
ADMIN = Actor(name="test-admin", role="admin")


def _bundle() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "ct-bundle.json").read_text())
    return data


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    nodes = make_nodes(tmp_path_factory.mktemp("taxii"), ["taxii-a", "taxii-b"])
    seed_stores(nodes)
    a, b = nodes
    node = a.open()
    try:
        col = node.intel.create_collection(ADMIN, title="CT indicators", alias="ct")
        node.intel.create_collection(ADMIN, title="Inbox", alias="inbox")
        node.intel.import_stix(ADMIN, json.dumps(_bundle()), collection="ct", source="fixture")
        analyst = node.access.create_key(ADMIN, name="siem", role="analyst")
        screener = node.access.create_key(ADMIN, name="border", role="screener")
    finally:
        node.close()
    a.start()
    try:
        a.wait_ready()
        yield {"a": a, "b": b, "collection": col["id"], "analyst": analyst,
               "screener": screener}
    finally:
        a.stop()
        b.stop()


def _basic(token: str) -> tuple[str, str]:
    _, key_id, secret = token.split("_", 2)
    return key_id, secret


def test_taxii2_client_discovers_and_pages_through_the_collection(served: dict[str, Any]) -> None:
    a: NodeProc = served["a"]
    user, password = _basic(served["analyst"])
    server = Server(f"{a.url}/taxii2/", user=user, password=password)
    assert server.title.startswith("ctnode TAXII 2.1")
    root = server.default
    assert root is not None and root.max_content_length == 10 * 1024 * 1024
    cols = {c.alias: c for c in root.collections}
    assert set(cols) == {"ct", "inbox"}
    col = cols["ct"]
    assert (col.id, col.can_read, col.can_write) == (served["collection"], True, True)
    ids: list[str] = []
    pages = 0
    for envelope in as_pages(col.get_objects, per_request=4):
        ids += [o["id"] for o in envelope.get("objects", [])]
        pages += 1
    unique = {o["id"] for o in _bundle()["objects"]}
    red = {o["id"] for o in _bundle()["objects"]
           if TLP.RED.marking_id in o.get("object_marking_refs", [])}
    assert len(ids) == len(set(ids)) == len(unique) - len(red)  # newest versions, no TLP:RED
    assert pages == -(-len(ids) // 4) and not (set(ids) & red)
    manifest = col.get_manifest(type=["malware"], version="all")
    assert len(manifest["objects"]) == 2
    malware_id = manifest["objects"][0]["id"]
    assert col.object_versions(malware_id)["versions"] == [
        "2026-03-14T09:30:00.000Z", "2026-03-20T16:05:00.000Z"]
    first = col.get_object(malware_id, version="first")["objects"][0]
    assert first["modified"] == "2026-03-14T09:30:00.000Z"
    only = col.get_objects(type=["threat-actor"])["objects"]
    assert [o["type"] for o in only] == ["threat-actor"]


def test_taxii2_client_posts_and_reads_its_status(served: dict[str, Any]) -> None:
    a: NodeProc = served["a"]
    user, password = _basic(served["analyst"])
    inbox = next(c for c in Server(f"{a.url}/taxii2/", user=user, password=password)
                 .default.collections if c.alias == "inbox")
    objects = [*_bundle()["objects"][:5], {"type": "indicator", "id": "indicator--broken"}]
    status = inbox.add_objects({"objects": objects}, wait_for_completion=False)
    assert (status.status, status.success_count, status.failure_count) == ("complete", 5, 1)
    status.refresh()
    assert status.total_count == 6 and status.failures[0]["id"] == "indicator--broken"
    assert len(inbox.get_objects()["objects"]) == 5


def test_bearer_tokens_errors_and_rights(served: dict[str, Any]) -> None:
    a: NodeProc = served["a"]
    url = f"{a.url}/taxii2/api1/collections/ct/objects/"
    bearer = {"Authorization": f"Bearer {served['analyst']}", "Accept": TAXII_MEDIA_TYPE}
    ok = httpx.get(url, headers=bearer, params={"limit": "2"})
    assert ok.status_code == 200 and ok.headers["content-type"] == TAXII_MEDIA_TYPE
    assert ok.json()["more"] is True and "X-TAXII-Date-Added-First" in ok.headers
    nxt = httpx.get(url, headers=bearer, params={"limit": "2", "next": ok.json()["next"]})
    assert {o["id"] for o in nxt.json()["objects"]}.isdisjoint(
        o["id"] for o in ok.json()["objects"])
    bad = httpx.get(url, headers=bearer, params={"added_after": "yesterday"})
    assert bad.status_code == 400 and bad.headers["content-type"] == TAXII_MEDIA_TYPE
    assert bad.json()["http_status"] == "400" and "added_after" in bad.json()["description"]
    assert httpx.get(url, headers={**bearer, "Accept": "text/html"}).status_code == 406
    anonymous = httpx.get(url)
    assert anonymous.status_code == 401 and anonymous.json()["title"] == "Unauthorized"
    assert "Basic" in anonymous.headers["www-authenticate"]
    screener = httpx.get(url, headers={"Authorization": f"Bearer {served['screener']}"})
    assert screener.status_code == 403 and screener.json()["error_code"] == "taxii_forbidden"
    col = Collection(f"{a.url}/taxii2/api1/collections/ct/", user="nobody", password="wrong")
    with pytest.raises(requests.HTTPError, match="401"):
        col.get_objects()


def test_another_node_pulls_the_collection_on_its_job(served: dict[str, Any],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    a: NodeProc = served["a"]
    b: NodeProc = served["b"]
    monkeypatch.setenv("TEST_TAXII_SECRET", served["analyst"])
    node = b.open()
    try:
        node.intel.create_collection(ADMIN, title="From A", alias="from-a")
        node.pulls.add_source(ADMIN, name="node-a", collection_url=(
            f"{a.url}/taxii2/api1/collections/{served['collection']}/"),
            collection="from-a", auth="bearer", secret_env="TEST_TAXII_SECRET")
        node.jobs.run("intel-pull", ADMIN)
        first = node.store.intel.get_source("node-a")
        assert first["last_result"]["added"] == len({o["id"] for o in _bundle()["objects"]}) - 1
        assert first["checkpoint"] is not None
        again = node.pulls.pull(ADMIN, "node-a")  # nothing new since the checkpoint
        assert (again.added, again.present) == (0, 0)
        assert [e.event for e in node.audit.entries(event="intel.pull")] == ["intel.pull"] * 2
    finally:
        node.close()
