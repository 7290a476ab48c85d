"""Inbound envelopes: check shape, recipient, sender, signature, freshness and nonce,
then dispatch to the concern that answers the message type; every refusal is audited.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from ctnode.audit.chain import canonical_json
from ctnode.clock import utcnow
from ctnode.errors import CTNodeError, InvalidInput, Refused, Unavailable
from ctnode.federation.context import FederationContext, message_units
from ctnode.federation.envelope import Envelope, seal
from ctnode.model.access import Actor
from ctnode.textsafe import load_json

# A request handler: (the verified envelope, the sender's peer row) -> the answer's body.
Handler = Callable[[Envelope, dict[str, Any]], dict[str, Any]]


def safe_claim(value: str) -> str:
    """A claimed node id as it may go into the audit log: printable ASCII, bounded."""
    return "".join(c if c.isascii() and c.isprintable() else "?" for c in value[:128])


def refusal_detail(exc: Refused, raw: Any) -> dict[str, Any]:
    """What the audit keeps of a refused message: reason, type, hash; never its body."""
    try:
        digest = hashlib.sha256(canonical_json(raw).encode()).hexdigest() if raw is not None else ""
    except (TypeError, ValueError):
        digest = ""
    msg_type = raw.get("type") if isinstance(raw, dict) else None
    return {
        "reason": exc.reason,
        "message": exc.message.encode("utf-8", "replace").decode().replace("\x00", "?")[:300],
        "type": safe_claim(msg_type)[:64] if isinstance(msg_type, str) else None,
        "envelope_sha256": digest,
    }


class Inbound:
    """Verifies and dispatches peers' requests; ``handlers`` maps a request type to
    (its reply type, its handler), ``ping`` is answered here; ``on_contact`` runs after
    each answered request."""

    def __init__(
        self,
        ctx: FederationContext,
        handlers: Mapping[str, tuple[str, Handler]],
        on_contact: Callable[[str], None],
    ) -> None:
        self.ctx = ctx
        self.db = ctx.db
        self.settings = ctx.settings
        self._handlers: dict[str, tuple[str, Handler]] = {"ping": ("pong", self.on_ping)}
        self._handlers.update(handlers)
        self._on_contact = on_contact
        self._last_purge = 0.0
        self._guard = threading.Lock()
        self._delta_locks: dict[str, threading.Lock] = {}

    def check_sender_header(self, claimed: str, source: str) -> tuple[int, dict[str, Any]] | None:
        """The optional ``X-CTNode-Sender`` header, checked before the body is read: a sender
        that is not an active peer is refused (and its body never read). None: go on."""
        if safe_claim(claimed) != claimed or not claimed:
            exc = Refused("the X-CTNode-Sender header is not a node id", "malformed")
        elif (peer := self.db.find_peer(claimed)) is None or peer["status"] != "active":
            exc = Refused(f"{claimed!r} is not a peer of this node", "unknown_sender")
        else:
            return None
        return self._refuse_stranger(exc, None, source, safe_claim(claimed))

    def refuse_unread(
        self, exc: Refused, source: str, claimed: str | None
    ) -> tuple[int, dict[str, Any]]:
        """A message refused before it could be parsed (too large): audited, answered."""
        return self._refuse_stranger(exc, None, source, safe_claim(claimed or "?"))

    def receive_bytes(
        self, raw: bytes, *, source: str = "local", claimed: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Handle one envelope as it came over HTTP: parsed by ``textsafe.load_json`` (depth,
        NUL, lone surrogates refused as ``malformed``), its sender held to the header."""
        try:
            data = load_json(raw, max_depth=self.settings.max_json_depth, what="envelope")
        except InvalidInput as exc:
            refusal = Refused(exc.message, "malformed")
            return self._refuse_stranger(refusal, None, source, safe_claim(claimed or "?"))
        if claimed is not None and isinstance(data, dict) and data.get("sender") != claimed:
            refusal = Refused("the envelope's sender is not the X-CTNode-Sender header", "malformed")
            return self._refuse_stranger(refusal, data, source, safe_claim(claimed))
        return self.receive(data, source=source)

    def receive(self, raw: Any, *, source: str = "local") -> tuple[int, dict[str, Any]]:
        """Handle one envelope from a peer; returns (HTTP status, JSON body).

        Checks shape, recipient, sender, signature, freshness and nonce before
        anything else; every refusal is audited (before the signature verifies through the
        refusal ledger, so a stranger cannot grow the log at will). Answers are signed
        envelopes; refusals after the sender was authenticated carry a signed ``refusal``.
        """
        sender = raw.get("sender") if isinstance(raw, dict) else None
        claim = safe_claim(sender) if isinstance(sender, str) and sender else "?"
        try:
            env = Envelope.parse(raw)
            ident = self.ctx.identity
            if env.recipient != ident.node_id:
                raise Refused(
                    f"addressed to {env.recipient!r}, this node is {ident.node_id!r}",
                    "wrong_recipient",
                )
            peer = self.db.find_peer(env.sender)
            if peer is None or peer["status"] != "active":
                raise Refused(f"{env.sender!r} is not a peer of this node", "unknown_sender")
            if not env.verify_signature(peer["public_key"]):
                if self.ctx.revoked_signature(peer, env):
                    raise Refused(f"signed with a key {env.sender} revoked", "revoked_key")
                followed = self.ctx.follow_keys(peer, env)  # the peer's key changed
                if followed is None:
                    raise Refused(
                        "the signature does not verify with the sender's key", "bad_signature"
                    )
                peer = followed
        except Refused as exc:
            # Not authenticated: the sender named in the message is only a claim.
            return self._refuse_stranger(exc, raw, source, claim)
        except Unavailable as exc:
            return 503, {"detail": exc.message, "code": exc.code}
        try:
            now = utcnow()
            env.check_fresh(self.settings.federation_max_skew, now)
            if not self.db.remember_nonce(env.sender, env.nonce, env.type, now,
                                          message_units(env)):
                raise Refused(f"nonce {env.nonce} was already used by {env.sender}", "replayed")
            self._maybe_purge(now)
        except Refused as exc:
            # Signed by the peer's key: audited one by one, as the peer's own doing.
            self.audit_refusal(exc, raw, f"peer:{env.sender}")
            return exc.status_code, {"detail": exc.message, "code": exc.code, "reason": exc.reason}
        entry = self._handlers.get(env.type)
        reply_type = entry[0] if entry else "refusal"
        try:
            if entry is None:
                raise Refused(f"{env.type} is not a request this node answers", "malformed")
            body = self._answer(env, peer, entry[1])
        except Refused as exc:
            self.audit_refusal(exc, raw, f"peer:{env.sender}")
            refusal = seal(
                ident,
                "refusal",
                env.sender,
                {"in_reply_to": env.nonce, "reason": exc.reason, "detail": exc.message},
            )
            return exc.status_code, {
                "detail": exc.message,
                "code": exc.code,
                "reason": exc.reason,
                "envelope": refusal.to_dict(),
            }
        except CTNodeError as exc:
            return exc.status_code, {"detail": exc.message, "code": exc.code}
        self._on_contact(env.sender)
        reply = seal(ident, reply_type, env.sender, {**body, "in_reply_to": env.nonce})
        return 200, reply.to_dict()

    def _answer(self, env: Envelope, peer: dict[str, Any], handler: Handler) -> dict[str, Any]:
        """The handler's answer. A delta (``*.delta`` with its ``delta_id``) is applied once
        per sender: sent again with the same body, because its receipt reached the sender
        after the sender's deadline, it is answered with the receipt given the first time,
        and audited as ``federation.delta.repeated``. A body that differs under the same id
        is applied (the sender cuts a delta when it sends it). A second copy that arrives
        while the first is being applied waits for it (per sender, in this process)."""
        delta_id = env.body.get("delta_id") if env.type.endswith(".delta") else None
        if not isinstance(delta_id, str) or not 0 < len(delta_id) <= 64:
            return handler(env, peer)
        digest = hashlib.sha256(canonical_json(env.body).encode()).hexdigest()
        with self._guard:
            lock = self._delta_locks.setdefault(env.sender, threading.Lock())
        with lock:
            first = self.db.applied_delta(env.sender, env.type, delta_id, digest)
            if first is not None:
                self.ctx.audit.record(
                    "federation.delta.repeated",
                    self.ctx.peer_actor(env.sender, "admin"),
                    detail={"delta_id": delta_id, "type": env.type},
                )
                return first
            body = handler(env, peer)
            self.db.remember_applied_delta(env.sender, env.type, delta_id, digest, body,
                                           utcnow())
            return body

    def _refuse_stranger(
        self, exc: Refused, raw: Any, source: str, claim: str
    ) -> tuple[int, dict[str, Any]]:
        """A refusal before the sender is authenticated: first of the minute per (source,
        reason, claimed sender) audited, repeats counted (``AuditLog.refusals``)."""
        self.ctx.audit.refusals.refused(
            "federation.refused",
            source=source,
            reason=exc.reason,
            claimed=claim,
            actor=Actor(name=f"unverified:{claim}"[:120], role="peer"),
            detail=refusal_detail(exc, raw),
        )
        return exc.status_code, {"detail": exc.message, "code": exc.code, "reason": exc.reason}

    def audit_refusal(self, exc: Refused, raw: Any, who: str) -> None:
        self.ctx.audit.record(
            "federation.refused",
            Actor(name=who[:120], role="peer"),
            detail=refusal_detail(exc, raw),
        )

    def _maybe_purge(self, now: datetime) -> None:
        if time.monotonic() - self._last_purge < 30:
            return
        self._last_purge = time.monotonic()
        keep = max(2 * self.settings.federation_max_skew, 60.0) + 60.0
        self.db.purge_nonces(now - timedelta(seconds=keep))
        self.db.purge_refs(now)  # expired hit references can no longer be asked about

    def on_ping(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        return {"node_id": self.ctx.identity.node_id}
