"""Identity and the directory: this node's key pair and descriptor, the peers an admin
trusts (from their signed descriptors), and the sharing agreements with them.

The rules an agreement enforces are in ``agreements.py``; keys in ``identity.py``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ctnode.clock import as_utc, utcnow
from ctnode.errors import Conflict, InvalidInput
from ctnode.federation.agreements import (
    Agreement,
    validate_biometrics,
    validate_copy_fields,
    validate_hash_labels,
    validate_max_tlp,
    validate_terms,
)
from ctnode.federation.context import FederationContext
from ctnode.federation.identity import Descriptor, Identity
from ctnode.federation.outbound import send
from ctnode.model.access import Actor


class Directory:
    """Who this node is, who its peers are, and what it agreed with each."""

    def __init__(self, ctx: FederationContext) -> None:
        self.ctx = ctx
        self.db = ctx.db
        # Called with each new outbound subscription (parts.py: the list updates' full sync).
        self.on_subscribe: list[Callable[[Agreement], object]] = []

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
        self.ctx.require(actor, "federation.admin")
        endpoint = endpoint or f"http://{self.ctx.settings.host}:{self.ctx.settings.port}"
        ident = Identity.create(
            self.ctx.folder,
            node_id=node_id,
            organisation=organisation,
            country=country,
            contact=contact,
            endpoint=endpoint,
            development=self.ctx.development,
            force=force,
        )
        self.ctx.identity = ident
        self.ctx.audit.record(
            "federation.init",
            actor,
            detail={
                "node_id": ident.node_id,
                "public_key": ident.public_key,
                "endpoint": ident.profile["endpoint"],
            },
        )
        return ident.descriptor()

    def descriptor(self, actor: Actor) -> Descriptor:
        """This node's signed descriptor, freshly issued (to hand to a partner)."""
        self.ctx.require(actor, "federation.directory")
        return self.ctx.identity.descriptor()

    def add_peer(self, actor: Actor, descriptor: Any) -> dict[str, Any]:
        """Trust a peer: only an admin, only from a descriptor whose self-signature verifies."""
        self.ctx.require(actor, "federation.admin")
        desc = Descriptor.parse(descriptor, development=self.ctx.development)
        if self.ctx.initialised and desc.node_id == self.ctx.identity.node_id:
            raise InvalidInput("that descriptor is this node's own")
        values = {
            "node_id": desc.node_id,
            "organisation": desc.organisation,
            "country": desc.country,
            "contact": desc.contact,
            "endpoint": desc.endpoint,
            "public_key": desc.public_key,
            "descriptor": desc.to_dict(),
            "status": "active",
            "added_at": utcnow(),
            "added_by": actor.name,
        }
        with self.db.begin() as conn:
            new = self.db.upsert_peer(conn, values)
            self.ctx.audit.record(
                "federation.peer.add",
                actor,
                conn=conn,
                detail={
                    "node_id": desc.node_id,
                    "public_key": desc.public_key,
                    "endpoint": desc.endpoint,
                    "replaced": not new,
                },
            )
        return self.db.get_peer(desc.node_id)

    def remove_peer(self, actor: Actor, node_id: str) -> None:
        self.ctx.require(actor, "federation.admin")
        peer = self.db.get_peer(node_id)
        if peer["status"] != "active":
            raise Conflict(f"peer {node_id} was already removed")
        with self.db.begin() as conn:
            self.db.remove_peer(conn, node_id)
            self.ctx.audit.record("federation.peer.remove", actor, conn=conn, detail={"node_id": node_id})

    def list_peers(self, actor: Actor, include_removed: bool = False) -> list[dict[str, Any]]:
        self.ctx.require(actor, "federation.directory")
        return self.db.list_peers(include_removed=include_removed)

    def get_peer(self, actor: Actor, node_id: str) -> dict[str, Any]:
        self.ctx.require(actor, "federation.directory")
        peer = self.db.get_peer(node_id)
        peer["agreements"] = [
            Agreement.from_row(r).to_dict() for r in self.db.list_agreements(peer_id=node_id)
        ]
        return peer

    def ping(self, actor: Actor, node_id: str) -> float:
        """Round-trip a signed ping to a peer; returns milliseconds."""
        self.ctx.require(actor, "federation.directory")
        peer = self.ctx.active_peer(node_id)
        started = time.perf_counter()
        send(self.ctx, peer, "ping", {}, self.ctx.settings.federation_deadline)
        return (time.perf_counter() - started) * 1000

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
        copy_fields: list[str] | None = None,
        max_tlp: str | None = None,
        hash_labels: list[str] | None = None,
    ) -> Agreement:
        """Make the agreement for (peer, direction); it replaces the one in force, if any.
        A new outbound subscription is followed by a signed full sync of the lists it names
        (``on_subscribe``)."""
        self.ctx.require(actor, "federation.admin")
        self.ctx.active_peer(peer_id)
        lists, purposes, flds = validate_terms(
            direction=direction,
            lists=lists,
            purposes=purposes,
            rate_per_minute=rate_per_minute,
            max_disclosure=max_disclosure,
            fields=fields or [],
        )
        bio = validate_biometrics(biometrics or [])
        copies = validate_copy_fields(copy_fields, subscribed)
        ceiling = validate_max_tlp(max_tlp)
        labels = validate_hash_labels(hash_labels, lists)
        expires = as_utc(expires_at)
        assert expires is not None
        now = utcnow()
        if expires <= now:
            raise InvalidInput("expires_at must be in the future")
        values = {
            "id": str(uuid.uuid4()),
            "peer_id": peer_id,
            "direction": direction,
            "lists": lists,
            "purposes": purposes,
            "rate_per_minute": rate_per_minute,
            "max_disclosure": max_disclosure,
            "fields": flds,
            "subscribed": subscribed,
            "expires_at": expires,
            "created_at": now,
            "created_by": actor.name,
            "revoked_at": None,
            "biometrics": bio,
            "copy_fields": copies,
            "max_tlp": ceiling,
            "hash_labels": labels,
        }
        with self.db.begin() as conn:
            for old in self.db.list_agreements(peer_id=peer_id, direction=direction):
                self.db.revoke_agreement(conn, old["id"])
            self.db.add_agreement(conn, values)
            self.ctx.audit.record(
                "federation.agreement.add",
                actor,
                conn=conn,
                detail={
                    k: (v.isoformat() if isinstance(v, datetime) else v)
                    for k, v in values.items()
                    if k not in {"created_at", "created_by", "revoked_at"}
                },
            )
        agreement = Agreement.from_row(values)
        if direction == "outbound" and subscribed:
            for listener in self.on_subscribe:
                listener(agreement)
        return agreement

    def list_agreements(
        self, actor: Actor, *, peer_id: str | None = None, include_revoked: bool = False
    ) -> list[Agreement]:
        self.ctx.require(actor, "federation.directory")
        return [
            Agreement.from_row(r)
            for r in self.db.list_agreements(peer_id=peer_id, include_revoked=include_revoked)
        ]

    def revoke_agreement(self, actor: Actor, agreement_id: str) -> None:
        self.ctx.require(actor, "federation.admin")
        row = self.db.get_agreement(agreement_id)
        if row["revoked_at"] is not None:
            raise Conflict(f"agreement {agreement_id} was already revoked")
        with self.db.begin() as conn:
            self.db.revoke_agreement(conn, agreement_id)
            self.ctx.audit.record("federation.agreement.revoke", actor, conn=conn,
                                  detail={"id": agreement_id, "peer_id": row["peer_id"]})
