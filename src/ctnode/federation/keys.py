"""Keys that can change: rotate this node's key, revoke a compromised one network-wide, and
remind before a key reaches its planned end.

A rotation makes a new key pair and a key change certificate (the new descriptor signed by
the old key and the new one, ``identity.KeyChange``), audited, then pushed to every active
peer in a ``key.notice``. Every later envelope from this node carries the newest
certificates, so a peer that missed the notice follows the chain on the next signed
contact (``FederationContext.follow_keys``). A revocation is a rotation that also declares
the old key compromised: peers refuse envelopes signed with it (``revoked_key``) and never
follow a certificate that starts from it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ctnode.audit.events import EventName
from ctnode.clock import parse_ts, utcnow
from ctnode.errors import InvalidInput
from ctnode.federation.context import FederationContext
from ctnode.federation.envelope import Envelope
from ctnode.federation.outbound import PeerError, fan_out
from ctnode.model.access import Actor


class NodeKeys:
    """This node's key: rotate, revoke, key history, expiry reminders; peers' key notices."""

    def __init__(self, ctx: FederationContext) -> None:
        self.ctx = ctx
        self.db = ctx.db

    def rotate(self, actor: Actor, *, revoke: bool = False, reason: str = "") -> dict[str, Any]:
        """Replace this node's key and tell every active peer (a signed ``key.notice``).

        ``revoke``: the old key is compromised; peers refuse it from now on (a reason is
        required). Returns the certificate and each peer's outcome (``notified``, or why
        not: it will follow the chain on the next signed contact)."""
        self.ctx.require(actor, "federation.admin")
        kind = "revoke" if revoke else "rotate"
        if revoke and not reason.strip():
            raise InvalidInput("a revocation needs a reason (what was compromised, when)")
        new, change = self.ctx.identity.rotate(kind, reason)
        self.ctx.identity = new
        with self.db.begin() as conn:
            self.db.add_key_change(conn, {
                "node_id": new.node_id, "kind": kind, "old_key": change.old_key,
                "new_key": change.new_key, "at": change.at, "reason": change.reason,
                "certificate": change.to_dict(), "received_at": utcnow()})
            event: EventName = "federation.key.revoke" if revoke else "federation.key.rotate"
            self.ctx.audit.record(event, actor, conn=conn, detail={
                "node_id": new.node_id, "old_key": change.old_key, "new_key": change.new_key,
                "reason": change.reason})
        peers = self.db.list_peers()
        outcomes = fan_out(self.ctx, [(p, "key.notice", {"kind": kind}) for p in peers],
                           self.ctx.settings.federation_deadline)
        notified = {
            peer_id: ("notified" if not isinstance(result, PeerError)
                      else f"{result.status}: {result.reason}")
            for peer_id, (result, _ms) in outcomes.items()
        }
        return {"kind": kind, "certificate": change.to_dict(), "peers": notified}

    def key_changes(self, actor: Actor, node_id: str | None = None) -> list[dict[str, Any]]:
        """Key changes known here (this node's and its peers', or one node's), oldest first."""
        self.ctx.require(actor, "federation.directory")
        return [{k: r[k] for k in ("node_id", "kind", "old_key", "new_key", "at", "reason")}
                for r in self.db.list_key_changes(node_id)]

    def on_notice(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        # The directory already followed the certificates (Inbound, on the signature check):
        # this answer, signed by this node, tells the sender its notice was taken.
        return {"node_id": self.ctx.identity.node_id, "public_key": peer["public_key"]}

    def check_expiry(self, actor: Actor) -> dict[str, Any] | None:
        """The job ``key-expiry``: audit a reminder (``federation.key.expiring``) when this
        node's key is within ``federation_key_warn_days`` of its planned end
        (``federation_key_max_age_days`` after it was made)."""
        if not self.ctx.initialised:
            return None
        ident = self.ctx.identity
        made = ident.key_created_at
        created = parse_ts(made) if made else None
        if created is None:
            return None  # a key made before its age was kept: nothing to go by
        settings = self.ctx.settings
        ends = created + timedelta(days=settings.federation_key_max_age_days)
        days_left = (ends - utcnow()).total_seconds() / 86400
        status = {"public_key": ident.public_key, "created_at": made,
                  "ends_at": ends.isoformat(), "days_left": round(days_left, 1)}
        if days_left <= settings.federation_key_warn_days:
            self.ctx.audit.record("federation.key.expiring", actor, detail=status)
            return {**status, "reminded": True}
        return {**status, "reminded": False}
