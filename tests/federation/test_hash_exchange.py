"""Three real node processes exchange a hash bank over loopback: node-a publishes, node-b and
node-c subscribe; a removal reaches both copies with signed receipts; a match on node-b
sends node-a a hit notice (record ids only, no content). TLP:RED never leaves node-a."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ctnode.model.access import Actor
from tests.federation import cluster
from tests.federation.cluster import NodeProc, make_nodes, seed_stores
from tests.hashes.conftest import picture

ADMIN = Actor(name="test-admin", role="admin")
NAMES = ["hash-a", "hash-b", "hash-c"]
BANK = "CT_SHARED"


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, NodeProc]]:
    root = tmp_path_factory.mktemp("hashnet")
    nodes = {n.name: n for n in make_nodes(root, NAMES)}
    seed_stores(list(nodes.values()))
    with cluster.started(nodes.values()):
        year = datetime.now(UTC) + timedelta(days=365)
        with cluster.opened(nodes) as handles:
            cluster.introduce(nodes, handles, ADMIN)
            for sub in ("hash-b", "hash-c"):
                cluster.agree(handles, ADMIN, "hash-a", sub, lists=[f"hashes:{BANK}"],
                              purposes=["content_moderation"], expires_at=year, subscribed=True)
        cluster.ready(nodes.values())
        yield nodes


def _records(node: NodeProc, status: str | None = None) -> list[dict]:  # type: ignore[type-arg]
    params = {"status": status} if status else {}
    r = node.api("GET", f"/hashes/banks/{BANK}/hashes", params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["hashes"])


def test_a_bank_a_removal_and_a_hit_notice_cross_three_nodes(
    net: dict[str, NodeProc], tmp_path: Path
) -> None:
    a, b, c = (net[n] for n in NAMES)
    image = tmp_path / "still.png"
    picture(11).save(image)
    r = a.api("POST", "/hashes/hash", params={"name": "still.png"}, content=image.read_bytes())
    pdq = r.json()["pdq"]["value"]
    assert a.api("POST", "/hashes/banks", json={"name": BANK}).status_code == 201
    for values, kind, tlp in (
        ([pdq], "pdq", "GREEN"),
        (["ab" * 32], "sha256", "AMBER"),
        (["cd" * 16], "md5", "RED"),
    ):
        body = {"signal_type": kind, "values": values, "tlp": tlp, "labels": ["glorification"]}
        r = a.api("POST", f"/hashes/banks/{BANK}/hashes", json=body)
        assert r.status_code == 201, r.text  # each addition goes to the subscribers at once
    # the whole bank, with signed receipts from both subscribers
    r = a.api("POST", f"/hashes/banks/{BANK}/publish")
    assert r.status_code == 200, r.text
    assert {x["peer_id"]: x["status"] for x in r.json()["receipts"]} == {
        "hash-b": "applied",
        "hash-c": "applied",
    }
    for sub in (b, c):
        got = {x["value"]: x for x in _records(sub)}
        assert set(got) == {pdq, "ab" * 32}  # TLP:RED stayed on node-a
        assert got[pdq]["provenance"]["source_kind"] == "node"
        assert got[pdq]["provenance"]["source"] == "hash-a"
        assert got[pdq]["labels"] == ["glorification"] and got[pdq]["tlp"] == "TLP:GREEN"
        bank = sub.api("GET", f"/hashes/banks/{BANK}").json()
        assert bank["owner"] == "hash-a"
    # node-b matches the picture's hash: a hit there, a notice to node-a
    r = b.api("POST", "/hashes/match", json={"signal_type": "pdq", "value": pdq})
    [hit] = r.json()["hits"]
    assert hit["provenance"]["source"] == "hash-a"
    notice = None
    for _ in range(100):
        r = a.api("GET", "/federation/inbox")
        assert r.status_code == 200, r.text
        found = [x for x in r.json() if x["kind"] == "hash_hit"]
        if found:
            notice = found[0]
            break
        time.sleep(0.1)
    assert notice is not None and notice["peer_id"] == "hash-b"
    assert hit["record_id"] in notice["body"] and pdq not in notice["body"]
    # node-a delists the picture: both copies tombstone it, and it stops matching on node-b
    r = a.api("POST", f"/hashes/banks/{BANK}/removals", json={"record_ids": [hit["record_id"]]})
    assert r.status_code == 200 and r.json()["removed"] == 1
    for sub in (b, c):
        assert [x["record_id"] for x in _records(sub, "removed")] == [hit["record_id"]]
    r = b.api("POST", "/hashes/match", json={"signal_type": "pdq", "value": pdq})
    assert r.json()["hits"] == []
    # every delta carries both receipts, signed
    handle = a.open()
    try:
        deltas = handle.federation.updates.deltas(ADMIN)
    finally:
        handle.close()
    hash_deltas = [d for d in deltas if d["dataset"] == f"hashes:{BANK}"]
    assert len(hash_deltas) >= 2
    for d in hash_deltas:
        receipts = {x["peer_id"]: x for x in d["receipts"]}
        if d["summary"]["removed"] or d["summary"]["records"]:
            assert {p: x["status"] for p, x in receipts.items()} == {
                "hash-b": "applied",
                "hash-c": "applied",
            }
            assert all(x["receipt"]["signature"] for x in receipts.values())
    # a peer may not publish into the bank it only copies
    r = b.api("POST", f"/hashes/banks/{BANK}/publish")
    assert r.status_code == 422 and "hash-a" in r.json()["detail"]


def test_a_star_agreement_covers_every_list_but_no_bank() -> None:
    from ctnode.federation.agreements import Agreement

    now = datetime.now(UTC)
    agr = Agreement(
        "a1",
        "peer",
        "outbound",
        ["*", "hashes:NAMED"],
        ["content_moderation"],
        60,
        "reference",
        [],
        True,
        now + timedelta(days=1),
        now,
        "admin",
    )
    assert agr.shares("un-sc") and agr.shares("hashes:NAMED")
    assert not agr.shares("hashes:OTHER")
