"""Counts for the console's dashboard: activity per day and what tells a node's health.

Read-only aggregate queries over the audit log, the review queue, decisions, disclosures
and the federation's message ledger (the same SQL on SQLite and PostgreSQL: ``date()``
of a timestamp is a day on both).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ctnode.clock import as_utc
from ctnode.store import schema as tables
from ctnode.store import schema_federation as fed
from ctnode.store.database import Database

# The audit events that count as screens on the dashboard: one subject, or one run of a
# batch, manifest or payment file.
SCREEN_EVENTS = ("screen", "screen.batch", "screen.manifest", "screen.payments")


class SqlStats:
    """Aggregates for the dashboard (``ctnode.store.contracts.StatsStore``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _per_day(self, column: Any, *where: Any) -> dict[str, int]:
        day = func.date(column)
        q = select(day.label("day"), func.count().label("n")).where(*where).group_by(day)
        return {str(r["day"]): int(r["n"]) for r in self.db.query(q)}

    def per_day(self, since: datetime) -> dict[str, dict[str, int]]:
        """``{series: {YYYY-MM-DD: count}}`` since a time: ``screens`` (audited screens and
        batch runs), ``hits`` (screenings that raised hits: the review queue), and one
        series per decision (``confirmed``, ``false_positive``, ``unsure``)."""
        a, s, d = tables.audit_log, tables.screenings, tables.decisions
        out = {
            "screens": self._per_day(a.c.at, a.c.event.in_(SCREEN_EVENTS), a.c.at >= since),
            "hits": self._per_day(s.c.at, s.c.at >= since),
        }
        day = func.date(d.c.at)
        q = (select(day.label("day"), d.c.decision, func.count().label("n"))
             .where(d.c.at >= since).group_by(day, d.c.decision))
        for r in self.db.query(q):
            out.setdefault(str(r["decision"]), {})[str(r["day"])] = int(r["n"])
        return out

    def disclosure_answers(self, since: datetime) -> list[tuple[datetime, datetime]]:
        """(asked, answered) of the incoming disclosure requests answered since a time."""
        t = fed.fed_disclosures
        q = (select(t.c.created_at, t.c.decided_at)
             .where(t.c.direction == "incoming", t.c.decided_at.is_not(None),
                    t.c.decided_at >= since))
        out = []
        for r in self.db.query(q):
            asked, answered = as_utc(r["created_at"]), as_utc(r["decided_at"])
            if asked is not None and answered is not None:
                out.append((asked, answered))
        return out

    def last_heard(self) -> dict[str, datetime]:
        """The last signed message received from each peer (the replay ledger's times)."""
        n = fed.fed_nonces
        q = select(n.c.sender, func.max(n.c.received_at).label("at")).group_by(n.c.sender)
        out = {}
        for r in self.db.query(q):
            at = as_utc(r["at"])
            if at is not None:
                out[str(r["sender"])] = at
        return out

    def last_event(self, event: str) -> dict[str, Any] | None:
        """The newest audit row of one event, or None."""
        a = tables.audit_log
        seq = self.db.query(select(func.max(a.c.seq).label("seq")).where(a.c.event == event))
        if not seq or seq[0]["seq"] is None:
            return None
        rows = self.db.query(select(a).where(a.c.seq == seq[0]["seq"]))
        return rows[0] if rows else None
