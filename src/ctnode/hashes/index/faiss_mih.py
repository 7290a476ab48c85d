"""Fast PDQ indexes on faiss binary indexes.

``FaissMihIndex`` (the default): multi-index hashing, ``faiss.IndexBinaryMultiHash``
with *w* tables (default 12) of ``256 // w`` bits (21; the last 4 bits are only verified).
For a threshold *t* it probes every bucket within ``t // w`` bit flips of each query word;
since *w* words each differing by more than ``t // w`` bits would make more than *t* bits
in all, nothing within *t* is missed, and faiss verifies every candidate's full distance.
Query time grows with the number of candidates, not with the bank. python-threatexchange's
``PDQIndex`` uses the same structure with 16 words of 16 bits; on hashes of real and
generated pictures (which share many bits, so 16-bit buckets get crowded) 12 words of 21
bits were several times faster (docs/benchmarks.md).

``FaissFlatIndex``: ``faiss.IndexBinaryFlat``, an exhaustive SIMD scan; no build cost,
linear query time. Useful below ~100,000 hashes and as a second opinion.

Both keep the caller's integer ids beside faiss's row numbers. ``remove`` marks rows
dead (they are skipped at once); ``compact`` rewrites the index without them, which
``remove`` does by itself once a quarter of the rows are dead.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from ctnode.hashes.index._arrays import Growing

BITS = 256
#: Searches of up to this many hashes run on one thread (see ``search``).
SINGLE_THREAD_QUERIES = 64
COMPACT_AT = 0.25


@cache
def faiss_module() -> Any:
    """faiss, imported on first use (0.08 s of CPU): a process that builds no PDQ index (a
    name screen, a server before its warm-up) does not load it."""
    import faiss

    return faiss


class _FaissPdqBase:
    def __init__(self) -> None:
        self._index: Any = self._new_index()
        self._ids = Growing(np.int64, ())
        self._alive = Growing(np.bool_, ())
        self._dead = 0

    def _new_index(self) -> Any:
        raise NotImplementedError

    def _prepare(self, threshold: int) -> None:
        """Set per-search parameters (MIH: how many bits to flip per word)."""

    def _stored_rows(self) -> npt.NDArray[np.uint8]:
        raise NotImplementedError

    def add(self, ids: npt.NDArray[np.int64], hashes: npt.NDArray[np.uint8]) -> None:
        if len(ids) != len(hashes):
            raise ValueError("ids and hashes differ in length")
        if len(ids) == 0:
            return
        rows = np.ascontiguousarray(hashes, dtype=np.uint8).reshape(len(hashes), 32)
        self._index.add(rows)
        self._ids.extend(np.asarray(ids, dtype=np.int64))
        self._alive.extend(np.ones(len(rows), dtype=np.bool_))

    def remove(self, ids: Iterable[int]) -> int:
        wanted = np.fromiter(ids, dtype=np.int64)
        if len(wanted) == 0:
            return 0
        hit = np.isin(self._ids.view(), wanted) & self._alive.view()
        self._alive.view()[hit] = False
        count = int(hit.sum())
        self._dead += count
        if len(self._ids) and self._dead > COMPACT_AT * len(self._ids):
            self.compact()
        return count

    def compact(self) -> None:
        """Rebuild without the removed rows (the only full rebuild, and only after many removals)."""
        alive = self._alive.view().copy()
        rows = self._stored_rows()[alive]
        ids = self._ids.view()[alive]
        self._index = self._new_index()
        self._ids = Growing(np.int64, ())
        self._alive = Growing(np.bool_, ())
        self._dead = 0
        self.add(ids, rows)

    def search(self, queries: npt.NDArray[np.uint8], threshold: int) -> list[list[tuple[int, int]]]:
        q = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, 32)
        if len(self._ids) == 0 or len(q) == 0:
            return [[] for _ in range(len(q))]
        self._prepare(threshold)
        if len(q) <= SINGLE_THREAD_QUERIES:
            # A query or a file's 8 variants: one OpenMP thread. faiss otherwise spreads one
            # query over every core, and on a busy server the threads' start-up and spinning
            # cost 50-100x the search itself (measured: 0.03 ms vs 76-105 ms, 10,000 hashes).
            # The setting is per calling thread in OpenMP, so other faiss users keep theirs.
            faiss_module().omp_set_num_threads(1)
        lims, dist, rows = self._index.range_search(
            q, threshold + 1
        )  # faiss: strictly below the radius
        ids = self._ids.view()
        alive = self._alive.view()
        out = []
        for i in range(len(q)):
            r = rows[lims[i] : lims[i + 1]]
            d = dist[lims[i] : lims[i + 1]].astype(np.int64)
            keep = alive[r]
            found = sorted(zip(d[keep].tolist(), ids[r[keep]].tolist(), strict=True))
            out.append([(ident, dd) for dd, ident in found])
        return out

    def __len__(self) -> int:
        return len(self._ids) - self._dead

    def memory_bytes(self) -> int:
        """Bytes held in our own arrays (faiss's share is measured by the benchmark)."""
        return self._ids.nbytes + self._alive.nbytes


class FaissMihIndex(_FaissPdqBase):
    """Multi-index hashing: exact range search whose cost follows the candidates, not the bank."""

    def __init__(self, words: int = 12) -> None:
        if not 2 <= words <= 64:
            raise ValueError("words must be 2-64")
        self.words = words
        super().__init__()

    def _new_index(self) -> Any:
        return faiss_module().IndexBinaryMultiHash(BITS, self.words, BITS // self.words)

    def _prepare(self, threshold: int) -> None:
        self._index.nflip = threshold // self.words  # pigeonhole: exact for this threshold

    def _stored_rows(self) -> npt.NDArray[np.uint8]:
        flat: npt.NDArray[np.uint8] = faiss_module().vector_to_array(self._index.storage.xb)
        return flat.reshape(-1, 32)


class FaissFlatIndex(_FaissPdqBase):
    """Exhaustive SIMD scan (faiss ``IndexBinaryFlat``)."""

    def _new_index(self) -> Any:
        return faiss_module().IndexBinaryFlat(BITS)

    def _stored_rows(self) -> npt.NDArray[np.uint8]:
        flat: npt.NDArray[np.uint8] = faiss_module().vector_to_array(self._index.xb)
        return flat.reshape(-1, 32)
