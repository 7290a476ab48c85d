"""SQL for the federation tables (``schema_federation``). Parameterised SQLAlchemy Core only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ctnode.clock import utcnow
from ctnode.errors import NotFound
from ctnode.store import schema_federation as tables
from ctnode.store.database import Database


class SqlFederation:
    """Peers, agreements, nonces, references, disclosures, deltas, receipts, alerts, checkpoints
    (``ctnode.store.contracts.FederationStore``)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.engine = db.engine
        self.begin = db.begin

    def _all(self, q: Any) -> list[dict[str, Any]]:
        return self.db.query(q)

    def _one(self, table: Table, key: str, value: Any, what: str) -> dict[str, Any]:
        rows = self._all(select(table).where(table.c[key] == value))
        if not rows:
            raise NotFound(f"no {what} {value!r}")
        return rows[0]

    # -- peers ----------------------------------------------------------------

    def upsert_peer(self, conn: Connection, values: dict[str, Any]) -> bool:
        """Add or replace a peer; returns True when it was new."""
        exists = conn.execute(
            select(tables.fed_peers.c.node_id).where(tables.fed_peers.c.node_id == values["node_id"])
        ).first()
        if exists:
            conn.execute(
                update(tables.fed_peers)
                .where(tables.fed_peers.c.node_id == values["node_id"])
                .values(**values, removed_at=None)
            )
            return False
        conn.execute(tables.fed_peers.insert().values(**values))
        return True

    def get_peer(self, node_id: str) -> dict[str, Any]:
        return self._one(tables.fed_peers, "node_id", node_id, "peer")

    def find_peer(self, node_id: str) -> dict[str, Any] | None:
        rows = self._all(select(tables.fed_peers).where(tables.fed_peers.c.node_id == node_id))
        return rows[0] if rows else None

    def list_peers(self, include_removed: bool = False) -> list[dict[str, Any]]:
        q = select(tables.fed_peers).order_by(tables.fed_peers.c.node_id)
        if not include_removed:
            q = q.where(tables.fed_peers.c.status == "active")
        return self._all(q)

    def remove_peer(self, conn: Connection, node_id: str) -> None:
        conn.execute(
            update(tables.fed_peers)
            .where(tables.fed_peers.c.node_id == node_id)
            .values(status="removed", removed_at=utcnow())
        )

    # -- agreements -------------------------------------------------------------

    def add_agreement(self, conn: Connection, values: dict[str, Any]) -> None:
        conn.execute(tables.fed_agreements.insert().values(**values))

    def get_agreement(self, agreement_id: str) -> dict[str, Any]:
        return self._one(tables.fed_agreements, "id", agreement_id, "agreement")

    def list_agreements(
        self,
        *,
        peer_id: str | None = None,
        direction: str | None = None,
        include_revoked: bool = False,
    ) -> list[dict[str, Any]]:
        q = select(tables.fed_agreements).order_by(tables.fed_agreements.c.created_at.desc())
        if peer_id:
            q = q.where(tables.fed_agreements.c.peer_id == peer_id)
        if direction:
            q = q.where(tables.fed_agreements.c.direction == direction)
        if not include_revoked:
            q = q.where(tables.fed_agreements.c.revoked_at.is_(None))
        return self._all(q)

    def revoke_agreement(self, conn: Connection, agreement_id: str) -> None:
        conn.execute(
            update(tables.fed_agreements)
            .where(tables.fed_agreements.c.id == agreement_id)
            .values(revoked_at=utcnow())
        )

    # -- nonces (replay protection, rate window) ------------------------------------

    def remember_nonce(
        self, sender: str, nonce: str, msg_type: str, at: datetime, units: int = 1
    ) -> bool:
        """Record a nonce (with what the message counts against the sender's rate); False
        when this sender used it before (a replay)."""
        try:
            with self.begin() as conn:
                conn.execute(
                    tables.fed_nonces.insert().values(
                        sender=sender, nonce=nonce, msg_type=msg_type, received_at=at,
                        units=units,
                    )
                )
        except IntegrityError:
            return False
        return True

    def purge_nonces(self, before: datetime) -> int:
        with self.begin() as conn:
            return int(
                conn.execute(
                    delete(tables.fed_nonces).where(tables.fed_nonces.c.received_at < before)
                ).rowcount
            )

    def count_messages(self, sender: str, msg_type: str, since: datetime) -> int:
        """What ``sender``'s messages of ``msg_type`` since ``since`` count (their units:
        names, probes; 1 for other messages)."""
        q = (
            select(func.coalesce(func.sum(tables.fed_nonces.c.units), 0))
            .select_from(tables.fed_nonces)
            .where(
                tables.fed_nonces.c.sender == sender,
                tables.fed_nonces.c.msg_type == msg_type,
                tables.fed_nonces.c.received_at >= since,
            )
        )
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    # -- hit references -------------------------------------------------------------

    def add_refs(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        if rows:
            conn.execute(tables.fed_hit_refs.insert(), rows)

    def purge_refs(self, now: datetime) -> int:
        with self.begin() as conn:
            return int(
                conn.execute(
                    delete(tables.fed_hit_refs).where(tables.fed_hit_refs.c.expires_at < now)
                ).rowcount
            )

    def find_ref(self, ref: str) -> dict[str, Any] | None:
        rows = self._all(select(tables.fed_hit_refs).where(tables.fed_hit_refs.c.ref == ref))
        return rows[0] if rows else None

    # -- disclosures ----------------------------------------------------------------

    def add_disclosure(self, conn: Connection, values: dict[str, Any]) -> None:
        conn.execute(tables.fed_disclosures.insert().values(**values))

    def get_disclosure(self, disclosure_id: str) -> dict[str, Any]:
        return self._one(tables.fed_disclosures, "id", disclosure_id, "disclosure request")

    def find_disclosure(
        self, *, direction: str, peer_id: str, remote_id: str
    ) -> dict[str, Any] | None:
        rows = self._all(
            select(tables.fed_disclosures).where(
                tables.fed_disclosures.c.direction == direction,
                tables.fed_disclosures.c.peer_id == peer_id,
                tables.fed_disclosures.c.remote_id == remote_id,
            )
        )
        return rows[0] if rows else None

    def update_disclosure(self, conn: Connection, disclosure_id: str, **values: Any) -> None:
        conn.execute(
            update(tables.fed_disclosures)
            .where(tables.fed_disclosures.c.id == disclosure_id)
            .values(**values)
        )

    def list_disclosures(
        self, *, direction: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        q = select(tables.fed_disclosures).order_by(tables.fed_disclosures.c.created_at)
        if direction:
            q = q.where(tables.fed_disclosures.c.direction == direction)
        if status:
            q = q.where(tables.fed_disclosures.c.status == status)
        return self._all(q)

    # -- deltas and receipts ----------------------------------------------------------

    def add_delta(self, conn: Connection, values: dict[str, Any], peers: list[str]) -> None:
        conn.execute(tables.fed_deltas.insert().values(**values))
        now = utcnow()
        for peer in peers:
            conn.execute(
                tables.fed_receipts.insert().values(
                    delta_id=values["id"],
                    peer_id=peer,
                    status="pending",
                    detail={},
                    receipt=None,
                    updated_at=now,
                )
            )

    def get_delta(self, delta_id: str) -> dict[str, Any]:
        return self._one(tables.fed_deltas, "id", delta_id, "delta")

    def list_deltas(self, limit: int = 50) -> list[dict[str, Any]]:
        return self._all(
            select(
                tables.fed_deltas.c.id,
                tables.fed_deltas.c.dataset,
                tables.fed_deltas.c.version,
                tables.fed_deltas.c.import_id,
                tables.fed_deltas.c.created_at,
                tables.fed_deltas.c.summary,
            )
            .order_by(tables.fed_deltas.c.created_at.desc())
            .limit(limit)
        )

    def set_receipt(
        self,
        delta_id: str,
        peer_id: str,
        *,
        status: str,
        detail: dict[str, Any],
        receipt: dict[str, Any] | None = None,
    ) -> None:
        with self.begin() as conn:
            conn.execute(
                update(tables.fed_receipts)
                .where(tables.fed_receipts.c.delta_id == delta_id, tables.fed_receipts.c.peer_id == peer_id)
                .values(status=status, detail=detail, receipt=receipt, updated_at=utcnow())
            )

    def list_receipts(
        self, delta_id: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        q = select(tables.fed_receipts).order_by(tables.fed_receipts.c.delta_id, tables.fed_receipts.c.peer_id)
        if delta_id:
            q = q.where(tables.fed_receipts.c.delta_id == delta_id)
        if status:
            q = q.where(tables.fed_receipts.c.status == status)
        return self._all(q)

    def unreceipted_deltas(self, peer_id: str | None = None) -> list[str]:
        """Ids of deltas some peer (or ``peer_id``) has not applied, oldest first."""
        q = (
            select(tables.fed_deltas.c.id, tables.fed_deltas.c.created_at)
            .join(tables.fed_receipts, tables.fed_receipts.c.delta_id == tables.fed_deltas.c.id)
            .where(tables.fed_receipts.c.status != "applied")
            .distinct()
            .order_by(tables.fed_deltas.c.created_at, tables.fed_deltas.c.id)
        )
        if peer_id:
            q = q.where(tables.fed_receipts.c.peer_id == peer_id)
        return [r["id"] for r in self._all(q)]

    def applied_delta(self, sender: str, msg_type: str, delta_id: str,
                      body_sha256: str) -> dict[str, Any] | None:
        """The answer this node gave when it applied ``sender``'s delta (this id, this
        body), or None."""
        t = tables.fed_applied_deltas
        rows = self._all(select(t.c.answer).where(
            t.c.sender == sender, t.c.msg_type == msg_type, t.c.delta_id == delta_id,
            t.c.body_sha256 == body_sha256))
        return dict(rows[0]["answer"]) if rows else None

    def remember_applied_delta(self, sender: str, msg_type: str, delta_id: str,
                               body_sha256: str, answer: dict[str, Any], at: datetime) -> None:
        """Keep the answer to an applied delta (a second host that applied it too keeps
        the first answer stored)."""
        try:
            with self.begin() as conn:
                conn.execute(tables.fed_applied_deltas.insert().values(
                    sender=sender, msg_type=msg_type, delta_id=delta_id,
                    body_sha256=body_sha256, answer=answer, applied_at=at))
        except IntegrityError:
            pass

    # -- alerts -------------------------------------------------------------------------

    def add_alert(self, conn: Connection, values: dict[str, Any]) -> None:
        conn.execute(tables.fed_alerts.insert().values(**values))

    def list_alerts(
        self, *, direction: str = "incoming", unread: bool = False, limit: int = 100
    ) -> list[dict[str, Any]]:
        q = (
            select(tables.fed_alerts)
            .where(tables.fed_alerts.c.direction == direction)
            .order_by(tables.fed_alerts.c.at.desc())
            .limit(limit)
        )
        if unread:
            q = q.where(tables.fed_alerts.c.read_at.is_(None))
        return self._all(q)

    def mark_read(self, conn: Connection, alert_ids: list[str]) -> None:
        if alert_ids:
            conn.execute(
                update(tables.fed_alerts)
                .where(tables.fed_alerts.c.id.in_(alert_ids), tables.fed_alerts.c.read_at.is_(None))
                .values(read_at=utcnow())
            )

    # -- key changes ----------------------------------------------------------------------

    def add_key_change(self, conn: Connection, values: dict[str, Any]) -> None:
        conn.execute(tables.fed_key_changes.insert().values(**values))

    def list_key_changes(self, node_id: str | None = None) -> list[dict[str, Any]]:
        q = select(tables.fed_key_changes).order_by(tables.fed_key_changes.c.id)
        if node_id:
            q = q.where(tables.fed_key_changes.c.node_id == node_id)
        return self._all(q)

    def revoked_keys(self, node_id: str) -> set[str]:
        """The keys ``node_id`` revoked as compromised."""
        q = select(tables.fed_key_changes.c.old_key).where(
            tables.fed_key_changes.c.node_id == node_id, tables.fed_key_changes.c.kind == "revoke")
        with self.engine.connect() as conn:
            return {str(r[0]) for r in conn.execute(q)}

    def set_peer_key(self, conn: Connection, node_id: str, values: dict[str, Any]) -> None:
        conn.execute(update(tables.fed_peers).where(tables.fed_peers.c.node_id == node_id)
                     .values(**values))

    # -- checkpoints ----------------------------------------------------------------------

    def add_checkpoint(self, conn: Connection, values: dict[str, Any]) -> None:
        conn.execute(tables.fed_checkpoints.insert().values(**values))

    def prune_checkpoints(self, conn: Connection, node_id: str, keep: int) -> int:
        """Keep only the newest ``keep`` checkpoints of ``node_id`` (a peer's pushed ones)."""
        t = tables.fed_checkpoints
        newest = select(t.c.id).where(t.c.node_id == node_id).order_by(t.c.id.desc()).limit(keep)
        kept = [r[0] for r in conn.execute(newest)]
        if len(kept) < keep:
            return 0
        return int(conn.execute(delete(t).where(t.c.node_id == node_id, t.c.id.not_in(kept)))
                   .rowcount)

    def list_checkpoints(self, node_id: str | None = None) -> list[dict[str, Any]]:
        q = select(tables.fed_checkpoints).order_by(tables.fed_checkpoints.c.id)
        if node_id:
            q = q.where(tables.fed_checkpoints.c.node_id == node_id)
        return self._all(q)

    # -- hit notices to publishers (an outbox) -------------------------------------------

    def queue_hit_notices(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        if rows:
            conn.execute(tables.fed_hit_notices.insert(), rows)

    def pending_hit_notices(self, *, limit: int = 200) -> list[dict[str, Any]]:
        """Notices not yet done, oldest first."""
        t = tables.fed_hit_notices
        return self._all(select(t).where(t.c.sent_at.is_(None))
                         .order_by(t.c.queued_at, t.c.id).limit(limit))

    def claim_hit_notice(self, notice_id: str, *, now: datetime, stale: datetime) -> bool:
        """Take a pending notice to send it; False when it is done or another sender took it
        after ``stale`` (so the server and ``ctnode jobs run`` never send one twice at once)."""
        t = tables.fed_hit_notices
        with self.begin() as conn:
            taken = conn.execute(
                update(t).where(t.c.id == notice_id, t.c.sent_at.is_(None),
                                (t.c.claimed_at.is_(None)) | (t.c.claimed_at < stale))
                .values(claimed_at=now, attempts=t.c.attempts + 1))
            return bool(taken.rowcount)

    def finish_hit_notice(self, conn: Connection, notice_id: str, *, outcome: str,
                          done: datetime | None) -> None:
        """Record an attempt's outcome; ``done`` ends the notice (delivered, refused, given
        up), None leaves it pending for the next attempt."""
        t = tables.fed_hit_notices
        conn.execute(update(t).where(t.c.id == notice_id)
                     .values(outcome=outcome[:500], sent_at=done, claimed_at=None))

    def list_hit_notices(self, *, pending: bool | None = None) -> list[dict[str, Any]]:
        t = tables.fed_hit_notices
        q = select(t).order_by(t.c.queued_at, t.c.id)
        if pending is not None:
            q = q.where(t.c.sent_at.is_(None) if pending else t.c.sent_at.is_not(None))
        return self._all(q)

    # -- restrictions (records kept from copies) ------------------------------------------

    def add_restriction(self, conn: Connection, values: dict[str, Any]) -> bool:
        """Restrict a record; False when it already was (the first reason stays)."""
        t = tables.fed_restrictions
        if conn.execute(select(t.c.entity_id).where(t.c.entity_id == values["entity_id"])).first():
            return False
        conn.execute(t.insert().values(**values))
        return True

    def remove_restriction(self, conn: Connection, entity_id: str) -> bool:
        t = tables.fed_restrictions
        return bool(conn.execute(delete(t).where(t.c.entity_id == entity_id)).rowcount)

    def list_restrictions(self, dataset: str | None = None) -> list[dict[str, Any]]:
        t = tables.fed_restrictions
        q = select(t).order_by(t.c.restricted_at, t.c.entity_id)
        if dataset:
            q = q.where(t.c.dataset == dataset)
        return self._all(q)

    def restricted_ids(self, dataset: str | None = None) -> set[str]:
        t = tables.fed_restrictions
        q = select(t.c.entity_id)
        if dataset:
            q = q.where(t.c.dataset == dataset)
        with self.engine.connect() as conn:
            return {str(r[0]) for r in conn.execute(q)}
