"""Fast indexes against their brute-force references, on the same data and queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from ctnode.hashes.index import (
    BruteForcePdqIndex,
    ClusterPdqIndex,
    ExactIndex,
    FaissFlatIndex,
    FaissMihIndex,
    VpdqIndex,
)
from ctnode.hashes.index.naive import BruteForcePdqIndex as Naive
from ctnode.hashes.model import VpdqFrame
from ctnode.hashes.signals import pdq, vpdq


def clustered(rng: np.random.Generator, bases: int, per: int) -> np.ndarray:
    """Random base hashes, each with near-duplicates 1-60 bits away (like edited copies)."""
    base = rng.integers(0, 256, (bases, 32), dtype=np.uint8)
    rows = [base]
    for _ in range(per):
        bits = np.unpackbits(base, axis=1)
        flips = rng.random(bits.shape) < rng.uniform(0.004, 0.25, (bases, 1))
        rows.append(np.packbits(bits ^ flips, axis=1))
    return np.concatenate(rows)


@pytest.mark.parametrize(
    "fast",
    [FaissMihIndex, lambda: FaissMihIndex(words=16), FaissFlatIndex],
    ids=["mih-12", "mih-16", "flat"],
)
def test_fast_pdq_index_equals_brute_force(fast: Callable[[], object]) -> None:
    rng = np.random.default_rng(7)
    hashes = clustered(rng, 400, 8)
    ids = rng.permutation(len(hashes) * 3)[: len(hashes)].astype(np.int64)  # sparse, unordered ids
    a: Any = fast()
    b = BruteForcePdqIndex()
    a.add(ids, hashes)
    b.add(ids, hashes)
    queries = np.concatenate(
        [hashes[rng.choice(len(hashes), 60)], rng.integers(0, 256, (20, 32), dtype=np.uint8)]
    )
    total = 0
    for threshold in (0, 8, 31, 47, 63):
        got, want = a.search(queries, threshold), b.search(queries, threshold)
        assert got == want
        total += sum(map(len, want))
    assert total > 500  # the queries really hit clusters
    # every answer is right by the definition itself
    for q, found in zip(queries, b.search(queries, 31), strict=True):
        for ident, dist in found:
            row = hashes[np.flatnonzero(ids == ident)[0]]
            assert dist == pdq.distance(pdq.from_bytes(q), pdq.from_bytes(row)) <= 31


@pytest.mark.parametrize("fast", [FaissMihIndex, FaissFlatIndex], ids=["mih", "flat"])
def test_add_and_remove_without_rebuild_stay_equal(fast: type) -> None:
    rng = np.random.default_rng(8)
    hashes = clustered(rng, 200, 5)
    ids = np.arange(len(hashes), dtype=np.int64)
    a, b = fast(), Naive()
    half = len(hashes) // 2
    for index in (a, b):
        index.add(ids[:half], hashes[:half])
    gone = rng.choice(half, 40, replace=False).tolist()
    assert a.remove(gone) == b.remove(gone) == 40
    assert a.remove(gone) == 0  # removing twice changes nothing
    for index in (a, b):
        index.add(ids[half:], hashes[half:])
    queries = hashes[rng.choice(len(hashes), 50)]
    assert a.search(queries, 31) == b.search(queries, 31)
    found = {i for row in a.search(hashes[gone], 0) for i, _ in row}
    assert not found & set(gone)
    assert len(a) == len(b) == len(hashes) - 40


def test_compaction_after_many_removals_keeps_answers() -> None:
    rng = np.random.default_rng(9)
    hashes = clustered(rng, 100, 4)
    ids = np.arange(len(hashes), dtype=np.int64) + 1000
    a, b = FaissMihIndex(), Naive()
    for index in (a, b):
        index.add(ids, hashes)
    gone = (ids[: len(ids) // 2]).tolist()  # past the 25% mark: compacts by itself
    a.remove(gone)
    b.remove(gone)
    assert a._dead == 0  # compacted
    assert a.search(hashes, 40) == b.search(hashes, 40)
    a.add(np.array([1], dtype=np.int64), hashes[:1])  # re-add a hash under a new id
    assert (1, 0) in a.search(hashes[:1], 0)[0]


def test_empty_indexes_answer_nothing() -> None:
    q = np.zeros((2, 32), dtype=np.uint8)
    for index in (FaissMihIndex(), FaissFlatIndex(), Naive()):
        assert index.search(q, 31) == [[], []]
        assert index.remove([1, 2]) == 0


def _frames(
    rng: np.random.Generator, base: list[str], flip: float, quality: int = 100
) -> list[VpdqFrame]:
    out = []
    for t, h in enumerate(base):
        bits = np.unpackbits(pdq.to_bytes([h])[0])
        bits ^= (rng.random(256) < flip).astype(np.uint8)
        out.append(VpdqFrame(pdq.from_bytes(np.packbits(bits)), quality, float(t)))
    return out


def test_vpdq_index_equals_pairwise_brute_force() -> None:
    rng = np.random.default_rng(10)
    scenes = [pdq.from_bytes(r) for r in rng.integers(0, 256, (60, 32), dtype=np.uint8)]
    videos = {
        1: _frames(rng, scenes[0:20], 0.02),
        2: _frames(rng, scenes[10:30], 0.02),  # shares scenes 10-19 with video 1
        3: _frames(rng, scenes[40:60], 0.02),
        4: _frames(rng, scenes[0:20], 0.02, quality=30),  # too flat to count
        5: _frames(rng, scenes[0:5] * 4, 0.0),  # repeated frames: de-duplicated
    }
    index = VpdqIndex()
    for ident, frames in videos.items():
        index.add(ident, frames)
    for query in (
        _frames(rng, scenes[0:20], 0.03),
        _frames(rng, scenes[5:15], 0.05),
        _frames(rng, scenes[30:40], 0.0),
    ):
        got = {v: (q, b) for v, q, b in index.search(query)}
        want = {}
        for ident, frames in videos.items():
            q_pct, b_pct = vpdq.compare(query, frames)
            if q_pct > 0:
                want[ident] = (q_pct, b_pct)
        assert got.keys() == want.keys()
        for ident in want:
            assert got[ident] == pytest.approx(want[ident])
    index.remove([1])
    assert 1 not in {v for v, _, _ in index.search(videos[1])}


def test_exact_index() -> None:
    index = ExactIndex()
    index.add(1, "a" * 32)
    index.add(2, "a" * 32)
    index.add(3, "b" * 32)
    assert index.search("a" * 32) == [1, 2]
    index.add(2, "c" * 32)  # re-adding a key moves it
    assert index.search("a" * 32) == [1] and index.search("c" * 32) == [2]
    assert index.remove([1, 1, 9]) == 1
    assert index.search("a" * 32) == [] and len(index) == 2


def _near_copies(rng: np.random.Generator, bases: int, per: int, spread: int = 40) -> np.ndarray:
    """Dense near-duplicate clusters (each copy 0-``spread`` bits from its base) like a bank of
    re-encoded, captioned and cropped copies, plus as many uniform hashes."""
    base = rng.integers(0, 256, (bases, 32), dtype=np.uint8)
    centres = np.repeat(base, per, axis=0)
    bits = np.unpackbits(centres, axis=1)
    k = rng.integers(0, spread + 1, len(centres))
    flips = np.argsort(rng.random(bits.shape), axis=1) < k[:, None]
    copies = np.packbits(bits ^ flips.astype(np.uint8), axis=1)
    noise = rng.integers(0, 256, (len(copies), 32), dtype=np.uint8)
    return np.concatenate([base, copies, noise])


def test_cluster_index_equals_brute_force_with_adds_removals_and_reclustering() -> None:
    rng = np.random.default_rng(11)
    hashes = _near_copies(rng, 60, 40)
    ids = rng.permutation(len(hashes) * 2)[: len(hashes)].astype(np.int64)
    fast = ClusterPdqIndex(sample=2000, min_clustering=1000)
    slow = BruteForcePdqIndex()
    for index in (fast, slow):
        index.add(ids, hashes)
    shape = fast.stats()
    assert shape["pivots"] >= 30 and shape["clustered"] > len(hashes) // 3  # really clustered
    assert shape["diffuse"] >= len(hashes) // 3  # and the uniform hashes kept apart
    queries = np.concatenate(
        [hashes[rng.choice(len(hashes), 60)], rng.integers(0, 256, (10, 32), dtype=np.uint8)]
    )
    total = 0
    for threshold in (0, 8, 31, 47, 63):
        want = slow.search(queries, threshold)
        assert fast.search(queries, threshold) == want
        total += sum(map(len, want))
    assert total > 2000  # the queries land in the clusters
    # removals, then adds after the build: new members of old clusters (the tail) and new hashes
    gone = ids[rng.choice(len(hashes), 700, replace=False)].tolist()
    assert fast.remove(gone) == slow.remove(gone) == 700
    assert fast.remove(gone) == 0
    more = _near_copies(rng, 5, 30)
    more = np.concatenate([more, hashes[:200] ^ np.uint8(1)])  # 8 bits from banked ones
    more_ids = np.arange(10**7, 10**7 + len(more), dtype=np.int64)
    for index in (fast, slow):
        index.add(more_ids, more)
    assert fast.stats()["tail"] > 0
    queries = np.concatenate(
        [queries, more[rng.choice(len(more), 30)], hashes[np.isin(ids, gone)][:5]]
    )
    for threshold in (0, 31, 63):
        assert fast.search(queries, threshold) == slow.search(queries, threshold)
    assert not {i for row in fast.search(hashes[np.isin(ids, gone)], 0) for i, _ in row} & set(gone)
    fast.compact()
    assert fast.stats()["tail"] == 0
    assert fast.search(queries, 31) == slow.search(queries, 31)
    fast.recluster()
    assert fast.search(queries, 31) == slow.search(queries, 31)
    assert len(fast) == len(slow)


def test_cluster_index_below_its_clustering_size_is_its_diffuse_index() -> None:
    rng = np.random.default_rng(12)
    hashes = _near_copies(rng, 10, 10)
    ids = np.arange(len(hashes), dtype=np.int64)
    fast, slow = ClusterPdqIndex(), BruteForcePdqIndex()
    for index in (fast, slow):
        index.add(ids, hashes)
    assert fast.stats()["pivots"] == 0
    assert fast.search(hashes[:20], 31) == slow.search(hashes[:20], 31)
    assert ClusterPdqIndex().search(hashes[:2], 31) == [[], []]
