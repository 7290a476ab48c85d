"""The append-only, hash-chained audit log of a node.

Every action a service performs is recorded here, in the same transaction as the
action when there is one (``conn``), so an action and its entry commit or roll back
together. Entries hold hashes and ids, not the personal data queried.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable
from datetime import datetime
from typing import Any

from ctnode.audit.chain import AuditEntry, canonical_json, verify_chain
from ctnode.audit.events import EventName
from ctnode.audit.refusals import RefusalLedger
from ctnode.clock import utcnow
from ctnode.model.access import NO_PURPOSE, Actor, Purpose
from ctnode.store.contracts import AuditFilter, AuditStore, Tx


class AuditLog:
    """The node's audit log over the store's audit rows."""

    def __init__(self, store: AuditStore) -> None:
        self.store = store
        # Refusals of unauthenticated callers: first one a minute per source written, repeats counted.
        self.refusals = RefusalLedger(self.record)

    def record(
        self,
        event: EventName,
        actor: Actor,
        *,
        purpose: Purpose = NO_PURPOSE,
        query_hash: str | None = None,
        result_ids: Iterable[str] = (),
        detail: dict[str, Any] | None = None,
        conn: Tx | None = None,
    ) -> AuditEntry:
        """Append one entry. With ``conn`` it joins that transaction."""
        # Round-trip detail through JSON so the hashed form equals what the store gives back.
        detail_clean: dict[str, Any] = json.loads(canonical_json(detail or {}))
        ids = list(result_ids)

        def make(seq: int, prev_hash: str) -> dict[str, Any]:
            entry = AuditEntry(
                seq=seq, at=utcnow(), actor=actor.name, event=event, purpose=purpose.purpose,
                legal_basis=purpose.legal_basis, case_ref=purpose.case_ref,
                query_hash=query_hash, result_ids=ids, detail=detail_clean, prev_hash=prev_hash,
            )
            entry.hash = entry.compute_hash()
            return {**entry.row(), "hash": entry.hash}

        return AuditEntry.from_dict(self.store.append(make, conn))

    def entries(
        self,
        *,
        event: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after_seq: int = 0,
        limit: int | None = None,
    ) -> Generator[AuditEntry, None, None]:
        which = AuditFilter(event, actor, since, until, after_seq, limit)
        for row in self.store.entries(which):
            yield AuditEntry.from_dict(row)

    def head(self) -> tuple[int, str]:
        """(seq, hash) of the newest entry; (0, GENESIS) when empty."""
        return self.store.head()

    def count(self) -> int:
        return self.store.count()

    def verify(self, checkpoints: list[tuple[int, str]] | None = None) -> int:
        """Check every link of the chain (and the given (seq, hash) checkpoints); returns the
        number of entries verified; raises ``ChainBroken`` naming the first that fails."""
        entries = self.entries()
        try:
            return verify_chain(entries, checkpoints)
        finally:
            entries.close()  # a broken chain stops the read midway: give the connection back
