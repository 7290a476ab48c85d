"""Signed audit checkpoints, and verification of an exported audit log away from the node.

A checkpoint is ``{node_id, seq, hash, at}`` signed with the node's key: the audit
chain's head at a time. Whoever holds checkpoints (a partner, an oversight body)
and the node's exported log (``ctnode audit export``) can check, without access
to the node, that every entry hashes correctly, links to the one before, and that
each checkpointed entry still has the hash that was signed: a rewritten (even
re-chained), dropped or truncated history fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ctnode.audit.log import GENESIS, AuditEntry, ChainBroken
from ctnode.errors import InvalidInput
from ctnode.federation.identity import verify_payload

CHECKPOINT_FIELDS = ("node_id", "seq", "hash", "at")


def checkpoint_payload(cp: dict[str, Any]) -> dict[str, Any]:
    return {k: cp.get(k) for k in CHECKPOINT_FIELDS}


def check_signatures(
    checkpoints: Iterable[dict[str, Any]], *, node_id: str, public_key: str
) -> list[tuple[int, str]]:
    """(seq, hash) of each checkpoint, after checking it is ``node_id``'s, signed by its key."""
    pairs = []
    for cp in checkpoints:
        payload = checkpoint_payload(cp)
        if payload["node_id"] != node_id or not verify_payload(
            public_key, payload, str(cp.get("signature"))
        ):
            raise InvalidInput(
                f"checkpoint at seq {cp.get('seq')} is not signed by {node_id}'s key"
            )
        pairs.append((int(payload["seq"]), str(payload["hash"])))
    return pairs


def entry_from_export(data: dict[str, Any]) -> AuditEntry:
    try:
        return AuditEntry(
            seq=int(data["seq"]),
            at=datetime.fromisoformat(str(data["at"]).replace("Z", "+00:00")),
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
        raise InvalidInput(f"not an exported audit entry: {exc}") from None


def verify_export(lines: Iterable[str], checkpoints: list[tuple[int, str]]) -> int:
    """Verify an exported log (JSON lines) against checkpoints; returns the entries checked."""
    want = dict(checkpoints)
    prev, expected, n = GENESIS, 1, 0
    for line in lines:
        if not line.strip():
            continue
        entry = entry_from_export(json.loads(line))
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
