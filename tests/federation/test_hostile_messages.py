"""Hostile and edge-case messages of the issue-13 message types (key changes, checkpoint
notices and copies, hit notices), in one process on both store backends: each is refused
with a 4xx and leaves an audit entry; the well-formed ones change what they should."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from nacl.signing import SigningKey

from ctnode.clock import format_ts, utcnow
from ctnode.federation.envelope import seal
from ctnode.federation.identity import Identity, KeyChange
from ctnode.model.access import Actor
from ctnode.node import Node
from tests.federation.test_protocol import pair  # noqa: F401 - the two-node fixture

ADMIN = Actor(name="test-admin", role="admin")


def refused(node: Node) -> list[dict[str, Any]]:
    return [e.detail for e in node.audit.entries(event="federation.refused")]


def test_hostile_key_changes_checkpoints_and_notices(pair: tuple[Node, Node]) -> None:  # noqa: F811
    req, hold = pair
    ident = req.federation.context.identity
    receive = hold.federation.inbound.receive
    # More than 8 certificates, or not a list: malformed, before any signature check.
    for bad in ([{}] * 9, "x", 7):
        env = {**seal(ident, "ping", "hold-node", {}).to_dict(), "key_changes": bad}
        status, body = receive(env)
        assert status == 400 and body["reason"] == "malformed", (bad, body)
    hold.audit.refusals.flush(force=True)
    assert any(d.get("reason") == "malformed" for d in refused(hold))
    # Garbage certificates with an envelope signed by a stranger's key: bad_signature, and
    # the directory keeps the registered key.
    stranger = Identity(ident.folder, SigningKey.generate(), dict(ident.profile))
    stranger.changes = [{"kind": "rotate", "node_id": "req-node", "old_key": ident.public_key,
                         "new_key": stranger.public_key, "at": "x", "old_signature": "AAAA",
                         "new_signature": "AAAA", "descriptor": {"v": 1}}, {"v": [1]}]
    status, body = receive(seal(stranger, "ping", "hold-node", {}).to_dict())
    assert status == 403 and body["reason"] == "bad_signature"
    assert hold.store.federation.get_peer("req-node")["public_key"] == ident.public_key
    # A certificate signed by the old key but whose descriptor is another node's: not followed.
    key = SigningKey.generate()
    evil = Identity(ident.folder, key, {**ident.profile, "node_id": "evil"})
    other = Identity(ident.folder, key, dict(ident.profile))
    change = KeyChange(kind="rotate", node_id="req-node", old_key=ident.public_key,
                       new_key=other.public_key, at=format_ts(utcnow()), reason="",
                       descriptor=evil.descriptor().to_dict())
    change = replace(change, old_signature=ident.sign(change.body()),
                     new_signature=other.sign(change.body()))
    other.changes = [change.to_dict()]
    status, body = receive(seal(other, "ping", "hold-node", {}).to_dict())
    assert status == 403 and body["reason"] == "bad_signature"
    assert hold.store.federation.get_peer("req-node")["public_key"] == ident.public_key
    # Checkpoint notices: out-of-range seq, another node's, a forged signature: malformed.
    cp = req.federation.checkpoints.sign(ADMIN)
    for bad_cp in ({**cp, "seq": 2**40}, {**cp, "node_id": "hold-node"},
                   {**cp, "hash": "x" * 10_000}, {**cp, "signature": "AAAA"}, {}):
        status, body = receive(seal(ident, "checkpoint.notice", "hold-node", bad_cp).to_dict())
        assert status == 400 and body["reason"] == "malformed", (bad_cp, body)
    assert hold.store.federation.list_checkpoints("req-node") == []
    assert sum(d.get("reason") == "malformed" and d.get("type") == "checkpoint.notice"
               for d in refused(hold)) == 5
    # The good one is kept (once), and handed back on checkpoint.held.
    for _ in range(2):
        status, body = receive(seal(ident, "checkpoint.notice", "hold-node", cp).to_dict())
        assert status == 200 and body["type"] == "ack"
    assert len(hold.store.federation.list_checkpoints("req-node")) == 1
    status, body = receive(seal(ident, "checkpoint.held", "hold-node", {}).to_dict())
    assert status == 200 and body["body"]["checkpoints"] == [cp]
    report = req.federation.checkpoints.verify_anchored(ADMIN)
    assert report["peers"]["hold-node"] == {"status": "ok", "held": 1, "newest": cp["seq"]}
    # Hit notices: from a node this one publishes nothing to, or malformed.
    notice = {"hits": [{"entity_id": "fx-001", "list": "fx", "band": "match"}],
              "requester": {"node_id": "req-node"}}
    status, body = receive(seal(ident, "hit.notice", "hold-node", notice).to_dict())
    assert status == 403 and body["reason"] == "not_subscribed"
    hold.federation.directory.add_agreement(
        ADMIN, peer_id="req-node", direction="outbound", lists=["*"],
        purposes=["investigation"], expires_at=utcnow().replace(year=utcnow().year + 1),
        subscribed=True)
    for bad_notice, reason in (
        ({**notice, "hits": []}, "malformed"),
        ({**notice, "hits": [{"entity_id": "x", "list": "fx", "band": "no match"}]}, "malformed"),
        ({**notice, "hits": "x"}, "malformed"),
        ({**notice, "requester": "me"}, "malformed"),
        (notice, "not_publisher"),  # fx is a copy here, published by req-node itself
    ):
        status, body = receive(seal(ident, "hit.notice", "hold-node", bad_notice).to_dict())
        assert status in (400, 403) and body["reason"] == reason, (bad_notice, body)
    # An officer that is not printable text: malformed.
    for officer in ({"name": "a\x1b[2J", "role": "x"}, {"name": "", "role": "x"}, "me"):
        status, body = receive(seal(ident, "screen.request", "hold-node", {
            "query": {"names": ["x y"]}, "purpose": "investigation", "legal_basis": "a",
            "case_ref": "b", "officer": officer}).to_dict())
        assert status in (400, 403), body


def test_a_rotation_in_process_on_both_backends(pair: tuple[Node, Node]) -> None:  # noqa: F811
    req, hold = pair
    old = req.federation.context.identity.public_key
    result = req.federation.keys.rotate(ADMIN, reason="test")
    new = req.federation.context.identity.public_key
    assert result["peers"] == {"hold-node": "notified"} and new != old
    assert hold.store.federation.get_peer("req-node")["public_key"] == new
    changes = hold.federation.keys.key_changes(ADMIN, "req-node")
    assert [(c["kind"], c["old_key"], c["new_key"]) for c in changes] == [("rotate", old, new)]
    assert hold.federation.directory.ping(ADMIN, "req-node") > 0
    # The node's own checkpoints, before and after the rotation, verify with its key history.
    req.federation.checkpoints.sign(ADMIN)
    n, used = req.federation.checkpoints.verify_audit(ADMIN)
    assert n > 0 and used == 1


def test_a_peer_cannot_grow_the_checkpoint_table_at_will(
    pair: tuple[Node, Node], monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    from ctnode.federation import checkpoints

    monkeypatch.setattr(checkpoints, "KEPT_PER_PEER", 2)
    req, hold = pair
    ident = req.federation.context.identity
    sent = [req.federation.checkpoints.sign(ADMIN) for _ in range(4)]
    for cp in sent:
        status, _body = hold.federation.inbound.receive(
            seal(ident, "checkpoint.notice", "hold-node", cp).to_dict())
        assert status == 200
    kept = hold.store.federation.list_checkpoints("req-node")
    assert [r["seq"] for r in kept] == [cp["seq"] for cp in sent[-2:]]


def test_disclosure_requests_are_rate_limited(pair: tuple[Node, Node]) -> None:  # noqa: F811
    """Issue 13 item 7: a flood of disclosure requests is refused beyond the agreement's
    rate (429 ``rate``), audited, before any reference is looked up."""
    req, hold = pair
    hold.federation.directory.add_agreement(
        ADMIN, peer_id="req-node", direction="outbound", lists=["fx"],
        purposes=["investigation"], expires_at=utcnow() + timedelta(days=1),
        rate_per_minute=3, max_disclosure="fields", fields=["name"])
    ident = req.federation.context.identity
    answers = []
    for i in range(5):
        body = {"request_id": f"flood-{i}", "ref": f"r_{i:032x}", "purpose": "investigation",
                "legal_basis": "Act 12", "case_ref": "C-1", "justification": "flood"}
        answers.append(hold.federation.inbound.receive(
            seal(ident, "disclosure.request", "hold-node", body).to_dict()))
    statuses = [status for status, _ in answers]
    assert all(400 <= s < 500 for s in statuses), answers
    assert statuses[:3].count(429) == 0 and statuses[3:] == [429, 429], statuses
    assert [a["reason"] for _, a in answers[3:]] == ["rate", "rate"]
    reasons = [d["reason"] for d in refused(hold) if d.get("type") == "disclosure.request"]
    assert reasons.count("rate") == 2 and len(reasons) == 5, reasons
    assert hold.federation.disclosure.list_disclosures(ADMIN, direction="incoming") == []
