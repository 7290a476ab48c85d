"""The federation service: the one object API, CLI and peers' messages call.

It holds the rules: who is a peer (an admin added its signed descriptor), what an
agreement allows, how an envelope is checked, what a hit answer may contain (an
opaque reference and a band, never personal data), how disclosure is staged
behind a person's decision, how list deltas travel and are receipted, and what
is audited. Network I/O goes through ``ctnode.federation.transport``.

``FederationService`` is a facade: each protocol concern lives in its own module
(``directory``, ``inbound``, ``outbound``, ``screening``, ``biometric``,
``disclosure``, ``updates``, ``checkpoints``), sharing one ``FederationContext``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ctnode.federation.agreements import DISCLOSURE_LEVELS, Agreement, norm_purpose
from ctnode.federation.biometric import (
    MAX_PROBE_BYTES,
    Biometric,
    NetworkBiometricResult,
    is_biometric_ref,
    probe_from_wire,
    probe_to_wire,
)
from ctnode.federation.checkpoints import Checkpoints
from ctnode.federation.context import FederationContext
from ctnode.federation.directory import Directory
from ctnode.federation.disclosure import Disclosure
from ctnode.federation.identity import Descriptor, Identity
from ctnode.federation.inbound import Inbound
from ctnode.federation.outbound import PEER_STATUSES, PeerAnswer, PeerError
from ctnode.federation.screening import (
    NetworkScreenResult,
    Screening,
    query_from_wire,
    query_to_wire,
)
from ctnode.federation.transport import Transport
from ctnode.federation.updates import Updates, entity_from_wire, entity_to_wire
from ctnode.model.screening import ScreenQuery

if TYPE_CHECKING:
    from ctnode.biometrics.service import ProbeTemplate
    from ctnode.node import Actor, Node, Purpose
    from ctnode.store import ImportReport


class FederationService:
    """Federation for one node. ``node.federation`` creates it on first use."""

    def __init__(self, node: Node, transport: Transport | None = None) -> None:
        self.ctx = ctx = FederationContext(node, transport)
        self.node = node
        self.settings = ctx.settings
        self.db = ctx.db
        self.folder = ctx.folder
        self.directory = Directory(ctx)
        self.screening = Screening(ctx)
        self.biometric = Biometric(ctx)
        self.disclosure = Disclosure(ctx)
        self.updates = Updates(ctx)
        self.audit_checkpoints = Checkpoints(ctx)
        self.inbound = Inbound(
            ctx,
            {
                "screen.request": ("screen.response", self.screening.on_screen),
                "disclosure.request": ("disclosure.ack", self.disclosure.on_request),
                "disclosure.status": ("disclosure.decision", self.disclosure.on_status),
                "disclosure.decision": ("ack", self.disclosure.on_decision),
                "list.delta": ("list.receipt", self.updates.on_delta),
                "alert": ("ack", self.updates.on_alert),
                "checkpoint.request": ("checkpoint", self.audit_checkpoints.on_request),
                "biometric.request": ("biometric.response", self.biometric.on_biometric),
            },
            on_contact=self.updates.on_contact,
        )

    def close(self) -> None:
        self.ctx.close()

    # -- basics -------------------------------------------------------------------------

    @property
    def development(self) -> bool:
        return self.ctx.development

    @property
    def identity(self) -> Identity:
        return self.ctx.identity

    @property
    def initialised(self) -> bool:
        return self.ctx.initialised

    @property
    def transport(self) -> Transport:
        return self.ctx.transport

    @property
    def pool(self) -> ThreadPoolExecutor:
        return self.ctx.pool

    # -- identity and the directory (directory.py) ----------------------------------------

    def init(
        self,
        actor: Actor,
        *,
        node_id: str,
        organisation: str,
        country: str,
        contact: str,
        endpoint: str | None = None,
        force: bool = False,
    ) -> Descriptor:
        """Give this node an Ed25519 key pair and a signed descriptor."""
        return self.directory.init(
            actor,
            node_id=node_id,
            organisation=organisation,
            country=country,
            contact=contact,
            endpoint=endpoint,
            force=force,
        )

    def descriptor(self) -> Descriptor:
        return self.directory.descriptor()

    def add_peer(self, actor: Actor, descriptor: Any) -> dict[str, Any]:
        """Trust a peer: only an admin, only from a descriptor whose self-signature verifies."""
        return self.directory.add_peer(actor, descriptor)

    def remove_peer(self, actor: Actor, node_id: str) -> None:
        self.directory.remove_peer(actor, node_id)

    def list_peers(self, actor: Actor, include_removed: bool = False) -> list[dict[str, Any]]:
        return self.directory.list_peers(actor, include_removed)

    def get_peer(self, actor: Actor, node_id: str) -> dict[str, Any]:
        return self.directory.get_peer(actor, node_id)

    def ping(self, actor: Actor, node_id: str) -> float:
        """Round-trip a signed ping to a peer; returns milliseconds."""
        return self.directory.ping(actor, node_id)

    def add_agreement(
        self,
        actor: Actor,
        *,
        peer_id: str,
        direction: str,
        lists: list[str],
        purposes: list[str],
        expires_at: datetime,
        rate_per_minute: int = 60,
        max_disclosure: str = "reference",
        fields: list[str] | None = None,
        subscribed: bool = False,
        biometrics: list[str] | None = None,
    ) -> Agreement:
        """Make the agreement for (peer, direction); it replaces the one in force, if any."""
        return self.directory.add_agreement(
            actor,
            peer_id=peer_id,
            direction=direction,
            lists=lists,
            purposes=purposes,
            expires_at=expires_at,
            rate_per_minute=rate_per_minute,
            max_disclosure=max_disclosure,
            fields=fields,
            subscribed=subscribed,
            biometrics=biometrics,
        )

    def list_agreements(
        self, actor: Actor, *, peer_id: str | None = None, include_revoked: bool = False
    ) -> list[Agreement]:
        return self.directory.list_agreements(
            actor, peer_id=peer_id, include_revoked=include_revoked
        )

    def revoke_agreement(self, actor: Actor, agreement_id: str) -> None:
        self.directory.revoke_agreement(actor, agreement_id)

    def agreement(self, peer_id: str, direction: str) -> Agreement | None:
        """The agreement in force (not revoked; possibly expired) for (peer, direction)."""
        return self.ctx.agreement(peer_id, direction)

    # -- receiving (inbound.py) ---------------------------------------------------------

    def receive(self, raw: Any) -> tuple[int, dict[str, Any]]:
        """Handle one envelope from a peer; returns (HTTP status, JSON body)."""
        return self.inbound.receive(raw)

    # -- network screening (screening.py) and biometric queries (biometric.py) ----------

    def screen_network(
        self,
        query: ScreenQuery,
        actor: Actor,
        purpose: Purpose,
        *,
        peers: list[str] | None = None,
        deadline: float | None = None,
        limit: int = 10,
        lists: list[str] | None = None,
    ) -> NetworkScreenResult:
        """Screen locally and on every peer whose agreement allows it, in parallel, with a deadline."""
        return self.screening.screen_network(
            query, actor, purpose, peers=peers, deadline=deadline, limit=limit, lists=lists
        )

    def biometric_network(
        self,
        probe: ProbeTemplate,
        actor: Actor,
        purpose: Purpose,
        *,
        peers: list[str] | None = None,
        deadline: float | None = None,
    ) -> NetworkBiometricResult:
        """Send a probe template to every peer whose agreement allows biometric queries."""
        return self.biometric.biometric_network(
            probe, actor, purpose, peers=peers, deadline=deadline
        )

    # -- staged disclosure (disclosure.py) ----------------------------------------------

    def request_disclosure(
        self, actor: Actor, *, peer_id: str, ref: str, justification: str, purpose: Purpose
    ) -> dict[str, Any]:
        """Ask the holder for the record behind a hit reference; a person there decides."""
        return self.disclosure.request_disclosure(
            actor, peer_id=peer_id, ref=ref, justification=justification, purpose=purpose
        )

    def list_disclosures(
        self, actor: Actor, *, direction: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        """Disclosure requests with their age in seconds (expired releases are purged first)."""
        return self.disclosure.list_disclosures(actor, direction=direction, status=status)

    def get_disclosure(self, actor: Actor, disclosure_id: str) -> dict[str, Any]:
        return self.disclosure.get_disclosure(actor, disclosure_id)

    def decide_disclosure(
        self,
        actor: Actor,
        disclosure_id: str,
        *,
        approve: bool,
        reason: str,
        ttl_seconds: float | None = None,
    ) -> dict[str, Any]:
        """A person approves (releasing only the agreed fields, signed, expiring) or refuses."""
        return self.disclosure.decide_disclosure(
            actor, disclosure_id, approve=approve, reason=reason, ttl_seconds=ttl_seconds
        )

    def fetch_disclosure(self, actor: Actor, disclosure_id: str) -> dict[str, Any]:
        """Ask the holder for the decision on our request (when the push did not arrive)."""
        return self.disclosure.fetch_disclosure(actor, disclosure_id)

    # -- list updates and alerts (updates.py) -------------------------------------------

    def after_import(self, report: ImportReport) -> list[dict[str, Any]]:
        """Called by the node after every import: send the delta to subscribed peers."""
        return self.updates.after_import(report)

    def push_pending(self, peer_id: str | None = None) -> int:
        """Send every delta not yet receipted (by ``peer_id``, or by anyone), oldest first."""
        return self.updates.push_pending(peer_id)

    def push_delta(
        self, delta_id: str, *, only: str | None = None, skip: set[str] | None = None
    ) -> list[dict[str, Any]]:
        """(Re)send a delta to every peer (or ``only`` one) that has not yet receipted it."""
        return self.updates.push_delta(delta_id, only=only, skip=skip)

    def deltas(self, actor: Actor) -> list[dict[str, Any]]:
        """Deltas sent, each with its receipts: who has and who has not applied it."""
        return self.updates.deltas(actor)

    def retry_deltas(self, actor: Actor) -> int:
        """Re-send, oldest first, every delta some peer has not receipted."""
        return self.updates.retry_deltas(actor)

    def send_alert(
        self, actor: Actor, *, kind: str, title: str, body: str, peers: list[str] | None = None
    ) -> dict[str, str]:
        """Send an alert to subscribed peers (or the named ones); returns each peer's outcome."""
        return self.updates.send_alert(actor, kind=kind, title=title, body=body, peers=peers)

    def inbox(
        self, actor: Actor, *, unread: bool = False, mark_read: bool = False, limit: int = 100
    ) -> list[dict[str, Any]]:
        return self.updates.inbox(actor, unread=unread, mark_read=mark_read, limit=limit)

    # -- audit checkpoints (checkpoints.py) ---------------------------------------------

    def checkpoint(self, actor: Actor) -> dict[str, Any]:
        """Sign the audit chain's head now; stored, and returned for partners or oversight."""
        return self.audit_checkpoints.checkpoint(actor)

    def checkpoints(self, actor: Actor, node_id: str | None = None) -> list[dict[str, Any]]:
        return self.audit_checkpoints.checkpoints(actor, node_id)

    def verify_audit(
        self, actor: Actor, checkpoints: list[dict[str, Any]] | None = None
    ) -> tuple[int, int]:
        """Verify the chain against signed checkpoints (this node's stored ones by default)."""
        return self.audit_checkpoints.verify_audit(actor, checkpoints)

    def fetch_checkpoint(self, actor: Actor, peer_id: str) -> dict[str, Any]:
        """Get a peer's signed checkpoint and keep it (to hold the peer to its history later)."""
        return self.audit_checkpoints.fetch_checkpoint(actor, peer_id)


__all__ = [
    "DISCLOSURE_LEVELS",
    "MAX_PROBE_BYTES",
    "PEER_STATUSES",
    "FederationService",
    "NetworkBiometricResult",
    "NetworkScreenResult",
    "PeerAnswer",
    "PeerError",
    "entity_from_wire",
    "entity_to_wire",
    "is_biometric_ref",
    "norm_purpose",
    "probe_from_wire",
    "probe_to_wire",
    "query_from_wire",
    "query_to_wire",
]
