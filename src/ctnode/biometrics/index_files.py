"""The face index's files: the change journal other processes append to, and private
(owner-only, fsynced) array files. Used by ``index.FastFaceIndex`` to save, load and refresh.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

JOURNAL = "journal.bin"
OP_ADD, OP_REMOVE = 1, 2


def journal_append(
    folder: Path, op: int, ids: Sequence[str], vecs: npt.NDArray[np.float32] | None
) -> int:
    """Append one change to the journal of the index saved in ``folder``; its size in bytes.

    What a process that has not loaded the index calls after an enrolment
    (``OP_ADD`` with the vectors) or a deletion (``OP_REMOVE``): every process
    holding the index applies it at its next ``refresh``.
    """
    raw_ids = b"\n".join(i.encode() for i in ids)
    body = struct.pack("!I", len(raw_ids)) + raw_ids
    if vecs is not None:
        body += np.ascontiguousarray(vecs, dtype="<f4").tobytes()
    head = struct.pack("!BII", op, len(ids), len(body))
    entry = head + body + struct.pack("!I", zlib.crc32(head + body))
    fd = os.open(Path(folder) / JOURNAL, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, entry)
    finally:
        os.close(fd)
    return len(entry)


class IndexFileError(Exception):
    """A saved face index is missing, partial or damaged: rebuild it from the store."""


def write_private(path: Path, write: Callable[[Any], object]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())


def write_array(path: Path, arr: npt.NDArray[Any]) -> None:
    def write(fh: Any) -> None:
        np.save(fh, arr, allow_pickle=False)

    write_private(path, write)


def decode_entry(
    op: int, n_ids: int, body: bytes, dim: int
) -> tuple[list[str], npt.NDArray[np.float32]]:
    (id_len,) = struct.unpack_from("!I", body, 0)
    ids = body[4 : 4 + id_len].decode().split("\n") if n_ids else []
    if op == OP_ADD:
        vecs = np.frombuffer(body, dtype="<f4", offset=4 + id_len).reshape(n_ids, dim)
        return ids, vecs.astype(np.float32)
    return ids, np.zeros((0, dim), dtype=np.float32)
