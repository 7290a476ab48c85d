"""Inbound envelopes: check shape, recipient, sender, signature, freshness and nonce,
then dispatch to the concern that answers the message type; every refusal is audited.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from ctnode.audit.chain import canonical_json
from ctnode.clock import utcnow
from ctnode.errors import CTNodeError, Refused, Unavailable
from ctnode.federation.context import FederationContext
from ctnode.federation.envelope import Envelope, seal
from ctnode.model.access import Actor

# A request handler: (the verified envelope, the sender's peer row) -> the answer's body.
Handler = Callable[[Envelope, dict[str, Any]], dict[str, Any]]


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

    def receive(self, raw: Any) -> tuple[int, dict[str, Any]]:
        """Handle one envelope from a peer; returns (HTTP status, JSON body).

        Checks shape, recipient, sender, signature, freshness and nonce before
        anything else; every refusal is audited. Answers are signed envelopes;
        refusals after the sender was authenticated carry a signed ``refusal``.
        """
        sender = raw.get("sender") if isinstance(raw, dict) else None
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
                raise Refused(
                    "the signature does not verify with the sender's key", "bad_signature"
                )
            now = utcnow()
            env.check_fresh(self.settings.federation_max_skew, now)
            if not self.db.remember_nonce(env.sender, env.nonce, env.type, now):
                raise Refused(f"nonce {env.nonce} was already used by {env.sender}", "replayed")
            self._maybe_purge(now)
        except Refused as exc:
            # Not authenticated: the sender named in the message is only a claim.
            self.audit_refusal(exc, raw, f"unverified:{sender}" if sender else "unverified:?")
            return exc.status_code, {"detail": exc.message, "code": exc.code, "reason": exc.reason}
        except Unavailable as exc:
            return 503, {"detail": exc.message, "code": exc.code}
        entry = self._handlers.get(env.type)
        reply_type = entry[0] if entry else "refusal"
        try:
            if entry is None:
                raise Refused(f"{env.type} is not a request this node answers", "malformed")
            body = entry[1](env, peer)
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

    def audit_refusal(self, exc: Refused, raw: Any, who: str) -> None:
        try:
            digest = hashlib.sha256(canonical_json(raw).encode()).hexdigest()
        except (TypeError, ValueError):
            digest = ""
        msg_type = raw.get("type") if isinstance(raw, dict) else None
        self.ctx.audit.record(
            "federation.refused",
            Actor(name=who[:120], role="peer"),
            detail={
                "reason": exc.reason,
                "message": exc.message[:300],
                "type": str(msg_type)[:64] if msg_type else None,
                "envelope_sha256": digest,
            },
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
