"""1:N search indexes: one contract, a naive exact reference and a fast one for each modality.

``NaiveFaceIndex`` compares the probe with every template, one by one: slow,
obviously right. ``FastFaceIndex`` scans 8-bit codes of every vector with
FAISS (SIMD) and re-scores the best few hundred exactly in float32; an operator
may switch it to an inverted file (``IndexIVFFlat``, visits the ``nprobe``
nearest cells) from ``ivf_min`` templates on, trading recall for speed. Tests
run fast and naive on the same data: scan mode must return identical
candidates; IVF mode only naive candidates, with the same scores.

Fingerprints: ``NaiveFingerprintIndex`` calls the engine's compare for every
pair; ``FastFingerprintIndex`` packs each gallery template into NBIS's native
structure once and runs Bozorth3 on them directly (same scores, no re-packing).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ctnode.biometrics.fingerprint import FingerprintEngine, Minutiae

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One template that came back from a search, with its raw similarity score."""

    template_id: str
    score: float


class FaceIndex(Protocol):
    """Unit vectors of one model; search by cosine similarity (inner product)."""

    def add(self, ids: Sequence[str], vectors: npt.NDArray[np.float32]) -> None: ...

    def remove(self, ids: Sequence[str]) -> None: ...

    def search(self, query: Vector, *, k: int, min_score: float) -> list[Candidate]: ...

    def __len__(self) -> int: ...


def _rank(pairs: list[Candidate], k: int) -> list[Candidate]:
    pairs.sort(key=lambda c: (-c.score, c.template_id))
    return pairs[:k]


class NaiveFaceIndex:
    """Exact reference: a dict of vectors and a loop."""

    def __init__(self) -> None:
        self._vectors: dict[str, Vector] = {}

    def add(self, ids: Sequence[str], vectors: npt.NDArray[np.float32]) -> None:
        for tid, vec in zip(ids, vectors, strict=True):
            self._vectors[tid] = np.asarray(vec, dtype=np.float32)

    def remove(self, ids: Sequence[str]) -> None:
        for tid in ids:
            self._vectors.pop(tid, None)

    def search(self, query: Vector, *, k: int, min_score: float) -> list[Candidate]:
        out = []
        for tid, vec in self._vectors.items():
            score = float(np.dot(query.astype(np.float64), vec.astype(np.float64)))
            if score >= min_score:
                out.append(Candidate(tid, score))
        return _rank(out, k)

    def __len__(self) -> int:
        return len(self._vectors)


class FastFaceIndex:
    """Exhaustive 8-bit scan with exact float32 re-ranking (default), or an opt-in inverted file.

    Every template is visited: FAISS scans 8-bit codes of all vectors (a quarter
    of the memory traffic of float32), keeps the best ``max(4k, RERANK_MIN)``,
    and those are re-scored exactly from the float32 copy. A mate can be lost
    only if that many templates out-score it by more than the 8-bit error
    (about 0.01), so results equal the naive reference's (tested). The inverted
    file (``ivf_min`` > 0) visits only ``nprobe`` cells: faster, but it can miss
    a mate (recall in docs/benchmarks.md); it never invents one (scores are exact).
    """

    RERANK_MIN = 256
    SCALE = 300.0  # unit-vector components × SCALE, rounded to int8 (|component| > 0.42 clips)

    def __init__(self, dim: int, *, ivf_min: int = 0, nprobe: int = 48) -> None:
        import faiss

        self._faiss: Any = faiss
        self.dim = dim
        self.ivf_min = ivf_min
        self.nprobe = nprobe
        self._lock = threading.Lock()
        self._ids: list[str] = []  # row → template id (removed rows hold "")
        self._rows: dict[str, int] = {}
        self._vecs = np.zeros((0, dim), dtype=np.float32)  # row → exact vector
        self._index: Any = faiss.IndexIDMap2(
            faiss.IndexScalarQuantizer(
                dim, faiss.ScalarQuantizer.QT_8bit_direct_signed, faiss.METRIC_INNER_PRODUCT
            )
        )
        self._ivf = False

    @property
    def mode(self) -> str:
        return "ivf" if self._ivf else "scan"

    def __len__(self) -> int:
        return len(self._rows)

    def _codes(self, vecs: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        codes: npt.NDArray[np.float32] = np.clip(np.rint(vecs * self.SCALE), -127, 127)
        return codes.astype(np.float32)

    def add(self, ids: Sequence[str], vectors: npt.NDArray[np.float32]) -> None:
        vecs = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        with self._lock:
            self.remove_locked([i for i in ids if i in self._rows])
            start = len(self._ids)
            rows = np.arange(start, start + len(ids), dtype=np.int64)
            self._ids.extend(ids)
            for tid, row in zip(ids, rows.tolist(), strict=True):
                self._rows[tid] = row
            self._vecs = np.concatenate([self._vecs, vecs]) if len(self._vecs) else vecs.copy()
            if not self._ivf and self.ivf_min and len(self._rows) >= self.ivf_min:
                self._build_ivf()
            elif self._ivf:
                self._index.add_with_ids(vecs, rows)
            else:
                self._index.add_with_ids(self._codes(vecs), rows)

    def _build_ivf(self) -> None:
        faiss = self._faiss
        live = np.array(sorted(self._rows.values()), dtype=np.int64)
        vecs = self._vecs[live]
        nlist = int(max(64, min(16384, 4 * np.sqrt(len(live)))))
        quantizer = faiss.IndexFlatIP(self.dim)
        ivf = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        sample = vecs[rng.choice(len(vecs), size=min(len(vecs), nlist * 40), replace=False)]
        ivf.train(sample)
        ivf.add_with_ids(vecs, live)
        ivf.nprobe = self.nprobe
        self._index = ivf
        self._ivf = True

    def remove(self, ids: Sequence[str]) -> None:
        with self._lock:
            self.remove_locked(ids)

    def remove_locked(self, ids: Sequence[str]) -> None:
        rows = [self._rows.pop(tid) for tid in ids if tid in self._rows]
        if rows:
            for r in rows:
                self._ids[r] = ""
            self._index.remove_ids(np.array(rows, dtype=np.int64))

    def search(self, query: Vector, *, k: int, min_score: float) -> list[Candidate]:
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(self.dim)
        with self._lock:
            n = len(self._rows)
            if n == 0:
                return []
            fetch = min(n, max(4 * k, self.RERANK_MIN))
            probe = q if self._ivf else q * self.SCALE
            _, rows = self._index.search(probe.reshape(1, self.dim), fetch)
            found = rows[0][rows[0] >= 0]
            exact = self._vecs[found] @ q
            ids = [self._ids[int(r)] for r in found]
        out = [
            Candidate(tid, float(s)) for tid, s in zip(ids, exact, strict=True) if s >= min_score
        ]
        return _rank(out, k)


class FingerprintIndex(Protocol):
    def add(self, ids: Sequence[str], templates: Sequence[Minutiae]) -> None: ...

    def remove(self, ids: Sequence[str]) -> None: ...

    def search(self, probe: Minutiae, *, k: int, min_score: float) -> list[Candidate]: ...

    def __len__(self) -> int: ...


class NaiveFingerprintIndex:
    """Exact reference: the engine's pairwise compare for every gallery template."""

    def __init__(self, engine: FingerprintEngine) -> None:
        self.engine = engine
        self._templates: dict[str, Minutiae] = {}

    def add(self, ids: Sequence[str], templates: Sequence[Minutiae]) -> None:
        for tid, tpl in zip(ids, templates, strict=True):
            self._templates[tid] = tpl

    def remove(self, ids: Sequence[str]) -> None:
        for tid in ids:
            self._templates.pop(tid, None)

    def search(self, probe: Minutiae, *, k: int, min_score: float) -> list[Candidate]:
        out = []
        for tid, tpl in self._templates.items():
            score = self.engine.compare(probe, tpl)
            if score >= min_score:
                out.append(Candidate(tid, score))
        return _rank(out, k)

    def __len__(self) -> int:
        return len(self._templates)


class FastFingerprintIndex:
    """Bozorth3 over gallery templates packed once into NBIS's native structure."""

    def __init__(self) -> None:
        import ctypes

        from afis._native import loader

        loader.require_available()
        self._ctypes: Any = ctypes
        self._loader: Any = loader
        self._lib: Any = loader._load_lib()
        self._packed: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _pack(self, tpl: Minutiae) -> Any:
        return self._loader.template_from_array(tpl.points, tpl.width, tpl.height)

    def add(self, ids: Sequence[str], templates: Sequence[Minutiae]) -> None:
        with self._lock:
            for tid, tpl in zip(ids, templates, strict=True):
                self._packed[tid] = self._pack(tpl)

    def remove(self, ids: Sequence[str]) -> None:
        with self._lock:
            for tid in ids:
                self._packed.pop(tid, None)

    def search(self, probe: Minutiae, *, k: int, min_score: float) -> list[Candidate]:
        p = self._pack(probe)
        byref = self._ctypes.byref
        match = self._lib.afis_bozorth3_match
        out = []
        # Bozorth3 keeps global state in C: one search at a time (afis's own lock guards it too).
        with self._lock, self._loader.afis_op_lock():
            pref = byref(p)
            for tid, packed in self._packed.items():
                score = float(match(pref, byref(packed)))
                if score >= min_score:
                    out.append(Candidate(tid, score))
        return _rank(out, k)

    def __len__(self) -> int:
        return len(self._packed)
