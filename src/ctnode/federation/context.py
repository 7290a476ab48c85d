"""What every part of the federation shares: the services' context, the federation tables,
this node's identity, the transport, a thread pool, and the look-ups they all make.

Each protocol part (``directory``, ``inbound``, ``network_screening``,
``biometric_probes``, ``disclosure``, ``list_updates``, ``checkpoints``) holds one
``FederationContext`` and the services it answers with; ``parts.Federation`` builds
them all once.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from ctnode.errors import InvalidInput, NotFound, RateLimited, Refused, Unavailable
from ctnode.federation.agreements import Agreement
from ctnode.federation.identity import Identity
from ctnode.federation.transport import HttpTransport, Transport
from ctnode.model.access import Actor, Purpose
from ctnode.model.tlp import TLP, Recipient, SharingTerms
from ctnode.services.context import Context

#: The TLP levels an agreement covers for the peer it names (hash banks, threat intelligence,
#: the library): TLP:AMBER needs a named peer, and every agreement names its peer.
PEER_LEVELS = frozenset({TLP.CLEAR, TLP.GREEN, TLP.AMBER})


class FederationContext:
    """The state the federation parts share, and the look-ups they all make."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.settings = ctx.settings
        self.audit = ctx.audit
        self.require = ctx.require
        self.keyed_hash = ctx.keyed_hash
        self.db = ctx.store.federation
        self.folder = ctx.settings.key_dir / "federation"
        self._identity: Identity | None = None
        self._transport: Transport | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        if self._transport is not None:
            self._transport.close()

    @property
    def development(self) -> bool:
        return self.settings.mode == "development"

    @property
    def identity(self) -> Identity:
        if self._identity is None:
            with self._lock:
                if self._identity is None:
                    try:
                        self._identity = Identity.load(self.folder)
                    except InvalidInput as exc:
                        raise Unavailable(exc.message) from None
        return self._identity

    @identity.setter
    def identity(self, ident: Identity) -> None:
        self._identity = ident

    @property
    def initialised(self) -> bool:
        return Identity.exists(self.folder)

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            with self._lock:
                if self._transport is None:
                    self._transport = HttpTransport(verify_tls=self.settings.federation_verify_tls)
        return self._transport

    @transport.setter
    def transport(self, transport: Transport) -> None:
        """Carry this node's envelopes another way (``InProcessTransport`` in tests, benchmarks)."""
        self._transport = transport

    @property
    def pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="ctnode-fed")
        return self._pool

    @staticmethod
    def peer_actor(peer_id: str, role: str = "screener") -> Actor:
        return Actor(name=f"peer:{peer_id}", role=role)

    def active_peer(self, node_id: str) -> dict[str, Any]:
        peer = self.db.get_peer(node_id)
        if peer["status"] != "active":
            raise NotFound(f"peer {node_id} was removed")
        return peer

    def agreement(self, peer_id: str, direction: str) -> Agreement | None:
        """The agreement in force (not revoked; possibly expired) for (peer, direction)."""
        rows = self.db.list_agreements(peer_id=peer_id, direction=direction)
        return Agreement.from_row(rows[0]) if rows else None

    def recipient(self, peer_id: str, agr: Agreement) -> Recipient:
        """Who ``peer_id`` is for TLP (``model/tlp.may_share``): a node of this node's own
        organisation (the same ``organisation`` in its signed descriptor, which an admin
        accepted when adding the peer) may receive TLP:AMBER+STRICT; any other peer is a
        peer named in the agreement ``agr`` (CLEAR, GREEN, AMBER). An agreement's
        ``max_tlp`` lowers that ceiling for its peer. TLP:RED never leaves."""
        peer = self.db.find_peer(peer_id)
        mine = str(self.identity.profile.get("organisation") or "").strip().casefold()
        theirs = str((peer or {}).get("organisation") or "").strip().casefold()
        ceiling = TLP(agr.max_tlp) if agr.max_tlp else TLP.AMBER_STRICT
        if mine and theirs == mine and ceiling is TLP.AMBER_STRICT:
            return Recipient("organisation", peer_id)
        # the agreement's ceiling (max_tlp), if it sets one, below what TLP allows a peer
        levels = frozenset(lv for lv in PEER_LEVELS if lv.rank <= ceiling.rank)
        return Recipient("peer", peer_id, SharingTerms(agr.id, peer_id, levels, named=True))

    def require_agreement(self, peer_id: str, direction: str = "outbound") -> Agreement:
        agr = self.agreement(peer_id, direction)
        if agr is None:
            raise Refused(f"no sharing agreement with {peer_id}", "no_agreement")
        return agr

    def enforce_rate(self, sender: str, msg_type: str, agr: Agreement, now: datetime) -> None:
        """Holder side: refuse a query beyond the rate the agreement allows."""
        recent = self.db.count_messages(sender, msg_type, now - timedelta(minutes=1))
        if recent > agr.rate_per_minute:
            raise RateLimited(
                f"{recent} queries in the last minute; the agreement allows {agr.rate_per_minute}",
                "rate",
            )


def opt_str(body: dict[str, Any], key: str) -> str | None:
    """An optional string field of a message body (stripped; empty is None)."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Refused(f"{key} must be a string", "malformed")
    return value.strip() or None


def purpose_to_body(purpose: Purpose) -> dict[str, Any]:
    """The purpose fields of an outgoing request (read back by :func:`purpose_from_body`)."""
    return {"purpose": purpose.purpose, "legal_basis": purpose.legal_basis,
            "case_ref": purpose.case_ref}


def purpose_from_body(body: dict[str, Any]) -> Purpose:
    """The purpose, legal basis and case reference a peer's request states."""
    return Purpose(
        purpose=opt_str(body, "purpose"),
        legal_basis=opt_str(body, "legal_basis"),
        case_ref=opt_str(body, "case_ref"),
    )


def complete_purpose(body: dict[str, Any], what: str) -> Purpose:
    """The purpose a peer's ``what`` states; refused (``missing_legal_basis``) unless purpose,
    legal basis and case reference are all given."""
    purpose = purpose_from_body(body)
    if not purpose.complete:
        raise Refused(f"{what} needs a purpose, a legal basis and a case reference",
                      "missing_legal_basis")
    return purpose
