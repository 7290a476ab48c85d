"""1:N search indexes: one contract, a naive exact reference and a fast one for each modality.

``NaiveFaceIndex`` compares the probe with every template, one by one: slow,
obviously right. ``FastFaceIndex`` keeps the vectors in one float32 matrix and
searches it exactly with FAISS (``IndexFlatIP``) up to ``ivf_min`` templates;
above that it switches to an inverted file (``IndexIVFFlat``) that visits the
``nprobe`` nearest cells only. Tests run both on the same data and require the
same candidates (exact mode: identical; IVF mode: every naive hit above the
decision threshold).

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
    """FAISS inner-product index: exact below ``ivf_min`` templates, inverted file above."""

    def __init__(self, dim: int, *, ivf_min: int = 100_000, nprobe: int = 48) -> None:
        import faiss

        self._faiss: Any = faiss
        self.dim = dim
        self.ivf_min = ivf_min
        self.nprobe = nprobe
        self._lock = threading.Lock()
        self._ids: list[str] = []  # row → template id (removed rows hold "")
        self._rows: dict[str, int] = {}
        self._index: Any = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._ivf = False

    @property
    def mode(self) -> str:
        return "ivf" if self._ivf else "exact"

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, ids: Sequence[str], vectors: npt.NDArray[np.float32]) -> None:
        vecs = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        with self._lock:
            self.remove_locked([i for i in ids if i in self._rows])
            start = len(self._ids)
            rows = np.arange(start, start + len(ids), dtype=np.int64)
            self._ids.extend(ids)
            for tid, row in zip(ids, rows.tolist(), strict=True):
                self._rows[tid] = row
            if not self._ivf and len(self._rows) >= self.ivf_min:
                self._build_ivf(extra=(rows, vecs))
            else:
                self._index.add_with_ids(vecs, rows)

    def _build_ivf(self, extra: tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]) -> None:
        faiss = self._faiss
        old_rows = np.array(
            sorted(r for r in self._rows.values() if r < extra[0][0]), dtype=np.int64
        )
        old = (
            np.vstack([self._index.reconstruct(int(r)) for r in old_rows])
            if len(old_rows)
            else (np.zeros((0, self.dim), dtype=np.float32))
        )
        all_rows = np.concatenate([old_rows, extra[0]])
        all_vecs = np.vstack([old, extra[1]]).astype(np.float32)
        nlist = int(max(64, min(16384, 4 * np.sqrt(len(all_rows)))))
        quantizer = faiss.IndexFlatIP(self.dim)
        ivf = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        sample = all_vecs[
            rng.choice(len(all_vecs), size=min(len(all_vecs), nlist * 40), replace=False)
        ]
        ivf.train(sample)
        ivf.add_with_ids(all_vecs, all_rows)
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
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dim)
        with self._lock:
            n = len(self._rows)
            if n == 0:
                return []
            scores, rows = self._index.search(q, min(n, max(k, 1)))
        out = [
            Candidate(self._ids[int(r)], float(s))
            for s, r in zip(scores[0], rows[0], strict=True)
            if r >= 0 and s >= min_score
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
