"""vPDQ index: every banked video's usable frames in one PDQ index, matches counted per video.

Gives the same percentages as comparing the query with each banked video by brute
force (``signals.vpdq.compare``, which follows python-threatexchange's matcher),
but only looks at videos that share at least one frame with the query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ctnode.hashes.index._arrays import Growing
from ctnode.hashes.index.faiss_mih import FaissMihIndex
from ctnode.hashes.model import DEFAULT_VPDQ_FRAME_THRESHOLD, MIN_PDQ_QUALITY, VpdqFrame
from ctnode.hashes.signals import pdq, vpdq


class _FrameIndex(Protocol):
    def add(self, ids: npt.NDArray[np.int64], hashes: npt.NDArray[np.uint8]) -> None: ...

    def remove(self, ids: Iterable[int]) -> int: ...

    def search(
        self, queries: npt.NDArray[np.uint8], threshold: int
    ) -> list[list[tuple[int, int]]]: ...


class VpdqIndex:
    def __init__(
        self,
        frame_index: Callable[[], _FrameIndex] = FaissMihIndex,
        *,
        frame_threshold: int = DEFAULT_VPDQ_FRAME_THRESHOLD,
        quality: int = MIN_PDQ_QUALITY,
    ) -> None:
        self._frames = frame_index()
        self.frame_threshold = frame_threshold
        self.quality = quality
        self._owner = Growing(np.int64, ())  # frame id -> video id
        self._span: dict[int, tuple[int, int]] = {}  # video id -> its frame ids [start, end)

    def add(self, ident: int, frames: Sequence[VpdqFrame]) -> None:
        if ident in self._span:
            self.remove([ident])
        usable = vpdq.usable_frames(frames, self.quality)
        start = len(self._owner)
        self._owner.extend(np.full(len(usable), ident, dtype=np.int64))
        self._span[ident] = (start, start + len(usable))
        if usable:
            self._frames.add(
                np.arange(start, start + len(usable), dtype=np.int64),
                pdq.to_bytes([f.pdq for f in usable]),
            )

    def remove(self, ids: Iterable[int]) -> int:
        count = 0
        for ident in ids:
            span = self._span.pop(ident, None)
            if span is None:
                continue
            self._frames.remove(range(*span))
            count += 1
        return count

    def search(self, frames: Sequence[VpdqFrame]) -> list[tuple[int, float, float]]:
        """(video id, % of query frames matched, % of that video's frames matched), best first."""
        query = vpdq.usable_frames(frames, self.quality)
        if not query:
            return []
        found = self._frames.search(pdq.to_bytes([f.pdq for f in query]), self.frame_threshold)
        owner = self._owner.view()
        q_hits: dict[int, set[int]] = {}
        b_hits: dict[int, set[int]] = {}
        for qi, matches in enumerate(found):
            for frame_id, _ in matches:
                video = int(owner[frame_id])
                q_hits.setdefault(video, set()).add(qi)
                b_hits.setdefault(video, set()).add(frame_id)
        out = []
        for video, qs in q_hits.items():
            start, end = self._span[video]
            out.append(
                (video, len(qs) * 100.0 / len(query), len(b_hits[video]) * 100.0 / (end - start))
            )
        out.sort(key=lambda row: (-row[1], -row[2], row[0]))
        return out

    def __len__(self) -> int:
        return len(self._span)
