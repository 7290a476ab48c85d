"""Face 1:N search indexes: one contract, a naive exact reference and a fast one.

``NaiveFaceIndex`` compares the probe with every template, one by one: slow,
obviously right. ``FastFaceIndex`` scans 8-bit codes of every vector with
FAISS (SIMD), takes every template whose 8-bit score is within the proven
quantisation bound of the threshold, and re-scores those exactly in float32:
exact, updated in place, versioned, and saved to / loaded from a folder. An
operator may switch it to an inverted file (``IndexIVFFlat``, visits the
``nprobe`` nearest cells) from ``ivf_min`` templates on, trading recall for
speed. Tests run fast and naive on the same data: scan mode must return
identical candidates; IVF mode only naive candidates, with the same scores.

The fingerprint indexes are in ``fingerprint_index``.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ctnode.biometrics.index_files import (
    JOURNAL,
    OP_ADD,
    OP_REMOVE,
    IndexFileError,
    decode_entry,
    journal_append,
    write_array,
    write_private,
)

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


def rank(pairs: list[Candidate], k: int) -> list[Candidate]:
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
        return rank(out, k)

    def __len__(self) -> int:
        return len(self._vectors)


class FastFaceIndex:
    """Exact 1:N face search over every template, updated in place (the node's default).

    Storage: a float32 matrix of the templates (row = insertion order), an int8
    copy (``SCALE`` × vector, rounded) that FAISS scans with SIMD, the row → id
    list and a live mask. ``add`` appends rows; ``remove`` marks rows dead
    (a tombstone, O(1)); dead rows are dropped when they pass half the rows
    (``compact``) or when the index is saved. Nothing is ever rebuilt from the
    store because of an enrolment or a deletion.

    Exactness: every template's 8-bit copy is within ``eps`` of it (``eps`` =
    the largest ‖x − code/SCALE‖ ever added, measured at insertion; a template
    further off than ``EPS_CAP``, because a component clipped, is kept on a short
    list re-scored exactly at every search instead), so for a unit probe the
    8-bit score is within ``eps`` of the exact one. A search takes
    from FAISS *every* row whose 8-bit score is ≥ ``min_score − eps`` (a top-k
    scan, widened until its lowest score falls below that bound), re-scores those
    exactly in float32 and keeps the ones ≥ ``min_score``: the answer is the exact
    answer, which a test checks against the naive loop (``NaiveFaceIndex``),
    removals included.

    ``version`` grows by one on every change: a searcher holding the index in
    memory compares it instead of asking the store whether something changed.
    ``save`` / ``load`` keep the arrays in a folder (``.npy`` files that load
    memory-mapped) and ``attach`` appends every later change to a journal there,
    so another process (the CLI) loads the index instead of rebuilding it and a
    server picks up the CLI's changes with ``refresh`` (one ``stat`` per call).

    The inverted file (``ivf_min`` > 0, from that many templates on) is the
    approximate option: it visits only ``nprobe`` cells, so it can miss a mate
    (recall measured in docs/benchmarks.md); it never invents one (scores are exact).
    """

    SCALE = 300.0  # unit-vector components × SCALE, rounded to int8 (|component| > 0.42 clips)
    RERANK_MIN = 256  # rows fetched by the first 8-bit pass at least
    EPS_CAP = 0.03  # a template whose 8-bit copy is further off (clipped) is scanned exactly
    FORMAT = 1  # version of the saved layout
    CHUNK = 65_536  # rows coded at a time by a bulk build

    def __init__(self, dim: int, *, ivf_min: int = 0, nprobe: int = 48) -> None:
        import faiss

        self._faiss: Any = faiss
        self.dim = dim
        self.ivf_min = ivf_min
        self.nprobe = nprobe
        self._lock = threading.RLock()
        self._ids: list[str] = []  # row → template id ("" for a dead row)
        self._rows: dict[str, int] = {}
        self._vecs = np.zeros((0, dim), dtype=np.float32)  # row → exact vector (capacity ≥ rows)
        self._base: npt.NDArray[np.float32] | None = None  # memory-mapped rows of a loaded index
        self._n = 0  # rows used (live and dead)
        self._live = np.zeros(0, dtype=bool)
        self.eps = 0.0
        self._outliers: list[int] = []  # rows whose 8-bit error exceeds EPS_CAP: re-scored always
        self.version = 0
        self.stamp = ""  # what the index was built from (e.g. the store's generation), if known
        self._scan: Any = self._new_scan()
        self._ivf: Any = None
        self._journal: Path | None = None
        self._journal_read = 0  # bytes of the journal applied to this copy

    # -- contract -------------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return "ivf" if self._ivf is not None else "scan"

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, ids: Sequence[str], vectors: npt.NDArray[np.float32]) -> None:
        """Add (or replace) templates in place; with a journal, other processes' changes are
        applied first and this one is appended (callers serialise writers with a file lock)."""
        vecs = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        with self._lock:
            self.refresh()
            self._add(list(ids), vecs)
            self._log(OP_ADD, list(ids), vecs)

    def remove(self, ids: Sequence[str]) -> None:
        """Remove templates in place (unknown ids are ignored); journalled like ``add``."""
        with self._lock:
            self.refresh()
            gone = [i for i in ids if i in self._rows]
            self._remove(gone)
            self._log(OP_REMOVE, gone, None)

    @classmethod
    def from_arrays(
        cls, ids: Sequence[str], vectors: npt.NDArray[np.float32], *, ivf_min: int = 0,
        nprobe: int = 48,
    ) -> FastFaceIndex:
        """An index over ``vectors`` (row i is ``ids[i]``), adopting the array without a copy.

        The bulk path of a build from the store: the 8-bit copy is made in chunks, so the
        build needs the float32 rows once plus one byte per component (no doubling).
        """
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        if vecs.ndim != 2 or len(vecs) != len(ids):
            raise ValueError(f"{len(ids)} ids for an array of shape {vecs.shape}")
        if len(set(ids)) != len(ids):
            raise ValueError("template ids repeat")
        index = cls(int(vecs.shape[1]), ivf_min=ivf_min, nprobe=nprobe)
        n = len(ids)
        index._vecs, index._n = vecs, n
        index._ids = list(ids)
        index._rows = {tid: r for r, tid in enumerate(index._ids)}
        index._live = np.zeros(max(n, 1), dtype=bool)
        index._live[:n] = True
        for start in range(0, n, cls.CHUNK):
            index._code_rows(start, vecs[start : start + cls.CHUNK])
        index.version = 1
        if index.ivf_min and n >= index.ivf_min:
            index._build_ivf()
        return index

    def search(self, query: Vector, *, k: int, min_score: float) -> list[Candidate]:
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(self.dim)
        with self._lock:
            if not self._rows:
                return []
            if self._ivf is not None:
                rows = self._ivf_rows(q, k)
            else:
                rows = self._scan_rows(q, k, min_score)
                if self._outliers:
                    rows = np.union1d(rows, np.asarray(self._outliers, dtype=np.int64))
            rows = rows[self._live[rows]]
            exact = self._exact(rows) @ q
            keep = exact >= min_score
            rows, exact = rows[keep], exact[keep]
            if len(rows) > k:
                top = np.argpartition(-exact, k - 1)[:k]
                rows, exact = rows[top], exact[top]
            ids = [self._ids[int(r)] for r in rows]
        return rank([Candidate(t, float(s)) for t, s in zip(ids, exact, strict=True)], k)

    # -- internals ------------------------------------------------------------------------------

    def _scan_rows(self, q: Vector, k: int, min_score: float) -> npt.NDArray[np.int64]:
        """Every row whose 8-bit score is ≥ ``min_score − eps``: a top-k scan widened until its
        lowest 8-bit score falls below that bound (one pass unless hundreds of templates pass)."""
        floor = min_score - self.eps - 1e-6
        fetch = min(self._n, max(4 * k, self.RERANK_MIN))
        # FAISS quantises the probe too (int8 × int8 SIMD): scale it like the codes, and
        # round it the same way so the bound covers both roundings (eps_q below).
        qs = np.clip(np.rint(q * self.SCALE), -127, 127).astype(np.float32)
        eps_q = float(np.linalg.norm(q - qs / self.SCALE))
        floor -= eps_q + self.eps * eps_q
        while True:
            scores, found = self._scan.search(qs.reshape(1, self.dim), fetch)
            ok = found[0] >= 0
            rows: npt.NDArray[np.int64] = found[0][ok].astype(np.int64)
            if fetch >= self._n or float(scores[0][ok][-1]) / self.SCALE**2 < floor:
                return rows
            fetch = min(self._n, fetch * 8)

    def _new_scan(self) -> Any:
        faiss = self._faiss
        return faiss.IndexScalarQuantizer(
            self.dim, faiss.ScalarQuantizer.QT_8bit_direct_signed, faiss.METRIC_INNER_PRODUCT
        )

    def _codes(self, vecs: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        codes: npt.NDArray[np.float32] = np.clip(np.rint(vecs * self.SCALE), -127, 127)
        return codes.astype(np.float32)

    def _exact(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        if self._base is None:
            return self._vecs[rows]
        nb = len(self._base)
        out = np.empty((len(rows), self.dim), dtype=np.float32)
        old = rows < nb
        out[old] = self._base[rows[old]]
        out[~old] = self._vecs[rows[~old] - nb]
        return out

    def _grow(self, extra: int) -> None:
        """Room for ``extra`` more rows (amortised doubling, no copy of the memory-mapped base)."""
        nb = 0 if self._base is None else len(self._base)
        need = self._n - nb + extra
        if need > len(self._vecs):
            # grow by a quarter: a million rows never double (a copy of 0.5 GB to 1 GB)
            cap = max(need, len(self._vecs) + max(1024, len(self._vecs) // 4))
            grown = np.zeros((cap, self.dim), dtype=np.float32)
            grown[: self._n - nb] = self._vecs[: self._n - nb]
            self._vecs = grown
        if self._n + extra > len(self._live):
            live = np.zeros(max(self._n + extra, 2 * len(self._live), 1024), dtype=bool)
            live[: self._n] = self._live[: self._n]
            self._live = live

    def _add(self, ids: list[str], vecs: npt.NDArray[np.float32]) -> None:
        if len(ids) != len(vecs):
            raise ValueError(f"{len(ids)} ids for {len(vecs)} vectors")
        self._remove([i for i in ids if i in self._rows])
        if not ids:
            return
        self._grow(len(ids))
        start = self._n
        nb = 0 if self._base is None else len(self._base)
        self._vecs[start - nb : start - nb + len(ids)] = vecs
        self._code_rows(start, vecs)
        if self._ivf is not None:
            self._ivf.add_with_ids(vecs, np.arange(start, start + len(ids), dtype=np.int64))
        self._ids.extend(ids)
        for offset, tid in enumerate(ids):
            self._rows[tid] = start + offset
        self._live[start : start + len(ids)] = True
        self._n += len(ids)
        self.version += 1
        if self._ivf is None and self.ivf_min and len(self._rows) >= self.ivf_min:
            self._build_ivf()

    def _code_rows(self, start: int, vecs: npt.NDArray[np.float32]) -> None:
        """Append the 8-bit copies of rows ``start ...`` to the scan; track ``eps`` and outliers."""
        codes = self._codes(vecs)
        err = np.linalg.norm(vecs - codes / self.SCALE, axis=1)
        wide = err > self.EPS_CAP
        if wide.any():
            self._outliers.extend((start + np.flatnonzero(wide)).tolist())
        if (~wide).any():
            self.eps = max(self.eps, float(err[~wide].max()))
        self._scan.add(codes)

    def _remove(self, ids: list[str]) -> None:
        if not ids:
            return
        for tid in ids:
            row = self._rows.pop(tid)
            self._ids[row] = ""
            self._live[row] = False
        self.version += 1
        if self._n - len(self._rows) > max(1024, self._n // 2):
            self.compact()

    def compact(self) -> None:
        """Drop dead rows (rebuilds the 8-bit copy from the live vectors; rows are renumbered)."""
        with self._lock:
            live = np.flatnonzero(self._live[: self._n])
            vecs = self._exact(live).copy()
            ids = [self._ids[int(r)] for r in live]
            version, stamp, eps = self.version, self.stamp, self.eps
            self._reset()
            self._add(ids, vecs)
            self.version, self.stamp, self.eps = version, stamp, max(eps, self.eps)

    def _reset(self) -> None:
        self._ids, self._rows, self._n = [], {}, 0
        self._outliers = []
        self._vecs = np.zeros((0, self.dim), dtype=np.float32)
        self._base = None
        self._live = np.zeros(0, dtype=bool)
        self._scan = self._new_scan()
        self._ivf = None

    def _build_ivf(self) -> None:
        faiss = self._faiss
        live = np.flatnonzero(self._live[: self._n]).astype(np.int64)
        vecs = self._exact(live)
        nlist = int(max(64, min(16384, 4 * np.sqrt(len(live)))))
        quantizer = faiss.IndexFlatIP(self.dim)
        ivf = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        sample = vecs[rng.choice(len(vecs), size=min(len(vecs), nlist * 40), replace=False)]
        ivf.train(sample)
        ivf.add_with_ids(vecs, live)
        ivf.nprobe = self.nprobe
        self._ivf = ivf

    def _ivf_rows(self, q: Vector, k: int) -> npt.NDArray[np.int64]:
        fetch = min(self._n, max(4 * k, 256))
        _, rows = self._ivf.search(q.reshape(1, self.dim), fetch)
        found: npt.NDArray[np.int64] = rows[0][rows[0] >= 0].astype(np.int64)
        return found

    # -- persistence ----------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write the index to ``folder`` (atomically: a new folder renamed over the old one).

        Files: ``manifest.json`` (format, dimension, rows, version, eps, stamp),
        ``vectors.npy`` (float32 rows), ``codes.npy`` (int8 rows), ``ids.npy`` (UTF-8
        ids, fixed width). Dead rows are dropped first. Mode 0600 in a 0700 folder:
        templates are biometric data (see docs/biometrics.md on where to keep it).
        """
        with self._lock:
            if self._n != len(self._rows):
                self.compact()
            # the rows as they are (a view when nothing is memory-mapped: no 0.5 GB copy at 1M)
            vecs = (
                self._vecs[: self._n]
                if self._base is None
                else self._exact(np.arange(self._n, dtype=np.int64))
            )
            codes, eps, outliers = self._code_all(vecs)
            self._write_folder(
                Path(folder), self._ids, vecs, codes, version=self.version, stamp=self.stamp,
                eps=max(eps, self.eps), outliers=outliers,
            )
            if self._journal is not None:
                self._journal = Path(folder) / JOURNAL
                self._journal_read = 0

    @classmethod
    def save_arrays(
        cls, folder: Path, ids: Sequence[str], vectors: npt.NDArray[np.float32], *,
        version: int = 1, stamp: str = "",
    ) -> None:
        """Write ``vectors`` (row i is ``ids[i]``) in ``save``'s layout without building an
        index in memory first: the rebuild path (code once, write, then ``load``)."""
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        if vecs.ndim != 2 or len(vecs) != len(ids):
            raise ValueError(f"{len(ids)} ids for an array of shape {vecs.shape}")
        if len(set(ids)) != len(ids):
            raise ValueError("template ids repeat")
        codes, eps, outliers = cls._code_all(vecs)
        cls._write_folder(Path(folder), list(ids), vecs, codes, version=version, stamp=stamp,
                          eps=eps, outliers=outliers)

    @classmethod
    def _code_all(
        cls, vecs: npt.NDArray[np.float32]
    ) -> tuple[npt.NDArray[np.int8], float, list[int]]:
        """The 8-bit rows of ``vecs`` (in chunks: one byte per component extra), the largest
        8-bit error of the rows kept in bounds, and the rows beyond ``EPS_CAP``."""
        codes = np.empty(vecs.shape, dtype=np.int8)
        eps, outliers = 0.0, []
        for start in range(0, len(vecs), cls.CHUNK):
            chunk = vecs[start : start + cls.CHUNK]
            coded = np.clip(np.rint(chunk * cls.SCALE), -127, 127)
            err = np.linalg.norm(chunk - coded / cls.SCALE, axis=1)
            wide = err > cls.EPS_CAP
            outliers += (start + np.flatnonzero(wide)).tolist()
            if (~wide).any():
                eps = max(eps, float(err[~wide].max()))
            codes[start : start + cls.CHUNK] = coded
        return codes, eps, outliers

    @classmethod
    def _write_folder(
        cls, folder: Path, ids: list[str], vecs: npt.NDArray[np.float32],
        codes: npt.NDArray[np.int8], *, version: int, stamp: str, eps: float,
        outliers: list[int],
    ) -> None:
        tmp = folder.with_name(folder.name + f".tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True, mode=0o700)
        width = max([len(i.encode()) for i in ids] + [1])
        arrays: dict[str, npt.NDArray[Any]] = {
            "vectors.npy": vecs,
            "codes.npy": codes,
            "ids.npy": np.array([i.encode() for i in ids], dtype=f"S{width}"),
        }
        for name, arr in arrays.items():
            write_array(tmp / name, arr)
        manifest = {
            "format": cls.FORMAT,
            "dim": int(vecs.shape[1]),
            "rows": len(ids),
            "version": version,
            "eps": eps,
            "outliers": outliers,
            "scale": cls.SCALE,
            "stamp": stamp,
        }
        write_private(tmp / "manifest.json", lambda fh: fh.write(json.dumps(manifest).encode()))
        old = folder.with_name(folder.name + f".old-{os.getpid()}")
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(
        cls, folder: Path, *, mmap: bool = True, ivf_min: int = 0, nprobe: int = 48
    ) -> FastFaceIndex:
        """Load a saved index; the float32 rows stay memory-mapped (``mmap``), the journal replayed.

        Raises ``IndexFileError`` for a missing, partial or inconsistent folder: the caller
        rebuilds from the store and says so (never uses a damaged index silently).
        """
        folder = Path(folder)
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
            if manifest.get("format") != cls.FORMAT:
                raise IndexFileError(f"{folder}: index format {manifest.get('format')!r} unknown")
            dim, rows = int(manifest["dim"]), int(manifest["rows"])
            vecs = np.load(folder / "vectors.npy", mmap_mode="r" if mmap else None)
            codes = np.load(folder / "codes.npy", mmap_mode="r")
            ids = np.load(folder / "ids.npy")
        except (OSError, ValueError, KeyError) as exc:
            raise IndexFileError(f"{folder}: no readable face index here ({exc})") from exc
        if vecs.shape != (rows, dim) or codes.shape != (rows, dim) or ids.shape != (rows,):
            raise IndexFileError(f"{folder}: index arrays do not agree with the manifest")
        index = cls(dim, ivf_min=ivf_min, nprobe=nprobe)
        index._base = vecs
        index._n = rows
        index._ids = [i.decode() for i in ids.tolist()]
        index._rows = {tid: r for r, tid in enumerate(index._ids)}
        index._live = np.ones(max(rows, 1), dtype=bool)
        index._live[rows:] = False
        flat = np.ascontiguousarray(codes, dtype=np.int8).view(np.uint8).reshape(-1) ^ 0x80
        # Room for a tenth more rows first: the vector keeps its capacity when the copy sizes
        # it down, so the next enrolments append without copying every code (128 MB at 1M).
        index._scan.codes.resize(len(flat) + len(flat) // 10 + 1024 * dim)
        index._faiss.copy_array_to_vector(flat, index._scan.codes)
        index._scan.ntotal = rows
        index.eps = float(manifest["eps"])
        index._outliers = [int(r) for r in manifest.get("outliers", [])]
        if float(manifest.get("scale", cls.SCALE)) != cls.SCALE:
            raise IndexFileError(f"{folder}: saved with another 8-bit scale; rebuild it")
        index.version = int(manifest["version"])
        index.stamp = str(manifest.get("stamp", ""))
        index._journal = folder / JOURNAL
        index._journal_read = 0
        index.refresh()
        if index.ivf_min and len(index._rows) >= index.ivf_min:
            index._build_ivf()
        return index

    def attach(self, folder: Path) -> None:
        """Append every later change to ``folder``'s journal (``save`` the index there first)."""
        with self._lock:
            self._journal = Path(folder) / JOURNAL
            self._journal_read = self._journal.stat().st_size if self._journal.exists() else 0

    def refresh(self) -> bool:
        """Apply changes another process appended to the journal; True if there were any.

        Costs one ``stat`` when nothing changed. A torn last entry (a writer stopped
        mid-write) is left for the next call; a damaged one raises ``IndexFileError``.
        """
        with self._lock:
            if self._journal is None or not self._journal.exists():
                return False
            size = self._journal.stat().st_size
            if size <= self._journal_read:
                return False
            with open(self._journal, "rb") as fh:
                fh.seek(self._journal_read)
                data = fh.read(size - self._journal_read)
            pos, changed = 0, False
            while pos + 9 <= len(data):
                op, n_ids, length = struct.unpack_from("!BII", data, pos)
                end = pos + 9 + length + 4
                if end > len(data):
                    break  # torn tail: a writer is still appending
                body = data[pos + 9 : pos + 9 + length]
                if (
                    zlib.crc32(data[pos : pos + 9 + length])
                    != struct.unpack_from("!I", data, end - 4)[0]
                ):
                    raise IndexFileError(
                        f"{self._journal}: damaged entry at byte {self._journal_read + pos}"
                    )
                ids, vecs = decode_entry(op, n_ids, body, self.dim)
                if op == OP_ADD:
                    self._add(ids, vecs)
                else:
                    self._remove([i for i in ids if i in self._rows])
                pos, changed = end, True
            self._journal_read += pos
            return changed

    def _log(self, op: int, ids: list[str], vecs: npt.NDArray[np.float32] | None) -> None:
        if self._journal is None or not ids:
            return
        self._journal_read += journal_append(self._journal.parent, op, ids, vecs)
