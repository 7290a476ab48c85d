"""Restricted records: the owner of a list keeps a record from copies (query only).

A restricted record is no longer sent as a copy (full syncs and deltas leave it out:
``ListUpdates`` cuts at sending, older deltas re-sent later too) and subscribers holding one
get a signed ``withdrawn`` delta that deletes it there; it stays answerable to hit/no-hit
queries under the agreements. Lifting the restriction sends the record again as ``added``.
"""

from __future__ import annotations

import uuid
from typing import Any

from ctnode.clock import utcnow
from ctnode.errors import Conflict, InvalidInput, NotFound
from ctnode.federation.context import FederationContext
from ctnode.federation.list_updates import ListUpdates
from ctnode.federation.list_wire import entity_to_wire
from ctnode.model.access import SYSTEM, Actor
from ctnode.model.entities import Entity


class Restrictions:
    """Restrict, lift and list restrictions of this node's own records (admins, audited)."""

    def __init__(self, ctx: FederationContext, updates: ListUpdates) -> None:
        self.ctx = ctx
        self.updates = updates
        self.db = ctx.db
        self.entities = updates.entities

    def restrict(self, actor: Actor, entity_id: str, reason: str) -> dict[str, Any]:
        """Restrict a record of a list this node publishes: it is no longer sent as a copy
        (full syncs and deltas leave it out) and subscribers holding one get a signed
        ``withdrawn`` delta that deletes it there. It stays answerable to hit/no-hit queries
        under the agreements. Returns the restriction and the delta's receipts."""
        self.ctx.require(actor, "federation.admin")
        reason = reason.strip()
        if not reason:
            raise InvalidInput("a restriction needs a reason (--reason)")
        if len(reason) > 500:
            raise InvalidInput("the reason is longer than 500 characters")
        entity = self.entities.get_entity(entity_id)  # NotFound: 404
        publisher = self.updates.publisher_of(entity.dataset)
        if publisher is not None:
            raise Conflict(f"{entity_id} is a copy of {publisher}'s list {entity.dataset!r}: "
                           f"only {publisher} may restrict it")
        row = {"entity_id": entity_id, "dataset": entity.dataset, "reason": reason,
               "restricted_at": utcnow(), "restricted_by": actor.name}
        peers = self.updates.subscribers(entity.dataset)
        delta_id = str(uuid.uuid4())
        with self.db.begin() as conn:
            if not self.db.add_restriction(conn, row):
                raise Conflict(f"{entity_id} is already restricted")
            if peers:
                self._add_withdrawal(conn, delta_id, entity.dataset, [entity_id], peers)
            self.ctx.audit.record(
                "federation.record.restrict", actor, conn=conn, result_ids=[entity_id],
                detail={"dataset": entity.dataset, "reason": reason,
                        "delta_id": delta_id if peers else None, "peers": peers},
            )
        receipts = self.updates.push_delta(delta_id) if peers else []
        return {**row, "delta_id": delta_id if peers else None, "receipts": receipts}

    def _add_withdrawal(self, conn: Any, delta_id: str, dataset: str, ids: list[str],
                        peers: list[str]) -> None:
        body = {"delta_id": delta_id, "dataset": dataset, "version": None, "added": [],
                "changed": [], "relisted": [], "delisted": [], "withdrawn": ids}
        summary = {"added": 0, "changed": 0, "relisted": 0, "delisted": [], "withdrawn": ids}
        self.db.add_delta(conn, {"id": delta_id, "dataset": dataset, "version": None,
                                 "import_id": 0, "created_at": utcnow(), "summary": summary,
                                 "payload": body}, peers)
        self.ctx.audit.record("federation.delta.created", SYSTEM, conn=conn, result_ids=ids,
                              detail={"delta_id": delta_id, **summary, "peers": peers})

    def unrestrict(self, actor: Actor, entity_id: str) -> dict[str, Any]:
        """Lift a restriction: the record, if still listed, goes to subscribers again (as
        ``added``, cut to each agreement's copy fields)."""
        self.ctx.require(actor, "federation.admin")
        found = [r for r in self.db.list_restrictions() if r["entity_id"] == entity_id]
        if not found:
            raise NotFound(f"{entity_id} is not restricted")
        dataset = found[0]["dataset"]
        try:
            entity: Entity | None = self.entities.get_entity(entity_id)
        except NotFound:
            entity = None
        listed = entity is not None and entity.status == "listed"
        peers = self.updates.subscribers(dataset) if listed else []
        delta_id = str(uuid.uuid4())
        with self.db.begin() as conn:
            self.db.remove_restriction(conn, entity_id)
            if peers and entity is not None:
                wire = [entity_to_wire(entity)]
                summary = {"added": 1, "changed": 0, "relisted": 0, "delisted": []}
                self.db.add_delta(conn, {
                    "id": delta_id, "dataset": dataset, "version": None, "import_id": 0,
                    "created_at": utcnow(), "summary": summary,
                    "payload": {"delta_id": delta_id, "dataset": dataset, "version": None,
                                "added": wire, "changed": [], "relisted": [], "delisted": []},
                }, peers)
                self.ctx.audit.record("federation.delta.created", SYSTEM, conn=conn,
                                      result_ids=[entity_id],
                                      detail={"delta_id": delta_id, **summary, "peers": peers})
            self.ctx.audit.record(
                "federation.record.unrestrict", actor, conn=conn, result_ids=[entity_id],
                detail={"dataset": dataset, "delta_id": delta_id if peers else None,
                        "peers": peers},
            )
        receipts = self.updates.push_delta(delta_id) if peers else []
        return {"entity_id": entity_id, "dataset": dataset,
                "delta_id": delta_id if peers else None, "receipts": receipts}

    def list(self, actor: Actor) -> list[dict[str, Any]]:
        """The records this node keeps from copies, with who restricted them, when and why."""
        self.ctx.require(actor, "federation.admin")
        return self.db.list_restrictions()
