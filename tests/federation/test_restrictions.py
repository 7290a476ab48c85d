"""The data owner restricts a record (issue 13, "copies under the agreement"): no copies,
query only. Two real node processes: node-p publishes its list fx to node-s (a subscriber
whose copies carry names). A restricted record is withdrawn from node-s's copy by a signed
delta with a signed receipt, is left out of later deltas and full syncs, and node-s can
still find it by a network query; lifting the restriction sends it again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from ctnode.clock import format_ts, utcnow
from ctnode.federation.envelope import Envelope
from ctnode.federation.identity import Identity
from ctnode.model.access import Actor
from tests.federation import cluster
from tests.federation.cluster import NodeProc, make_nodes, seed_stores
from tests.federation.test_network import FIXTURES, HIT_NAME, audit_events, cli

ADMIN = Actor(name="test-admin", role="admin")


@pytest.fixture(scope="module")
def duo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, NodeProc]]:
    nodes = {n.name: n for n in make_nodes(tmp_path_factory.mktemp("restrict"),
                                           ["node-p", "node-s"])}
    seed_stores(list(nodes.values()))
    with cluster.opened(nodes) as handles:
        cluster.introduce(nodes, handles, ADMIN, organisation=cluster.by_letter,
                          country=lambda name: "KZ")
        handles["node-p"].lists.import_source("ftm", str(FIXTURES / "watchlist-v1.jsonl"), ADMIN,
                                               dataset="fx")
        # node-s may query fx and receives copies of it (names only); node-s is not up yet, so
        # the full sync waits for the retry below.
        terms: dict[str, Any] = {"lists": ["fx"], "purposes": ["investigation"],
                                 "expires_at": utcnow() + timedelta(days=365), "subscribed": True}
        cluster.agree(handles, ADMIN, "node-p", "node-s", **terms, copy_fields=["name"],
                      inbound=terms)
    with cluster.started(nodes.values()):
        cluster.ready(nodes.values(), warm_up=True)
        yield nodes


def held(node: NodeProc, entity_id: str) -> bool:
    r = node.api("GET", f"/entities/{entity_id}")
    assert r.status_code in (200, 404), r.text
    return r.status_code == 200


def wait_held(node: NodeProc, entity_id: str, want: bool = True, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end and held(node, entity_id) != want:
        time.sleep(0.3)
    assert held(node, entity_id) == want, entity_id


def settle(publisher: NodeProc, timeout: float = 90) -> list[dict[str, Any]]:
    """The publisher's deltas once every receipt is ``applied``: on this shared machine a
    subscriber may answer after the push's deadline (``pending``), so the test re-sends, as
    ``ctnode updates retry`` would. A refusal fails at once."""
    end = time.monotonic() + timeout
    while True:
        updates: list[dict[str, Any]] = publisher.api("GET", "/federation/updates").json()
        statuses = {r["status"] for d in updates for r in d["receipts"]}
        assert not statuses & {"refused", "failed"}, updates[:2]
        if statuses <= {"applied"} or time.monotonic() > end:
            assert statuses <= {"applied"}, updates[:2]
            return updates
        assert publisher.api("POST", "/federation/updates/retry").status_code == 200
        time.sleep(0.5)


def eventually_hits(node: NodeProc, name: str, entity_id: str, want: bool) -> None:
    """The subscriber's screens see (or no longer see) ``entity_id`` (its index follows)."""
    end = time.monotonic() + 30
    while (entity_id in local_hits(node, name)) != want and time.monotonic() < end:
        time.sleep(0.3)
    assert (entity_id in local_hits(node, name)) == want, (entity_id, want)


def local_hits(node: NodeProc, name: str) -> list[str]:
    r = node.api("POST", "/screen", json={"name": name})
    assert r.status_code == 200, r.text
    return [h["entity_id"] for h in r.json()["hits"]]


def network_screen(node: NodeProc, name: str) -> dict[str, Any]:
    r = node.api("POST", "/federation/screen", json={
        "name": name, "purpose": "investigation", "legal_basis": "Act 12 s.3",
        "case_ref": "CASE-13R", "peers": ["node-p"], "deadline": 30})
    assert r.status_code == 200, r.text
    (answer,) = r.json()["peers"]
    result: dict[str, Any] = answer
    return result


def test_a_new_subscriber_gets_a_full_sync_of_the_agreed_fields_only(
    duo: dict[str, NodeProc],
) -> None:
    """Issue 13 items 1 and 2 over HTTP: node-s subscribed after fx was listed, and its copy
    holds every record listed before (a full sync), named by node-p, with names only: no
    birth date, nationality, passport or notes reached node-s's store at all."""
    p, s = duo["node-p"], duo["node-s"]
    settle(p)
    for record in ("fx-001", "fx-002", "fx-003"):
        wait_held(s, f"node-p:{record}")
    r = s.api("GET", "/entities/node-p:fx-001")
    assert set(r.json()["properties"]) == {"name"}, r.json()["properties"]
    assert r.json()["properties"]["name"] == [HIT_NAME]
    data = b"".join(f.read_bytes() for f in s.data_dir.glob("ctnode.db*"))
    for value in (b"K7781234", b"1971-03-14", b"Fictional test record."):
        assert value not in data, value  # fx-001's passport, birth date, notes


def test_a_restricted_record_is_withdrawn_from_copies_and_stays_queryable(
    duo: dict[str, NodeProc],
) -> None:
    p, s = duo["node-p"], duo["node-s"]
    settle(p)  # the full sync of the new subscription
    wait_held(s, "node-p:fx-001")
    eventually_hits(s, HIT_NAME, "node-p:fx-001", True)
    # The owner restricts fx-001: node-s is sent a signed withdrawal and applies it.
    r = cli(p, "peers", "restrict", "fx-001", "--reason", "source protection")
    assert r.exit_code == 0, r.output
    assert "restricted fx-001 (list fx)" in r.output and "node-s: " in r.output, r.output
    delta = settle(p)[0]
    assert not held(s, "node-p:fx-001")  # deleted there, not delisted
    assert held(s, "node-p:fx-002")
    eventually_hits(s, HIT_NAME, "node-p:fx-001", False)
    assert delta["summary"]["withdrawn"] == ["fx-001"]
    (receipt,) = delta["receipts"]
    assert receipt["status"] == "applied" and receipt["detail"]["withdrawn"] == ["fx-001"]
    env = Envelope.parse(receipt["receipt"])
    assert env.sender == "node-s" and env.body["delta_id"] == delta["id"]
    assert env.verify_signature(Identity.load(s.data_dir / "federation").public_key)
    (restricted,) = audit_events(p, "federation.record.restrict")
    assert restricted["result_ids"] == ["fx-001"]
    assert restricted["detail"]["reason"] == "source protection"
    applied = [e for e in audit_events(s, "federation.delta.applied")
               if e["detail"]["delta_id"] == delta["id"]]
    # node-s's audit names its copy's record; the receipt above speaks node-p's own id
    assert applied and applied[0]["detail"]["withdrawn"] == ["node-p:fx-001"]
    inbox = s.api("GET", "/federation/inbox").json()
    withdrawn = [a for a in inbox if a["kind"] == "withdrawn"]
    assert withdrawn and "node-p:fx-001" in withdrawn[0]["body"]
    assert withdrawn[0]["peer_id"] == "node-p"
    assert not [a for a in inbox if a["kind"] == "delisting"]  # not told "no longer listed"
    # Query only: node-s still gets a hit on it from the owner by a network screen.
    answer = network_screen(s, HIT_NAME)
    assert answer["status"] == "hit", answer
    # The restriction is listed; restricting twice, a copy, or an unknown record is refused.
    (row,) = p.api("GET", "/federation/restrictions").json()
    assert row["entity_id"] == "fx-001" and row["dataset"] == "fx"
    assert row["restricted_by"] and row["reason"] == "source protection"
    twice = p.api("POST", "/federation/restrictions",
                  json={"entity_id": "fx-001", "reason": "again"})
    assert twice.status_code == 409, twice.text
    copy = s.api("POST", "/federation/restrictions",
                 json={"entity_id": "node-p:fx-002", "reason": "x"})
    assert copy.status_code == 409 and "node-p" in copy.text, copy.text
    unknown = p.api("POST", "/federation/restrictions",
                    json={"entity_id": "fx-999", "reason": "x"})
    assert unknown.status_code == 404, unknown.text
    no_reason = p.api("POST", "/federation/restrictions", json={"entity_id": "fx-003",
                                                                "reason": ""})
    assert no_reason.status_code == 422, no_reason.text


def test_later_deltas_and_full_syncs_leave_a_restricted_record_out(
    duo: dict[str, NodeProc],
) -> None:
    p, s = duo["node-p"], duo["node-s"]
    # v2 changes fx-001 (an alias), delists fx-002, adds fx-005: the delta omits fx-001.
    r = cli(p, "import", "ftm", str(FIXTURES / "watchlist-v2.jsonl"), "--dataset", "fx",
            "--confirm")
    assert r.exit_code == 0, r.output
    delta = settle(p)[0]
    assert delta["summary"]["changed"] == 0 and delta["summary"]["added"] == 1, delta
    assert held(s, "node-p:fx-005") and not held(s, "node-p:fx-001")
    # A new subscription's full sync carries every listed record but fx-001.
    r = p.api("POST", "/federation/agreements", json={
        "peer_id": "node-s", "direction": "outbound", "lists": ["fx"],
        "purposes": ["investigation"], "subscribed": True, "copy_fields": ["name"],
        "expires_at": format_ts(utcnow() + timedelta(days=30))})
    assert r.status_code in (200, 201), r.text
    full = settle(p)[0]
    assert full["summary"].get("full") is True and full["summary"]["added"] == 3, full
    assert not held(s, "node-p:fx-001") and held(s, "node-p:fx-003")


def test_lifting_a_restriction_sends_the_record_again(duo: dict[str, NodeProc]) -> None:
    p, s = duo["node-p"], duo["node-s"]
    r = p.api("DELETE", "/federation/restrictions/fx-001")
    assert r.status_code == 200, r.text
    assert [x["peer_id"] for x in r.json()["receipts"]] == ["node-s"]
    assert settle(p)[0]["id"] == r.json()["delta_id"]
    copy = s.api("GET", "/entities/node-p:fx-001").json()
    assert copy["id"] == "node-p:fx-001"
    assert copy["status"] == "listed" and "name" in copy["properties"]
    assert "passportNumber" not in copy["properties"]  # still cut to the agreed fields
    eventually_hits(s, HIT_NAME, "node-p:fx-001", True)
    assert p.api("GET", "/federation/restrictions").json() == []
    (lifted,) = audit_events(p, "federation.record.unrestrict")
    assert lifted["result_ids"] == ["fx-001"]
    again = p.api("DELETE", "/federation/restrictions/fx-001")
    assert again.status_code == 404, again.text
