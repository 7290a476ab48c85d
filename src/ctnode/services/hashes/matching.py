"""Hash on the node and match against the banks; every match a hit a person decides on.

Hashing reads a file (or an upload), computes every hash that applies and keeps none of
the content (``ctnode.hashes.hasher``). Matching takes a hash or a file; each hit in a
``content`` bank is stored for review (confirmed / not terrorist content / unsure) with
its distance, bank, labels and explanation. Hits in a ``benign`` bank are returned apart
and count against the content hashes matched beside them.

**Flood protection**: a hash whose hits analysts keep marking *not terrorist content*,
or that keeps matching beside a known-benign hash, reaches ``CTNODE_HASH_FLOOD_COUNT``
and is quarantined on this node (kept, no longer matched), audited with its publisher.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ctnode.clock import utcnow
from ctnode.errors import Conflict, InvalidInput
from ctnode.hashes import hasher
from ctnode.hashes.model import (
    BankKind,
    FileHashes,
    HashDecision,
    HashRecord,
    MatchHit,
    RecordStatus,
    SignalType,
    vpdq_to_value,
)
from ctnode.hashes.signals import pdq
from ctnode.model.access import Actor
from ctnode.model.records import attrs_of
from ctnode.services.context import Context
from ctnode.services.hashes.index import HashIndex
from ctnode.store.contracts import Tx


def hashes_dict(fh: FileHashes) -> dict[str, Any]:
    """A hashed file as the API and CLI show it (never any content)."""
    return {
        "name": fh.name,
        "size": fh.size,
        "content_type": fh.content_type.value,
        "md5": fh.md5,
        "sha256": fh.sha256,
        "pdq": None
        if fh.pdq is None
        else {"value": fh.pdq.value, "quality": fh.pdq.quality, "crops": dict(fh.pdq.crops)},
        "vpdq": None if not fh.vpdq else {"frames": len(fh.vpdq), "value": vpdq_to_value(fh.vpdq)},
        "notes": list(fh.notes),
    }


def hit_dict(hit: MatchHit, hit_id: str | None = None) -> dict[str, Any]:
    """One hit with its explanation: the record matched (with provenance), how far, which bank."""
    out: dict[str, Any] = {"hit_id": hit_id, **hit.record.as_dict()}
    if hit.record.signal_type is SignalType.VPDQ:
        out["value"] = None  # a frame list; the record id names it
    out.update(
        bank_kind=hit.bank.kind.value,
        **attrs_of(hit, "distance", "threshold", "variant", "query_match_percent",
                   "compared_match_percent", "low_quality_query", "explanation"),
    )
    return out


@dataclass(slots=True)
class MatchResult:
    """Hits to review (with their ids), benign matches, the file's hashes when a file was given."""

    hits: list[tuple[str, MatchHit]] = field(default_factory=list)
    benign: list[MatchHit] = field(default_factory=list)
    hashes: FileHashes | None = None
    quarantined: list[str] = field(default_factory=list)  # record ids quarantined by this query

    def as_dict(self) -> dict[str, Any]:
        return {
            "hashes": None if self.hashes is None else hashes_dict(self.hashes),
            "hits": [hit_dict(h, hid) for hid, h in self.hits],
            "benign": [hit_dict(h) for h in self.benign],
            "quarantined": self.quarantined,
        }


#: Told after a commit: ("hit" | "quarantine", the records concerned).
NoticeListener = Callable[[str, list[HashRecord]], object]


class HashMatching:
    """Hashing, matching, hits and decisions of one node."""

    def __init__(self, ctx: Context, index: HashIndex) -> None:
        self.ctx = ctx
        self.index = index
        self.store = ctx.store.hashes
        self._listeners: list[NoticeListener] = []
        s = ctx.settings
        self.options = hasher.HashOptions(max_bytes=s.hash_max_file_bytes, video=s.hash_video)
        # a query needs only the crops it is searched with (a caption bar cut off)
        self.query_options = replace(self.options, pdq_crops=pdq.QUERY_CROPS)

    def on_notice(self, listener: NoticeListener) -> None:
        """Call ``listener`` after hits and quarantines (the federation tells publishers)."""
        self._listeners.append(listener)

    def _notify(self, kind: str, records: list[HashRecord]) -> None:
        if records:
            for listener in self._listeners:
                listener(kind, records)

    # -- hashing --------------------------------------------------------------------------

    def hash_files(self, actor: Actor, paths: Iterable[Path]) -> list[FileHashes]:
        """Every hash of each file; nothing of the content is kept. One audit entry."""
        self.ctx.require(actor, "hashes.hash")
        out = [hasher.hash_file(p, self.options) for p in paths]
        self._audit_hashing(actor, out)
        return out

    def hash_bytes(self, actor: Actor, data: bytes, name: str) -> FileHashes:
        self.ctx.require(actor, "hashes.hash")
        out = hasher.hash_bytes(data, name, self.options)
        self._audit_hashing(actor, [out])
        return out

    def _audit_hashing(self, actor: Actor, done: list[FileHashes]) -> None:
        kinds: dict[str, int] = {}
        for fh in done:
            kinds[fh.content_type.value] = kinds.get(fh.content_type.value, 0) + 1
        self.ctx.audit.record(
            "hashes.hash",
            actor,
            result_ids=[fh.sha256 for fh in done][:1000],
            detail={"files": len(done), "content_types": kinds},
        )

    # -- matching -------------------------------------------------------------------------

    def match_value(
        self,
        actor: Actor,
        signal_type: SignalType,
        value: str,
        banks: list[str] | None = None,
    ) -> MatchResult:
        """Hits for one hash given as text (a partner's, or from ``ctnode hashes hash``)."""
        self.ctx.require(actor, "hashes.match")
        hits = self.index.current().match_value(signal_type, value, banks=banks)
        clean = value.strip().lower() if signal_type is not SignalType.VPDQ else value
        return self._record(actor, hits, {signal_type: clean}, None)

    def match_file(self, actor: Actor, path: Path, banks: list[str] | None = None) -> MatchResult:
        self.ctx.require(actor, "hashes.match")
        return self._match_hashes(actor, hasher.hash_file(path, self.query_options), banks)

    def match_bytes(
        self, actor: Actor, data: bytes, name: str, banks: list[str] | None = None
    ) -> MatchResult:
        self.ctx.require(actor, "hashes.match")
        return self._match_hashes(actor, hasher.hash_bytes(data, name, self.query_options), banks)

    def _match_hashes(self, actor: Actor, fh: FileHashes, banks: list[str] | None) -> MatchResult:
        hits = self.index.current().match_hashes(fh, banks=banks)
        return self._record(actor, hits, fh.signals(), fh)

    def _record(
        self,
        actor: Actor,
        found: list[MatchHit],
        query: dict[SignalType, str],
        fh: FileHashes | None,
    ) -> MatchResult:
        result = MatchResult(hashes=fh)
        result.benign = [h for h in found if h.bank.kind is BankKind.BENIGN]
        content = [h for h in found if h.bank.kind is not BankKind.BENIGN]
        keys = self.store.find_records([h.record.record_id for h in content])
        now = utcnow()
        rows: list[dict[str, Any]] = []
        hit_keys = sorted({keys[h.record.record_id][0] for h in content})
        for hit in content:
            hit_id = str(uuid.uuid4())
            result.hits.append((hit_id, hit))
            rows.append(
                {
                    "id": hit_id,
                    "record_key": keys[hit.record.record_id][0],
                    "record_id": hit.record.record_id,
                    "bank": hit.bank.name,
                    "query_signal": hit.query_signal.value,
                    "query_hash": query.get(hit.query_signal, ""),
                    "distance": hit.distance,
                    "threshold": hit.threshold,
                    "variant": hit.variant,
                    "explanation": hit.explanation,
                    "actor": actor.name,
                    "at": now,
                }
            )
        quarantined: list[int] = []
        with self.ctx.store.begin() as conn:
            self.store.add_hits(conn, rows)
            if result.benign and rows:
                self.store.add_benign(conn, hit_keys)
                quarantined = self._flood(conn, actor, hit_keys, "matched beside a benign hash")
            self.ctx.audit.record(
                "hashes.match",
                actor,
                conn=conn,
                query_hash=self.ctx.keyed_hash(sorted((k.value, v) for k, v in query.items())),
                result_ids=[hid for hid, _ in result.hits],
                detail={
                    "signals": sorted(k.value for k in query),
                    "records": [h.record.record_id for _, h in result.hits],
                    "benign": [h.record.record_id for h in result.benign],
                },
            )
        self._quarantine_done(quarantined, result.quarantined)
        self._notify("hit", [h.record for _, h in result.hits])
        return result

    # -- review ---------------------------------------------------------------------------

    def list_hits(
        self,
        actor: Actor,
        *,
        decided: bool | None = False,
        bank: str | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """Hits for review, newest first (undecided by default)."""
        self.ctx.require(actor, "hashes.review")
        return self.store.list_hits(decided=decided, bank=bank, limit=limit)

    def decide(self, actor: Actor, hit_id: str, decision: str, comment: str) -> dict[str, Any]:
        """A person's decision on a hit. *Not terrorist content* counts towards flood protection."""
        self.ctx.require(actor, "hashes.review")
        try:
            chosen = HashDecision(decision)
        except ValueError:
            known = ", ".join(d.value for d in HashDecision)
            raise InvalidInput(f"decision must be one of {known}") from None
        if not comment.strip():
            raise InvalidInput("a decision needs a comment")
        hit = self.store.get_hit(hit_id)
        if hit["decision"] is not None:
            raise Conflict(f"hit {hit_id} was decided already ({hit['decision']})")
        quarantined: list[int] = []
        with self.ctx.store.begin() as conn:
            self.store.decide_hit(
                conn, hit_id, decision=chosen.value, comment=comment.strip(), actor=actor.name
            )
            self.ctx.audit.record(
                "hashes.decision",
                actor,
                conn=conn,
                result_ids=[hit_id],
                detail={
                    "decision": chosen.value,
                    "record_id": hit["record_id"],
                    "bank": hit["bank"],
                },
            )
            if chosen is HashDecision.NOT_TERRORIST_CONTENT:
                quarantined = self._flood(
                    conn, actor, [hit["record_key"]], "marked not terrorist content"
                )
        done: list[str] = []
        self._quarantine_done(quarantined, done)
        return {**self.store.get_hit(hit_id), "quarantined": done}

    # -- flood protection -----------------------------------------------------------------

    def _flood(self, conn: Tx, actor: Actor, keys: list[int], why: str) -> list[int]:
        """Quarantine the active records among ``keys`` that reached the flood count."""
        limit = self.ctx.settings.hash_flood_count
        if limit <= 0 or not keys:
            return []
        counts = self.store.flood_counts(conn, keys)
        matcher = self.index.current()
        over = []
        for key in keys:
            rec = matcher.record(key)
            if (
                rec is not None
                and rec.status is RecordStatus.ACTIVE
                and counts.get(key, 0) >= limit
            ):
                over.append(key)
        if not over:
            return []
        self.store.set_status(conn, over, RecordStatus.QUARANTINED, actor.name)
        recs = [r for r in (matcher.record(k) for k in over) if r is not None]
        self.ctx.audit.record(
            "hashes.quarantine",
            actor,
            conn=conn,
            result_ids=[r.record_id for r in recs],
            detail={
                "reason": why,
                "count": limit,
                "publishers": sorted({r.provenance.source for r in recs}),
            },
        )
        return over

    def _quarantine_done(self, keys: list[int], record_ids: list[str]) -> None:
        if not keys:
            return
        matcher = self.index.current()
        recs = [r for r in (matcher.record(k) for k in keys) if r is not None]
        record_ids.extend(r.record_id for r in recs)
        self.index.set_status(keys, RecordStatus.QUARANTINED)
        self._notify("quarantine", recs)
