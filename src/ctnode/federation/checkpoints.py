"""Signed audit checkpoints, and verification of an exported audit log away from the node.

A checkpoint is ``{node_id, seq, hash, at}`` signed with the node's key: the audit
chain's head at a time. Whoever holds checkpoints (a partner, an oversight body)
and the node's exported log (``ctnode audit export``) can check, without access
to the node, that every entry hashes correctly, links to the one before, and that
each checkpointed entry still has the hash that was signed: a rewritten (even
re-chained), dropped or truncated history fails.

The audit is anchored at the peers (issue 13): the job ``audit-checkpoint`` signs a
checkpoint after every ``checkpoint_every_entries`` new entries and at least every
``checkpoint_minutes`` while the log grows, and sends it to every active peer
(``checkpoint.notice``), which keeps it. ``verify_anchored`` asks the peers for the copies
they keep (``checkpoint.held``) and fails when there are entries but no checkpoint, when a
peer holds a newer checkpoint than this node (its own were deleted), or when any copy does
not match the chain.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from ctnode.audit.chain import AuditEntry, ChainBroken, verify_chain
from ctnode.clock import format_ts, parse_ts, utcnow
from ctnode.errors import InvalidInput, Refused, Unavailable
from ctnode.federation.context import FederationContext
from ctnode.federation.envelope import Envelope
from ctnode.federation.identity import verify_payload
from ctnode.federation.outbound import PeerError, fan_out, send
from ctnode.model.access import Actor

CHECKPOINT_FIELDS = ("node_id", "seq", "hash", "at")


def checkpoint_payload(cp: dict[str, Any]) -> dict[str, Any]:
    return {k: cp.get(k) for k in CHECKPOINT_FIELDS}


def signed_checkpoint(row: dict[str, Any]) -> dict[str, Any]:
    """A stored checkpoint as handed out: the signed fields and the signature."""
    return {k: row[k] for k in (*CHECKPOINT_FIELDS, "signature")}


# Checkpoints of the requester a peer hands back (the newest) in answer to checkpoint.held.
HELD_COPIES = 20
# A peer's pushed checkpoints kept here (the newest): a peer cannot grow the table at will.
KEPT_PER_PEER = 200


def check_signatures(
    checkpoints: Iterable[dict[str, Any]], *, node_id: str, public_key: str | list[str]
) -> list[tuple[int, str]]:
    """(seq, hash) of each checkpoint, after checking it is ``node_id``'s, signed by its key
    (or one of its keys: a node that rotated its key signed older checkpoints with older
    ones)."""
    keys = [public_key] if isinstance(public_key, str) else public_key
    pairs = []
    for cp in checkpoints:
        payload = checkpoint_payload(cp)
        if payload["node_id"] != node_id or not any(
            verify_payload(k, payload, str(cp.get("signature"))) for k in keys
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
        pairs = check_signatures(cps, node_id=ident.node_id, public_key=ident.public_keys)
        self._require_some(pairs)
        n = self.log.verify(checkpoints=pairs)
        return n, len(pairs)

    def _require_some(self, pairs: list[tuple[int, str]]) -> None:
        if not pairs:
            seq, _head = self.log.head()
            if seq > 0:
                raise ChainBroken(seq, f"there are {seq} entries but no signed checkpoint to "
                                  "hold them to (ctnode audit checkpoint)")

    def verify_anchored(self, actor: Actor, *, use_peers: bool = True) -> dict[str, Any]:
        """Verify the chain against this node's checkpoints and the copies its peers keep.

        Raises ``ChainBroken`` when there are entries but no checkpoint, when a peer holds
        a newer checkpoint than this node (deleted here), or when a checkpoint does not
        match the chain (rewritten, re-chained, truncated). A peer that does not answer is
        reported, not fatal. Returns entries, checkpoints used, this node's newest seq and
        each peer's outcome (``held``: how many copies, ``newest``: their newest seq)."""
        self.ctx.require(actor, "audit")
        ident = self.ctx.identity
        own = [signed_checkpoint(r) for r in self.db.list_checkpoints(ident.node_id)]
        own_pairs = check_signatures(own, node_id=ident.node_id, public_key=ident.public_keys)
        copies: list[dict[str, Any]] = []
        peers: dict[str, dict[str, Any]] = {}
        if use_peers:
            active = self.db.list_peers()
            answers = fan_out(self.ctx, [(p, "checkpoint.held", {}) for p in active],
                              self.ctx.settings.federation_deadline)
            for peer_id, (result, _ms) in sorted(answers.items()):
                if isinstance(result, PeerError):
                    peers[peer_id] = {"status": result.status, "reason": result.reason}
                    continue
                held = result.body.get("checkpoints")
                held = [c for c in held if isinstance(c, dict)] if isinstance(held, list) else []
                try:
                    pairs = check_signatures(held, node_id=ident.node_id,
                                             public_key=ident.public_keys)
                except InvalidInput as exc:
                    peers[peer_id] = {"status": "invalid", "reason": exc.message}
                    continue
                copies += held
                peers[peer_id] = {"status": "ok", "held": len(pairs),
                                  "newest": max((s for s, _h in pairs), default=None)}
        own_newest = max((s for s, _h in own_pairs), default=0)
        copy_pairs = check_signatures(copies, node_id=ident.node_id, public_key=ident.public_keys)
        peer_newest = max((s for s, _h in copy_pairs), default=0)
        if peer_newest > own_newest:
            raise ChainBroken(peer_newest, f"peers hold a newer checkpoint (seq {peer_newest}) "
                              f"than this node (seq {own_newest}): checkpoints were deleted here")
        pairs = sorted(set(own_pairs) | set(copy_pairs))
        self._require_some(pairs)
        # two different hashes signed for one seq cannot both match: verify_chain says which
        n = self.log.verify(checkpoints=pairs)
        return {"entries": n, "checkpoints": len(pairs), "newest": own_newest, "peers": peers}

    def anchor(self, actor: Actor) -> dict[str, Any] | None:
        """The job ``audit-checkpoint``: sign a checkpoint when one is due (none yet and the
        log has entries; ``checkpoint_every_entries`` new entries; or the log grew and the
        last is ``checkpoint_minutes`` old) and send it to every active peer."""
        if not self.ctx.initialised:
            return None
        settings = self.ctx.settings
        seq, _head = self.log.head()
        own = self.db.list_checkpoints(self.ctx.identity.node_id)
        if own:
            last = own[-1]
            grown = seq - int(last["seq"]) - 1  # the last checkpoint's own entry not counted
            age = (utcnow() - parse_ts(str(last["at"]))).total_seconds() / 60
            due = grown >= settings.checkpoint_every_entries or (
                grown > 0 and age >= settings.checkpoint_minutes)
        else:
            due = seq > 0
        if not due:
            return None
        cp = self.sign(actor)
        answers = fan_out(self.ctx, [(p, "checkpoint.notice", cp) for p in self.db.list_peers()],
                          settings.federation_deadline)
        sent = {peer_id: ("kept" if not isinstance(r, PeerError) else f"{r.status}: {r.reason}")
                for peer_id, (r, _ms) in answers.items()}
        return {**cp, "peers": sent}

    def on_notice(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        """A peer's new checkpoint: checked (its own, signed by its key) and kept. Not
        audited one by one: the kept rows are the record, and peers push them routinely."""
        payload = checkpoint_payload(env.body)
        sig = env.body.get("signature")
        if (payload["node_id"] != env.sender or not isinstance(sig, str)
                or not isinstance(payload["seq"], int) or not 0 <= payload["seq"] < 2**31
                or not isinstance(payload["hash"], str) or len(payload["hash"]) > 64
                or not isinstance(payload["at"], str) or len(payload["at"]) > 40
                or len(sig) > 128
                or not verify_payload(peer["public_key"], payload, sig)):
            raise Refused("the checkpoint is not the sender's, signed by its key", "malformed")
        held = self.db.list_checkpoints(env.sender)
        if not any(r["seq"] == payload["seq"] and r["hash"] == payload["hash"] for r in held):
            with self.db.begin() as conn:
                self.db.add_checkpoint(conn, {**payload, "signature": sig,
                                              "received_at": utcnow()})
                self.db.prune_checkpoints(conn, env.sender, KEPT_PER_PEER)
        return {"kept": payload["seq"]}

    def on_held(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        """The requester's own checkpoints this node keeps (the newest), for it to verify."""
        held = self.db.list_checkpoints(env.sender)[-HELD_COPIES:]
        return {"checkpoints": [signed_checkpoint(r) for r in held]}

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
