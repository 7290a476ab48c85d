"""The analysts' review queue (screenings with reportable hits) and their decisions.

A decision is stored once, as a row of ``decisions`` and as a ``decision`` event in the
entity's history; the screening it answers is marked reviewed in the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select, update

from ctnode.clock import as_utc, utcnow
from ctnode.errors import NotFound
from ctnode.store import schema as tables
from ctnode.store.database import Database

DECISION_KEYS_PER_QUERY = 500  # subject keys per decisions query of a batch (bound parameters)


class SqlReview:
    """Screenings and decisions (``ctnode.store.contracts.ReviewStore``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- screenings -------------------------------------------------------------

    def add_screenings(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Review-queue rows (``id``, ``actor``, ``source``, ``subject_key``, ``query_hash``,
        ``purpose``, ``case_ref``, ``hits``, optionally ``subject_sealed`` and
        ``subject_expires_at``), written unreviewed, timed now."""
        if rows:
            at = utcnow()
            # the list of each hit: as the row names it, else its listed record's (watch rows)
            unnamed = {h["entity_id"] for r in rows for h in r["hits"] if not h.get("list")}
            e = tables.entities.c
            lists = dict(conn.execute(select(e.id, e.dataset).where(e.id.in_(unnamed))).all()
                         ) if unnamed else {}
            conn.execute(tables.screenings.insert(), [
                {"subject_sealed": None, "subject_expires_at": None, **r, "at": at,
                 "reviewed": False,
                 "hit_bands": marks(h.get("band") for h in r["hits"]),
                 "hit_lists": marks(h.get("list") or lists.get(h["entity_id"])
                                    for h in r["hits"])} for r in rows])

    def erase_subjects(self, now: datetime) -> int:
        """Erase the sealed subjects past their retention; returns how many."""
        s = tables.screenings
        with self.db.begin() as conn:
            done = conn.execute(update(s).where(s.c.subject_expires_at <= now)
                                .values(subject_sealed=None, subject_expires_at=None))
        return int(done.rowcount or 0)

    def get_screening(self, screening_id: str) -> dict[str, Any]:
        found = self.db.query(select(tables.screenings).where(tables.screenings.c.id == screening_id))
        if not found:
            raise NotFound(f"no screening with id {screening_id!r}")
        return found[0]

    def list_screenings(
        self, *, reviewed: bool | None = None, limit: int = 100, offset: int = 0,
        where: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Screenings, newest first; ``where``: ``actor``, ``case_ref`` (exact), ``since``,
        ``until`` (datetimes: from, before), ``band`` and ``list`` (some hit of that band, of
        that list)."""
        # the sealed subject stays out of listings (opened only for one screening's review)
        cols = [c for c in tables.screenings.c if c.name != "subject_sealed"]
        q = (select(*cols).order_by(tables.screenings.c.at.desc(), tables.screenings.c.id)
             .limit(limit).offset(offset))
        return self.db.query(_filtered(q, reviewed, where))

    def count_screenings(self, *, reviewed: bool | None = None,
                         where: Mapping[str, Any] | None = None) -> int:
        q = select(func.count().label("n")).select_from(tables.screenings)
        return int(self.db.query(_filtered(q, reviewed, where))[0]["n"])

    def screenings_with(self, entity_ids: set[str], limit: int = 1000) -> list[str]:
        """Ids of earlier screenings whose hits include any of ``entity_ids`` (to re-review)."""
        out: list[str] = []
        q = select(tables.screenings.c.id, tables.screenings.c.hits).order_by(tables.screenings.c.at.desc())
        with self.db.engine.connect() as conn:
            for row in conn.execute(q.limit(10_000)):
                if any(h.get("entity_id") in entity_ids for h in row.hits or []):
                    out.append(row.id)
                    if len(out) >= limit:
                        break
        return out

    # -- decisions --------------------------------------------------------------

    def add_decision(self, conn: Connection, row: dict[str, Any]) -> None:
        """A decision (``id``, ``entity_id``, ``subject_key``, ``screening_id``, ``decision``,
        ``comment``, ``actor``), with its entity event; its screening becomes reviewed."""
        at = utcnow()
        conn.execute(tables.decisions.insert().values(**row, at=at))
        detail = {k: row[k] for k in ("decision", "comment", "actor", "screening_id")}
        conn.execute(
            tables.entity_events.insert().values(
                entity_id=row["entity_id"], at=at, kind="decision", import_id=None,
                detail={"decision_id": row["id"], **detail},
            )
        )
        if row["screening_id"] is not None:
            conn.execute(
                update(tables.screenings)
                .where(tables.screenings.c.id == row["screening_id"])
                .values(reviewed=True)
            )

    def latest_decisions(self, subject_key: str) -> dict[str, dict[str, Any]]:
        """The newest decision per entity for one subject (query identity); revoked ones
        left out, so the one before them stands again."""
        return self.latest_decisions_many([subject_key]).get(subject_key, {})

    def latest_decisions_many(
        self, subject_keys: Collection[str]
    ) -> dict[str, dict[str, dict[str, Any]]]:
        """``latest_decisions`` for many subjects at once (a batch): subject key → entity id
        → newest standing decision; subjects without one are left out. One query per
        ``DECISION_KEYS_PER_QUERY`` subjects."""
        keys = sorted(set(subject_keys))
        d = tables.decisions
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for start in range(0, len(keys), DECISION_KEYS_PER_QUERY):
            page = keys[start:start + DECISION_KEYS_PER_QUERY]
            rows = self.db.query(
                select(d).where(d.c.subject_key.in_(page)).where(d.c.revoked_at.is_(None))
                .order_by(d.c.subject_key, d.c.at)
            )
            for r in rows:  # oldest first: the newest per entity is the one kept
                out.setdefault(r["subject_key"], {})[r["entity_id"]] = {**r, "at": as_utc(r["at"])}
        return out

    def get_decision(self, decision_id: str) -> dict[str, Any]:
        found = self.db.query(select(tables.decisions).where(tables.decisions.c.id == decision_id))
        if not found:
            raise NotFound(f"no decision with id {decision_id!r}")
        return found[0]

    def revoke_decision(self, conn: Connection, decision_id: str, *, actor: str,
                        reason: str) -> None:
        """Mark a decision revoked (never deleted), with a ``decision.revoked`` entity event."""
        row = conn.execute(
            select(tables.decisions.c.entity_id).where(tables.decisions.c.id == decision_id)
        ).first()
        if row is None:
            raise NotFound(f"no decision with id {decision_id!r}")
        at = utcnow()
        conn.execute(
            update(tables.decisions).where(tables.decisions.c.id == decision_id)
            .values(revoked_at=at, revoked_by=actor, revoke_reason=reason)
        )
        conn.execute(
            tables.entity_events.insert().values(
                entity_id=row.entity_id, at=at, kind="decision", import_id=None,
                detail={"decision_id": decision_id, "revoked": True, "actor": actor,
                        "reason": reason},
            )
        )

    def decisions_for_entity(self, entity_id: str) -> list[dict[str, Any]]:
        return self.db.query(
            select(tables.decisions).where(tables.decisions.c.entity_id == entity_id).order_by(tables.decisions.c.at)
        )

    def decisions_for_screening(self, screening_id: str) -> list[dict[str, Any]]:
        """The decisions taken on one screening's hits, oldest first (revoked ones too)."""
        return self.db.query(
            select(tables.decisions).where(tables.decisions.c.screening_id == screening_id)
            .order_by(tables.decisions.c.at)
        )


def _filtered(q: Select[Any], reviewed: bool | None, where: Mapping[str, Any] | None) -> Select[Any]:
    c = tables.screenings.c
    if reviewed is not None:
        q = q.where(c.reviewed == reviewed)
    where = where or {}
    if where.get("actor"):
        q = q.where(c.actor == where["actor"])
    if where.get("case_ref"):
        q = q.where(c.case_ref == where["case_ref"])
    if where.get("since") is not None:
        q = q.where(c.at >= where["since"])
    if where.get("until") is not None:
        q = q.where(c.at < where["until"])
    if where.get("band"):
        q = q.where(c.hit_bands.contains(f"|{where['band']}|", autoescape=True))
    if where.get("list"):
        q = q.where(c.hit_lists.contains(f"|{where['list']}|", autoescape=True))
    return q


def marks(values: Iterable[Any]) -> str | None:
    """Values between bars (``|match|possible|``), each once, sorted; None when there are
    none: what ``hit_bands`` and ``hit_lists`` hold."""
    found = sorted({str(v) for v in values if v})
    return "|" + "|".join(found) + "|" if found else None
