"""The name index on disk: what a :class:`~ctnode.match.index.Matcher` holds, written once
and loaded by any process without running the name analyser again.

A saved index is one *generation* folder of three files, named by a small JSON stamp:

* ``postings.i32``: every posting list of more than one name, end to end (int32, native
  byte order), memory-mapped on load; a posting table holds a bare name id for a list of
  one and ``-(slot + 1)`` for a longer list, whose bounds are ``offsets[slot:slot + 2]``;
* ``columns.bin``: the records and names as columns (:mod:`ctnode.match.columns`),
  memory-mapped on load: entity ids, one small pickle of each record's details, live
  flags, the ids sorted for look-ups, each name's text, tokens, owner, factor and total
  weight, and the few names' alternative forms and whole parses; a record or a name's
  text is made only when a screen asks for it, so loading a million names makes no
  million objects;
* ``state.pkl``: the rest, compact (pickle protocol 5): the rarity counts, the posting
  tables' keys and weights, the typo vocabularies, the symbol table, the offsets and
  where each column lies in ``columns.bin``.

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from ctnode import collector
from ctnode.match import symbols, weights
from ctnode.match.columns import (
    ColumnFile,
    ColumnWriter,
    HashedKeys,
    IdIndex,
    KeyedColumn,
    KeyedSet,
    SparseColumn,
    StrColumn,
    StrMap,
    TokensColumn,
)
from ctnode.match.corpus import FREEZE_AT, RecordList, Thresholds
from ctnode.match.index import Matcher
from ctnode.match.postings import JOIN, PostingKind, Postings, PostingTables, encode_reach
from ctnode.match.score import Rarity
from ctnode.match.symbols import SymbolTable, dictionary_stamp

FORMAT = 20  # 20: the listed merged pairs' keys per skeleton (``pair_spellings``): a single
# query part meets them at their letters' value, not 1.0 (fpb, 2026-12-07);
# 19: each listed token's reach as a single query unit kept, for lists of up to
# KEPT_REACH_MAX tokens (ub2, 2026-12-07);
# 18: ard's and osc's readings together (merged, 2026-12-07);
# 17: listed Arabic-script names also read with Allah written with one lam
# (عبداله, نصراله: ard, 2026-12-07); and parsed with osc's readings (ta marbuta said t
# before another word; a one-letter word joined to an organisation's later part without the
# article; a word of two Han characters keeps up to 64 name symbols; katakana of foreign
# sounds read as the 1991 notice writes them, ジ also zi, フ also hu, closing ム プ m p;
# Hebrew letters with geresh also read as their sounds, the geresh an apostrophe; a Latin
# part's loanword keys with j as h or y and an initial h silent; osc, 2026-12-07);
# 16: French readings (initial ia io iou ie, ï: acc, 2026-12-07);
# 15: listed names parsed with oth's readings too (Russian kh/h, в/w, ks/x;
# honorifics written last kept; merged with ara's, 2026-12-07);
# 14: listed Arabic-script names parsed with ara's readings (a one-letter word
# joined before the article and a sun letter read as said, بالدم bdm; a person's title
# written in Arabic script also read as a name, سيد; two parts read as one keep the prime
# where their letters meet as a Latin digraph, sidʹhadi; ara, 2026-12-07; the pairing
# of a part's other Latin forms with merged units is the scorer's, not the index's);
# 13: both of the next line's changes together (ar4 and lat, merged 2026-12-07);
# 12: listed Arabic-script names parsed with ar4's rules (Arabic and Persian
# class words rigour holds only in other languages: شبکه network, مكتب office; after Abd an
# alef before a moon letter read as the article with its lam left out; rigour's joining
# words written in Arabic script, في من على ..., dropped from organisations' names; the
# letter-left-out rule's two consonants with one long vowel after the glued article), and
# listed names of two to four Han characters also read in Korean (Unihan
# kHangul), a person's name with a title at its head also read without it (nameparser's
# titles; lat, 2026-12-07);
# 11: listed Arabic-script parts' abjad keys also with two letters that meet as
# one Latin digraph kept apart by a prime (سهيل sʹhil), and marked (a leading prime) when
# written after the glued article (ar3);
# 10: listed names parsed with the script rules of ar2 (الله written apart read
# joined as a second reading, أبوال… split, الولد a name, ad-Din/Allah repeated kept, class
# words as written, katakana final ル/ク read l/k) and lat's Latin readings (a part ending in
# vowel + kh also read with h: abdullakh; a person's parts read by the German/Polish/French
# habit another part of the name shows);
# 9: a person's part written again with a typo counted once, سعيد no title (ar);
# listed names parsed with the sound readings of sc (Bengali/Devanagari inherent vowels, Urdu
# final heh goal as heh, katakana f as hw, Arabic wa-/bi-/li- joined before the article, long CJK
# words keeping up to 64 rigour symbols);
# 8: each record's first and last year of birth and nationalities as columns (m1speed);
# 7: listed names parsed with the script rules of recall12 (final heh/yeh read a,
# Arabic-script honorifics dropped, es-/et- articles unglued, long Han words cut into name
# words, katakana syllables); 6: a parsed name keeps the acronyms read off the name as written apart (the
# listed side's only); 5: records and names as memory-mapped columns; the symbol table holds rigour's
# dictionary keys of the listed symbols; parts written in katakana carry their loanword keys
# as alternatives (4: short Han words carry their Japanese reading as an alternative)
STAMP = "stamp.json"
STATE = "state.pkl"
POSTINGS = "postings.i32"
COLUMNS = "columns.bin"
FILES = (STATE, POSTINGS, COLUMNS)
_CHUNK = 1 << 22
_POSTINGS_CHUNK = 1 << 20  # posting ids held before they are written (save)
NO_INDEX = "no index yet"
# Each listed token's reach as a single query unit (``PostingTables.kept_reach``) is worked
# out when the index is saved, for a list of at most this many tokens (the UN list's 4,384
# names hold about 6,000: 1 CPU-s at each save; a million names' hundreds of thousands
# would cost minutes at each import); a batch's workers then read it, not work it out each
KEPT_REACH_MAX = 20_000


class IndexUnusable(Exception):
    """The saved index cannot be used (missing, for another store or model, corrupt);
    ``reason`` says why in one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def model_fingerprint() -> str:
    """What a saved index depends on beyond its names: the format, the scoring model and
    rigour's build (its name dictionary)."""
    text = json.dumps({"format": FORMAT, "model": repr(weights.MODEL),
                       "rigour": dictionary_stamp()}, sort_keys=True)
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


def _pack_tables(tables: PostingTables, rarity: Rarity, out: ColumnWriter,
                 postings: BinaryIO) -> array[int]:
    """The posting tables, typo vocabularies and rarity counts as columns in ``out``: per
    posting kind the keys (hashed), a code per key (a name id for a list of one, else
    ``-(slot + 1)``) and its weight; the lists of more than one name end to end, written
    to ``postings`` as they come (not held beside the tables: 75 MB at a million names),
    and their offsets (returned)."""
    data: array[int] = array("i")  # what is not written yet
    written = 0
    offsets: array[int] = array("q", [0])
    for kind in PostingKind:
        keys = list(tables.postings[kind])
        weights = tables.weights[kind]
        codes: array[int] = array("i")
        values: array[float] = array("d")
        for key in keys:
            ids = tables.lookup(kind, key)
            if len(ids) == 1:
                codes.append(ids[0])
            else:
                codes.append(-len(offsets))
                data.extend(ids)
                offsets.append(written + len(data))
                if len(data) >= _POSTINGS_CHUNK:
                    data.tofile(postings)
                    written += len(data)
                    del data[:]
            values.append(weights[key])
        HashedKeys.pack(keys, out, f"postings.{kind.value}")
        out.add(f"postings.{kind.value}.codes", codes, "i")
        out.add(f"postings.{kind.value}.weights", values, "d")
    for name, table in (("latin_deletions", tables.latin_deletions),
                        ("skeleton_deletions", tables.skeleton_deletions),
                        ("spellings", tables.spellings),
                        ("pair_spellings", tables.pair_spellings)):
        keys = list(table)
        HashedKeys.pack(keys, out, name)
        out.add_strings(name + ".values", (_joined(table[k]) for k in keys))
    HashedKeys.pack(list(tables.vocabulary), out, "vocabulary")
    HashedKeys.pack(list(tables.unvowelled_skeletons), out, "unvowelled")
    keys = list(rarity.df)
    HashedKeys.pack(keys, out, "rarity")
    out.add("rarity.counts", array("q", (rarity.df[k] for k in keys)), "q")
    out.add("postings.offsets", offsets, "q")
    data.tofile(postings)
    return offsets


def _joined(value: list[str] | str) -> str:
    return value if isinstance(value, str) else JOIN.join(value)


def _int_at(view: memoryview) -> Callable[[int], int]:
    return view.__getitem__  # (an int column: C indexing, no Python frame per look-up)


def _float_at(view: memoryview) -> Callable[[int], float]:
    # a column of float64: its items are floats (typeshed types a memoryview's as int)
    return cast("Callable[[int], float]", view.__getitem__)


def _str_at(column: StrColumn) -> Callable[[int], str]:
    return column.__getitem__


def _list_at(column: StrColumn) -> Callable[[int], list[str]]:
    def at(row: int) -> list[str]:
        return column[row].split(JOIN)
    return at


def _read_tables(columns: ColumnFile, data: memoryview,
                 ) -> tuple[PostingTables, KeyedColumn[int]]:
    """The posting tables and rarity counts as :func:`_pack_tables` wrote them."""
    tables = PostingTables()
    postings: list[Postings] = []
    weights: list[StrMap[float]] = []
    for kind in PostingKind:
        keys = HashedKeys.read(columns, f"postings.{kind.value}")
        postings.append(KeyedColumn(keys, _int_at(columns.view(f"postings.{kind.value}.codes"))))
        weights.append(KeyedColumn(keys, _float_at(
            columns.view(f"postings.{kind.value}.weights"))))
    tables.postings = tuple(postings)
    tables.weights = tuple(weights)
    tables.packed = data
    tables.offsets = array("q", columns.view("postings.offsets").tobytes())
    latin = columns.strings("latin_deletions.values")
    tables.latin_deletions = KeyedColumn(HashedKeys.read(columns, "latin_deletions"),
                                         _str_at(latin))
    tables.skeleton_deletions = KeyedColumn(HashedKeys.read(columns, "skeleton_deletions"),
                                            _list_at(columns.strings("skeleton_deletions.values")))
    tables.spellings = KeyedColumn(HashedKeys.read(columns, "spellings"),
                                   _list_at(columns.strings("spellings.values")))
    tables.pair_spellings = KeyedColumn(HashedKeys.read(columns, "pair_spellings"),
                                        _str_at(columns.strings("pair_spellings.values")))
    tables.vocabulary = KeyedSet(HashedKeys.read(columns, "vocabulary"))
    tables.unvowelled_skeletons = KeyedSet(HashedKeys.read(columns, "unvowelled"))
    tables.name_totals = array("d", columns.view("name.totals").tobytes())
    df = KeyedColumn(HashedKeys.read(columns, "rarity"), _int_at(columns.view("rarity.counts")))
    return tables, df


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
    # the columns and postings go to their files as they are made (not held beside the
    # index)
    with (target / COLUMNS).open("wb") as fh, (target / POSTINGS).open("wb") as lists:
        columns = _columns(matcher, fh)
        _pack_tables(matcher.tables, matcher.rarity, columns, lists)
        symbols_state = _pack_symbols(matcher.symbol_table, columns)
        reach = _pack_reach(matcher, columns)
    state = {
        "rarity_n": matcher.rarity.n_names,
        "symbols": symbols_state,
        "reach": reach,
        "columns": columns.directory,
    }
    with (target / STATE).open("wb") as fh:
        pickle.dump(state, fh, protocol=5)
    files = {name: {"size": (target / name).stat().st_size, "crc32": _crc(target / name)}
             for name in FILES}
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


def _columns(matcher: Matcher, fh: BinaryIO | None = None) -> ColumnWriter:
    """The records and names of ``matcher`` as columns (:mod:`ctnode.match.columns`),
    written to ``fh`` as they are made when given."""
    out = ColumnWriter(fh)
    records = matcher._records
    out.add_strings("rec.ids", (records.entity_id(i) for i in range(len(records))))
    alive = bytearray()

    def fields() -> Iterator[tuple[object, ...]]:
        for rec in records:
            alive.append(rec.alive)
            yield rec.fields()

    out.add_pickles("rec.fields", fields())
    out.add("rec.alive", alive)
    out.add("rec.year_lo", matcher._rec_year_lo, "i")
    out.add("rec.year_hi", matcher._rec_year_hi, "i")
    out.add("rec.countries", matcher._rec_countries, "Q")
    # the ids sorted with their record indexes, as two lists rather than a tuple per id
    # (a million tuples were some 70 MB on top of the built index; issue 11)
    ids: list[str] = []
    idx: array[int] = array("i")
    for key, value in matcher._by_id.items():
        ids.append(key)
        idx.append(value)
    order = sorted(range(len(ids)), key=ids.__getitem__)
    out.add_strings("by_id.ids", map(ids.__getitem__, order))
    out.add("by_id.idx", array("i", map(idx.__getitem__, order)), "i")
    del ids, idx, order
    out.add("name.rec", matcher._name_rec, "i")
    out.add_strings("name.text", matcher._name_text)
    out.add_strings("name.tokens", (JOIN.join(t) for t in matcher._name_tokens))
    out.add("name.org", matcher._name_org)
    out.add("name.factor", matcher._name_factor, "f")
    out.add("name.totals", matcher.tables.name_totals, "d")
    for name, column in (("name.alts", matcher._name_alts),
                         ("name.parsed", matcher._name_parsed)):
        # the keys first, then each value as it is written (not a list of every pair)
        keys = array("i", column.keys())
        out.add(name + ".keys", keys, "i")
        out.add_pickles(name, map(column.value, keys))
    return out


def _pack_symbols(table: SymbolTable | None, out: ColumnWriter) -> dict[str, Any] | None:
    """The symbol table: its lexicon as columns (rigour's keys, hashed; a code per key into
    the distinct answers: many keys share one), the listed symbols in the state."""
    if table is None:
        return None
    values: list[frozenset[str]] = []
    code_of: dict[frozenset[str], int] = {}
    keys = list(table.lexicon)
    codes: array[int] = array("i")
    for key in keys:
        value = table.lexicon[key]
        code = code_of.get(value)
        if code is None:
            code = code_of[value] = len(values)
            values.append(value)
        codes.append(code)
    HashedKeys.pack(keys, out, "symbols.lexicon")
    out.add("symbols.lexicon.codes", codes, "i")
    return {"values": values, "listed": table.listed}


_reach_stamp: str | None = None


def reach_stamp() -> str:
    """What the kept reach was worked out with, which a process must have to read it: the
    matching code (the bytes of every file of ``ctnode.match``: a rule changed without a
    new ``FORMAT`` leaves the kept reach unread, never read wrong) and rigour's build.
    Worked out once per process (a few ms)."""
    global _reach_stamp
    if _reach_stamp is None:
        digest = hashlib.sha256(str(dictionary_stamp()).encode())
        here = Path(__file__).parent
        for path in sorted(here.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(here)).encode())
                digest.update(path.read_bytes())
        _reach_stamp = digest.hexdigest()
    return _reach_stamp


def _pack_reach(matcher: Matcher, out: ColumnWriter) -> str | None:
    """Each listed token's reach as a single query unit, as a loaded index would work it
    out (its symbol table), as columns ``reach`` in ``out``; its :func:`reach_stamp`, or
    None when the list holds more than ``KEPT_REACH_MAX`` tokens (none kept)."""
    tables = matcher.tables
    if len(tables.vocabulary) > KEPT_REACH_MAX:
        return None
    vocabulary = list(tables.vocabulary)
    # worked out afresh (not read back from a loaded index's kept reach), and this
    # process's own caches left as they were
    kept, cached = tables.kept_reach, tables._expansions
    tables.kept_reach, tables._expansions = None, {}
    try:
        with symbols.using(matcher.symbol_table):
            values = [encode_reach(tables.expand(t, False)) for t in vocabulary]
    finally:
        tables.kept_reach, tables._expansions = kept, cached
    HashedKeys.pack(vocabulary, out, "reach")
    out.add_strings("reach.values", values)
    return reach_stamp()


def _read_symbols(state: dict[str, Any] | None, columns: ColumnFile) -> SymbolTable | None:
    if state is None:
        return None
    table = SymbolTable()
    values: list[frozenset[str]] = state["values"]
    codes = columns.view("symbols.lexicon.codes")

    def answer(row: int) -> frozenset[str]:
        return values[codes[row]]

    table.lexicon = KeyedColumn(HashedKeys.read(columns, "symbols.lexicon"), answer)
    table.listed = state["listed"]
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
    if not isinstance(files, dict) or set(files) != set(FILES):
        raise IndexUnusable("the index stamp lists no files")
    for name, meta in files.items():
        path = target / name
        try:
            size = path.stat().st_size
        except OSError:
            raise IndexUnusable(f"index file {name} is missing") from None
        if size != meta.get("size") or (verify_files and _crc(path) != meta.get("crc32")):
            raise IndexUnusable(f"index file {name} is corrupt (size or checksum differs)")
    # the cyclic collector off while unpickling: millions of new objects would set it off
    # again and again over the growing heap (at 1M names: 10.7 → 4.8 s of CPU)
    try:
        with collector.paused(), (target / STATE).open("rb") as fh:
            state = pickle.load(fh)  # noqa: S301 - our own file, checksum verified above
            postings = _map(target / POSTINGS).cast("i")
            columns = ColumnFile(_map(target / COLUMNS), state["columns"])
            matcher = _restore(state, postings, columns, thresholds, max_candidates)
    except (OSError, pickle.UnpicklingError, KeyError, TypeError, ValueError, EOFError,
            AttributeError) as exc:
        raise IndexUnusable(f"the index files cannot be read ({exc})") from None
    if len(matcher._name_text) >= FREEZE_AT:
        gc.freeze()  # out of the collector's view, as after a build (nothing to collect first)
    return matcher, stamp


def _map(path: Path) -> memoryview:
    """The file mapped read-only (bytes; an empty file as an empty view)."""
    if path.stat().st_size == 0:
        return memoryview(b"")
    with path.open("rb") as fh:
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    return memoryview(mapped)


def _restore(state: dict[str, Any], data: memoryview, columns: ColumnFile,
             thresholds: Thresholds, max_candidates: int) -> Matcher:
    matcher = Matcher(thresholds, max_candidates)
    fields = columns.view("rec.fields"), columns.view("rec.fields.offsets")
    matcher._records = RecordList(columns.strings("rec.ids"), fields,
                                  bytearray(columns.view("rec.alive")))
    matcher._by_id = IdIndex(columns.strings("by_id.ids"), columns.view("by_id.idx"))
    matcher._rec_year_lo = array("i", columns.view("rec.year_lo").tobytes())
    matcher._rec_year_hi = array("i", columns.view("rec.year_hi").tobytes())
    matcher._rec_countries = array("Q", columns.view("rec.countries").tobytes())
    matcher._name_rec = array("i", columns.view("name.rec").tobytes())
    matcher._name_text = columns.strings("name.text")
    matcher._name_tokens = TokensColumn(columns.strings("name.tokens"))
    matcher._name_org = bytearray(columns.view("name.org"))
    matcher._name_factor = array("f", columns.view("name.factor").tobytes())
    matcher._name_alts = SparseColumn(columns.view("name.alts.keys"), columns.view("name.alts"),
                                      columns.view("name.alts.offsets"))
    matcher._name_parsed = SparseColumn(columns.view("name.parsed.keys"),
                                        columns.view("name.parsed"),
                                        columns.view("name.parsed.offsets"))
    tables, df = _read_tables(columns, data)
    matcher.rarity = Rarity(df, state["rarity_n"])
    matcher.symbol_table = _read_symbols(state["symbols"], columns)
    if state["reach"] is not None and state["reach"] == reach_stamp():
        tables.kept_reach = KeyedColumn(HashedKeys.read(columns, "reach"),
                                        _str_at(columns.strings("reach.values")))
    matcher.use_symbol_table = matcher.symbol_table is not None
    names = len(matcher._name_text)
    if not (len(tables.name_totals) == names == len(matcher._name_rec)
            == len(matcher._name_tokens) == len(matcher._name_org)
            == len(matcher._name_factor)) or len(tables.postings) != len(PostingKind) or not (
            len(matcher._records) == len(matcher._rec_year_lo) == len(matcher._rec_year_hi)
            == len(matcher._rec_countries)):
        raise ValueError("the index tables do not agree in size")
    matcher.tables = tables
    return matcher
