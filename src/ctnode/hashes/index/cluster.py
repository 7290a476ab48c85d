"""A cluster-aware exact PDQ index: near-duplicate clusters behind pivots, the rest in MIH.

Banks of terrorist content are full of near-duplicate clusters (the same picture re-encoded,
resized, captioned, cropped): hundreds of hashes within a few dozen bits of each other.
Multi-index hashing suffers from them (a query near a cluster probes buckets crowded by its
members: 159 ms at 10M hashes, docs/benchmarks.md) and a flat scan reads every hash.

``ClusterPdqIndex`` keeps two tiers:

* **clusters**: a *pivot* (the bitwise majority of a dense neighbourhood) and every hash within
  ``radius`` bits of it, with its distance to the pivot. Members are stored contiguously,
  sorted by that distance. By the triangle inequality, a member *m* of pivot *p* can be within
  *t* of the query *q* only if ``|d(q,p) − d(m,p)| ≤ t``, so a cluster is skipped when
  ``d(q,p) > t + r_p`` (*r_p* its farthest member) and otherwise only the members whose
  distance to the pivot lies in ``[d(q,p) − t, d(q,p) + t]`` (a slice of the sorted run)
  are compared with the query.
* **diffuse**: hashes not within ``radius`` of any pivot, in a ``FaissMihIndex`` (or a flat
  scan): without the clusters its buckets stay sparse.

Both tiers verify the full Hamming distance, so answers are exact (tested equal to
``BruteForcePdqIndex`` on clustered data with adds and removals). Pivots only steer work:
a hash put in the "wrong" tier or cluster costs time, never an answer.

Pivots are found on the first large ``add`` (or ``recluster()``): a sample of up to
``sample`` hashes is joined with itself at ``radius // 2 + 8`` bits, the densest
neighbourhoods become pivots, then every hash goes to its nearest pivot (a faiss k=1 scan
of hashes × pivots: the build cost). Later adds join existing clusters (kept in a small
unsorted tail merged on the next ``compact``) or the diffuse tier; a bank whose new content
forms new clusters should be ``recluster()``-ed (the node does it when the diffuse tier has
doubled since the last clustering).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ctnode.hashes.index._arrays import Growing
from ctnode.hashes.index.faiss_mih import FaissMihIndex, faiss_module

BITS = 256
_WORDS = 4  # a hash as four uint64
#: Below this many hashes clustering is not worth it: everything goes to the diffuse tier.
MIN_CLUSTERING = 20_000
#: The unsorted tail is merged into the sorted runs past this many rows (or 5% of them).
TAIL_MERGE = 50_000


class _Diffuse(Protocol):
    def add(self, ids: npt.NDArray[np.int64], hashes: npt.NDArray[np.uint8]) -> None: ...

    def remove(self, ids: Iterable[int]) -> int: ...

    def search(
        self, queries: npt.NDArray[np.uint8], threshold: int
    ) -> list[list[tuple[int, int]]]: ...

    def __len__(self) -> int: ...


def _popcount_rows(
    rows: npt.NDArray[np.uint64], q: npt.NDArray[np.uint64]
) -> npt.NDArray[np.int64]:
    out: npt.NDArray[np.int64] = np.bitwise_count(rows ^ q).sum(axis=1, dtype=np.int64)
    return out


def _majority(rows: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    bits = np.unpackbits(rows, axis=1)
    return np.packbits(bits.sum(axis=0) * 2 > len(rows))[None, :]


class ClusterPdqIndex:
    """Exact range search: pivots + triangle inequality for clusters, MIH for the rest."""

    def __init__(
        self,
        *,
        radius: int = 64,
        sample: int = 50_000,
        min_members: int = 3,
        group_radius: int = 40,
        diffuse: Callable[[], _Diffuse] = FaissMihIndex,
        rounds: int = 3,
        min_clustering: int = MIN_CLUSTERING,
        seed: int = 0,
    ) -> None:
        if not 1 <= radius < BITS:
            raise ValueError("radius must be 1-255")
        self.radius = radius
        self.sample = sample
        self.min_members = min_members
        self.group_radius = group_radius
        self.rounds = rounds
        self.min_clustering = min_clustering
        self._diffuse_factory = diffuse
        self._rng = np.random.default_rng(seed)
        self._diffuse: _Diffuse = diffuse()
        self._pivots = np.zeros((0, 32), dtype=np.uint8)
        self._pivot_index: Any = faiss_module().IndexBinaryFlat(BITS)
        self._reach = np.zeros(0, dtype=np.int64)  # farthest member per pivot
        # sorted runs: members of pivot c are rows [start[c], start[c + 1])
        self._rows = np.zeros((0, _WORDS), dtype=np.uint64)
        self._ids = np.zeros(0, dtype=np.int64)
        self._alive = np.zeros(0, dtype=np.bool_)
        self._at = np.zeros(
            (0, BITS + 2), dtype=np.int64
        )  # _at[c, d]: first row of c with dist >= d
        # unsorted tail: members added after the last (re)build
        self._t_rows = Growing(np.uint64, (_WORDS,))
        self._t_ids = Growing(np.int64, ())
        self._t_pivot = Growing(np.int64, ())
        self._t_dist = Growing(np.int64, ())
        self._t_alive = Growing(np.bool_, ())
        self._live = 0
        self._diffuse_at_clustering = 0

    # -- building -------------------------------------------------------------------------------

    def add(self, ids: npt.NDArray[np.int64], hashes: npt.NDArray[np.uint8]) -> None:
        if len(ids) != len(hashes):
            raise ValueError("ids and hashes differ in length")
        if len(ids) == 0:
            return
        rows = np.ascontiguousarray(hashes, dtype=np.uint8).reshape(len(hashes), 32)
        ids = np.asarray(ids, dtype=np.int64)
        self._live += len(rows)
        if len(self._pivots) == 0 and len(rows) >= self.min_clustering:
            self._cluster(ids, rows)
            return
        pivot, dist = self._nearest_pivot(rows)
        near = dist <= self.radius
        if near.any():
            self._t_rows.extend(rows[near].view(np.uint64).reshape(-1, _WORDS))
            self._t_ids.extend(ids[near])
            self._t_pivot.extend(pivot[near])
            self._t_dist.extend(dist[near])
            self._t_alive.extend(np.ones(int(near.sum()), dtype=np.bool_))
            np.maximum.at(self._reach, pivot[near], dist[near])
            if len(self._t_ids) > max(TAIL_MERGE, len(self._ids) // 20):
                self.compact()  # the tail is scanned row by row: keep it small
        if (~near).any():
            self._diffuse.add(ids[~near], rows[~near])

    def _nearest_pivot(
        self, rows: npt.NDArray[np.uint8]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        if len(self._pivots) == 0:
            return np.zeros(len(rows), np.int64), np.full(len(rows), BITS + 1, np.int64)
        return _nearest(self._pivot_index, rows)

    def _find_pivots(self, rows: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        """Densest neighbourhoods of a sample, greedily; each pivot the majority of its neighbours."""
        pick = self._rng.choice(len(rows), min(self.sample, len(rows)), replace=False)
        sample = np.ascontiguousarray(rows[pick])
        flat = faiss_module().IndexBinaryFlat(BITS)
        flat.add(sample)
        lims, _, nbr = flat.range_search(sample, self.group_radius + 1)
        counts = np.diff(lims)
        taken = np.zeros(len(sample), dtype=np.bool_)
        pivots = []
        for i in np.argsort(-counts, kind="stable"):
            if counts[i] < self.min_members:
                break
            if taken[i]:
                continue
            group = nbr[lims[i] : lims[i + 1]]
            group = group[~taken[group]]
            if len(group) < self.min_members:
                continue
            taken[group] = True
            pivots.append(_majority(sample[group]))
        if not pivots:
            return np.zeros((0, 32), dtype=np.uint8)
        return np.concatenate(pivots)

    def _cluster(self, ids: npt.NDArray[np.int64], rows: npt.NDArray[np.uint8]) -> None:
        """Choose pivots from ``rows``, then lay every hash out in a tier (a full rebuild).

        Up to ``rounds`` rounds: pivots from a sample, every hash to its nearest pivot, then
        pivots again from a sample of the hashes still uncovered (clusters the first sample
        saw too thinly), which are matched against the new pivots only.
        """
        pivot = np.zeros(len(rows), np.int64)
        dist = np.full(len(rows), BITS + 1, np.int64)
        chosen: list[npt.NDArray[np.uint8]] = []
        open_ = np.arange(len(rows))
        for _ in range(self.rounds):
            found = self._find_pivots(rows[open_])
            if len(found) == 0:
                break
            index = faiss_module().IndexBinaryFlat(BITS)
            index.add(found)
            p, d = _nearest(index, rows[open_])
            pivot[open_] = p + sum(map(len, chosen))
            dist[open_] = d
            chosen.append(found)
            open_ = open_[d > self.radius]
            if len(open_) < self.min_clustering:
                break
        self._pivots = np.concatenate(chosen) if chosen else np.zeros((0, 32), np.uint8)
        self._pivot_index = faiss_module().IndexBinaryFlat(BITS)
        if len(self._pivots):
            self._pivot_index.add(self._pivots)
        near = dist <= self.radius
        self._diffuse = self._diffuse_factory()
        if (~near).any():
            self._diffuse.add(ids[~near], rows[~near])
        self._diffuse_at_clustering = int((~near).sum())
        self._lay_out(
            rows[near].view(np.uint64).reshape(-1, _WORDS), ids[near], pivot[near], dist[near]
        )

    def _lay_out(
        self,
        rows: npt.NDArray[np.uint64],
        ids: npt.NDArray[np.int64],
        pivot: npt.NDArray[np.int64],
        dist: npt.NDArray[np.int64],
    ) -> None:
        n_piv = len(self._pivots)
        order = np.lexsort((dist, pivot))
        self._rows = np.ascontiguousarray(rows[order])
        self._ids = ids[order]
        self._alive = np.ones(len(order), dtype=np.bool_)
        key = pivot[order] * (BITS + 2) + dist[order]
        grid = np.arange(n_piv * (BITS + 2), dtype=np.int64)
        self._at = np.searchsorted(key, grid).reshape(n_piv, BITS + 2)
        self._reach = np.zeros(n_piv, dtype=np.int64)
        np.maximum.at(self._reach, pivot, dist)
        for tail in (self._t_rows, self._t_ids, self._t_pivot, self._t_dist, self._t_alive):
            tail.replace(tail.view()[:0])

    def recluster(self) -> None:
        """Choose pivots again from everything held (after much new content)."""
        ids, rows = self._everything()
        self._pivots = np.zeros((0, 32), dtype=np.uint8)
        self._live = 0
        self._lay_out(np.zeros((0, _WORDS), np.uint64), ids[:0], ids[:0], ids[:0])
        self._diffuse = self._diffuse_factory()
        self.add(ids, rows)

    def compact(self) -> None:
        """Merge the tail into the sorted runs and drop removed members (pivots kept)."""
        alive = self._alive
        t_alive = self._t_alive.view()
        piv_of = np.repeat(
            np.arange(len(self._pivots)), np.diff(np.append(self._at[:, 0], len(self._ids)))
        )
        rows = np.concatenate([self._rows[alive], self._t_rows.view()[t_alive]])
        ids = np.concatenate([self._ids[alive], self._t_ids.view()[t_alive]])
        pivot = np.concatenate([piv_of[alive], self._t_pivot.view()[t_alive]])
        dist = (
            _popcount_rows(rows, self._pivots.view(np.uint64).reshape(-1, _WORDS)[pivot])
            if len(rows)
            else ids[:0]
        )
        self._lay_out(rows, ids, pivot, dist)

    def _everything(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
        parts_ids = [self._ids[self._alive], self._t_ids.view()[self._t_alive.view()]]
        parts_rows = [self._rows[self._alive], self._t_rows.view()[self._t_alive.view()]]
        diffuse_ids, diffuse_rows = _dump(self._diffuse)
        ids = np.concatenate([*parts_ids, diffuse_ids])
        rows = np.concatenate(
            [*(r.view(np.uint8).reshape(-1, 32) for r in parts_rows), diffuse_rows]
        )
        return ids, rows

    # -- changing -------------------------------------------------------------------------------

    def remove(self, ids: Iterable[int]) -> int:
        wanted = np.fromiter(ids, dtype=np.int64)
        if len(wanted) == 0:
            return 0
        count = 0
        hit = np.isin(self._ids, wanted) & self._alive
        self._alive[hit] = False
        count += int(hit.sum())
        t_alive = self._t_alive.view()
        t_hit = np.isin(self._t_ids.view(), wanted) & t_alive
        t_alive[t_hit] = False
        count += int(t_hit.sum())
        count += self._diffuse.remove(wanted.tolist())
        self._live -= count
        return count

    # -- searching ------------------------------------------------------------------------------

    def search(self, queries: npt.NDArray[np.uint8], threshold: int) -> list[list[tuple[int, int]]]:
        q = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, 32)
        if len(q) == 0:
            return []
        out = self._diffuse.search(q, threshold) if len(self._diffuse) else [[] for _ in q]
        if len(self._pivots) == 0:
            return out
        qw = q.view(np.uint64).reshape(-1, _WORDS)
        piv = self._pivots.view(np.uint64).reshape(-1, _WORDS)
        t_rows, t_ids, t_pivot = self._t_rows.view(), self._t_ids.view(), self._t_pivot.view()
        t_dist, t_alive = self._t_dist.view(), self._t_alive.view()
        for i in range(len(q)):
            dq = _popcount_rows(piv, qw[i])
            near = np.flatnonzero(dq <= threshold + self._reach)
            found: list[tuple[int, int]] = []
            if len(near):
                lo = np.clip(dq[near] - threshold, 0, BITS + 1)
                hi = np.clip(dq[near] + threshold + 1, 0, BITS + 1)
                starts = self._at[near, lo]
                stops = self._at[near, hi]
                size = stops - starts
                keep = size > 0
                if keep.any():
                    starts, size = starts[keep], size[keep]
                    idx = np.repeat(starts - np.cumsum(size) + size, size) + np.arange(size.sum())
                    idx = idx[self._alive[idx]]
                    d = _popcount_rows(self._rows[idx], qw[i])
                    ok = d <= threshold
                    found += zip(self._ids[idx[ok]].tolist(), d[ok].tolist(), strict=True)
                if len(t_ids):
                    cand = np.isin(t_pivot, near) & t_alive
                    cand &= np.abs(t_dist - dq[t_pivot]) <= threshold
                    tidx = np.flatnonzero(cand)
                    if len(tidx):
                        d = _popcount_rows(t_rows[tidx], qw[i])
                        ok = d <= threshold
                        found += zip(t_ids[tidx[ok]].tolist(), d[ok].tolist(), strict=True)
            if found:
                out[i] = sorted(out[i] + found, key=lambda p: (p[1], p[0]))
        return out

    def __len__(self) -> int:
        return self._live

    def stats(self) -> dict[str, int]:
        return {
            "pivots": len(self._pivots),
            "clustered": int(self._alive.sum()) + int(self._t_alive.view().sum()),
            "tail": len(self._t_ids),
            "diffuse": len(self._diffuse),
            "cluster_bytes": int(
                self._rows.nbytes + self._ids.nbytes + self._alive.nbytes + self._at.nbytes
            ),
        }


def _nearest(
    index: Any, rows: npt.NDArray[np.uint8]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each row's nearest pivot and distance (faiss k=1 scan, in blocks)."""
    pivot = np.empty(len(rows), np.int64)
    dist = np.empty(len(rows), np.int64)
    for s in range(0, len(rows), 200_000):
        d, i = index.search(np.ascontiguousarray(rows[s : s + 200_000]), 1)
        pivot[s : s + 200_000] = i[:, 0]
        dist[s : s + 200_000] = d[:, 0]
    return pivot, dist


def _dump(index: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """Every live (id, hash) of a faiss-backed PDQ index (for re-clustering)."""
    alive = index._alive.view()
    return index._ids.view()[alive].copy(), index._stored_rows()[alive].copy()
