"""Agreements that name which hash labels a peer receives, over three real node processes:
node-a publishes one bank; node-b's agreement lets out only graphic violence and imminent
threats, node-c's every label. Hashes whose labels are not covered never leave; a removal,
a relabelling or a narrowed agreement still reaches every copy that was sent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ctnode.errors import InvalidInput
from ctnode.federation.agreements import Agreement, validate_hash_labels
from ctnode.model.access import Actor
from tests.federation import cluster
from tests.federation.cluster import NodeProc, make_nodes, seed_stores

ADMIN = Actor(name="test-admin", role="admin")
NAMES = ["label-a", "label-b", "label-c"]
BANK = "CT_LABELLED"
VIOLENCE = ["graphic_violence", "imminent_credible_threat"]


def _terms(labels: list[str] | None) -> dict[str, Any]:
    return {
        "lists": [f"hashes:{BANK}"],
        "purposes": ["content_moderation"],
        "expires_at": datetime.now(UTC) + timedelta(days=365),
        "subscribed": True,
        "hash_labels": labels,
    }


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, NodeProc]]:
    root = tmp_path_factory.mktemp("labelnet")
    nodes = {n.name: n for n in make_nodes(root, NAMES)}
    seed_stores(list(nodes.values()))
    with cluster.started(nodes.values()):
        with cluster.opened(nodes) as handles:
            cluster.introduce(nodes, handles, ADMIN)
            for sub, labels in (("label-b", VIOLENCE), ("label-c", None)):
                cluster.agree(handles, ADMIN, "label-a", sub, **_terms(labels),
                              inbound=_terms(None))
        cluster.ready(nodes.values())
        yield nodes


def _held(node: NodeProc, status: str = "active") -> dict[str, list[str]]:
    r = node.api("GET", f"/hashes/banks/{BANK}/hashes", params={"status": status})
    if r.status_code == 404:
        return {}
    assert r.status_code == 200, r.text
    return {x["value"]: x["labels"] for x in r.json()["hashes"]}


def _add(node: NodeProc, value: str, labels: list[str]) -> str:
    body = {"signal_type": "sha256", "values": [value], "tlp": "GREEN", "labels": labels}
    r = node.api("POST", f"/hashes/banks/{BANK}/hashes", json=body)
    assert r.status_code == 201, r.text
    [rid] = r.json()["record_ids"]
    return str(rid)


def _sent_to(node: NodeProc, peer: str) -> str:
    """Every delta payload node-a queued for ``peer``, as one text."""
    handle = node.open()
    try:
        deltas = handle.federation.updates.deltas(ADMIN)
        ids = [d["id"] for d in deltas if peer in {x["peer_id"] for x in d["receipts"]}]
        return " ".join(str(handle.store.federation.get_delta(i)["payload"]) for i in ids)
    finally:
        handle.close()


def test_only_covered_labels_leave_and_removals_reach_every_copy(
    net: dict[str, NodeProc],
) -> None:
    a, b, c = (net[n] for n in NAMES)
    assert a.api("POST", "/hashes/banks", json={"name": BANK}).status_code == 201
    violent, praise, both, bare, later = ("1a" * 32, "2b" * 32, "3c" * 32, "4d" * 32, "5e" * 32)
    _add(a, violent, ["graphic_violence"])
    praise_id = _add(a, praise, ["glorification"])
    _add(a, both, ["graphic_violence", "glorification"])  # one label not covered: stays
    _add(a, bare, [])  # unlabelled: a label filter does not cover it
    assert set(_held(b)) == {violent}
    assert set(_held(c)) == {violent, praise, both, bare}
    sent_b = _sent_to(a, "label-b")
    for value in (praise, both, bare):
        assert value not in sent_b
    # a removal goes to the copies only: node-b never hears the glorification hash's id
    r = a.api("POST", f"/hashes/banks/{BANK}/removals", json={"record_ids": [praise_id]})
    assert r.status_code == 200, r.text
    assert praise in _held(c, "removed") and praise not in _held(c)
    assert praise_id not in _sent_to(a, "label-b")
    # relabelled so node-b's agreement no longer covers it: node-b's copy is removed
    _add(a, violent, ["glorification"])
    assert violent in _held(b, "removed") and violent not in _held(b)
    assert _held(c)[violent] == ["glorification"]
    # a hash sent under the wide agreement, then the agreement narrowed: the copy is still
    # reached, by a removal and by a full publish
    later_id = _add(a, later, ["graphic_violence"])
    assert later in _held(b)
    r = a.api(
        "POST",
        "/federation/agreements",
        json={
            "peer_id": "label-b",
            "direction": "outbound",
            **{**_terms(["imminent_credible_threat"]), "expires_at": "2099-01-01T00:00:00Z"},
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["hash_labels"] == ["imminent_credible_threat"]
    r = a.api("POST", f"/hashes/banks/{BANK}/publish")
    assert r.status_code == 200, r.text
    assert {x["peer_id"]: x["status"] for x in r.json()["receipts"]} == {
        "label-b": "applied",
        "label-c": "applied",
    }
    assert _held(b) == {} and later in _held(b, "removed")
    assert later in _held(c)
    r = a.api("POST", f"/hashes/banks/{BANK}/removals", json={"record_ids": [later_id]})
    assert r.status_code == 200, r.text
    assert later in _held(c, "removed")
    # what node-b received, in all: the hashes its agreement covered when they were sent
    assert set(_held(b, "removed")) == {violent, later}


def test_label_filter_rules() -> None:
    now = datetime.now(UTC)
    base = Agreement(
        "a1", "peer", "outbound", [f"hashes:{BANK}"], ["content_moderation"], 60,
        "reference", [], True, now + timedelta(days=1), now, "admin",
    )
    assert base.covers_labels([]) and base.covers_labels(["glorification"])  # no filter
    narrow = Agreement.from_row({**base.to_dict(), "hash_labels": VIOLENCE})
    assert narrow.covers_labels(["graphic_violence"])
    assert not narrow.covers_labels(["graphic_violence", "glorification"])
    assert not narrow.covers_labels([])
    # GIFCT's long names are understood and stored by their taxonomy value
    assert validate_hash_labels(["Graphic Violence", "graphic_violence"], [f"hashes:{BANK}"]) == [
        "graphic_violence"
    ]
    with pytest.raises(InvalidInput, match="unknown label"):
        validate_hash_labels(["cats"], [f"hashes:{BANK}"])
    with pytest.raises(InvalidInput, match="hash bank"):
        validate_hash_labels(["glorification"], ["un-sc"])
    assert validate_hash_labels(None, ["un-sc"]) is None
