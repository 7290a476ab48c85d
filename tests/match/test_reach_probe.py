"""The compiled probe of a loaded index's hashed keys (``ctnode.match._reach``, built from
``_reach.c`` when the package is installed): the row of every key, held or not, is the one
the Python probe (:meth:`HashedKeys.probe`, the reference) finds, and a loaded index uses it
and screens as the Python probe does."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from ctnode.match import Matcher, Thresholds, columns, persist
from ctnode.match._reach import KeyTable
from ctnode.match.columns import ColumnFile, ColumnWriter, HashedKeys
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery

pytestmark = pytest.mark.usefixtures("hand_model")


def _read(keys: list[str]) -> HashedKeys:
    out = ColumnWriter()
    HashedKeys.pack(keys, out, "k")
    buf = io.BytesIO()
    out.write(buf)
    return HashedKeys.read(ColumnFile(memoryview(buf.getvalue()), out.directory), "k")


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
