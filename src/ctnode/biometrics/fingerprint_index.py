"""Fingerprint 1:N search indexes: one contract, a naive exact reference and a fast one.

``NaiveFingerprintIndex`` calls the engine's compare for every pair;
``FastFingerprintIndex`` packs each gallery template into NBIS's native structure
once and runs Bozorth3 on them directly (same scores, no re-packing).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol

from ctnode.biometrics.fingerprint import FingerprintEngine, Minutiae
from ctnode.biometrics.index import Candidate, rank


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
        return rank(out, k)

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
        return rank(out, k)

    def __len__(self) -> int:
        return len(self._packed)
