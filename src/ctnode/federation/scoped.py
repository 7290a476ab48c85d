"""What every exchange of a *scope* shares: hash banks (``hashes:<BANK>``), threat intelligence
collections (``intel:<COLLECTION>``) and the best-practice library (``library``).

An agreement names each scope it covers (``*`` covers lists only: ``agreements.is_scope``).
The publisher sends a scope's changes as deltas to the peers subscribed to it; the deltas
ride on the list updates' machinery (``fed_deltas`` and ``fed_receipts``: oldest first,
each answered by a signed receipt, re-sent when the peer next makes contact). Only what
this node owns is published; a copy received from a peer is never passed on, so a removal
reaches every copy straight from its publisher.

TLP is applied when a delta leaves, per peer (``ScopeKind.cut``, with
``FederationContext.recipient`` and ``model/tlp.may_share``): TLP:RED never leaves;
TLP:AMBER+STRICT only to a node of this node's own organisation; TLP:AMBER, GREEN and CLEAR
to the peer the agreement names. What is TLP:RED is not even written into the stored delta.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ctnode.clock import utcnow
from ctnode.errors import InvalidInput
from ctnode.federation.context import PEER_LEVELS, FederationContext
from ctnode.federation.envelope import Envelope
from ctnode.federation.list_updates import ListUpdates, ScopeKind
from ctnode.model.access import Actor
from ctnode.model.tlp import TLP, Recipient, SharingTerms, may_share

T = TypeVar("T")
# The longest scope name the delta tables hold.
MAX_SCOPE = 64


def tlp_split(
    items: Iterable[T], level_of: Callable[[T], TLP], recipient: Recipient
) -> tuple[list[T], int]:
    """The items ``recipient`` may receive, and how many it may not."""
    kept, withheld = [], 0
    for item in items:
        if may_share(level_of(item), recipient).allowed:
            kept.append(item)
        else:
            withheld += 1
    return kept, withheld


def any_peer(peer_id: str = "peer") -> Recipient:
    """A peer named in an agreement (not of this organisation): what a summary counts against."""
    return Recipient("peer", peer_id, SharingTerms("summary", peer_id, PEER_LEVELS))


class ScopedDeltas:
    """The publisher's and the subscriber's common steps for one kind of scope."""

    def __init__(self, ctx: FederationContext, updates: ListUpdates, kind: ScopeKind) -> None:
        self.ctx = ctx
        self.updates = updates
        self.kind = kind
        self.db = ctx.db
        updates.kinds.append(kind)

    # -- publisher --------------------------------------------------------------------------

    def subscribers(self, scope: str) -> list[str]:
        """Peers with an outbound agreement in force that subscribes them to ``scope``."""
        now = utcnow()
        out = []
        for peer in self.db.list_peers():
            if peer["status"] != "active":
                continue
            agr = self.ctx.agreement(peer["node_id"], "outbound")
            if agr and agr.subscribed and agr.shares(scope) and now < agr.expires_at:
                out.append(peer["node_id"])
        return out

    def send(
        self,
        actor: Actor,
        scope: str,
        body: dict[str, Any],
        summary: dict[str, Any],
        peers: list[str],
        *,
        result_ids: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Store one delta of ``scope`` for ``peers`` (with its audit entry), send it and every
        older one not yet receipted; returns this delta's receipts."""
        if len(scope) > MAX_SCOPE:
            raise InvalidInput(f"{scope}: scope names over {MAX_SCOPE} characters cannot be shared")
        delta_id = str(uuid.uuid4())
        payload = {"delta_id": delta_id, "scope": scope, **body}
        with self.db.begin() as conn:
            self.db.add_delta(
                conn,
                {
                    "id": delta_id,
                    "dataset": scope,
                    "version": None,
                    "import_id": 0,
                    "created_at": utcnow(),
                    "summary": summary,
                    "payload": payload,
                },
                peers,
            )
            self.ctx.audit.record(
                "federation.delta.created",
                actor,
                conn=conn,
                result_ids=(result_ids or [])[:1000],
                detail={"delta_id": delta_id, "scope": scope, **summary, "peers": peers},
            )
        self.updates.push_pending()
        return self.db.list_receipts(delta_id)

    # -- subscriber -------------------------------------------------------------------------

    def accept(self, env: Envelope, scope: str) -> Actor:
        """Refuse (``not_subscribed``) a delta of a scope this node does not take from the
        sender under an inbound agreement in force; the actor that applies it."""
        self.updates.require_subscription(env.sender, scope)
        return self.ctx.peer_actor(env.sender, "admin")

    def applied(
        self, actor: Actor, delta_id: str, scope: str, detail: dict[str, Any],
        result_ids: list[str] | None = None,
    ) -> None:
        self.ctx.audit.record(
            "federation.delta.applied",
            actor,
            result_ids=(result_ids or [])[:1000],
            detail={"delta_id": delta_id, "dataset": scope, **detail},
        )
