"""The audit log's rows: appended at ``max(seq) + 1`` inside the writing transaction, read
in order. Hashing and verification are ``ctnode.audit``'s; this module only stores.

``seq`` is the primary key, so two writers (threads or processes, SQLite or
PostgreSQL) cannot both append the same position: the loser retries on the key
conflict, with the new head.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from ctnode.store import schema as tables
from ctnode.store.contracts import AuditFilter
from ctnode.store.database import Database, rows

GENESIS = "0" * 64  # the previous hash of the first entry
RETRIES = 50


class SqlAudit:
    """Audit rows (``ctnode.store.contracts.AuditStore``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def append(
        self, make: Callable[[int, str], dict[str, Any]], conn: Connection | None = None
    ) -> dict[str, Any]:
        """Append the row ``make(seq, prev_hash)`` builds at the head. With ``conn`` it joins
        that transaction (and commits or rolls back with it); else it commits its own."""
        for attempt in range(RETRIES):
            try:
                if conn is not None:
                    with conn.begin_nested():
                        return self._append(conn, make)
                with self.db.begin() as own:
                    return self._append(own, make)
            except IntegrityError:
                if attempt == RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    def _append(conn: Connection, make: Callable[[int, str], dict[str, Any]]) -> dict[str, Any]:
        seq, prev = _head(conn)
        row = make(seq + 1, prev)
        conn.execute(tables.audit_log.insert().values(**row))
        return row

    def head(self) -> tuple[int, str]:
        """(seq, hash) of the newest row; (0, GENESIS) when empty."""
        with self.db.engine.connect() as conn:
            return _head(conn)

    def count(self) -> int:
        with self.db.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(tables.audit_log)).scalar_one())

    def entries(self, which: AuditFilter) -> Iterator[dict[str, Any]]:
        """Rows in ``seq`` order, filtered, streamed."""
        a = tables.audit_log
        q = select(a).where(a.c.seq > which.after_seq).order_by(a.c.seq)
        for column, value in ((a.c.event, which.event), (a.c.actor, which.actor)):
            if value:
                q = q.where(column == value)
        if which.since:
            q = q.where(a.c.at >= which.since)
        if which.until:
            q = q.where(a.c.at <= which.until)
        if which.limit:
            q = q.limit(which.limit)
        with self.db.engine.connect() as conn:
            for chunk in conn.execute(q).partitions(1000):
                yield from rows(chunk)


def _head(conn: Connection) -> tuple[int, str]:
    row = conn.execute(
        select(tables.audit_log.c.seq, tables.audit_log.c.hash).order_by(tables.audit_log.c.seq.desc()).limit(1)
    ).first()
    return (int(row.seq), str(row.hash)) if row else (0, GENESIS)
