"""The index's columns (ctnode.match.columns): what a loaded index reads from its mapped
file answers as the dicts, sets and lists it was written from, before and after changes."""

from __future__ import annotations

import io
import random
from array import array

import pytest

from ctnode.match import columns
from ctnode.match.columns import (
    ColumnFile,
    ColumnWriter,
    HashedKeys,
    IdIndex,
    KeyedColumn,
    KeyedSet,
    SparseColumn,
    StrColumn,
    TokensColumn,
)


def _file(out: ColumnWriter) -> ColumnFile:
    buf = io.BytesIO()
    out.write(buf)
    assert len(buf.getvalue()) == out.size and out.size % 8 == 0
    return ColumnFile(memoryview(buf.getvalue()), out.directory)


def _words(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyzäöüßшщэюяمحد"
    words = {"", "a", "\x01alt", "mohammed"}
    while len(words) < n:
        words.add("".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 9))))
    return sorted(words)


def test_strings_and_tokens_read_back_and_take_more() -> None:
    words = _words(500)
    out = ColumnWriter()
    out.add_strings("w", words)
    out.add_strings("t", ["ali\x00hasan", "", "omar"])
    f = _file(out)
    col = f.strings("w")
    assert list(col) == words and len(col) == len(words)
    col.append("zz")
    assert col[len(words)] == "zz" and len(col) == len(words) + 1
    tokens = TokensColumn(f.strings("t"))
    assert list(tokens) == [("ali", "hasan"), (), ("omar",)]
    tokens.append(("x", "y"))
    assert tokens[3] == ("x", "y")
    col[len(words)] = "yy"  # a row appended since the load may change; a frozen one not
    tokens[3] = ()
    assert col[len(words)] == "yy" and tokens[3] == ()
    with pytest.raises(IndexError):
        col[0] = "b"
    with pytest.raises(IndexError):
        tokens[0] = ("b",)


def test_hashed_keys_find_every_key_and_no_other() -> None:
    words = _words(3000)
    rng = random.Random(5)
    rng.shuffle(words)
    out = ColumnWriter()
    HashedKeys.pack(words, out, "k")
    keys = HashedKeys.read(_file(out), "k")
    assert [keys.row(w) for w in words] == list(range(len(words)))
    for missing in ("zzzzzzzzzz", "mohamed", "Mohammed", "alt"):
        assert keys.row(missing) == -1


def test_a_keyed_column_answers_as_its_dict_and_keeps_changes() -> None:
    data = {w: [w, w[::-1]] for w in _words(800) if w}
    out = ColumnWriter()
    keys = list(data)
    HashedKeys.pack(keys, out, "m")
    out.add_strings("m.values", ("\x00".join(data[k]) for k in keys))
    f = _file(out)
    values = f.strings("m.values")
    col: KeyedColumn[list[str]] = KeyedColumn(HashedKeys.read(f, "m"),
                                              lambda row: values[row].split("\x00"))
    assert all(col[k] == v and k in col for k, v in data.items())
    assert col.get("not-there") is None and "not-there" not in col and 5 not in col
    assert sorted(col) == sorted(data) and len(col) == len(data)
    # a value changed in place through setdefault is kept; a new key is added
    first = keys[0]
    col.setdefault(first, []).append("more")
    assert col[first] == [*data[first], "more"]
    col["new"] = ["n"]
    assert col.setdefault("newer", ["m"]) == ["m"]
    assert len(col) == len(data) + 2 and {"new", "newer"} <= set(col)


def test_a_keyed_set_answers_as_its_set() -> None:
    words = [w for w in _words(300) if w]
    out = ColumnWriter()
    HashedKeys.pack(words, out, "s")
    s = KeyedSet(HashedKeys.read(_file(out), "s"))
    assert all(w in s for w in words) and "absent-word" not in s
    s.add(words[0])
    s.add("absent-word")
    assert "absent-word" in s and len(s) == len(words) + 1
    assert sorted(s) == sorted([*words, "absent-word"])


def test_a_sparse_column_reads_back_and_takes_more() -> None:
    out = ColumnWriter()
    items = {3: ("a",), 17: ("b", "c"), 400: ()}
    out.add("p.keys", array("i", items), "i")
    out.add_pickles("p", items.values())
    f = _file(out)
    sparse: SparseColumn[tuple[str, ...]] = SparseColumn(f.view("p.keys"), f.view("p"),
                                                          f.view("p.offsets"))
    assert [sparse.get(k) for k in (3, 17, 400, 4)] == [("a",), ("b", "c"), (), None]
    sparse[4] = ("d",)
    sparse[3] = ("e",)
    assert list(sparse.items()) == [(3, ("e",)), (4, ("d",)), (17, ("b", "c")), (400, ())]
    assert len(sparse) == 4
    assert sparse.pop(4) == ("d",) and sparse.pop(4) is None and sparse.get(4) is None
    with pytest.raises(KeyError):
        sparse.pop(17)  # frozen in the loaded base


def test_id_index_follows_removals_and_replacements() -> None:
    ids = sorted(f"id-{i}" for i in range(50))
    out = ColumnWriter()
    out.add_strings("ids", ids)
    out.add("idx", array("i", range(50)), "i")
    f = _file(out)
    index = IdIndex(f.strings("ids"), f.view("idx"))
    assert index.get("id-7") == ids.index("id-7") and len(index) == 50
    assert index.pop("id-7") is not None and index.get("id-7") is None and len(index) == 49
    assert index.pop("id-7") is None
    index["id-7"] = 60  # listed again: a new record
    index["id-8"] = 61  # replaced
    assert index["id-7"] == 60 and index["id-8"] == 61 and len(index) == 50
    assert index.pop("id-8") == 61 and "id-8" not in index and len(index) == 49
    assert dict(index.items())["id-7"] == 60 and "id-8" not in dict(index.items())
    plain = IdIndex(StrColumn(), None)
    plain["a"] = 1
    assert plain["a"] == 1 and len(plain) == 1


@pytest.mark.parametrize("chunk", [1, 2, 3, 8192])
def test_a_writer_on_a_file_writes_the_same_bytes_as_one_held_in_memory(
        chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """``ColumnWriter(fh)`` streams each column (strings and pickles, ``STREAM_CHUNK`` at a
    time) into the file: the same bytes and directory as the writer that holds them until
    ``write``, whichever chunk boundaries the values cross."""
    monkeypatch.setattr(columns, "STREAM_CHUNK", chunk)

    def fill(out: ColumnWriter) -> None:
        out.add_strings("s", iter(["a", "", "Ωmega", "x" * 13]))
        out.add("b", bytearray(b"\x01\x00\x01"))
        out.add_pickles("p", (("t", i, None) for i in range(5)))
        out.add("i", array("i", [3, -1, 7]), "i")
        out.add("d", array("d", [0.5]), "d")
        out.add_strings("none", [])

    held = ColumnWriter()
    fill(held)
    expected = io.BytesIO()
    held.write(expected)
    streamed = io.BytesIO()
    writer = ColumnWriter(streamed)
    fill(writer)
    assert writer.parts == [] and writer.size == held.size
    assert streamed.getvalue() == expected.getvalue()
    assert writer.directory == held.directory
    assert len(expected.getvalue()) % 8 == 0
