"""The console's file reports (``ctnode.store.contracts.FileReportStore``): who sent which
file, its status, and its report sealed with the node's data key (sealed and opened by
``services/batches/runs``; the store never sees it in clear)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from ctnode.store.database import Database
from ctnode.store.schema_users import console_file_reports as t

# The columns of a listing (never the sealed report).
_LISTED = [c for c in t.c if c.name != "report_sealed"]


class SqlFileReports:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add_report(self, row: dict[str, Any]) -> None:
        with self.db.begin() as conn:
            conn.execute(t.insert().values(**row))

    def finish_report(self, report_id: str, values: dict[str, Any]) -> None:
        with self.db.begin() as conn:
            conn.execute(update(t).where(t.c.id == report_id).values(**values))

    def get_report(self, report_id: str, *, sealed: bool = False) -> dict[str, Any] | None:
        """A report's row; with its sealed report only when asked (it can be megabytes)."""
        cols = list(t.c) if sealed else _LISTED
        found = self.db.query(select(*cols).where(t.c.id == report_id))
        return found[0] if found else None

    def reports_of(self, owner: str, limit: int) -> list[dict[str, Any]]:
        """An owner's reports, newest first, without the sealed report."""
        return self.db.query(select(*_LISTED).where(t.c.owner == owner)
                             .order_by(t.c.started_at.desc()).limit(limit))

    def delete_expired(self, now: datetime) -> int:
        """Delete every report whose retention ended; how many."""
        with self.db.begin() as conn:
            res = conn.execute(delete(t).where(t.c.expires_at <= now))
        return int(res.rowcount or 0)
