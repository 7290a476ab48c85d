"""The brute-force PDQ index: compare the query with every stored hash. Slow, obviously right."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from ctnode.hashes.index._arrays import Growing

_WORDS = 4  # 256 bits as four uint64


class BruteForcePdqIndex:
    """Hashes in one array, XOR + popcount against all of them (numpy ``bitwise_count``)."""

    def __init__(self) -> None:
        self._ids = Growing(np.int64, ())
        self._words = Growing(np.uint64, (_WORDS,))
        self._alive = Growing(np.bool_, ())
        self._live = 0

    def add(self, ids: npt.NDArray[np.int64], hashes: npt.NDArray[np.uint8]) -> None:
        if len(ids) != len(hashes):
            raise ValueError("ids and hashes differ in length")
        rows = np.ascontiguousarray(hashes, dtype=np.uint8).reshape(len(hashes), 32)
        self._ids.extend(np.asarray(ids, dtype=np.int64))
        self._words.extend(rows.view(np.uint64).reshape(len(rows), _WORDS))
        self._alive.extend(np.ones(len(rows), dtype=np.bool_))
        self._live += len(rows)

    def remove(self, ids: Iterable[int]) -> int:
        wanted = np.fromiter(ids, dtype=np.int64)
        hit = np.isin(self._ids.view(), wanted) & self._alive.view()
        self._alive.view()[hit] = False
        count = int(hit.sum())
        self._live -= count
        return count

    def search(self, queries: npt.NDArray[np.uint8], threshold: int) -> list[list[tuple[int, int]]]:
        stored = self._words.view()
        alive = self._alive.view()
        ids = self._ids.view()
        out = []
        for row in np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, 32):
            q = row.view(np.uint64)
            dist = np.bitwise_count(stored ^ q).sum(axis=1, dtype=np.int64)
            pick = np.flatnonzero((dist <= threshold) & alive)
            found = sorted(zip(dist[pick].tolist(), ids[pick].tolist(), strict=True))
            out.append([(i, d) for d, i in found])
        return out

    def __len__(self) -> int:
        return self._live
