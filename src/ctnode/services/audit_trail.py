"""Reading the audit log: for admins only, and its chain verified on request."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from ctnode.audit.chain import AuditEntry
from ctnode.model.access import Actor
from ctnode.services.context import Context


class AuditTrail:
    """The audit log as an admin reads and checks it."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.log = ctx.audit

    def entries(self, actor: Actor, *, event: str | None = None, who: str | None = None,
                since: datetime | None = None, until: datetime | None = None,
                after_seq: int = 0, limit: int | None = None) -> Iterator[AuditEntry]:
        """Entries in order (hash-chained), filtered by event, actor (``who``) and time."""
        self.ctx.require(actor, "audit")
        return self.log.entries(event=event, actor=who, since=since, until=until,
                                after_seq=after_seq, limit=limit)

    def export(self, actor: Actor, *, fmt: str, event: str | None = None,
               who: str | None = None, since: datetime | None = None,
               until: datetime | None = None) -> Iterator[AuditEntry]:
        """The entries of a filter for download (``fmt`` csv or jsonl), the export itself
        audited first (``audit.export``: the filter and the format, not the entries)."""
        self.ctx.require(actor, "audit")
        self.log.record("audit.export", actor, detail={
            "format": fmt, "event": event, "actor": who,
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None})
        return self.log.entries(event=event, actor=who, since=since, until=until)

    def head(self, actor: Actor) -> tuple[int, str]:
        self.ctx.require(actor, "audit")
        return self.log.head()

    def verify(self, actor: Actor) -> tuple[int, int, str]:
        """Verify the whole chain: (entries, head seq, head hash); ``ChainBroken`` names the
        first entry at fault."""
        self.ctx.require(actor, "audit")
        n = self.log.verify()
        return (n, *self.log.head())
