"""The name index on disk: what a :class:`~ctnode.match.index.Matcher` holds, written once
and loaded by any process without running the name analyser again.

A saved index is one *generation* folder of two files, named by a small JSON stamp:

* ``postings.i32``: every posting list of more than one name, end to end (int32, native
  byte order), memory-mapped on load; a posting table holds a bare name id for a list of
  one and ``-(slot + 1)`` for a longer list, whose bounds are ``offsets[slot:slot + 2]``;
* ``state.pkl``: the rest, compact (pickle protocol 5): the records, each name's text and
  analysed form (tokens, alternative forms, roles, symbols, script key), the rarity
  counts, the posting tables' keys and weights, the typo vocabularies and the offsets.

The stamp (``stamp.json``, replaced atomically) names the generation and carries what the
caller wants checked (the store it was built from and the store's change mark), the
format version, the scoring model's fingerprint, and each file's size and CRC-32: a file
that does not match is corrupt, and :func:`load` refuses it (:class:`IndexUnusable`) rather
than screening with it. Generation folders are never changed once written, so a process
that has one mapped keeps a consistent index while another writes the next.

Nothing here decides *when* to build or load: that is the node's
:class:`~ctnode.services.screening.index.MatchIndex`.
"""

from __future__ import annotations

import gc
import hashlib
import json
import mmap
import os
import pickle
import shutil
import time
import zlib
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctnode.match import weights
from ctnode.match.corpus import FREEZE_AT, Thresholds
from ctnode.match.index import Matcher
from ctnode.match.postings import JOIN, PostingKind, PostingTables
from ctnode.match.score import Rarity
from ctnode.match.symbols import SymbolTable

FORMAT = 5  # 5: parts written in katakana carry their loanword keys as alternatives
# (4: short Han words carry their Japanese reading as an alternative)
STAMP = "stamp.json"
STATE = "state.pkl"
POSTINGS = "postings.i32"
_CHUNK = 1 << 22
NO_INDEX = "no index yet"


class IndexUnusable(Exception):
    """The saved index cannot be used (missing, for another store or model, corrupt);
    ``reason`` says why in one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def model_fingerprint() -> str:
    """What a saved index depends on beyond its names: the format and the scoring model."""
    text = json.dumps({"format": FORMAT, "model": repr(weights.MODEL)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Saved:
    """What :func:`save` wrote."""

    generation: str
    names: int
    records: int
    bytes: int
    seconds: float


def _crc(path: Path) -> int:
    crc = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def read_stamp(folder: Path) -> dict[str, Any] | None:
    """The stamp of the index in ``folder`` (None when there is none or it is unreadable)."""
    try:
        data = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _pack_postings(tables: PostingTables) -> tuple[list[dict[str, int]], array[int], array[int]]:
    """Posting tables as key → id (one name) or ``-(slot + 1)``, the lists end to end."""
    packed: list[dict[str, int]] = []
    data: array[int] = array("i")
    offsets: array[int] = array("q", [0])
    for kind in PostingKind:
        out: dict[str, int] = {}
        for key in tables.postings[kind]:
            ids = tables.lookup(kind, key)
            if len(ids) == 1:
                out[key] = ids[0]
            else:
                out[key] = -len(offsets)
                data.extend(ids)
                offsets.append(len(data))
        packed.append(out)
    return packed, data, offsets


# The posting tables saved as they are: (key in the saved state, attribute of PostingTables).
_TABLE_STATE = (("skeleton_deletions", "skeleton_deletions"), ("spellings", "spellings"),
                ("unvowelled", "unvowelled_skeletons"), ("vocabulary", "vocabulary"),
                ("name_totals", "name_totals"))


def save(matcher: Matcher, folder: Path, stamp: dict[str, Any]) -> Saved:
    """Write ``matcher`` as a new generation in ``folder`` and point the stamp at it.

    ``stamp`` is what the caller will check on load (store, change mark); the caller holds
    the folder's lock. Older generations are removed (a process that has one mapped keeps
    reading it: the files live until it lets go)."""
    started = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    generation = f"gen-{time.time_ns():x}-{os.getpid()}"
    target = folder / generation
    target.mkdir()
    tables = matcher.tables
    packed, data, offsets = _pack_postings(tables)
    state = {
        **{attr.lstrip("_"): getattr(matcher, attr) for attr in Matcher.RECORD_STATE},
        "rarity_df": matcher.rarity.df,
        "rarity_n": matcher.rarity.n_names,
        "postings": packed,
        "offsets": offsets,
        "weights": tables.weights,
        "latin_deletions": {k: v if isinstance(v, str) else JOIN.join(v)
                            for k, v in tables.latin_deletions.items()},
        **{key: getattr(tables, attr) for key, attr in _TABLE_STATE},
        "symbol_table": _shared_answers(matcher.symbol_table),
    }
    with (target / STATE).open("wb") as fh:
        pickle.dump(state, fh, protocol=5)
    with (target / POSTINGS).open("wb") as fh:
        data.tofile(fh)
    files = {name: {"size": (target / name).stat().st_size, "crc32": _crc(target / name)}
             for name in (STATE, POSTINGS)}
    full = {**stamp, "format": FORMAT, "model": model_fingerprint(), "generation": generation,
            "names": len(matcher._name_text), "records": len(matcher), "files": files,
            "written_at": time.time()}
    tmp = folder / f"{STAMP}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(full, sort_keys=True), encoding="utf-8")
    os.replace(tmp, folder / STAMP)
    for old in folder.glob("gen-*"):
        if old.name != generation:
            shutil.rmtree(old, ignore_errors=True)
    size = sum(int(f["size"]) for f in files.values())
    return Saved(generation, len(matcher._name_text), len(matcher), size,
                 time.monotonic() - started)


def _shared_answers(table: SymbolTable | None) -> SymbolTable | None:
    """The table with equal answers as one object each (most tokens share a few answers,
    the empty one above all): pickle then writes and reads each answer once."""
    if table is None:
        return None
    one: dict[frozenset[str], frozenset[str]] = {}
    table.known = {t: one.setdefault(v, v) for t, v in table.known.items()}
    return table


def check(folder: Path, expect: dict[str, Any]) -> dict[str, Any]:
    """The stamp, if the index in ``folder`` is whole and was built for ``expect``;
    otherwise :class:`IndexUnusable` saying why."""
    stamp = read_stamp(folder)
    if stamp is None:
        raise IndexUnusable(NO_INDEX if not (folder / STAMP).exists()
                            else "the index stamp is unreadable")
    if stamp.get("format") != FORMAT or stamp.get("model") != model_fingerprint():
        raise IndexUnusable("the index was built by another version of the matcher")
    for key, value in expect.items():
        if stamp.get(key) != value:
            raise IndexUnusable(f"the index was built for {key} {stamp.get(key)!r}, "
                                f"the store is at {value!r}")
    return stamp


def load(folder: Path, thresholds: Thresholds, max_candidates: int,
         expect: dict[str, Any], verify_files: bool = True) -> tuple[Matcher, dict[str, Any]]:
    """The matcher saved in ``folder`` and its stamp; :class:`IndexUnusable` when it is
    missing, built for something else than ``expect``, or corrupt."""
    stamp = check(folder, expect)
    target = folder / str(stamp.get("generation", ""))
    files = stamp.get("files")
    if not isinstance(files, dict) or set(files) != {STATE, POSTINGS}:
        raise IndexUnusable("the index stamp lists no files")
    for name, meta in files.items():
        path = target / name
        try:
            size = path.stat().st_size
        except OSError:
            raise IndexUnusable(f"index file {name} is missing") from None
        if size != meta.get("size") or (verify_files and _crc(path) != meta.get("crc32")):
            raise IndexUnusable(f"index file {name} is corrupt (size or checksum differs)")
    collecting = gc.isenabled()
    try:
        # the cyclic collector off while unpickling: millions of new objects would set it
        # off again and again over the growing heap (at 1M names: 10.7 → 4.8 s of CPU)
        gc.disable()
        with (target / STATE).open("rb") as fh:
            state = pickle.load(fh)  # noqa: S301 - our own file, checksum verified above
        postings = _map_postings(target / POSTINGS)
        matcher = _restore(state, postings, thresholds, max_candidates)
    except (OSError, pickle.UnpicklingError, KeyError, TypeError, ValueError, EOFError,
            AttributeError) as exc:
        raise IndexUnusable(f"the index files cannot be read ({exc})") from None
    finally:
        if collecting:
            gc.enable()
    if len(matcher._name_text) >= FREEZE_AT:
        gc.freeze()  # out of the collector's view, as after a build (nothing to collect first)
    return matcher, stamp


def _map_postings(path: Path) -> memoryview:
    if path.stat().st_size == 0:
        return memoryview(array("i")).cast("B").cast("i")
    with path.open("rb") as fh:
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    return memoryview(mapped).cast("i")


def _restore(state: dict[str, Any], data: memoryview, thresholds: Thresholds,
             max_candidates: int) -> Matcher:
    matcher = Matcher(thresholds, max_candidates)
    for attr in Matcher.RECORD_STATE:
        setattr(matcher, attr, state[attr.lstrip("_")])
    matcher.rarity = Rarity(state["rarity_df"], state["rarity_n"])
    tables = PostingTables()
    tables.postings = tuple(state["postings"])
    tables.packed = data
    tables.offsets = state["offsets"]
    tables.weights = tuple(state["weights"])
    tables.latin_deletions = state["latin_deletions"]
    for key, attr in _TABLE_STATE:
        setattr(tables, attr, state[key])
    matcher.symbol_table = state["symbol_table"]
    matcher.use_symbol_table = matcher.symbol_table is not None
    if len(tables.name_totals) != len(matcher._name_text) or len(tables.postings) != len(
            PostingKind):
        raise ValueError("the index tables do not agree in size")
    matcher.tables = tables
    return matcher
