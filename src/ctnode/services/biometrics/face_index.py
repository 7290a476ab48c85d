"""The node's 1:N face indexes: one per face model, kept in files, updated in place.

Where: ``<CTNODE_DATA_DIR>/biometrics/index/face-<hash of model and engine>/``, the
layout of ``FastFaceIndex.save`` (float32 rows, 8-bit rows, ids, manifest; 0600
files in a 0700 folder: templates are biometric data) plus ``journal.bin`` (every
change since the save) and ``stamp.json`` (the store's version of the model's
templates after the last change: ``BiometricStore.template_version``, a counter every
template insert and delete bumps in its own transaction).

How it stays current without asking the store before each search:

- **In this process** the enrolment and deletion paths call ``added`` / ``removed``
  after their transaction commits: the held index changes in place (its ``version``
  grows) and the change is appended to the journal.
- **Another process on this host** (the CLI beside a server) appends to the same
  journal; a search here first ``refresh``\\es the held index, which costs one
  ``stat`` of the journal when nothing changed (and one of the manifest, to notice a
  rebuild).
- **Opening** the files (the first search of a process) compares ``stamp.json`` with
  the store's version, in one primary-key lookup; a missing,
  damaged or out-of-date index is rebuilt from the store with a one-line message
  (never used as it is), then saved for the next process.
- **Several hosts** (PostgreSQL): each keeps its own files; ``check`` (the
  ``biometric-index`` job, every ``CTNODE_FACE_INDEX_CHECK_MINUTES``) compares the held
  stamp with the store's and rebuilds when another host changed the templates.

Writers serialise on a lock file beside the folder (``fcntl.flock``), so journal
entries never interleave and a rebuild never races an append.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ctnode.biometrics.index import FastFaceIndex
from ctnode.biometrics.index_files import OP_ADD, OP_REMOVE, IndexFileError, journal_append
from ctnode.services.biometrics.types import Sealer
from ctnode.services.context import Context

log = logging.getLogger("ctnode.biometrics")

STAMP = "stamp.json"
MANIFEST = "manifest.json"
Stamp = int  # the store's version of one model's templates


@dataclass(slots=True)
class _Held:
    index: FastFaceIndex
    stamp: Stamp
    manifest: tuple[int, int] | None  # (inode, mtime) of the manifest this copy was loaded from


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns


def read_stamp(folder: Path) -> Stamp | None:
    try:
        return int(json.loads((folder / STAMP).read_text())["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_stamp(folder: Path, stamp: Stamp) -> None:
    tmp = folder / f"{STAMP}.tmp-{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"version": stamp}, fh)
    tmp.replace(folder / STAMP)


class FaceIndexes:
    """The face indexes of one node (see the module docstring for how they stay current)."""

    def __init__(self, ctx: Context, key: Sealer, root: Path | None = None) -> None:
        self.ctx = ctx
        self.key = key
        self.rows = ctx.store.biometrics
        self.root = root or ctx.settings.data_dir / "biometrics" / "index"
        self._held: dict[tuple[str, str], _Held] = {}
        self._lock = threading.RLock()
        self.rebuilds: list[str] = []  # one line per rebuild this process made, and why

    def folder(self, model_id: str, engine: str) -> Path:
        digest = hashlib.sha256(f"{model_id}\n{engine}".encode()).hexdigest()[:16]
        return self.root / f"face-{digest}"

    @contextmanager
    def _writer(self, folder: Path) -> Iterator[None]:
        """The lock every writer of ``folder`` (appends, rebuilds) holds, across processes."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(folder.with_name(folder.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # -- reading ----------------------------------------------------------------------------------

    def get(self, model_id: str, engine: str, dim: int) -> FastFaceIndex:
        """The current index of one model: the held copy after a ``refresh`` (two ``stat``
        calls), or the files opened (and checked once against the store), or a rebuild."""
        key = (model_id, engine)
        folder = self.folder(model_id, engine)
        with self._lock:
            held = self._held.get(key)
            if held is not None and held.manifest == _file_id(folder / MANIFEST):
                held.index.refresh()
                return held.index
            with self._writer(folder):
                held = self._open(model_id, engine, dim, folder)
            self._held[key] = held
            return held.index

    def _open(self, model_id: str, engine: str, dim: int, folder: Path) -> _Held:
        stamp = self.rows.template_version("face", model_id, engine)
        settings = self.ctx.settings
        index: FastFaceIndex | None = None
        try:
            index = FastFaceIndex.load(
                folder, ivf_min=settings.face_index_ivf_min, nprobe=settings.face_index_nprobe
            )
            if index.dim != dim:
                reason = f"its vectors have {index.dim} values, the model {dim}"
            elif read_stamp(folder) != stamp:
                reason = (
                    f"out of date (files at version {read_stamp(folder)}, the store at {stamp})"
                )
            else:
                reason = ""
        except IndexFileError as exc:
            reason = "not built yet" if not folder.exists() else f"unreadable ({exc})"
        if reason or index is None:
            index = self._rebuild(model_id, engine, dim, folder, stamp, reason)
        index.attach(folder)
        return _Held(index, stamp, _file_id(folder / MANIFEST))

    def _rebuild(
        self, model_id: str, engine: str, dim: int, folder: Path, stamp: Stamp, reason: str
    ) -> FastFaceIndex:
        """Build from the store, save, say so in one line (the caller holds the writer lock).

        The rows go straight from the store into the saved layout (no index is built in
        memory and thrown away); the index is then opened from the files, memory-mapped,
        like every other process opens it.
        """
        ids, vecs = self.read_store(model_id, engine, dim)
        FastFaceIndex.save_arrays(folder, ids, vecs, version=1, stamp=str(stamp))
        del ids, vecs
        _write_stamp(folder, stamp)
        settings = self.ctx.settings
        index = FastFaceIndex.load(
            folder, ivf_min=settings.face_index_ivf_min, nprobe=settings.face_index_nprobe
        )
        line = (
            f"face index for {model_id} rebuilt from the store: {reason}; "
            f"{len(index):,} templates, saved in {folder}"
        )
        self.rebuilds.append(line)
        if len(index):
            log.warning(line)
        return index

    def read_store(
        self, model_id: str, engine: str, dim: int
    ) -> tuple[list[str], npt.NDArray[np.float32]]:
        """Every template of one model, opened and laid out in one float32 array.

        Read in pages of plain ``(id, ciphertext)`` tuples, opened a page at a time into one
        byte string and copied once into the array (sized from the count, grown only if a
        writer added templates since): about 9 µs of CPU per template.
        """
        expected = self.rows.count_templates("face", model_id, engine)
        vecs = np.empty((max(expected, 1), dim), dtype=np.float32)
        ids: list[str] = []
        for page in self.rows.template_pages("face", model_id, engine):
            if not page:
                continue
            raw = self.key.open_concat([(ct, f"template:{tid}") for tid, ct in page])
            if len(raw) != 4 * dim * len(page):
                raise IndexFileError(f"a stored {model_id} template is not {dim} float32 values")
            block = np.frombuffer(raw, dtype="<f4").reshape(len(page), dim)
            need = len(ids) + len(page)
            if need > len(vecs):  # a writer added templates since the count
                vecs = np.resize(vecs, (max(need, len(vecs) + len(vecs) // 4), dim))
            vecs[len(ids) : need] = block
            ids.extend(tid for tid, _ in page)
        return ids, vecs[: len(ids)]

    # -- writing ----------------------------------------------------------------------------------

    def added(
        self, model_id: str, engine: str, ids: Sequence[str], vectors: npt.NDArray[np.float32]
    ) -> None:
        """Templates committed to the store: into the held index and the journal, in place."""
        self._change(model_id, engine, OP_ADD, list(ids), vectors)

    def removed(self, model_id: str, engine: str, ids: Sequence[str]) -> None:
        """Templates deleted from the store: out of the held index and into the journal."""
        self._change(model_id, engine, OP_REMOVE, list(ids), None)

    def _change(
        self, model_id: str, engine: str, op: int, ids: list[str],
        vectors: npt.NDArray[np.float32] | None,
    ) -> None:
        if not ids:
            return
        key = (model_id, engine)
        folder = self.folder(model_id, engine)
        with self._lock, self._writer(folder):
            manifest = _file_id(folder / MANIFEST)
            if manifest is None:
                return  # no index saved yet: the first search builds it from the store
            held = self._held.get(key)
            if held is not None and held.manifest == manifest:
                if op == OP_ADD:
                    assert vectors is not None
                    held.index.add(ids, vectors)
                else:
                    held.index.remove(ids)
            else:
                journal_append(folder, op, ids, vectors)
            stamp = self.rows.template_version("face", model_id, engine)
            _write_stamp(folder, stamp)
            if held is not None:
                held.stamp = stamp

    # -- several hosts ----------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Rebuild each held index whose store stamp changed behind it (another host's writes);
        one line per rebuild. One query per held model; meant for a periodic job."""
        done: list[str] = []
        with self._lock:
            for (model_id, engine), held in list(self._held.items()):
                held.index.refresh()
                stamp = self.rows.template_version("face", model_id, engine)
                if stamp == held.stamp:
                    continue
                folder = self.folder(model_id, engine)
                with self._writer(folder):
                    why = f"the store changed (version {stamp}, {held.stamp} held)"
                    index = self._rebuild(model_id, engine, held.index.dim, folder, stamp, why)
                    index.attach(folder)
                    self._held[(model_id, engine)] = _Held(
                        index, stamp, _file_id(folder / MANIFEST)
                    )
                done.append(self.rebuilds[-1])
        return done

    def rebuild(self, model_id: str, engine: str, dim: int) -> FastFaceIndex:
        """Rebuild one model's index from the store now (``ctnode biometrics index rebuild``)."""
        folder = self.folder(model_id, engine)
        with self._lock, self._writer(folder):
            stamp = self.rows.template_version("face", model_id, engine)
            index = self._rebuild(model_id, engine, dim, folder, stamp, "asked for")
            index.attach(folder)
            self._held[(model_id, engine)] = _Held(index, stamp, _file_id(folder / MANIFEST))
        return index

    def status(self, model_id: str, engine: str) -> dict[str, object]:
        """What the files of one model hold, against the store (no rebuild)."""
        folder = self.folder(model_id, engine)
        stamp = self.rows.template_version("face", model_id, engine)
        saved = read_stamp(folder)
        size = sum(p.stat().st_size for p in folder.glob("*") if p.is_file()) if folder.exists() else 0
        return {
            "folder": str(folder),
            "exists": folder.exists(),
            "store_templates": self.rows.count_templates("face", model_id, engine),
            "store_version": stamp,
            "saved_version": saved,
            "current": saved == stamp,
            "bytes": size,
        }
