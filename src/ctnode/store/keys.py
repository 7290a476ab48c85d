"""API keys: a public id, a role, the biometric flag and a hash of the secret (never the secret).

The ``ctn_<id>_<secret>`` tokens themselves are made and checked in
``ctnode.services.access_tokens``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select, update

from ctnode.clock import utcnow
from ctnode.errors import NotFound
from ctnode.store import schema as tables
from ctnode.store.database import Database


class SqlKeys:
    """API keys (``ctnode.store.contracts.KeyStore``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add_key(self, conn: Connection, row: dict[str, Any]) -> None:
        """A key (``id``, ``name``, ``role``, ``biometric``, ``secret_hash``, ``created_by``)."""
        conn.execute(tables.api_keys.insert().values(**row, created_at=utcnow(), revoked_at=None))

    def get_key(self, key_id: str) -> dict[str, Any] | None:
        found = self.db.query(select(tables.api_keys).where(tables.api_keys.c.id == key_id))
        return found[0] if found else None

    def list_keys(self) -> list[dict[str, Any]]:
        """Every key, oldest first, without its secret hash."""
        cols = [c for c in tables.api_keys.c if c.name != "secret_hash"]
        return self.db.query(select(*cols).order_by(tables.api_keys.c.created_at))

    def revoke_key(self, conn: Connection, key_id: str) -> None:
        res = conn.execute(
            update(tables.api_keys)
            .where(tables.api_keys.c.id == key_id)
            .where(tables.api_keys.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        if res.rowcount == 0:
            raise NotFound(f"no active API key with id {key_id!r}")

    def touch_key(self, key_id: str, at: datetime, older_than: datetime) -> bool:
        """Record a use of the key at ``at`` unless one at or after ``older_than`` is on record
        already (one short write a minute a key, whatever the number of requests)."""
        c = tables.api_keys.c
        with self.db.begin() as conn:
            res = conn.execute(
                update(tables.api_keys)
                .where(c.id == key_id)
                .where(or_(c.last_used_at.is_(None), c.last_used_at < older_than))
                .values(last_used_at=at)
            )
        return bool(res.rowcount)
