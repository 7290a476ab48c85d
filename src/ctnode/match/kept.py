"""Tables worked out once from a package's data (rigour's, nameparser's) and kept beside a
name index, so that a process reads them (milliseconds) instead of working them out again
on first use (every batch worker did: rigour's number words, nameparser's titles).

A kept table is one file in the index folder: a head line (the table's name, the version
of the code that works it out, a stamp of its source (the rigour build it was read from,
or the data file of another package), the size and CRC-32 of the rest), then the table as
JSON (never kept when its source cannot be stamped). A file that is missing, of another
source or version, or not whole (its size or CRC-32 differs, not JSON, not the table's
shape) is never used: the table is worked out again and the file written anew (replaced atomically:
a process reading it sees the old file or the new one). A folder that cannot be written
costs only the time: the table is worked out in each process, as without a folder.

Which folder (:func:`keep_in`) is set by the node's name index
(``services.screening.index``); the index build writes each table (:func:`write_all`), so
that no screen pays for it.
The tables: rigour's number words (``orgs``), nameparser's titles (``normalise``), rigour's
Han name words (``transliterate``).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ctnode.match.symbols import dictionary_stamp

log = logging.getLogger(__name__)

class _Kept:
    """The folder tables are kept in (None: worked out in this process only)."""

    lock = threading.Lock()
    folder: Path | None = None


class Table:
    """One kept table: ``name`` (its file is ``<name>.json``), ``version`` (bumped when
    ``work_out`` changes what it gives), ``work_out`` (the table from its source's data, as
    JSON-able values), ``valid`` (whether loaded JSON has the table's shape), ``decode``
    (loaded JSON as the table) and ``source`` (a stamp of the data it is worked out from:
    by default the rigour build, :func:`symbols.dictionary_stamp`)."""

    def __init__(self, name: str, version: int, work_out: Callable[[], Any],
                 valid: Callable[[Any], bool], decode: Callable[[Any], Any],
                 source: Callable[[], object] = dictionary_stamp) -> None:
        self.name = name
        self.version = version
        self.work_out = work_out
        self.valid = valid
        self.decode = decode
        self.source = source

    @property
    def file(self) -> str:
        return f"{self.name}.json"

    def head(self, body: bytes) -> bytes:
        return self._head(body, self.source())

    def _head(self, body: bytes, source: object) -> bytes:
        return (json.dumps({"table": self.name, "version": self.version,
                            "source": source, "bytes": len(body),
                            "crc32": zlib.crc32(body)}, sort_keys=True) + "\n").encode()

    def get(self) -> Any:
        """The table: from its file in the kept folder when usable, else worked out (and
        then written there). The source is stamped once (nameparser's titles: a file read)."""
        folder = _Kept.folder
        source = self.source() if folder is not None else None
        if folder is not None and source is not None:  # (else never kept: cannot be told)
            found, problem = self._read(folder, source)
            if found is not None:
                return self.decode(found)
            if problem is not None:  # a file there but not used: said, never silent
                log.warning("kept table %s: %s (%s); working it out again",
                            self.name, problem, folder / self.file)
        plain = self.work_out()
        if folder is not None and source is not None:
            self._save(folder, plain, source)
        return self.decode(plain)

    def load(self, folder: Path) -> Any | None:
        """The table's JSON in ``folder``'s file, or None: missing, of another source or
        version, or not whole."""
        return self._load(folder, self.source())

    def _load(self, folder: Path, source: object) -> Any | None:
        return self._read(folder, source)[0]

    def _read(self, folder: Path, source: object) -> tuple[Any | None, str | None]:
        """The table's JSON (else None) and why a file there is not used (None: usable,
        or no file)."""
        try:
            data = (folder / self.file).read_bytes()
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            return None, f"unreadable: {exc.strerror or exc}"
        head, sep, body = data.partition(b"\n")
        if not sep or self._head(body, source) != head + sep:
            return None, "stale or spoilt (its head does not match this code, source and body)"
        try:
            plain = json.loads(body)
        except ValueError:
            return None, "spoilt (not JSON)"
        if not self.valid(plain):
            return None, "spoilt (not the table's shape)"
        return plain, None

    def save(self, folder: Path, plain: Any) -> None:
        """Write the table's file in ``folder`` (nothing when it cannot be written)."""
        self._save(folder, plain, self.source())

    def _save(self, folder: Path, plain: Any, source: object) -> None:
        body = json.dumps(plain, ensure_ascii=False, sort_keys=True,
                          separators=(",", ":")).encode()
        part = folder / f".{self.file}.{os.getpid()}.{threading.get_ident()}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            part.write_bytes(self._head(body, source) + body)
            os.replace(part, folder / self.file)
        except OSError:
            try:
                part.unlink(missing_ok=True)
            except OSError:
                pass

    def write(self, folder: Path) -> None:
        """Write the file now unless a usable one is there (an index build)."""
        source = self.source()
        if source is not None and self._load(folder, source) is None:
            self._save(folder, self.work_out(), source)


_TABLES: list[Table] = []


def table(name: str, version: int, work_out: Callable[[], Any], valid: Callable[[Any], bool],
          decode: Callable[[Any], Any], source: Callable[[], object] = dictionary_stamp,
          ) -> Table:
    """A kept table (see :class:`Table`), registered for :func:`write_all`."""
    found = Table(name, version, work_out, valid, decode, source)
    _TABLES.append(found)
    return found


def keep_in(folder: Path | None) -> None:
    """Keep the tables in ``folder`` (a name index's folder; None: nowhere)."""
    with _Kept.lock:
        _Kept.folder = folder


def kept_in() -> Path | None:
    return _Kept.folder


def write_all(folder: Path) -> None:
    """Write every registered table's file in ``folder`` unless a usable one is there. A
    table registers when its module is imported (``normalise``'s titles, ``orgs``' number
    words, ``transliterate``'s Han words: all imported by the matcher, hence by any index
    that calls this; importing them here would make a circle, as they import this module)."""
    for kept in _TABLES:
        kept.write(folder)
