"""The hash chain: the canonical form of an entry, its hash, and the one verify loop.

Each entry's ``hash`` is SHA-256 over the canonical JSON of its fields, which include
the previous entry's hash. :func:`verify_chain` is the one check of a chain, used by
the node's own log (``AuditLog.verify``) and by anyone holding an exported log and the
node's signed checkpoints (``ctnode audit verify-export``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import orjson

from ctnode.clock import as_utc, format_ts, parse_ts
from ctnode.errors import InvalidInput
from ctnode.store.audit import GENESIS

__all__ = ["GENESIS", "AuditEntry", "ChainBroken", "canonical_json", "canonical_text_json",
           "verify_chain"]


def canonical_json(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept (used for hashing and signing)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_text_json(value: dict[str, str | list[str]]) -> bytes:
    """``canonical_json(value).encode()`` for an object whose values are strings or lists of
    strings (a screened subject's identity, hashed for every query of a batch): orjson
    writes the same bytes for these (keys sorted, no spaces, UTF-8 kept, the same escapes:
    ``"``, ``\\`` and the control characters, checked for every code point by
    tests/audit/test_canonical_json.py), in a tenth of the time. A string it refuses (a lone
    surrogate) goes the json module's way, which raises as before."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return canonical_json(value).encode()


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
        """What is hashed: every field but the hash, the time in its one text form."""
        return {**self.row(), "at": format_ts(self.at), "result_ids": list(self.result_ids)}

    def row(self) -> dict[str, Any]:
        """The fields as stored (one column each), without the hash."""
        out = asdict(self)
        out.pop("hash")
        return out

    def compute_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.body()).encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditEntry:
        """An entry from a stored row or an exported line (``to_dict``)."""
        try:
            at = data["at"]
            return cls(
                seq=int(data["seq"]),
                at=as_utc(at) if isinstance(at, datetime) else parse_ts(str(at)),  # type: ignore[arg-type]
                actor=data["actor"],
                event=data["event"],
                purpose=data.get("purpose"),
                legal_basis=data.get("legal_basis"),
                case_ref=data.get("case_ref"),
                query_hash=data.get("query_hash"),
                result_ids=list(data.get("result_ids") or []),
                detail=dict(data.get("detail") or {}),
                prev_hash=data["prev_hash"],
                hash=data["hash"],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(f"not an audit entry: {exc}") from None


def verify_chain(entries: Iterable[AuditEntry], checkpoints: list[tuple[int, str]] | None = None
                 ) -> int:
    """Check every link of a chain, from its first entry, and each (seq, hash) checkpoint.

    Returns the number of entries verified; raises ``ChainBroken`` naming the first
    entry that fails: an edited entry (hash mismatch), a dropped or inserted one
    (sequence gap or broken link), or a checkpoint not matched (a rewritten, even
    re-chained, or truncated history).
    """
    want = dict(checkpoints or [])
    prev, expected, n = GENESIS, 1, 0
    for entry in entries:
        if entry.seq != expected:
            raise ChainBroken(expected, f"entry {expected} is missing (next is {entry.seq})")
        if entry.prev_hash != prev:
            raise ChainBroken(entry.seq, "link to the previous entry does not match")
        if entry.compute_hash() != entry.hash:
            raise ChainBroken(entry.seq, "entry content does not match its hash (edited)")
        if entry.seq in want and want.pop(entry.seq) != entry.hash:
            raise ChainBroken(entry.seq, "entry differs from the signed checkpoint")
        prev, expected, n = entry.hash, expected + 1, n + 1
    if want:
        raise ChainBroken(min(want), "checkpointed entry is missing (log truncated)")
    return n
