"""Refusals of callers nobody has authenticated, audited without letting them grow the log.

A stranger (no API key, a wrong one, an envelope from a node not in the directory or with a
signature that does not verify) can send as many requests as the network lets it. Auditing
each refusal as its own entry would let it grow the hash chain without bound; auditing none
would let it probe the node without a trace. The ledger does both halves:

- the first refusal of a minute for one (source address, reason, claimed identity) is an
  ordinary audit entry, written at once with its details;
- repeats in that minute are only counted, and when the minute is over one
  ``refusals.aggregated`` entry says how many there were per source, reason and claim.

At most ``max_keys`` distinct (source, reason, claim) triples are tracked a minute; beyond
that every further refusal is counted in one overflow bucket per reason (source ``*``), so
the log grows by at most about ``2 * max_keys`` entries a minute whatever a stranger sends.
The counts are flushed when the next minute's first refusal arrives, by the scheduler's
``refusals`` job, and when the node closes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ctnode.audit.events import EventName
from ctnode.clock import format_ts
from ctnode.model.access import Actor

Key = tuple[str, str, str]  # source, reason, claimed identity


@dataclass
class _Bucket:
    count: int = 0
    events: set[str] = field(default_factory=set)


class RefusalLedger:
    """Counts unauthenticated refusals per source, reason and claim, a minute at a time."""

    def __init__(
        self,
        record: Callable[..., Any],
        *,
        max_keys: int = 200,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._record = record
        self._max_keys = max_keys
        self._now = now
        self._lock = threading.Lock()
        self._minute = int(now() // 60)
        self._buckets: dict[Key, _Bucket] = {}

    def refused(
        self,
        event: EventName,
        *,
        source: str,
        reason: str,
        claimed: str,
        actor: Actor,
        detail: dict[str, Any],
    ) -> bool:
        """Note one refusal; returns True when it was written as its own audit entry."""
        pending = self._roll()
        key: Key = (source[:64], reason[:64], claimed[:130])
        with self._lock:
            if key not in self._buckets and len(self._buckets) >= self._max_keys:
                key = ("*", reason[:64], "*")  # the overflow: counted, never written one by one
                self._buckets.setdefault(key, _Bucket())
            bucket = self._buckets.get(key)
            first = bucket is None
            if bucket is None:
                self._buckets[key] = _Bucket(events={event})
            else:
                bucket.count += 1
                bucket.events.add(event)
        self._write(pending)
        if first:
            self._record(event, actor, detail={**detail, "source": key[0]})
        return first

    def flush(self, *, force: bool = False) -> int:
        """Write the counts of finished minutes (all of them with ``force``); returns the number
        of aggregate entries written."""
        pending = self._roll(force=force)
        self._write(pending)
        return len(pending)

    def _roll(self, *, force: bool = False) -> list[tuple[int, Key, _Bucket]]:
        minute = int(self._now() // 60)
        with self._lock:
            if minute == self._minute and not force:
                return []
            done = [(self._minute, k, b) for k, b in self._buckets.items() if b.count]
            self._buckets = {} if minute != self._minute else {
                k: _Bucket(count=0, events=set(b.events)) for k, b in self._buckets.items()
            }
            self._minute = minute
            return done

    def _write(self, pending: list[tuple[int, Key, _Bucket]]) -> None:
        for minute, (source, reason, claimed), bucket in pending:
            self._record(
                "refusals.aggregated",
                Actor(name=f"unverified:{claimed}"[:120], role="anonymous"),
                detail={
                    "minute": format_ts(_minute_start(minute)),
                    "source": source,
                    "reason": reason,
                    "claimed": claimed,
                    "repeats": bucket.count,
                    "events": sorted(bucket.events),
                },
            )


def _minute_start(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, tz=UTC)
