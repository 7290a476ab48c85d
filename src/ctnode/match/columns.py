"""Columns for what the index holds per record and per name, readable straight from a
memory-mapped file (issue 11: loading makes no object per record, name or key).

A built index keeps Python objects in lists; an index loaded from disk
(:mod:`ctnode.match.persist`) keeps a *frozen base* read from the file, where each value
is made only when asked for (a candidate being scored), and appends what later deltas
bring as objects. Every column here has both parts behind one interface:

* :class:`StrColumn`: strings (UTF-8 blob + int64 end offsets);
* :class:`TokensColumn`: tuples of tokens (each row's tokens joined by NUL);
* :class:`SparseColumn`: values for some integer keys (sorted int32 keys, one pickle per
  value), with a dict for what is set since;
* :class:`IdIndex`: entity id → record index (ids sorted in the file, searched by bisect),
  with a dict for what is set since and the base ids removed or replaced;
* :class:`HashedKeys`: a frozen set of strings with a row each, found through a hash table
  in the file; :class:`KeyedColumn` (a ``dict[str, V]``: the posting tables, the typo
  vocabularies, the rarity counts, the symbol table's answers) and :class:`KeyedSet` (a
  ``set[str]``) over it, with what is set since;

A plain ``dict``/``set`` and its column both satisfy :class:`StrMap`/:class:`StrSet`, the
interfaces the posting tables are written against.

:class:`ColumnWriter` and :class:`ColumnFile` write and read the arrays of one file: each
array 8-byte aligned, found through a small directory kept with the index's state.
"""

from __future__ import annotations

import pickle
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import accumulate, islice
from operator import methodcaller
from typing import TYPE_CHECKING, Any, BinaryIO, Generic, Protocol, TypeVar, cast

import numpy as np

if TYPE_CHECKING:
    from ctnode.match._reach import KeyTable, Lookup

_KeyTable: type[KeyTable] | None
_Lookup: type[Lookup]
try:  # (optional: built when the package is installed with a compiler)
    from ctnode.match._reach import KeyTable as _KeyTable
    from ctnode.match._reach import Lookup as _Lookup
except ImportError:  # pragma: no cover - a build without a compiler
    _KeyTable = None

T = TypeVar("T")
JOIN = "\x00"  # between the tokens of one row (a token never holds NUL)
SEEN_CACHE = 100_000  # answers a keyed column (and its keys) remembers; cleared when full
_ALIGN = 8
STREAM_CHUNK = 8192  # values written to a column file at once (ColumnWriter._stream)
_UNSEEN: Any = object()  # not asked yet (a remembered answer may be None)
UTF8_ERRORS = "surrogatepass"  # a lone surrogate in a listed name is written, not refused


def pack_strings(items: Iterable[str]) -> tuple[bytes, array[int]]:
    """Strings end to end (UTF-8) and their offsets (``len + 1`` int64, from 0)."""
    parts: list[bytes] = []
    offsets: array[int] = array("q", [0])
    end = 0
    for item in items:
        data = item.encode("utf-8", UTF8_ERRORS)
        parts.append(data)
        end += len(data)
        offsets.append(end)
    return b"".join(parts), offsets


def pack_pickles(items: Iterable[object]) -> tuple[bytes, array[int]]:
    """One pickle per value, end to end, and their offsets."""
    parts: list[bytes] = []
    offsets: array[int] = array("q", [0])
    end = 0
    for item in items:
        data = pickle.dumps(item, protocol=5)
        parts.append(data)
        end += len(data)
        offsets.append(end)
    return b"".join(parts), offsets


class StrColumn:
    """A sequence of strings: a frozen base (blob + offsets) and those appended since."""

    __slots__ = ("_base", "_blob", "_more", "_offsets")

    def __init__(self, blob: memoryview | None = None, offsets: memoryview | None = None,
                 ) -> None:
        self._blob = blob
        self._offsets = offsets
        self._base = 0 if offsets is None else len(offsets) - 1
        self._more: list[str] = []

    def __len__(self) -> int:
        return self._base + len(self._more)

    def __getitem__(self, i: int) -> str:
        if i < self._base:
            assert self._blob is not None and self._offsets is not None
            if i < 0:
                raise IndexError("a column is read by non-negative row numbers")
            return str(self._blob[self._offsets[i]:self._offsets[i + 1]], "utf-8", UTF8_ERRORS)
        return self._more[i - self._base]

    def __iter__(self) -> Iterator[str]:
        for i in range(len(self)):
            yield self[i]

    def append(self, value: str) -> None:
        self._more.append(value)

    def __setitem__(self, i: int, value: str) -> None:
        """Change a row appended since the load (a frozen row cannot change)."""
        if not self._base <= i < len(self):
            raise IndexError(f"row {i} is not one appended since the column was loaded")
        self._more[i - self._base] = value


class TokensColumn:
    """A sequence of token tuples (a name's Latin tokens): a frozen base stored as one
    string per row (tokens joined by NUL), and the tuples appended since."""

    __slots__ = ("_base", "_more", "_strings")

    def __init__(self, strings: StrColumn | None = None) -> None:
        self._strings = strings
        self._base = 0 if strings is None else len(strings)
        self._more: list[tuple[str, ...]] = []

    def __len__(self) -> int:
        return self._base + len(self._more)

    def __getitem__(self, i: int) -> tuple[str, ...]:
        if i < self._base:
            assert self._strings is not None
            text = self._strings[i]
            return tuple(text.split(JOIN)) if text else ()
        return self._more[i - self._base]

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        for i in range(len(self)):
            yield self[i]

    def append(self, tokens: tuple[str, ...]) -> None:
        self._more.append(tokens)

    def __setitem__(self, i: int, tokens: tuple[str, ...]) -> None:
        """Change a row appended since the load (a frozen row cannot change)."""
        if not self._base <= i < len(self):
            raise IndexError(f"row {i} is not one appended since the column was loaded")
        self._more[i - self._base] = tokens


class SparseColumn(Generic[T]):
    """Values for some row numbers: a frozen base (sorted int32 keys, one pickle per value,
    unpickled when read) and a dict of the values set since (which take precedence).

    ``pickled``: the values set since are kept as their pickles too, each unpickled when
    read (a build's hundreds of thousands of small values: a name's alternative forms, a
    dict and tuples each, some 290 bytes a name against 80 pickled; issue 11); a value
    read is then a copy (never changed in place by its readers)."""

    __slots__ = ("_blob", "_keys", "_more", "_offsets", "_pickled")

    def __init__(self, keys: memoryview | None = None, blob: memoryview | None = None,
                 offsets: memoryview | None = None, pickled: bool = False) -> None:
        self._keys = keys
        self._blob = blob
        self._offsets = offsets
        self._more: dict[int, Any] = {}  # T, or its pickle (``pickled``)
        self._pickled = pickled

    def get(self, key: int, default: T | None = None) -> T | None:
        found = self._more.get(key)
        if found is not None:
            if self._pickled:
                value: T = pickle.loads(found)  # noqa: S301 - pickled here, in __setitem__
                return value
            return cast("T", found)
        keys = self._keys
        if keys is not None:
            i = bisect_left(keys, key)
            if i < len(keys) and keys[i] == key:
                assert self._blob is not None and self._offsets is not None
                value = pickle.loads(  # noqa: S301 - our own file, checksum verified
                    self._blob[self._offsets[i]:self._offsets[i + 1]])
                return value
        return default

    def __setitem__(self, key: int, value: T) -> None:
        self._more[key] = pickle.dumps(value, protocol=5) if self._pickled else value

    def pop(self, key: int, default: T | None = None) -> T | None:
        """Remove a value set since the load (a row of the loaded base cannot be removed:
        its frozen value would show again)."""
        keys = self._keys
        if keys is not None:
            i = bisect_left(keys, key)
            if i < len(keys) and keys[i] == key:
                raise KeyError(f"row {key} is frozen in the loaded column")
        found = self._more.pop(key, None)
        if found is None:
            return default
        if self._pickled:
            return cast("T", pickle.loads(found))  # noqa: S301 - pickled in __setitem__
        return cast("T", found)

    def keys(self) -> list[int]:
        """Every key, ascending."""
        keys = self._keys
        base = [] if keys is None else [k for k in keys if k not in self._more]
        return sorted([*base, *self._more])

    def value(self, key: int) -> T:
        """The value of ``key`` (KeyError when it has none)."""
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def items(self) -> Iterator[tuple[int, T]]:
        """Every (key, value), ascending by key."""
        for k in self.keys():
            yield k, self.value(k)

    def __len__(self) -> int:
        keys = self._keys
        base = 0 if keys is None else sum(1 for k in keys if k not in self._more)
        return base + len(self._more)


class IdIndex:
    """Entity id → record index, for the live records only (a dict's interface, the part
    the corpus uses). The frozen base holds the ids sorted with their record indexes;
    ``_more`` what was set since, ``_gone`` base ids removed or set again since."""

    __slots__ = ("_base_ids", "_base_idx", "_gone", "_more")

    def __init__(self, ids: StrColumn | None = None, idx: memoryview | None = None) -> None:
        self._base_ids = ids
        self._base_idx = idx
        self._more: dict[str, int] = {}
        self._gone: set[str] = set()

    def _base(self, key: str) -> int | None:
        ids = self._base_ids
        if ids is None or key in self._gone:
            return None
        i = bisect_left(ids, key)
        if i < len(ids) and ids[i] == key:
            assert self._base_idx is not None
            found: int = self._base_idx[i]
            return found
        return None

    def get(self, key: str) -> int | None:
        found = self._more.get(key)
        return found if found is not None else self._base(key)

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key: str) -> int:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __setitem__(self, key: str, value: int) -> None:
        if key not in self._more and self._base(key) is not None:
            self._gone.add(key)
        self._more[key] = value

    def pop(self, key: str) -> int | None:
        """Remove ``key``; its record index, or None when it was not held."""
        found = self._more.pop(key, None)
        if found is not None:
            return found
        found = self._base(key)
        if found is not None:
            self._gone.add(key)
        return found

    def __len__(self) -> int:
        base = 0 if self._base_ids is None else len(self._base_ids)
        return base - len(self._gone) + len(self._more)

    def items(self) -> Iterator[tuple[str, int]]:
        """Every (id, record index), base first."""
        if self._base_ids is not None:
            assert self._base_idx is not None
            for i, key in enumerate(self._base_ids):
                if key not in self._gone:
                    yield key, self._base_idx[i]
        yield from self._more.items()


class ColumnWriter:
    """Arrays written one after another into one file, each 8-byte aligned; ``directory``
    says where each is (name → offset, bytes, item format).

    With ``fh`` each array goes to that file as it is added (strings and pickles one by one):
    nothing is held (at a million names the columns are some 450 MB, which a rebuild held
    beside the index); without, they are kept for :meth:`write`. The bytes are the same."""

    def __init__(self, fh: BinaryIO | None = None) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.directory: dict[str, tuple[int, int, str]] = {}
        self.fh = fh

    def add(self, name: str, data: bytes | bytearray | array[int] | array[float],
            fmt: str = "B") -> None:
        if self.fh is not None:
            view = memoryview(data)
            self.directory[name] = (self.size, view.nbytes, fmt)
            self.fh.write(view)
            self._pad(view.nbytes)
            return
        raw = data.tobytes() if isinstance(data, array) else bytes(data)
        self.directory[name] = (self.size, len(raw), fmt)
        pad = -len(raw) % _ALIGN
        self.parts.append(raw + b"\x00" * pad)
        self.size += len(raw) + pad

    def _pad(self, size: int) -> None:
        assert self.fh is not None
        pad = -size % _ALIGN
        self.fh.write(b"\x00" * pad)
        self.size += size + pad

    def _stream(self, name: str, items: Iterable[bytes]) -> None:
        """Values end to end straight into the file, then their offsets."""
        assert self.fh is not None
        offsets: array[int] = array("q", [0])
        end = 0
        write = self.fh.write
        it = iter(items)
        # in chunks: one write and one extend of the offsets per STREAM_CHUNK values (at a
        # million names, a write and an append per value were most of the save)
        while chunk := list(islice(it, STREAM_CHUNK)):
            first = len(offsets)
            offsets.extend(accumulate(map(len, chunk), initial=end))
            del offsets[first]  # (``initial``: the end before the chunk, already there)
            end = offsets[-1]
            write(b"".join(chunk))
        self.directory[name] = (self.size, end, "B")
        self._pad(end)
        self.add(name + ".offsets", offsets, "q")

    def add_strings(self, name: str, items: Iterable[str]) -> None:
        if self.fh is not None:
            self._stream(name, map(methodcaller("encode", "utf-8", UTF8_ERRORS), items))
            return
        blob, offsets = pack_strings(items)
        self.add(name, blob)
        self.add(name + ".offsets", offsets, "q")

    def add_pickles(self, name: str, items: Iterable[object]) -> None:
        if self.fh is not None:
            self._stream(name, map(partial(pickle.dumps, protocol=5), items))
            return
        blob, offsets = pack_pickles(items)
        self.add(name, blob)
        self.add(name + ".offsets", offsets, "q")

    def write(self, fh: BinaryIO) -> None:
        for part in self.parts:
            fh.write(part)


class ColumnFile:
    """The arrays of a file written by :class:`ColumnWriter`, as memoryviews of a map."""

    def __init__(self, data: memoryview, directory: dict[str, tuple[int, int, str]]) -> None:
        self.data = data
        self.directory = directory

    def view(self, name: str) -> memoryview:
        offset, size, fmt = self.directory[name]
        if offset + size > len(self.data):
            raise ValueError(f"column {name} lies beyond the end of its file")
        part = self.data[offset:offset + size]
        # (the item format comes from the directory: a str, not one of cast's literals)
        return part if fmt == "B" else part.cast(fmt)  # type: ignore[call-overload]

    def strings(self, name: str) -> StrColumn:
        return StrColumn(self.view(name), self.view(name + ".offsets"))


def _slot_count(n: int) -> int:
    size = 8
    while size < 2 * n:
        size <<= 1
    return size


class HashedKeys:
    """A frozen set of strings with a row number each, found by hashing: the strings in a
    :class:`StrColumn` and an open-addressing table (CRC-32 of the UTF-8 bytes, linear
    probing, int32 row or -1 per slot, at most half full). A look-up costs about a
    microsecond in Python, a fraction of one compiled (``_reach.c``, when built); loading
    costs nothing per key."""

    __slots__ = ("_blob", "_mask", "_offsets", "_probe", "_seen", "_slots", "find", "keys",
                 "table")

    def __init__(self, keys: StrColumn, blob: memoryview, offsets: memoryview,
                 slots: memoryview) -> None:
        self.keys = keys
        self._blob = blob
        self._offsets = offsets
        self._slots = slots
        self._mask = len(slots) - 1
        # the compiled probe (``_reach.c``) when it was built, else :meth:`probe`'s Python
        # (a first look-up, the CRC and the probe, cost some 1 µs in Python; issue 11)
        self.table = (None if _KeyTable is None or not len(slots)
                      else _KeyTable(slots, blob, offsets))
        self._probe: Callable[[str], int] = self.probe if self.table is None else self.table.row
        # what the keyed columns and sets call: the compiled probe itself (cheaper than
        # remembering its answers: a Python frame and a dict's look-up and store per key),
        # else :meth:`row`, which remembers the Python probe's answers
        self.find: Callable[[str], int] = self.row if self.table is None else self.table.row
        # rows found so far: a screen looks a key up in several columns over these keys
        # (a posting list and its weight), and common keys recur from query to query
        self._seen: dict[str, int] = {}

    @staticmethod
    def pack(keys: list[str], out: ColumnWriter, name: str) -> None:
        """Write ``keys`` (in their order: row numbers) as columns ``name`` in ``out``."""
        out.add_strings(name, keys)
        size = _slot_count(len(keys))
        mask = size - 1
        slots: array[int] = array("i", [-1]) * size
        for row, key in enumerate(keys):
            slot = zlib.crc32(key.encode("utf-8", UTF8_ERRORS)) & mask
            while slots[slot] >= 0:
                slot = (slot + 1) & mask
            slots[slot] = row
        out.add(name + ".slots", slots, "i")

    @classmethod
    def read(cls, columns: ColumnFile, name: str) -> HashedKeys:
        blob, offsets = columns.view(name), columns.view(name + ".offsets")
        return cls(StrColumn(blob, offsets), blob, offsets, columns.view(name + ".slots"))

    def row(self, key: str) -> int:
        """The row of ``key``, or -1."""
        seen = self._seen
        found = seen.get(key)
        if found is not None:
            return found
        row = self._probe(key)
        if len(seen) >= SEEN_CACHE:
            seen.clear()
        seen[key] = row
        return row

    def probe(self, key: str) -> int:
        """The row of ``key``, or -1, found in the table (not remembered): the Python
        reference of the compiled probe (``_reach.KeyTable.row``)."""
        data = key.encode("utf-8", UTF8_ERRORS)
        slots, blob, offsets, mask = self._slots, self._blob, self._offsets, self._mask
        slot = zlib.crc32(data) & mask
        while True:
            row: int = slots[slot]
            if row < 0 or blob[offsets[row]:offsets[row + 1]] == data:
                return row
            slot = (slot + 1) & mask

    def __len__(self) -> int:
        return len(self.keys)

    def starting_with(self, mark: str, before: str = "") -> list[str]:
        """The keys that start with ``mark`` (one ASCII character), or with ``before`` then
        ``mark`` (``before``: one ASCII character or ""): found by searching the keys' bytes
        for the mark (an ASCII byte is never part of another character in UTF-8), so only
        the keys found are read."""
        assert len(mark) == 1 and mark.isascii() and len(before) <= 1 and before.isascii()
        # (with numpy: every place of the mark, then the rows that start there or one
        # byte later after ``before``; a loop per place cost 2 µs each, and a loaded
        # index's alternative forms' keys are tens of thousands)
        data = np.frombuffer(self._blob, dtype=np.uint8)
        starts = np.frombuffer(self._offsets, dtype=np.int64)[:-1]
        at = np.flatnonzero(data == ord(mark))
        rows = starts.searchsorted(at, side="right") - 1
        keep = starts[rows] == at
        if before:
            lead = at - 1
            keep |= (starts[rows] == lead) & (data[lead] == ord(before))
        return [self.keys[row] for row in rows[keep].tolist()]


V = TypeVar("V")


class StrMap(Protocol[V]):
    """What the index's tables use of a ``dict[str, V]``: a plain dict when built, a
    :class:`KeyedColumn` when loaded from disk."""

    def get(self, key: str, /) -> V | None: ...
    def setdefault(self, key: str, default: V, /) -> V: ...
    def __contains__(self, key: object, /) -> bool: ...
    def __getitem__(self, key: str, /) -> V: ...
    def __setitem__(self, key: str, value: V, /) -> None: ...
    def __iter__(self) -> Iterator[str]: ...
    def __len__(self) -> int: ...


class StrSet(Protocol):
    """What the index's tables use of a ``set[str]``: a plain set when built, a
    :class:`KeyedSet` when loaded from disk."""

    def add(self, key: str, /) -> None: ...
    def __contains__(self, key: object, /) -> bool: ...
    def __iter__(self) -> Iterator[str]: ...
    def __len__(self) -> int: ...


class KeyedColumn(Generic[V]):
    """A ``dict[str, V]`` read from a file: the keys hashed (:class:`HashedKeys`), each
    value made from its row when asked for (``value_of``), and a dict of the values set
    since (taking precedence). A value changed in place must be set again, or taken with
    :meth:`setdefault` (which keeps the value it returns)."""

    __slots__ = ("_find", "_keys", "_more", "_seen", "_value_of", "get")

    def __init__(self, keys: HashedKeys, value_of: Callable[[int], V]) -> None:
        self._keys = keys
        self._find = keys.find
        self._value_of = value_of
        self._more: dict[str, V] = {}
        # every answer given so far (None: no such key): a screen asks for the same keys
        # again and again (a posting list, then its weight; a token's symbols per pair)
        self._seen: dict[str, V | None] = {}
        # a key's value, or None: :meth:`answer`, or the same in compiled code
        # (``_reach.Lookup``, over these very dicts) when it was built: a first look-up
        # 1.4 → 0.5 µs, a remembered one 0.17 → 0.13 µs (issue 11)
        table = keys.table
        self.get: Callable[[str], V | None] = (
            self.answer if table is None
            else _Lookup(table, value_of, self._seen, self._more, SEEN_CACHE).get)

    def answer(self, key: str, /) -> V | None:
        """The value of ``key``, or None (what ``get`` gives: the Python reference)."""
        seen = self._seen
        found = seen.get(key, _UNSEEN)
        if found is not _UNSEEN:
            return found
        more = self._more
        found = more.get(key) if more else None  # (nothing set since: most loaded tables)
        if found is None:
            row = self._find(key)
            found = None if row < 0 else self._value_of(row)
        if len(seen) >= SEEN_CACHE:
            seen.clear()
        seen[key] = found
        return found

    def setdefault(self, key: str, default: V, /) -> V:
        found = self.get(key)
        if found is None:
            found = default
        self[key] = found  # kept: changes made to it in place stay
        return found

    def __contains__(self, key: object, /) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __getitem__(self, key: str, /) -> V:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __setitem__(self, key: str, value: V, /) -> None:
        self._more[key] = value
        self._seen[key] = value

    def __iter__(self) -> Iterator[str]:
        more = self._more
        for key in self._keys.keys:
            if key not in more:
                yield key
        yield from more

    def __len__(self) -> int:
        return len(self._keys) + sum(1 for k in self._more if self._find(k) < 0)

    def starting_with(self, mark: str, before: str = "") -> list[str]:
        """The keys (read from the file or set since) that start with ``mark``, or with
        ``before`` then ``mark`` (see :meth:`HashedKeys.starting_with`)."""
        found = dict.fromkeys(self._keys.starting_with(mark, before))
        for key in self._more:
            if key[:1] == mark or (before and key[:2] == before + mark):
                found[key] = None
        return list(found)


class KeyedSet:
    """A ``set[str]`` read from a file (:class:`HashedKeys`), and the strings added since."""

    __slots__ = ("_find", "_keys", "_more")

    def __init__(self, keys: HashedKeys) -> None:
        self._keys = keys
        self._find = keys.find
        self._more: set[str] = set()

    def add(self, key: str, /) -> None:
        if self._find(key) < 0:
            self._more.add(key)

    def __contains__(self, key: object, /) -> bool:
        return isinstance(key, str) and (key in self._more or self._find(key) >= 0)

    def __iter__(self) -> Iterator[str]:
        yield from self._keys.keys
        yield from self._more

    def __len__(self) -> int:
        return len(self._keys) + len(self._more)

    def starting_with(self, mark: str) -> list[str]:
        """The strings (read from the file or added since) that start with ``mark`` (one
        ASCII character; see :meth:`HashedKeys.starting_with`): only those are read."""
        return [*self._keys.starting_with(mark), *(k for k in self._more if k[:1] == mark)]
