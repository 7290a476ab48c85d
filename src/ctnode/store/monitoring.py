"""Monitoring rows: watched subjects (sealed fields), their current hits, alerts to owners.

What is watched, what alerts and who may see it is decided in
``ctnode.services.monitoring``; this module writes and reads the rows it is told to.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, or_, select, tuple_, update

from ctnode.store.database import Database, chunks
from ctnode.store.schema_monitoring import watch_alerts as a
from ctnode.store.schema_monitoring import watch_hits as h
from ctnode.store.schema_monitoring import watch_subjects as s

IN_CHUNK = 900  # ids per IN (...) list (SQLite's bound-parameter limit is far above)


class SqlMonitoring:
    """Watched subjects, hits and alerts (``ctnode.store.contracts.MonitoringStore``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- subjects ----------------------------------------------------------------

    def add_subjects(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """New subjects (every column but ``seq``, which is given here in order)."""
        if not rows:
            return
        top = conn.execute(select(func.max(s.c.seq))).scalar() or 0
        values = [{**r, "seq": top + i + 1} for i, r in enumerate(rows)]
        self.db.insert(conn, s, values)

    def get_subject(self, subject_id: str) -> dict[str, Any] | None:
        found = self.db.query(select(s).where(s.c.id == subject_id))
        return found[0] if found else None

    def get_subjects(self, subject_ids: Iterable[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for part in chunks(sorted(set(subject_ids)), IN_CHUNK):
            out.extend(self.db.query(select(s).where(s.c.id.in_(part))))
        return out

    def list_subjects(self, *, owner: str | None = None, limit: int = 100,
                      offset: int = 0) -> list[dict[str, Any]]:
        q = select(s).order_by(s.c.seq).limit(limit).offset(offset)
        if owner is not None:
            q = q.where(s.c.owner == owner)
        return self.db.query(q)

    def iter_subjects(self, *, after_seq: int = 0, batch: int = 5000) -> Iterator[dict[str, Any]]:
        """Every subject in ``seq`` order from ``after_seq`` on, read in batches."""
        last = after_seq
        while True:
            rows = self.db.query(select(s).where(s.c.seq > last).order_by(s.c.seq).limit(batch))
            yield from rows
            if len(rows) < batch:
                return
            last = rows[-1]["seq"]

    def iter_sealed(self, *, after_seq: int = 0,
                    batch: int = 5000) -> Iterator[tuple[str, int, bytes]]:
        """(id, seq, sealed fields) of every subject in ``seq`` order from ``after_seq`` on,
        read in batches: what the reverse index is built from, without the other columns
        (their timestamps cost more to read than the sealed fields)."""
        last = after_seq
        cols = select(s.c.id, s.c.seq, s.c.sealed)
        while True:
            with self.db.engine.connect() as conn:
                rows = [(r[0], int(r[1]), bytes(r[2])) for r in conn.execute(
                    cols.where(s.c.seq > last).order_by(s.c.seq).limit(batch))]
            yield from rows
            if len(rows) < batch:
                return
            last = rows[-1][1]

    def count_subjects(self, owner: str | None = None) -> int:
        q = select(func.count()).select_from(s)
        if owner is not None:
            q = q.where(s.c.owner == owner)
        with self.db.engine.connect() as conn:
            return int(conn.execute(q).scalar() or 0)

    def last_seq(self) -> int:
        with self.db.engine.connect() as conn:
            return int(conn.execute(select(func.max(s.c.seq))).scalar() or 0)

    def delete_subjects(self, conn: Connection, subject_ids: list[str]) -> int:
        """Delete subjects and their hits (alerts stay: they are what the owner was told)."""
        n = 0
        for part in chunks(subject_ids, IN_CHUNK):
            conn.execute(delete(h).where(h.c.subject_id.in_(part)))
            n += conn.execute(delete(s).where(s.c.id.in_(part))).rowcount or 0
        return n

    def expired(self, now: datetime) -> list[str]:
        return [r["id"] for r in self.db.query(select(s.c.id).where(s.c.expires_at <= now))]

    def due_reminders(self, now: datetime, before: datetime) -> list[dict[str, Any]]:
        """Subjects that expire before ``before`` (and not yet), not yet reminded."""
        return self.db.query(select(s.c.id, s.c.owner, s.c.expires_at, s.c.case_ref).where(
            s.c.expires_at <= before, s.c.expires_at > now, s.c.reminded_at.is_(None)))

    def mark_reminded(self, conn: Connection, subject_ids: list[str], at: datetime) -> None:
        for part in chunks(subject_ids, IN_CHUNK):
            conn.execute(update(s).where(s.c.id.in_(part)).values(reminded_at=at))

    # -- hits --------------------------------------------------------------------

    def hits_of(self, subject_ids: Iterable[str]) -> dict[str, dict[str, dict[str, Any]]]:
        """subject id → entity id → its hit row (band, score)."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for part in chunks(sorted(set(subject_ids)), IN_CHUNK):
            for r in self.db.query(select(h).where(h.c.subject_id.in_(part))):
                out.setdefault(r["subject_id"], {})[r["entity_id"]] = r
        return out

    def holders_of(self, entity_ids: Iterable[str]) -> list[tuple[str, str]]:
        """(subject id, entity id) of every held hit on one of ``entity_ids``."""
        out: list[tuple[str, str]] = []
        for part in chunks(sorted(set(entity_ids)), IN_CHUNK):
            q = select(h.c.subject_id, h.c.entity_id).where(h.c.entity_id.in_(part))
            out.extend((r["subject_id"], r["entity_id"]) for r in self.db.query(q))
        return out

    def set_hits(self, conn: Connection, upsert: list[dict[str, Any]],
                 remove: list[tuple[str, str]]) -> None:
        """Write hit states: ``upsert`` rows (subject_id, entity_id, band, score) replace
        any held one; ``remove`` (subject id, entity id) pairs are deleted."""
        pairs = remove + [(r["subject_id"], r["entity_id"]) for r in upsert]
        for part in chunks(pairs, IN_CHUNK):
            if self.db.dialect == "sqlite":
                cond = or_(*(and_(h.c.subject_id == sid, h.c.entity_id == eid)
                             for sid, eid in part))
            else:
                cond = tuple_(h.c.subject_id, h.c.entity_id).in_(part)
            conn.execute(delete(h).where(cond))
        if upsert:
            self.db.insert(conn, h, upsert)

    def count_hits(self) -> int:
        with self.db.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(h)).scalar() or 0)

    # -- alerts ------------------------------------------------------------------

    def add_alerts(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        self.db.insert(conn, a, rows)

    def list_alerts(self, *, owner: str | None = None, subject_id: str | None = None,
                    unread: bool = False, limit: int = 100) -> list[dict[str, Any]]:
        q = select(a).order_by(a.c.at.desc(), a.c.id).limit(limit)
        if owner is not None:
            q = q.where(a.c.owner == owner)
        if subject_id is not None:
            q = q.where(a.c.subject_id == subject_id)
        if unread:
            q = q.where(a.c.read_at.is_(None))
        return self.db.query(q)

    def mark_alerts_read(self, conn: Connection, alert_ids: list[str], at: datetime,
                         owner: str | None = None) -> int:
        """Mark alerts read (only ``owner``'s, when given); returns how many."""
        n = 0
        for part in chunks(alert_ids, IN_CHUNK):
            q = update(a).where(a.c.id.in_(part), a.c.read_at.is_(None))
            if owner is not None:
                q = q.where(a.c.owner == owner)
            n += conn.execute(q.values(read_at=at)).rowcount or 0
        return n
