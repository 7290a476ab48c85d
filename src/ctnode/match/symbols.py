"""rigour's name symbols of a name part, read from its dictionary without its tagger.

rigour's person-name tagger (one name across languages: Foma/Thomas, Josyp/Joseph) takes
seconds and about 400 MB to start in a process: it compiles every form of its name
dictionary into one automaton. For a single name part its answer is a dictionary lookup,
which this module does without the automaton. How rigour 2.6 answers
``analyze_names(PER, [token], rewrite=False)`` (its Rust core, ``names/analyze.rs``,
``tagger.rs``, ``matcher.rs``, ``name.rs``):

1. the token is casefolded and cut into parts (``tokenize_name``: letters, digits and
   spacing marks kept; modifier letters, other marks, format characters and apostrophes
   deleted; punctuation, symbols and spaces separate parts); the haystack is the parts
   joined by one space. That is ``normalize(token, CASEFOLD | NAME)``;
2. every dictionary form is normalised the same way into a *key*; a key's symbols are
   the ids of the dictionary lines holding it (a line whose forms give fewer than two
   distinct keys is left out) and of the ``person_name_parts`` groups of rigour's
   symbol data (upper-cased group name);
3. a key found in the haystack between word boundaries becomes a symbol of the name only
   where its words are parts of the name, in order.

A token of letters is one part at most (nothing in it separates), so only the key equal
to that part can give a symbol: the answer is that key's symbols
(:func:`symbols_of_key`), none when the key has more than :func:`symbol_cap`. A haystack
of several parts (never the case for a token of letters) is asked of rigour
(:func:`lookup` says None). The tests hold this against rigour on every token of the
shared name corpora and on a fixture of tricky tokens in many scripts.

:class:`SymbolTable` is what an index keeps (``ctnode.match.persist``): the symbols of its
listed tokens (``listed``) and, for every dictionary key that shares one of them, that
key's symbols (``lexicon``): a query part whose key is not there cannot share a symbol
with a listed part, so it gets none. A loaded index screens ``using`` its table (per
thread); while names are being listed (``listing``) rigour is asked and its answers
recorded (they give the listed symbols).

The dictionary is read from the rigour build the node runs with (zstd frames inside
``rigour._core``): :func:`dictionary`. When it cannot be read (another rigour build), no
table is built and every token is asked of rigour, as before: slower to start, never
different.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from ctnode.match.columns import KeyedColumn, StrMap

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_LINE = re.compile(r"^[^\n]+ => [QX]\w+\n")

# A name part holding more of rigour's name symbols than this is too ambiguous (a short
# Korean or Chinese syllable) for the symbol to say two spellings are one name.
MAX_NAME_SYMBOLS = 8
# A word of three or more Han, kana or Hangul characters is no syllable: a foreign name
# written by its sound (穆罕默德 Muhammad, アブドゥル Abdul) holds the symbols of each of the
# name's spellings that Wikidata keeps apart (Mohamed, Mohammad, Muhammad ...: 20 for
# 穆罕默德), not of unrelated names, so it keeps up to this many.
MAX_WORD_SYMBOLS = 64
# A word of two Han characters is two syllables, no syllable either: Xinhua's transcription
# of a foreign name (彼得 Peter: 14 symbols, the Wikidata items of Peter, Pyotr, Piotr ...;
# 约翰 John, 西蒙 Simon) or a two-character surname with its readings (都築 Tsuzuki). Two
# Hangul or kana letters are often one syllable of another language (웨이 Wei, しん Shin) and
# keep the cap of a syllable (osc, 2026-12-07).
_CJK_WORD = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                       r"\uac00-\ud7a3]{3,}|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2}")


def symbol_cap(key: str) -> int:
    """How many symbols a name part (or its dictionary key) may hold and keep them."""
    return MAX_WORD_SYMBOLS if _CJK_WORD.fullmatch(key) else MAX_NAME_SYMBOLS

# rigour's Normalize flags CASEFOLD | NAME, its Cleanup.Noop (rigour.text.normalize): how
# its tagger normalises both the dictionary forms and the text it searches
_CASEFOLD_NAME = (1 << 2) | (1 << 6)
_NOOP = 0
# Rust's str::trim (Unicode White_Space), which rigour applies to each dictionary line
_WHITE_SPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")

NO_SYMBOLS: frozenset[str] = frozenset()
ANSWER_CACHE = 200_000  # tokens whose answers a table remembers (cleared when full)
_UNASKED = object()


def asks(token: str) -> bool:
    """Whether a token is looked up at all: letters only, three or more (one Han or Hangul
    syllable counts as two: two of them are asked)."""
    return token.isalpha() and (len(token) >= 3 or (not token.isascii() and len(token) >= 2))


def name_key(token: str) -> str | None:
    """rigour's normalised form of ``token`` (``normalize(token, CASEFOLD | NAME)``): the
    text its tagger searches; None when nothing is left."""
    from rigour._core import _normalize

    return _normalize(token, _CASEFOLD_NAME, _NOOP)


@lru_cache(maxsize=200_000)
def _part_key(token: str) -> str | None:
    """The key to look ``token`` up by: "" when it gets no symbols whatever the dictionary
    says (not asked, or nothing left), None when rigour reads it as several parts."""
    if not asks(token):
        return ""
    key = name_key(token)
    if key is None:
        return ""
    return None if " " in key else key


def lookup(token: str, keys: StrMap[frozenset[str]]) -> frozenset[str] | None:
    """rigour's name symbols of ``token`` from ``keys`` (key → symbols, as
    :func:`dictionary` or a table's lexicon gives them); None when rigour must be asked
    (the token is more than one part for rigour)."""
    key = _part_key(token)
    if not key:
        return None if key is None else NO_SYMBOLS
    found = keys.get(key) or NO_SYMBOLS
    return NO_SYMBOLS if len(found) > symbol_cap(key) else found


def symbols_of_key(found: frozenset[str], key: str = "") -> frozenset[str]:
    """A key's symbols as a name part's answer: none when it has too many."""
    return NO_SYMBOLS if len(found) > symbol_cap(key) else found


class SymbolTable:
    """What an index knows of rigour's dictionary: the listed symbols and every dictionary
    key that shares one of them, with all its symbols."""

    __slots__ = ("_answers", "_answers_of", "lexicon", "listed")

    def __init__(self) -> None:
        self.listed: set[str] = set()  # the symbols of listed tokens
        # rigour's key of a name part → its symbols, for keys holding a listed symbol and
        # no more than symbol_cap(key)
        # (a loaded index reads it from a memory-mapped column: ``persist``)
        self.lexicon: dict[str, frozenset[str]] | KeyedColumn[frozenset[str]] = {}
        # token → answer given (see answer), for the lexicon it was read from
        self._answers: dict[str, frozenset[str] | None] = {}
        self._answers_of: object = None

    @classmethod
    def build(cls, record: dict[str, frozenset[str]]) -> SymbolTable | None:
        """The table of an index whose listed tokens got the answers in ``record``; None
        when rigour's dictionary cannot be read."""
        table = cls()
        return table if table.extend(record) else None

    def extend(self, record: dict[str, frozenset[str]]) -> bool:
        """Add listed tokens' answers (a delta): the keys of new listed symbols join the
        lexicon. False: no dictionary."""
        new: set[str] = set()
        for found in record.values():
            new |= found - self.listed
        if not new:
            return True
        whole = dictionary()
        if whole is None:
            return False
        self.listed |= new
        for key, found in whole.items():
            if len(found) <= symbol_cap(key) and not found.isdisjoint(new):
                self.lexicon[key] = found
        self._answers = {}
        return True

    def answer(self, token: str) -> frozenset[str] | None:
        """rigour's symbols of ``token`` where they can meet a listed symbol (a part that
        shares none gets none); None: ask rigour. Remembered per token (a screen asks for
        the same tokens' symbols again and again: every pair of parts compared) until the
        lexicon changes."""
        answers = self._answers
        if self._answers_of is not self.lexicon:  # (a lexicon set since: read from a file)
            answers = self._answers = {}
            self._answers_of = self.lexicon
        found = answers.get(token, _UNASKED)
        if found is _UNASKED:
            found = lookup(token, self.lexicon)
            if len(answers) >= ANSWER_CACHE:
                answers.clear()
            answers[token] = found
        return found  # type: ignore[return-value]


class _State(threading.local):
    def __init__(self) -> None:
        self.table: SymbolTable | None = None  # the table of the index being screened
        self.record: dict[str, frozenset[str]] | None = None  # listing: answers given
        # listing from rigour's dictionary (``listing(from_dictionary=True)``)
        self.whole: dict[str, frozenset[str]] | None = None


_STATE = _State()


def active() -> SymbolTable | None:
    """The table of the index this thread is screening with (None: ask rigour)."""
    return _STATE.table


@contextmanager
def using(table: SymbolTable | None) -> Iterator[None]:
    """Screen with ``table`` (None: every token asked of rigour) in this thread."""
    before = _STATE.table
    _STATE.table = table
    try:
        yield
    finally:
        _STATE.table = before


@contextmanager
def listing(from_dictionary: bool = False) -> Iterator[dict[str, frozenset[str]]]:
    """While listed names are analysed: rigour answers every token, and the answers are
    recorded (they give the table's listed symbols).

    ``from_dictionary`` (an index build that keeps a symbol table, which reads the
    dictionary anyway): a token of one part is answered from :func:`dictionary`, as
    rigour's tagger answers it (:func:`lookup`), and only a token rigour reads as several
    parts is asked of the tagger. The same answers; the tagger (about 250 MB at its start,
    and its answers' cache, up to 500,000 tokens) is then not started by a build (issue 11:
    at a million names it sat on top of the build's tables)."""
    before = (_STATE.table, _STATE.record, _STATE.whole)
    record: dict[str, frozenset[str]] = {} if _STATE.record is None else _STATE.record
    whole = dictionary() if from_dictionary else None
    _STATE.table, _STATE.record = None, record
    if whole is not None:
        _STATE.whole = whole
    try:
        yield record
    finally:
        _STATE.table, _STATE.record, _STATE.whole = before


def recording() -> dict[str, frozenset[str]] | None:
    return _STATE.record


def listed_answer(token: str) -> frozenset[str] | None:
    """While listing from the dictionary: rigour's symbols of ``token`` read from it; None
    when rigour must be asked (not listing from it, or a token of several parts)."""
    whole = _STATE.whole
    return None if whole is None else lookup(token, whole)


# -- rigour's name dictionary ---------------------------------------------------------


def _frames() -> Iterator[str]:
    """The text of each zstd frame inside ``rigour._core`` that holds rigour's name data:
    the person-name lines (``form, form => Q…``) and the symbol groups (JSON)."""
    try:
        import rigour._core as core
        import zstandard
    except ImportError:
        return
    try:
        blob = Path(str(core.__file__)).read_bytes()
    except OSError:
        return
    decompressor = zstandard.ZstdDecompressor()
    start = blob.find(_ZSTD_MAGIC)
    while start >= 0:
        frame = blob[start:start + 64_000_000]
        try:
            head = decompressor.decompressobj().decompress(frame[:262_144])[:4096]
            text = head.decode("utf-8", "replace")
            if _LINE.match(text) or '"person_name_parts"' in text or text.lstrip()[:1] == "{":
                whole = decompressor.decompressobj()  # stops at the frame's end
                yield whole.decompress(frame).decode("utf-8")
        except (zstandard.ZstdError, UnicodeDecodeError):
            pass
        start = blob.find(_ZSTD_MAGIC, start + 1)


@lru_cache(maxsize=1)
def _sources() -> tuple[str, dict[str, list[str]]] | None:
    """rigour's person-name lines and its ``person_name_parts`` groups (None: unreadable)."""
    lines: str | None = None
    parts: dict[str, list[str]] | None = None
    for text in _frames():
        if lines is None and _LINE.match(text):
            lines = text
        elif parts is None and text.lstrip()[:1] == "{":
            try:
                data = json.loads(text)
            except ValueError:
                continue
            if isinstance(data, dict) and isinstance(data.get("person_name_parts"), dict):
                parts = data["person_name_parts"]
        if lines is not None and parts is not None:
            return lines, parts
    return None


def dictionary_stamp() -> int:
    """What tells one rigour build from another (the size of its compiled core, where its
    dictionary lives): a saved table is only used with the build it was read from."""
    try:
        import rigour._core as core

        return Path(str(core.__file__)).stat().st_size
    except (ImportError, OSError):
        return 0


def dictionary_available() -> bool:
    return _sources() is not None


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_ONLY = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@lru_cache(maxsize=1)
def read_han_keys() -> frozenset[str]:
    """The keys of :func:`dictionary` written in Han alone, two characters or more, read
    without building the whole dictionary: only forms and lines that hold a Han character
    are normalised (a key written in Han comes from a form holding one). The same set as
    filtering ``dictionary()`` (tested), for about a tenth of its CPU, so a screen that
    meets a long Han word does not pay the dictionary's build. Kept beside the name index
    (``transliterate.HAN_WORDS``, a :mod:`ctnode.match.kept` table)."""
    sources = _sources()
    if sources is None:
        return frozenset()
    from rigour._core import _normalize

    lines, parts = sources
    keys: set[str] = set()
    for forms in parts.values():
        for form in forms:
            if _HAN.search(form):
                key = _normalize(form, _CASEFOLD_NAME, _NOOP)
                if key and " " not in key:
                    keys.add(key)
    for raw in lines.split("\n"):
        if not _HAN.search(raw):
            continue
        line = raw.strip(_WHITE_SPACE)
        left, sep, _gid = line.rpartition(" => ")
        if not sep:
            continue
        forms = left.split(", ")
        han = {k for k in (_normalize(f, _CASEFOLD_NAME, _NOOP) for f in forms if _HAN.search(f)) if k}
        if len(han) < 2:  # the line counts only with two keys: the others' needed too
            others = (_normalize(f, _CASEFOLD_NAME, _NOOP) for f in forms if not _HAN.search(f))
            if len(han | {k for k in others if k}) < 2:
                continue
        keys.update(k for k in han if " " not in k)
    return frozenset(k for k in keys if len(k) >= 2 and _HAN_ONLY.fullmatch(k))


def release_dictionary() -> None:
    """Let :func:`dictionary` and the text it is read from go (read again when next
    asked): a large index build, once its symbol table holds what it needs of them."""
    dictionary.cache_clear()
    _sources.cache_clear()


@lru_cache(maxsize=1)
def dictionary() -> dict[str, frozenset[str]] | None:
    """Every single-part key of rigour's name dictionary → its NAME symbols, as rigour's
    tagger builds them (see the module); None when the dictionary cannot be read.

    About 2 s of CPU and 150 MB, kept for the process (a large build lets it go:
    :func:`release_dictionary`): built for an index build or a delta that brings new
    listed symbols, never for a screen."""
    sources = _sources()
    if sources is None:
        return None
    from rigour._core import _normalize

    lines, parts = sources
    # each key's symbols as a frozenset from the start, one object per distinct set (a set
    # per key, frozen at the end, made 515,000 sets more: +265 MB of RSS against +150 MB,
    # and a third more CPU; issue 11)
    found: dict[str, frozenset[str]] = {}
    one: dict[frozenset[str], frozenset[str]] = {}

    def norm(form: str) -> str | None:
        # a lower-case ASCII word is its own key (casefold and tokenize leave it alone)
        if form.isascii() and form.isalpha() and form.islower():
            return form
        return _normalize(form, _CASEFOLD_NAME, _NOOP)

    def add(key: str, symbol: str) -> None:
        held = found.get(key)
        if held is None:
            more = frozenset((symbol,))
        elif symbol in held:
            return
        else:
            more = held | {symbol}
        found[key] = one.setdefault(more, more)

    for group, forms in parts.items():
        symbol = sys.intern(group.upper())
        for form in forms:
            key = norm(form)
            if key and " " not in key:
                add(key, symbol)
    for raw in lines.split("\n"):
        line = raw.strip(_WHITE_SPACE)
        left, sep, gid = line.rpartition(" => ")
        if not sep:
            continue
        keys = {k for k in map(norm, left.split(", ")) if k}
        if len(keys) < 2:
            continue
        symbol = sys.intern(gid)
        for key in keys:
            if " " not in key:
                add(key, symbol)
    return found
