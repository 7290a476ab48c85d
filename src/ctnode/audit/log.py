"""Append-only audit log, hash-chained so that a rewritten or dropped entry is detectable.

Each entry's ``hash`` is SHA-256 over the previous entry's hash and the
canonical JSON of the entry's own fields. ``seq`` is the primary key and is
taken as ``max(seq) + 1`` inside the writing transaction, so two writers (threads
or processes, SQLite or PostgreSQL) cannot both append the same position: the
loser retries on the key conflict.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from ctnode.store import Store
from ctnode.store import schema as t
from ctnode.store.clock import as_utc, utcnow

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept (used for hashing and signing)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def format_ts(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ChainBroken(Exception):
    """The audit chain does not verify; ``seq`` is the first entry that fails."""

    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(f"audit chain broken at entry {seq}: {reason}")
        self.seq = seq
        self.reason = reason


@dataclass
class AuditEntry:
    """One audit record. Holds hashes and ids, not personal data, where the purpose allows."""

    seq: int
    at: datetime
    actor: str
    event: str
    purpose: str | None = None
    legal_basis: str | None = None
    case_ref: str | None = None
    query_hash: str | None = None
    result_ids: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": format_ts(self.at),
            "actor": self.actor,
            "event": self.event,
            "purpose": self.purpose,
            "legal_basis": self.legal_basis,
            "case_ref": self.case_ref,
            "query_hash": self.query_hash,
            "result_ids": list(self.result_ids),
            "detail": self.detail,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.body()).encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}


class AuditLog:
    """The node's audit log in the store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def append(
        self,
        event: str,
        actor: str,
        *,
        purpose: str | None = None,
        legal_basis: str | None = None,
        case_ref: str | None = None,
        query_hash: str | None = None,
        result_ids: list[str] | tuple[str, ...] = (),
        detail: dict[str, Any] | None = None,
        conn: Connection | None = None,
    ) -> AuditEntry:
        """Append one entry. With ``conn`` it joins that transaction (so it commits or rolls back with it)."""
        # Round-trip detail through JSON so the hashed form equals what the store gives back.
        detail_clean: dict[str, Any] = json.loads(canonical_json(detail or {}))
        for attempt in range(50):
            try:
                if conn is not None:
                    with conn.begin_nested():
                        return self._append(
                            conn,
                            event,
                            actor,
                            purpose,
                            legal_basis,
                            case_ref,
                            query_hash,
                            list(result_ids),
                            detail_clean,
                        )
                with self.store.begin() as own:
                    return self._append(
                        own,
                        event,
                        actor,
                        purpose,
                        legal_basis,
                        case_ref,
                        query_hash,
                        list(result_ids),
                        detail_clean,
                    )
            except IntegrityError:
                if attempt == 49:
                    raise
        raise AssertionError("unreachable")

    def _append(
        self,
        conn: Connection,
        event: str,
        actor: str,
        purpose: str | None,
        legal_basis: str | None,
        case_ref: str | None,
        query_hash: str | None,
        result_ids: list[str],
        detail: dict[str, Any],
    ) -> AuditEntry:
        last_seq, prev = _head(conn)
        seq = last_seq + 1
        # Microsecond precision survives both backends.
        entry = AuditEntry(
            seq=seq,
            at=utcnow(),
            actor=actor,
            event=event,
            purpose=purpose,
            legal_basis=legal_basis,
            case_ref=case_ref,
            query_hash=query_hash,
            result_ids=result_ids,
            detail=detail,
            prev_hash=prev,
        )
        entry.hash = entry.compute_hash()
        conn.execute(t.audit_log.insert().values(**asdict(entry)))  # one column per field
        return entry

    @staticmethod
    def _row(row: Any) -> AuditEntry:
        at = as_utc(row.at)
        assert at is not None
        return AuditEntry(
            seq=row.seq,
            at=at,
            actor=row.actor,
            event=row.event,
            purpose=row.purpose,
            legal_basis=row.legal_basis,
            case_ref=row.case_ref,
            query_hash=row.query_hash,
            result_ids=list(row.result_ids or []),
            detail=dict(row.detail or {}),
            prev_hash=row.prev_hash,
            hash=row.hash,
        )

    def entries(
        self,
        *,
        event: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after_seq: int = 0,
        limit: int | None = None,
    ) -> Iterator[AuditEntry]:
        q = select(t.audit_log).where(t.audit_log.c.seq > after_seq).order_by(t.audit_log.c.seq)
        if event:
            q = q.where(t.audit_log.c.event == event)
        if actor:
            q = q.where(t.audit_log.c.actor == actor)
        if since:
            q = q.where(t.audit_log.c.at >= since)
        if until:
            q = q.where(t.audit_log.c.at <= until)
        if limit:
            q = q.limit(limit)
        with self.store.engine.connect() as conn:
            for row in conn.execute(q):
                yield self._row(row)

    def head(self) -> tuple[int, str]:
        """(seq, hash) of the newest entry; (0, GENESIS) when empty."""
        with self.store.engine.connect() as conn:
            return _head(conn)

    def count(self) -> int:
        with self.store.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.audit_log)).scalar_one())

    def verify(self, checkpoints: list[tuple[int, str]] | None = None) -> int:
        """Check every link of the chain (and the given (seq, hash) checkpoints).

        Returns the number of entries verified; raises ``ChainBroken`` naming the
        first entry that fails: an edited entry (hash mismatch), a dropped or
        inserted one (sequence gap or broken link), or a checkpoint not matched.
        """
        want = dict(checkpoints or [])
        prev, expected_seq, n = GENESIS, 1, 0
        for entry in self.entries():
            if entry.seq != expected_seq:
                raise ChainBroken(
                    expected_seq, f"entry {expected_seq} is missing (next is {entry.seq})"
                )
            if entry.prev_hash != prev:
                raise ChainBroken(entry.seq, "link to the previous entry does not match")
            if entry.compute_hash() != entry.hash:
                raise ChainBroken(entry.seq, "entry content does not match its hash (edited)")
            if entry.seq in want and want.pop(entry.seq) != entry.hash:
                raise ChainBroken(entry.seq, "entry differs from the signed checkpoint")
            prev, expected_seq, n = entry.hash, expected_seq + 1, n + 1
        if want:
            missing = min(want)
            raise ChainBroken(missing, "checkpointed entry is missing (log truncated)")
        return n


def _head(conn: Connection) -> tuple[int, str]:
    row = conn.execute(
        select(t.audit_log.c.seq, t.audit_log.c.hash).order_by(t.audit_log.c.seq.desc()).limit(1)
    ).first()
    return (int(row.seq), str(row.hash)) if row else (0, GENESIS)
