"""The compiled look-ups of a loaded index's hashed keys (``ctnode.match._reach``, built
from ``_reach.c`` when the package is installed): the row of every key, held or not, is the
one the Python probe (:meth:`HashedKeys.probe`, the reference) finds; a keyed column's
compiled ``get`` answers as its Python one (:meth:`KeyedColumn.answer`) through values set
since and its answers' cache emptied; a loaded index uses them and screens as without."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from ctnode.match import Matcher, Thresholds, columns, persist
from ctnode.match._reach import KeyTable, Lookup
from ctnode.match.columns import ColumnFile, ColumnWriter, HashedKeys, KeyedColumn
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery

pytestmark = pytest.mark.usefixtures("hand_model")


def _file(keys: list[str]) -> ColumnFile:
    out = ColumnWriter()
    HashedKeys.pack(keys, out, "k")
    out.add_strings("v", (k[::-1] + "!" for k in keys))
    buf = io.BytesIO()
    out.write(buf)
    return ColumnFile(memoryview(buf.getvalue()), out.directory)


def _read(keys: list[str]) -> HashedKeys:
    return HashedKeys.read(_file(keys), "k")


def _words(rng: random.Random, n: int) -> list[str]:
    alphabet = "abcdefghijklmnopqrstuvwxyzäöüßшщэюяمحد\x01="
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 10)))
            for _ in range(n)]


def test_the_compiled_probe_finds_every_row_the_python_probe_finds() -> None:
    rng = random.Random(11)
    held = sorted(set(_words(rng, 3000)) | {"", "\x01alt", "=je son", "a\ud800b"})
    keys = _read(held)
    assert isinstance(keys._probe.__self__, KeyTable)  # (the compiled probe in use)
    asked = [*held, *_words(rng, 5000), "\ud800", "a\udfffb", "mohammed", "x" * 300]
    compiled = [keys._probe(k) for k in asked]
    assert compiled == [keys.probe(k) for k in asked]
    # (the held keys at their rows, lone surrogates among them; the others not found)
    assert compiled[:len(held)] == list(range(len(held)))
    assert [keys.row(k) for k in asked] == compiled
    assert sum(r < 0 for r in compiled) == sum(k not in set(held) for k in asked) > 3000


def test_a_key_table_refuses_what_hashed_keys_never_write() -> None:
    blob, offsets = b"ab", memoryview(bytes(16)).cast("q")
    with pytest.raises(ValueError, match="power of two"):
        KeyTable(memoryview(bytes(12)).cast("i"), blob, offsets)  # three slots
    with pytest.raises(ValueError, match="power of two"):
        KeyTable(memoryview(bytes(16)).cast("i"), blob, b"")  # no offsets
    table = KeyTable(memoryview(bytes([255]) * 32).cast("i"), blob, offsets)  # all empty
    assert table.row("ab") == -1
    with pytest.raises(TypeError):
        table.row(b"ab")  # type: ignore[arg-type]


def test_a_compiled_keyed_column_answers_as_the_python_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(12)
    held = sorted(set(_words(rng, 2000)) - {""})
    f = _file(held)
    values = f.strings("v")
    monkeypatch.setattr(columns, "SEEN_CACHE", 50)  # (answers forgotten every 50 keys)
    compiled: KeyedColumn[str] = KeyedColumn(HashedKeys.read(f, "k"), values.__getitem__)
    assert isinstance(compiled.get.__self__, Lookup)
    monkeypatch.setattr(columns, "_KeyTable", None)
    python: KeyedColumn[str] = KeyedColumn(HashedKeys.read(f, "k"), values.__getitem__)
    assert python.get == python.answer
    asked = [*held[:300], *_words(rng, 300), *held[:300]]
    rng.shuffle(asked)
    sizes = []
    for i, key in enumerate(asked):
        if i % 7 == 0:  # values set since: they take precedence, and are remembered
            compiled[key] = python[key] = f"set {i}"
        elif i % 11 == 0:
            assert compiled.setdefault(key, "d") == python.setdefault(key, "d")
        assert compiled.get(key) == python.get(key) == python.answer(key)
        assert (key in compiled) == (key in python)
        assert compiled._seen.keys() == python._seen.keys()  # (emptied at the same keys)
        sizes.append(len(compiled._seen))
    assert max(sizes) < 100 < len(set(asked))
    assert sum(python.get(k) is None for k in asked) > 100
    assert compiled.get(held[5]) == held[5][::-1] + "!" or held[5] in compiled._more
    with pytest.raises(TypeError):
        compiled.get(5)  # type: ignore[arg-type]


def _listed(i: int, name: str) -> Entity:
    from tests.match.conftest import listed_person

    return listed_person(f"p{i}", name)


def test_a_loaded_index_screens_as_with_the_python_probe(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["Mohammed Ali Hassan", "Jean-Pierre Dubois", "Владимир Путин", "Abdul Rahman",
             "Kim Jong Un", "Maria Gonzalez", "Ahmed Al-Masri", "Yusuf Abdallah",
             "محمد عبد الله", "Hans Müller", "Chen Wei", "Olga Ivanova"]
    built = Matcher(Thresholds())
    built.build([_listed(i, n) for i, n in enumerate(names)])
    persist.save(built, tmp_path, {"mark": 1})
    queries = [ScreenQuery(names=[q]) for q in [
        *names, "Mohamed Aly Hasan", "Jean Pierre Duboys", "Vladimir Putin", "Abdulrahman",
        "Kim Jung Un", "Mariya Gonsales", "Ahmad Almasri", "Yousef Abdullah", "Hans Muller",
        "Chen Wai", "Olha Ivanova", "Nobody Atall"]]

    def answers() -> list[list[tuple[str, float]]]:
        loaded, _ = persist.load(tmp_path, Thresholds(), 200, {"mark": 1})
        return [[(h.entity_id, h.score) for h in loaded.screen(q, include_below=True)]
                for q in queries]

    compiled = answers()
    monkeypatch.setattr(columns, "_KeyTable", None)
    python = answers()
    assert compiled == python
    assert sum(map(len, compiled)) >= len(names)  # (the listed names found, at least)
