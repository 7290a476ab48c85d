"""The node's one content-hash matcher, kept in step with the store.

PDQ is indexed by a faiss flat scan by default (``CTNODE_HASH_PDQ_INDEX=flat``): no build
time, 32 bytes a hash, and on clustered banks faster than multi-index hashing at 10M
hashes (docs/benchmarks.md); ``mih`` suits large, diverse banks on a long-lived server;
``cluster`` (``ClusterPdqIndex``: near-duplicate clusters behind pivots, the rest in MIH) is
for millions of hashes with many near-duplicates, at the price of a build at start.

Writes made through this node's services update the matcher in place (no rebuild).
Writes made by another process on the same store (``ctnode hashes ...`` while the
server runs) are noticed through the store's change mark, read before every match:
the matcher is then rebuilt from the store. The mark is index-served (newest key,
newest change time, bank count), so checking it costs two small queries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from ctnode.hashes.index import ClusterPdqIndex, FaissFlatIndex, FaissMihIndex, PdqIndex
from ctnode.hashes.matcher import HashMatcher
from ctnode.hashes.model import Bank, HashRecord, RecordStatus
from ctnode.store.contracts import HashStore


class HashIndex:
    """A ``HashMatcher`` over the store's banks and records, built on first use."""

    def __init__(self, store: HashStore, pdq_index: str = "flat") -> None:
        self.store = store
        self._pdq_index: Callable[[], PdqIndex] = {
            "mih": FaissMihIndex,
            "cluster": ClusterPdqIndex,
        }.get(pdq_index, FaissFlatIndex)
        # vPDQ frames stay in a flat or MIH index (a video's frames are its own near-duplicates)
        self._frame_index: Callable[[], PdqIndex] = (
            FaissMihIndex if pdq_index == "mih" else FaissFlatIndex
        )
        self._matcher: HashMatcher | None = None
        self._mark: tuple[int, str, str] | None = None
        self._lock = threading.RLock()

    def current(self) -> HashMatcher:
        """The matcher, rebuilt first when the store changed behind this process's back."""
        with self._lock:
            mark = self.store.change_mark()
            if self._matcher is None or mark != self._mark:
                self._matcher = self._build()
                self._mark = mark
            return self._matcher

    def prepare(self) -> int:
        """Build now (the server does this at start); returns the number of records."""
        return len(self.current())

    def _build(self) -> HashMatcher:
        matcher = HashMatcher(pdq_index=self._pdq_index, vpdq_frame_index=self._frame_index)
        for bank in self.store.list_banks():
            matcher.put_bank(bank)
        batch: list[tuple[int, HashRecord]] = []
        for item in self.store.iter_records():
            batch.append(item)
            if len(batch) >= 50_000:
                matcher.add(batch)
                batch = []
        matcher.add(batch)
        matcher.settle()
        return matcher

    # -- in-place updates after this process's own committed writes ---------------------------

    def _after(self) -> None:
        """Take the store's new mark as seen (our own write is already in the matcher)."""
        self._mark = self.store.change_mark()

    def put_bank(self, bank: Bank) -> None:
        with self._lock:
            if self._matcher is not None:
                self._matcher.put_bank(bank)
                self._after()

    def drop_bank(self, name: str) -> None:
        with self._lock:
            if self._matcher is not None:
                self._matcher.drop_bank(name)
                self._after()

    def add(self, items: list[tuple[int, HashRecord]]) -> None:
        with self._lock:
            if self._matcher is not None:
                self._matcher.add(items)
                self._after()

    def set_status(self, keys: Iterable[int], status: RecordStatus) -> None:
        with self._lock:
            if self._matcher is not None:
                for key in keys:
                    if self._matcher.record(key) is not None:
                        self._matcher.set_status(key, status)
                self._after()
