"""Screened messages (manifests, payment files) under the retention policy: the rows only.

What is kept and for how long is decided in ``ctnode.services.batches.retention``; this
module writes, masks and deletes the rows it is told to.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from ctnode.store.database import Database
from ctnode.store.schema_messages import travel_messages as m


class SqlMessages:
    """Screened messages (``ctnode.store.contracts.MessageStore``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add_message(self, row: dict[str, Any]) -> None:
        with self.db.begin() as conn:
            conn.execute(m.insert().values(**row))

    def get_message(self, message_id: str) -> dict[str, Any] | None:
        found = self.db.query(select(m).where(m.c.id == message_id))
        return found[0] if found else None

    def sweep(self, *, now: datetime, mask_before: datetime,
              mask: Callable[[bytes], str]) -> tuple[int, int]:
        """Delete rows past ``delete_after``; replace the raw form of those received before
        ``mask_before`` by ``mask(raw)``. Returns (masked, deleted)."""
        masked = 0
        with self.db.begin() as conn:
            deleted = conn.execute(delete(m).where(m.c.delete_after <= now)).rowcount or 0
            due = conn.execute(
                select(m.c.id, m.c.raw).where(m.c.raw.is_not(None), m.c.received_at <= mask_before)
            ).all()
            for row_id, raw in due:
                conn.execute(update(m).where(m.c.id == row_id).values(
                    raw=None, masked=mask(bytes(raw)), masked_at=now))
                masked += 1
        return masked, int(deleted)
