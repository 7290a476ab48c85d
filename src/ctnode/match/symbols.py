"""What the name analyser says about the listed names, kept so a screen need not start it.

rigour's person-name tagger (``name_symbols``: one name across languages, Foma/Thomas)
takes seconds and about 400 MB to start in a process. But a query token's symbols only
ever count where they meet a *listed* token's symbols (every comparison has a listed
side). So once an index is built:

* every token the listed names were analysed with is *known* (rigour's answer, stored);
* the *candidates* are every form rigour's name dictionary gives for a listed symbol:
  only such a token can share a symbol with a listed token, and rigour is asked for it
  at build time too (so it is known);
* any other query token cannot meet a listed symbol: it gets none, without rigour.

:class:`SymbolTable` holds the known answers and the candidates and is saved with the
index (``ctnode.match.persist``). A loaded index screens ``using`` its table (per thread);
while names are being listed (``listing``) rigour is always asked and its answers recorded.
A candidate that is not known yet (a delta brought a new symbol) is asked of rigour too,
so the answers are always rigour's where they can matter (tested against rigour).

The dictionary is read from the rigour build the node runs with (its person-name data,
a zstd frame inside ``rigour._core``): :func:`dictionary_forms`. When it cannot be read
(another rigour build), no table is installed and every token is asked of rigour, as
before: slower to start, never different.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from ctnode.match.columns import KeyedColumn

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_LINE = re.compile(r"^[^\n]+ => Q\d+\n")


class SymbolTable:
    """Known rigour answers (token → NAME symbols) and the candidate tokens."""

    __slots__ = ("candidates", "known", "listed")

    def __init__(self) -> None:
        # a loaded index's table reads its known answers from a column (``persist``)
        self.known: dict[str, frozenset[str]] | KeyedColumn[frozenset[str]] = {}
        self.listed: set[str] = set()  # the symbols of listed tokens
        self.candidates: set[str] = set()  # forms of listed symbols not known yet

    @classmethod
    def build(cls, record: dict[str, frozenset[str]],
              ask: Callable[[str], frozenset[str]]) -> SymbolTable | None:
        """The table of an index whose listed tokens got the answers in ``record``; every
        dictionary form of their symbols is asked now (``ask``: rigour), so screens never
        need rigour. None when rigour's dictionary cannot be read."""
        table = cls()
        if not table.extend(record):
            return None
        for form in table.candidates:
            table.known[form] = ask(form)
        table.candidates = set()
        return table

    def extend(self, record: dict[str, frozenset[str]]) -> bool:
        """Add listed tokens' answers (a delta); forms of new symbols become candidates
        (asked of rigour when a query meets them). False: no dictionary."""
        for token, found in record.items():
            self.known[token] = found
        new: set[str] = set()
        for found in record.values():
            new |= found - self.listed
        if not new:
            return True
        forms = dictionary_forms(new)
        if forms is None:
            return False
        self.listed |= new
        self.candidates |= {f for f in forms if f not in self.known}
        return True

    def may_meet_listed(self, token: str) -> bool:
        """Whether ``token`` could share a symbol with a listed token (ask rigour)."""
        if token in self.candidates:
            return True
        return any(f in self.candidates or f in self.known for f in _spellings(token))


class _State(threading.local):
    def __init__(self) -> None:
        self.table: SymbolTable | None = None  # the table of the index being screened
        self.record: dict[str, frozenset[str]] | None = None  # listing: answers given


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
def listing() -> Iterator[dict[str, frozenset[str]]]:
    """While listed names are analysed: rigour answers every token, and the answers are
    recorded (the table's known answers)."""
    before = (_STATE.table, _STATE.record)
    record: dict[str, frozenset[str]] = {} if _STATE.record is None else _STATE.record
    _STATE.table, _STATE.record = None, record
    try:
        yield record
    finally:
        _STATE.table, _STATE.record = before


def recording() -> dict[str, frozenset[str]] | None:
    return _STATE.record


# -- rigour's name dictionary ---------------------------------------------------------


@lru_cache(maxsize=1)
def _dictionary_text() -> str | None:
    """rigour's person-name data (``form, form => Q…`` lines), or None when unreadable."""
    try:
        import rigour._core as core
        import zstandard
    except ImportError:
        return None
    path = Path(str(core.__file__))
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    decompressor = zstandard.ZstdDecompressor()
    start = blob.find(_ZSTD_MAGIC)
    while start >= 0:
        frame = blob[start:start + 64_000_000]
        try:
            head = decompressor.decompressobj().decompress(frame[:262_144])[:4096]
            if _LINE.match(head.decode("utf-8", "replace")):
                whole = decompressor.decompressobj()  # stops at the frame's end
                return whole.decompress(frame).decode("utf-8")
        except zstandard.ZstdError:
            pass
        start = blob.find(_ZSTD_MAGIC, start + 1)
    return None


def dictionary_available() -> bool:
    return _dictionary_text() is not None


def dictionary_forms(symbols: Iterable[str]) -> set[str] | None:
    """Every form rigour's dictionary gives for any of ``symbols`` (None: unreadable)."""
    text = _dictionary_text()
    if text is None:
        return None
    wanted = set(symbols)
    out: set[str] = set()
    for line in text.splitlines():
        left, _, symbol = line.rpartition(" => ")
        if symbol in wanted:
            for form in left.split(", "):
                if " " not in form:
                    out.update(_spellings(form))
    return out


def _spellings(form: str) -> set[str]:
    """A dictionary form and what rigour may reduce a token to before matching it (marks
    and non-letters dropped, Latin letters folded): more candidates only cost asks."""
    from anyascii import anyascii

    bare = "".join(c for c in unicodedata.normalize("NFKD", form.casefold())
                   if not unicodedata.combining(c))
    letters = "".join(c for c in bare if c.isalpha())
    ascii_ = "".join(c for c in anyascii(form).lower() if c.isalpha())
    return {f for f in (form, bare, letters, ascii_) if f}
