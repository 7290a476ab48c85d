"""The console's people and sessions (``ctnode.store.contracts.UserStore``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from ctnode.errors import NotFound
from ctnode.store.database import Database
from ctnode.store.schema_users import console_sessions, console_users


class SqlUsers:
    """Accounts and sessions of the console."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add_user(self, conn: Connection, row: dict[str, Any]) -> None:
        conn.execute(console_users.insert().values(**row))

    def find_user(self, username: str) -> dict[str, Any] | None:
        found = self.db.query(select(console_users).where(console_users.c.username == username))
        return found[0] if found else None

    def get_user(self, user_id: str) -> dict[str, Any]:
        found = self.db.query(select(console_users).where(console_users.c.id == user_id))
        if not found:
            raise NotFound(f"no console user with id {user_id!r}")
        return found[0]

    def list_users(self) -> list[dict[str, Any]]:
        """Every account, by name, without password hash or TOTP secret."""
        cols = [c for c in console_users.c
                if c.name not in {"password_hash", "totp_secret", "totp_sealed"}]
        return self.db.query(select(*cols).order_by(console_users.c.username))

    def update_user(self, conn: Connection, user_id: str, values: dict[str, Any]) -> None:
        res = conn.execute(update(console_users).where(console_users.c.id == user_id)
                           .values(**values))
        if res.rowcount == 0:
            raise NotFound(f"no console user with id {user_id!r}")

    def add_session(self, conn: Connection, row: dict[str, Any]) -> None:
        conn.execute(console_sessions.insert().values(**row))

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        found = self.db.query(select(console_sessions)
                              .where(console_sessions.c.id == session_id))
        return found[0] if found else None

    def touch_session(self, session_id: str, now: datetime) -> None:
        with self.db.begin() as conn:
            conn.execute(update(console_sessions).where(console_sessions.c.id == session_id)
                         .values(last_seen=now))

    def list_sessions(self, user_id: str) -> list[dict[str, Any]]:
        """A person's sessions not revoked, newest first (ids are hashes, not tokens)."""
        return self.db.query(
            select(console_sessions).where(console_sessions.c.user_id == user_id)
            .where(console_sessions.c.revoked_at.is_(None))
            .order_by(console_sessions.c.created_at.desc())
        )

    def revoke_sessions(self, conn: Connection, *, by: str, now: datetime,
                        session_id: str | None = None, user_id: str | None = None) -> int:
        """Revoke one session, or every open session of a person; how many were revoked."""
        q = update(console_sessions).where(console_sessions.c.revoked_at.is_(None))
        if session_id is not None:
            q = q.where(console_sessions.c.id == session_id)
        if user_id is not None:
            q = q.where(console_sessions.c.user_id == user_id)
        return int(conn.execute(q.values(revoked_at=now, revoked_by=by)).rowcount)
