"""Screenings with reportable hits (the review queue), analyst decisions, and API keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from ctnode.errors import NotFound
from ctnode.store import schema as t
from ctnode.store.clock import as_utc, utcnow


class ReviewStore:
    """Mixin for ``Store``: screenings, decisions, keys."""

    engine: Engine

    # -- screenings -------------------------------------------------------------

    def add_screening(
        self,
        conn: Connection,
        *,
        actor: str,
        source: str,
        subject_key: str,
        query_hash: str,
        purpose: str | None,
        case_ref: str | None,
        hits: list[dict[str, Any]],
    ) -> str:
        sid = str(uuid.uuid4())
        conn.execute(
            t.screenings.insert().values(
                id=sid,
                at=utcnow(),
                actor=actor,
                source=source,
                subject_key=subject_key,
                query_hash=query_hash,
                purpose=purpose,
                case_ref=case_ref,
                hits=hits,
                reviewed=False,
            )
        )
        return sid

    def add_screenings(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Many review-queue rows at once (ids chosen by the caller)."""
        if rows:
            at = utcnow()
            conn.execute(t.screenings.insert(), [{**r, "at": at, "reviewed": False} for r in rows])

    def get_screening(self, screening_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.screenings).where(t.screenings.c.id == screening_id)
            ).first()
        if row is None:
            raise NotFound(f"no screening with id {screening_id!r}")
        return {**dict(row._mapping), "at": as_utc(row.at)}

    def list_screenings(
        self, *, reviewed: bool | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        q = select(t.screenings).order_by(t.screenings.c.at.desc()).limit(limit)
        if reviewed is not None:
            q = q.where(t.screenings.c.reviewed == reviewed)
        with self.engine.connect() as conn:
            return [{**dict(r._mapping), "at": as_utc(r.at)} for r in conn.execute(q)]

    # -- decisions --------------------------------------------------------------

    def add_decision(
        self,
        conn: Connection,
        *,
        entity_id: str,
        subject_key: str,
        screening_id: str | None,
        decision: str,
        comment: str,
        actor: str,
    ) -> str:
        did = str(uuid.uuid4())
        at = utcnow()
        conn.execute(
            t.decisions.insert().values(
                id=did,
                entity_id=entity_id,
                subject_key=subject_key,
                screening_id=screening_id,
                decision=decision,
                comment=comment,
                actor=actor,
                at=at,
            )
        )
        conn.execute(
            t.entity_events.insert().values(
                entity_id=entity_id,
                at=at,
                kind="decision",
                import_id=None,
                detail={
                    "decision_id": did,
                    "decision": decision,
                    "comment": comment,
                    "actor": actor,
                    "screening_id": screening_id,
                },
            )
        )
        if screening_id is not None:
            conn.execute(
                update(t.screenings).where(t.screenings.c.id == screening_id).values(reviewed=True)
            )
        return did

    def latest_decisions(self, subject_key: str) -> dict[str, dict[str, Any]]:
        """The newest decision per entity for one subject (query identity)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.decisions)
                .where(t.decisions.c.subject_key == subject_key)
                .order_by(t.decisions.c.at)
            ).all()
        return {r.entity_id: {**dict(r._mapping), "at": as_utc(r.at)} for r in rows}

    def decisions_for_entity(self, entity_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.decisions)
                .where(t.decisions.c.entity_id == entity_id)
                .order_by(t.decisions.c.at)
            ).all()
        return [{**dict(r._mapping), "at": as_utc(r.at)} for r in rows]

    # -- API keys ---------------------------------------------------------------

    def add_key(
        self,
        conn: Connection,
        *,
        key_id: str,
        name: str,
        role: str,
        biometric: bool,
        secret_hash: str,
        created_by: str,
    ) -> None:
        conn.execute(
            t.api_keys.insert().values(
                id=key_id,
                name=name,
                role=role,
                biometric=biometric,
                secret_hash=secret_hash,
                created_at=utcnow(),
                created_by=created_by,
                revoked_at=None,
            )
        )

    def get_key(self, key_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.api_keys).where(t.api_keys.c.id == key_id)).first()
        return dict(row._mapping) if row else None

    def list_keys(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.api_keys).order_by(t.api_keys.c.created_at)).all()
        out = []
        for r in rows:
            d = dict(r._mapping)
            d.pop("secret_hash")
            d["created_at"] = as_utc(d["created_at"])
            d["revoked_at"] = as_utc(d["revoked_at"])
            out.append(d)
        return out

    def revoke_key(self, conn: Connection, key_id: str, at: datetime | None = None) -> None:
        res = conn.execute(
            update(t.api_keys)
            .where(t.api_keys.c.id == key_id)
            .where(t.api_keys.c.revoked_at.is_(None))
            .values(revoked_at=at or utcnow())
        )
        if res.rowcount == 0:
            raise NotFound(f"no active API key with id {key_id!r}")
