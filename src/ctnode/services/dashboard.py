"""The dashboard: what a node did per day, and how healthy it is.

Per day (UTC), over ``days`` days: screens (single subjects and batch runs, from the audit
log), screenings that raised hits (the review queue), analysts' decisions by kind, and the
median time a person took to answer an incoming disclosure request. Health: each list's age
(and the coverage warnings), each peer and when it was last heard from, and the last signed
checkpoint of the audit chain. Reading it needs ``review`` (analysts and admins); nothing
personal is shown, so it is not audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from typing import Any

from ctnode.clock import as_utc, utcnow
from ctnode.errors import InvalidInput
from ctnode.model.access import Actor
from ctnode.model.decisions import DECISIONS
from ctnode.services.context import Context
from ctnode.services.screening.service import Screening

HEARD_RECENTLY = timedelta(hours=24)  # a peer heard from within this is shown as reachable


@dataclass(frozen=True, slots=True)
class Series:
    """One line of the dashboard: a value per day (``None``: nothing to measure that day)."""

    name: str
    days: list[date]
    values: list[float | None]


@dataclass(frozen=True, slots=True)
class Activity:
    days: list[date]
    counts: list[Series]  # screens, hits, one per decision
    disclosure_hours: Series  # median hours to answer an incoming request, per day answered


class Dashboard:
    """Activity and health of one node, for people."""

    def __init__(self, ctx: Context, screening: Screening) -> None:
        self.ctx = ctx
        self.screening = screening
        self.stats = ctx.store.stats

    def activity(self, actor: Actor, days: int = 14) -> Activity:
        self.ctx.require(actor, "review")
        if not 1 <= days <= 366:
            raise InvalidInput("days must be between 1 and 366")
        today = utcnow().date()
        span = [today - timedelta(days=days - 1 - i) for i in range(days)]
        since = datetime.combine(span[0], time(), UTC)
        per_day = self.stats.per_day(since)
        names = ("screens", "hits", *DECISIONS)
        counts = [Series(n, span, [float(per_day.get(n, {}).get(d.isoformat(), 0))
                                   for d in span]) for n in names]
        answered: dict[date, list[float]] = {}
        for asked, done in self.stats.disclosure_answers(since):
            answered.setdefault(done.date(), []).append((done - asked).total_seconds() / 3600)
        hours = Series("disclosure_hours", span,
                       [median(answered[d]) if d in answered else None for d in span])
        return Activity(span, counts, hours)

    def health(self, actor: Actor) -> dict[str, Any]:
        """Lists with their age, peers with when they were last heard from, the last signed
        checkpoint of the audit chain."""
        self.ctx.require(actor, "review")
        now = utcnow()
        coverage = self.screening.coverage()
        lists = []
        for d in self.ctx.store.entities.list_datasets():
            at = as_utc(d.get("imported_at"))
            lists.append({"name": d["name"], "title": d.get("title"), "imported_at": at,
                          "age_days": (now - at).days if at else None})
        heard = self.stats.last_heard()
        peers = []
        for p in self.ctx.store.federation.list_peers():
            last = heard.get(p["node_id"])
            peers.append({"node_id": p["node_id"], "organisation": p["organisation"],
                          "country": p["country"], "last_heard": last,
                          "reachable": last is not None and now - last <= HEARD_RECENTLY})
        row = self.stats.last_event("federation.checkpoint")
        checkpoint = None
        if row is not None:
            detail = row.get("detail") or {}
            checkpoint = {"seq": detail.get("seq"), "at": as_utc(row["at"]),
                          "age_entries": self.ctx.audit.head()[0] - int(detail.get("seq") or 0)}
        return {"lists": lists, "warnings": [w.message for w in coverage.warnings],
                "max_age_days": coverage.max_age_days, "peers": peers,
                "checkpoint": checkpoint}
