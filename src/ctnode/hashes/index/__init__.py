"""Indexes per signal type: one contract, a fast implementation and a brute-force one beside it.

PDQ (``PdqIndex``): ``FaissMihIndex`` (faiss ``IndexBinaryMultiHash``: the bits cut into
12 words of 21 bits, each word a hash table; by the pigeonhole principle a hash within *t*
bits agrees with the query on some word up to ``t // 12`` flipped bits, so probing those
neighbours and verifying finds every match: exact, not approximate) and
``BruteForcePdqIndex`` (every stored hash XOR the query, popcount, compare: obviously
right). Tests run both on the same data and require identical answers.

vPDQ (``VpdqIndex``): every banked frame in a PDQ index; a query's frames are searched
and the matches counted per video; ``vpdq.compare`` per video is its brute force.

MD5/SHA-256 (``ExactIndex``): a dictionary.

Ids are the caller's integers (the store's keys); add and remove work in place,
without rebuilding; removed PDQ entries are skipped until ``compact()`` rewrites them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ctnode.hashes.index.cluster import ClusterPdqIndex
from ctnode.hashes.index.exact import ExactIndex
from ctnode.hashes.index.faiss_mih import FaissFlatIndex, FaissMihIndex
from ctnode.hashes.index.naive import BruteForcePdqIndex
from ctnode.hashes.index.vpdq import VpdqIndex

Ids = npt.NDArray[np.int64]
HashBytes = npt.NDArray[np.uint8]


class PdqIndex(Protocol):
    """PDQ hashes as (n, 32) uint8 rows under integer ids; range search by Hamming distance."""

    def add(self, ids: Ids, hashes: HashBytes) -> None: ...

    def remove(self, ids: Iterable[int]) -> int: ...

    def search(self, queries: HashBytes, threshold: int) -> list[list[tuple[int, int]]]:
        """Per query, every (id, distance) with distance <= threshold, sorted by (distance, id)."""
        ...

    def __len__(self) -> int: ...


__all__ = [
    "BruteForcePdqIndex",
    "ClusterPdqIndex",
    "ExactIndex",
    "FaissFlatIndex",
    "FaissMihIndex",
    "PdqIndex",
    "VpdqIndex",
]
