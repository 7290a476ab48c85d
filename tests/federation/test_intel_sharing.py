"""Three real node processes share threat intelligence and the library over loopback, under
agreements, with TLP enforced as each delta leaves.

intel-a publishes; intel-b (another organisation) subscribes to the collection ``intel:shared``
and to the ``library``; intel-c (a second node of intel-a's own organisation) subscribes to the
``library`` only. A TLP:AMBER indicator reaches intel-b alone; TLP:RED reaches no one;
TLP:AMBER+STRICT reaches only intel-c (same organisation); a sighting recorded on intel-b
comes back to intel-a; a revoked and a deleted object disappear from intel-b's copy; a
withdrawn document from both copies; ``taxii2-client`` pages through intel-b's copy."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from taxii2client.v21 import Server, as_pages

from ctnode.model.access import Actor
from ctnode.model.tlp import TLP
from tests.federation import cluster
from tests.federation.cluster import NodeProc, make_nodes, seed_stores

ADMIN = Actor(name="test-admin", role="admin")
NAMES = ["intel-a", "intel-b", "intel-c"]
ORGS = {"intel-a": "Ministry of the Interior of A", "intel-b": "Coordinator of B",
        "intel-c": "Ministry of the Interior of A"}
STAMP = "2026-03-01T10:00:00.000Z"


def _indicator(level: TLP, name: str, modified: str = STAMP, **extra: Any) -> dict[str, Any]:
    return {
        "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
        "created": STAMP, "modified": modified, "name": name,
        "pattern": f"[domain-name:value = '{name.lower().replace(' ', '-')}.example']",
        "pattern_type": "stix", "valid_from": STAMP,
        "object_marking_refs": [level.marking_id], **extra,
    }


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, NodeProc]]:
    root = tmp_path_factory.mktemp("intelnet")
    nodes = {n.name: n for n in make_nodes(root, NAMES)}
    seed_stores(list(nodes.values()))
    with cluster.started(nodes.values()):
        year = datetime.now(UTC) + timedelta(days=365)
        with cluster.opened(nodes) as handles:
            cluster.introduce(nodes, handles, ADMIN, organisation=ORGS.__getitem__)
            scopes = {"intel-b": ["intel:shared", "library"], "intel-c": ["library"]}
            for sub, lists in scopes.items():
                cluster.agree(handles, ADMIN, "intel-a", sub, lists=lists,
                              purposes=["threat_intelligence"], expires_at=year, subscribed=True)
        cluster.ready(nodes.values())
        yield nodes


def _eventually(check: Callable[[], Any], what: str) -> Any:
    for _ in range(150):
        got = check()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


def _collections(node: NodeProc) -> dict[str, dict[str, Any]]:
    r = node.api("GET", "/intel/collections")
    assert r.status_code == 200, r.text
    return {c["id"]: c for c in r.json()["collections"]}


def _copy_of(node: NodeProc, owner: str) -> dict[str, Any] | None:
    found = [c for c in _collections(node).values() if c.get("owner") == owner]
    return found[0] if found else None


def _ids(node: NodeProc, key: str) -> set[str]:
    r = node.api("GET", f"/intel/collections/{key}/export")
    assert r.status_code == 200, r.text
    return {o["id"] for o in r.json()["objects"]}


def _found(node: NodeProc, text: str) -> set[str]:
    r = node.api("GET", "/library/search", params={"q": text, "limit": 50})
    assert r.status_code == 200, r.text
    return {h["title"] for h in r.json()["hits"]}


def test_intel_and_library_reach_only_whom_their_tlp_and_agreements_allow(
    net: dict[str, NodeProc],
) -> None:
    a, b, c = (net[n] for n in NAMES)
    r = a.api("POST", "/intel/collections", json={"title": "Shared CT indicators",
                                                  "alias": "shared"})
    assert r.status_code == 201, r.text
    green = _indicator(TLP.GREEN, "Recruiter forum")
    amber = _indicator(TLP.AMBER, "Financing wallet relay")
    strict = _indicator(TLP.AMBER_STRICT, "Internal sinkhole")
    red = _indicator(TLP.RED, "Source in cell")
    actor = {"type": "threat-actor", "spec_version": "2.1", "id": f"threat-actor--{uuid.uuid4()}",
             "created": STAMP, "modified": STAMP, "name": "Example cell",
             "object_marking_refs": [TLP.GREEN.marking_id]}
    rel_red = {"type": "relationship", "spec_version": "2.1",
               "id": f"relationship--{uuid.uuid4()}", "created": STAMP, "modified": STAMP,
               "relationship_type": "indicates", "source_ref": red["id"],
               "target_ref": actor["id"], "object_marking_refs": [TLP.GREEN.marking_id]}
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}",
              "objects": [green, amber, strict, red, actor, rel_red]}
    r = a.api("POST", "/intel/collections/shared/import", content=json.dumps(bundle),
              params={"name": "fixture"})
    assert r.status_code == 200, r.text

    # the import reached intel-b at once, with a signed receipt; intel-c holds no copy
    copy = _copy_of(b, "intel-a")
    assert copy is not None and copy["writable"] is False
    assert _ids(b, copy["id"]) == {green["id"], amber["id"], actor["id"]}
    assert _copy_of(c, "intel-a") is None
    # only the publisher changes a copy
    r = b.api("POST", f"/intel/collections/{copy['id']}/import", content=json.dumps(bundle))
    assert r.status_code == 422 and "intel-a" in r.json()["detail"]

    # the library: GREEN to both, AMBER+STRICT to intel-c (same organisation), RED to none
    docs = {}
    for level, title in ((TLP.GREEN, "Countering terrorist financing through hawala"),
                         (TLP.AMBER_STRICT, "Hawala supervision within the ministry"),
                         (TLP.RED, "Hawala informant handling")):
        body = f"# {title}\n\nHawala networks and remittance supervision: {level.label}.\n"
        r = a.api("POST", "/library/documents", content=body.encode(), params={
            "name": "guide.md", "topic": "financing-of-terrorism", "source": "Coordinator A",
            "date": "2026-01-15", "lang": "en", "title": title, "tlp": level.label})
        assert r.status_code == 201, r.text
        docs[level] = r.json()["id"]
    assert _found(b, "hawala") == {"Countering terrorist financing through hawala"}
    assert _found(c, "hawala") == {"Countering terrorist financing through hawala",
                                   "Hawala supervision within the ministry"}
    r = c.api("GET", f"/library/documents/{docs[TLP.GREEN]}/original")
    assert r.status_code == 200 and r.content.startswith(b"# Countering terrorist financing")
    r = c.api("DELETE", f"/library/documents/{docs[TLP.GREEN]}", params={"reason": "mine?"})
    assert r.status_code == 422 and "intel-a" in r.json()["detail"]

    # taxii2-client pages through intel-b's copy on intel-b
    r = b.api("POST", "/keys", json={"name": "siem", "role": "analyst"})
    assert r.status_code == 201, r.text
    _, key_id, secret = r.json()["token"].split("_", 2)
    server = Server(f"{b.url}/taxii2/", user=key_id, password=secret)
    [col] = [x for x in server.default.collections if x.id == copy["id"]]
    paged, pages = [], 0
    for envelope in as_pages(col.get_objects, per_request=1):
        paged += [o["id"] for o in envelope.get("objects", [])]
        pages += 1
    assert set(paged) == {green["id"], amber["id"], actor["id"]} and pages == 3

    # intel-b sights the GREEN indicator (marked AMBER): the sighting comes back to intel-a
    r = b.api("POST", "/intel/collections", json={"title": "Local", "alias": "local"})
    assert r.status_code == 201, r.text
    sighting = {"type": "sighting", "spec_version": "2.1", "id": f"sighting--{uuid.uuid4()}",
                "created": STAMP, "modified": STAMP, "sighting_of_ref": green["id"],
                "count": 3, "object_marking_refs": [TLP.AMBER.marking_id]}
    r = b.api("POST", "/intel/collections/local/import", content=json.dumps(sighting))
    assert r.status_code == 200, r.text
    _eventually(lambda: sighting["id"] in _ids(a, "shared"), "the sighting reached intel-a")
    inbox = a.api("GET", "/federation/inbox").json()
    [alert] = [x for x in inbox if x["kind"] == "intel_sighting"]
    assert alert["peer_id"] == "intel-b" and green["id"] in alert["title"]
    # ... and from intel-a on to its subscribers' copies
    _eventually(lambda: sighting["id"] in _ids(b, copy["id"]), "the sighting reached the copy")

    # a revoked object and a deleted one disappear from the copy
    revoked = {**amber, "modified": "2026-03-02T10:00:00.000Z", "revoked": True}
    r = a.api("POST", "/intel/collections/shared/import", content=json.dumps(revoked))
    assert r.status_code == 200, r.text
    assert amber["id"] not in _ids(b, copy["id"])
    handle = a.open()
    try:
        handle.intel.delete(ADMIN, "shared", green["id"])
        deltas = handle.federation.updates.deltas(ADMIN)
        payloads = {d["id"]: handle.federation.context.db.get_delta(d["id"])["payload"]
                    for d in deltas}
    finally:
        handle.close()
    assert _ids(b, copy["id"]) == {actor["id"], sighting["id"]}

    # a withdrawal reaches both library copies
    r = a.api("DELETE", f"/library/documents/{docs[TLP.GREEN]}", params={"reason": "replaced"})
    assert r.status_code == 204, r.text
    assert _found(b, "hawala") == set()
    assert _found(c, "hawala") == {"Hawala supervision within the ministry"}

    # an agreement may set a lower TLP ceiling: from then on intel-c gets TLP:CLEAR only
    r = a.api("POST", "/federation/agreements", json={
        "peer_id": "intel-c", "direction": "outbound", "lists": ["library"],
        "purposes": ["threat_intelligence"], "subscribed": True, "max_tlp": "clear",
        "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat()})
    assert r.status_code in (200, 201), r.text
    assert r.json()["max_tlp"] == "clear"
    for level, title in ((TLP.CLEAR, "Public hawala typologies"),
                         (TLP.GREEN, "Hawala case studies for partners")):
        r = a.api("POST", "/library/documents", content=f"# {title}\n\nHawala.\n".encode(),
                  params={"name": "g.md", "topic": "financing-of-terrorism", "source": "A",
                          "date": "2026-01-16", "lang": "en", "title": title,
                          "tlp": level.label})
        assert r.status_code == 201, r.text
    assert _found(c, "hawala") == {"Hawala supervision within the ministry",
                                   "Public hawala typologies"}
    assert _found(b, "hawala") == {"Public hawala typologies", "Hawala case studies for partners"}

    # every delta was receipted, signed, by the peers it was for; RED was never written
    scoped = [d for d in deltas if d["dataset"] in ("intel:shared", "library")]
    assert scoped
    for d in scoped:
        assert all(x["status"] == "applied" and x["receipt"]["signature"]
                   for x in d["receipts"]), d["receipts"]
        assert red["id"] not in json.dumps(payloads[d["id"]])
        assert "Hawala informant handling" not in json.dumps(payloads[d["id"]])


def test_star_covers_no_collection_nor_the_library_and_tlp_cuts_per_peer() -> None:
    from ctnode.federation.agreements import Agreement
    from ctnode.federation.intel_exchange import cut_for
    from ctnode.federation.library_exchange import cut_for as cut_library
    from ctnode.federation.scoped import any_peer
    from ctnode.model.tlp import Recipient

    now = datetime.now(UTC)
    agr = Agreement("a1", "peer", "outbound", ["*", "intel:named"], ["threat_intelligence"], 60,
                    "reference", [], True, now + timedelta(days=1), now, "admin")
    assert agr.shares("un-sc") and agr.shares("intel:named")
    assert not agr.shares("intel:other") and not agr.shares("library")
    objects = [_indicator(level, f"i {level.value}") for level in TLP]
    payload = {"objects": objects, "default_tlp": "amber+strict"}
    peer = {o["name"] for o in cut_for(payload, any_peer())["objects"]}
    assert peer == {"i clear", "i green", "i amber"}
    org = {o["name"] for o in cut_for(payload, Recipient("organisation", "peer"))["objects"]}
    assert org == peer | {"i amber+strict"}
    docs = [{"meta": {"tlp": level.label}, "id": level.value} for level in TLP]
    assert [d["id"] for d in cut_library({"documents": docs}, any_peer())["documents"]] == [
        "clear", "green", "amber"]
