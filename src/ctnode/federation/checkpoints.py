"""Signed audit checkpoints, and verification of an exported audit log away from the node.

A checkpoint is ``{node_id, seq, hash, at}`` signed with the node's key: the audit
chain's head at a time. Whoever holds checkpoints (a partner, an oversight body)
and the node's exported log (``ctnode audit export``) can check, without access
to the node, that every entry hashes correctly, links to the one before, and that
each checkpointed entry still has the hash that was signed: a rewritten (even
re-chained), dropped or truncated history fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from ctnode.audit.chain import AuditEntry, verify_chain
from ctnode.clock import format_ts, utcnow
from ctnode.errors import InvalidInput, Unavailable
from ctnode.federation.context import FederationContext
from ctnode.federation.envelope import Envelope
from ctnode.federation.identity import verify_payload
from ctnode.federation.outbound import PeerError, send
from ctnode.model.access import Actor

CHECKPOINT_FIELDS = ("node_id", "seq", "hash", "at")


def checkpoint_payload(cp: dict[str, Any]) -> dict[str, Any]:
    return {k: cp.get(k) for k in CHECKPOINT_FIELDS}


def signed_checkpoint(row: dict[str, Any]) -> dict[str, Any]:
    """A stored checkpoint as handed out: the signed fields and the signature."""
    return {k: row[k] for k in (*CHECKPOINT_FIELDS, "signature")}


def check_signatures(
    checkpoints: Iterable[dict[str, Any]], *, node_id: str, public_key: str
) -> list[tuple[int, str]]:
    """(seq, hash) of each checkpoint, after checking it is ``node_id``'s, signed by its key."""
    pairs = []
    for cp in checkpoints:
        payload = checkpoint_payload(cp)
        if payload["node_id"] != node_id or not verify_payload(
            public_key, payload, str(cp.get("signature"))
        ):
            raise InvalidInput(
                f"checkpoint at seq {cp.get('seq')} is not signed by {node_id}'s key"
            )
        pairs.append((int(payload["seq"]), str(payload["hash"])))
    return pairs


def verify_export(lines: Iterable[str], checkpoints: list[tuple[int, str]]) -> int:
    """Verify an exported log (JSON lines) against checkpoints; returns the entries checked."""

    def entries() -> Iterator[AuditEntry]:
        for line in lines:
            if line.strip():
                yield AuditEntry.from_dict(json.loads(line))

    return verify_chain(entries(), checkpoints)


class Checkpoints:
    """Sign this node's audit head, hand it to peers, fetch and keep theirs, verify ours."""

    def __init__(self, ctx: FederationContext) -> None:
        self.ctx = ctx
        self.log = ctx.audit
        self.db = ctx.db

    def checkpoint(self, actor: Actor) -> dict[str, Any]:
        """Sign the audit chain's head now; stored, and returned for partners or oversight."""
        self.ctx.require(actor, "federation.admin")
        return self.sign(actor)

    def sign(self, actor: Actor) -> dict[str, Any]:
        ident = self.ctx.identity
        seq, head = self.log.head()
        payload = {"node_id": ident.node_id, "seq": seq, "hash": head, "at": format_ts(utcnow())}
        cp = {**payload, "signature": ident.sign(payload)}
        with self.db.begin() as conn:
            self.db.add_checkpoint(conn, {**cp, "received_at": utcnow()})
        self.ctx.audit.record("federation.checkpoint", actor, detail=cp)
        return cp

    def checkpoints(self, actor: Actor, node_id: str | None = None) -> list[dict[str, Any]]:
        self.ctx.require(actor, "federation.directory")
        return [
            signed_checkpoint(r)
            for r in self.db.list_checkpoints(node_id or self.ctx.identity.node_id)
        ]

    def verify_audit(
        self, actor: Actor, checkpoints: list[dict[str, Any]] | None = None
    ) -> tuple[int, int]:
        """Verify the chain against signed checkpoints (this node's stored ones by default).

        Each checkpoint's signature is checked with this node's public key first;
        then every entry is re-hashed and each checkpointed (seq, hash) must match,
        so a rewritten (even re-chained) or truncated history is detected.
        Returns (entries verified, checkpoints used); raises ``ChainBroken``.
        """
        self.ctx.require(actor, "audit")
        ident = self.ctx.identity
        cps = checkpoints if checkpoints is not None else self.checkpoints(actor)
        pairs = check_signatures(cps, node_id=ident.node_id, public_key=ident.public_key)
        n = self.log.verify(checkpoints=pairs)
        return n, len(pairs)

    def on_request(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        # A checkpoint less than a minute old is handed out again (no audit growth on demand).
        own = self.db.list_checkpoints(self.ctx.identity.node_id)
        if own and (utcnow() - own[-1]["received_at"]).total_seconds() < 60:
            return signed_checkpoint(own[-1])
        return self.sign(self.ctx.peer_actor(env.sender, "peer"))

    def fetch_checkpoint(self, actor: Actor, peer_id: str) -> dict[str, Any]:
        """Get a peer's signed checkpoint and keep it (to hold the peer to its history later)."""
        self.ctx.require(actor, "federation.admin")
        peer = self.ctx.active_peer(peer_id)
        try:
            answer = send(
                self.ctx, peer, "checkpoint.request", {}, self.ctx.settings.federation_deadline
            )
        except PeerError as exc:
            raise Unavailable(f"{peer_id}: {exc.status}: {exc.message}") from None
        payload = checkpoint_payload(answer.body)
        sig = str(answer.body.get("signature"))
        if payload["node_id"] != peer_id or not verify_payload(peer["public_key"], payload, sig):
            raise InvalidInput("the peer's checkpoint is not signed by its key")
        with self.db.begin() as conn:
            self.db.add_checkpoint(conn, {**payload, "signature": sig, "received_at": utcnow()})
            self.ctx.audit.record(
                "federation.checkpoint.received",
                actor,
                conn=conn,
                detail={**payload, "signature": sig},
            )
        return {**payload, "signature": sig}
