"""Tables worked out from rigour's data once and kept beside the name index
(``match.kept``): rigour's number words (``orgs.number_words``). A kept file is read back
as it is; one that is stale (another rigour build, another version of the code that works
the table out) or not whole is never used: the table is worked out again and the file
written anew."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from ctnode.match import kept, orgs


@pytest.fixture
def kept_folder(tmp_path: Path) -> Iterator[Path]:
    """Tables kept in a fresh folder, as an index keeps them; forgotten after."""
    before = kept.kept_in()
    kept.keep_in(tmp_path)
    orgs.number_words.cache_clear()
    try:
        yield tmp_path
    finally:
        kept.keep_in(before)
        orgs.number_words.cache_clear()


def _fresh() -> tuple[dict[str, str], dict[str, str]]:
    """number_words as the next process reads it (nothing read yet)."""
    orgs.number_words.cache_clear()
    return orgs.number_words()


def test_number_words_are_kept_beside_the_index_and_read_back(
        kept_folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = kept_folder / orgs.NUMBER_WORDS.file
    assert not path.exists()
    with caplog.at_level(logging.WARNING, logger="ctnode.match.kept"):
        assert _fresh() == orgs.read_number_words()  # worked out, then written
    assert caplog.records == []  # no file yet is not a problem to report
    assert orgs.NUMBER_WORDS.load(kept_folder) == [*orgs.read_number_words()]
    # the next process answers from the file as it is (not worked out again)
    orgs.NUMBER_WORDS.save(kept_folder, [{"zwoelf": "12"}, {"zwei und": "2"}])
    single, double = _fresh()
    assert single == {"zwoelf": "12"} and double == {"zwei und": "2"}
    assert orgs.numbers_to_digits(["zwoelf", "twelve"]) == ["12", "twelve"]


def _spoilt(head: bytes, body: bytes, spoil: str) -> bytes:
    stamp = json.loads(head)
    if spoil == "another rigour build":
        stamp["source"] += 1
    elif spoil == "another version":
        stamp["version"] += 1
    elif spoil == "another table":
        stamp["table"] = "han-words"
    new_head = json.dumps(stamp, sort_keys=True).encode()
    return {
        "one value changed": head + b"\n" + body.replace(b'"12"', b'"13"', 1),
        "cut short": head + b"\n" + body[:-3],
        "no head": body,
        "not JSON, size and CRC right": None,
        "another shape, size and CRC right": None,
    }.get(spoil, new_head + b"\n" + body)  # type: ignore[return-value]


@pytest.mark.parametrize("spoil", ["one value changed", "cut short", "no head",
                                   "another rigour build", "another version", "another table",
                                   "not JSON, size and CRC right",
                                   "another shape, size and CRC right"])
def test_a_stale_or_spoilt_number_words_file_is_never_used(
        kept_folder: Path, spoil: str, caplog: pytest.LogCaptureFixture) -> None:
    """A kept file not whole, or of another rigour build or code version, is never used:
    the table is worked out again, with a one-line message naming the table and the file,
    and the file written again, whole."""
    table = orgs.NUMBER_WORDS
    path = kept_folder / table.file
    table.save(kept_folder, [{"zwoelf": "12"}, {}])
    head, _, body = path.read_bytes().partition(b"\n")
    if spoil == "not JSON, size and CRC right":
        bad = b"[{not json"
        path.write_bytes(table.head(bad) + bad)
    elif spoil == "another shape, size and CRC right":
        bad = b'{"zwoelf": 12}'
        path.write_bytes(table.head(bad) + bad)
    else:
        path.write_bytes(_spoilt(head, body, spoil))
    assert table.load(kept_folder) is None
    with caplog.at_level(logging.WARNING, logger="ctnode.match.kept"):
        assert _fresh() == orgs.read_number_words()
    [said] = [r.getMessage() for r in caplog.records]
    assert table.name in said and str(path) in said and "working it out again" in said
    assert table.load(kept_folder) == [*orgs.read_number_words()]


def test_without_a_writable_folder_the_table_is_worked_out(tmp_path: Path) -> None:
    """A folder that cannot be written costs only the time."""
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    before = kept.kept_in()
    kept.keep_in(blocked / "index")
    try:
        assert _fresh() == orgs.read_number_words()
        assert not (blocked / "index").exists()
    finally:
        kept.keep_in(before)
        orgs.number_words.cache_clear()


def test_write_all_writes_each_table_once(tmp_path: Path) -> None:
    """An index build writes every kept table (not again when a usable one is there)."""
    kept.write_all(tmp_path)
    path = tmp_path / orgs.NUMBER_WORDS.file
    assert orgs.NUMBER_WORDS.load(tmp_path) == [*orgs.read_number_words()]
    written = path.stat().st_mtime_ns
    kept.write_all(tmp_path)
    assert path.stat().st_mtime_ns == written


def test_nameparsers_titles_are_kept_and_read_back(kept_folder: Path) -> None:
    """nameparser's titles (a person's name read without the titles at its head): kept as
    the number words are, stamped with nameparser's titles file, not rigour's build."""
    from ctnode.match import normalise

    normalise._titles.cache_clear()
    try:
        assert normalise._titles() == frozenset(normalise.read_titles())
        assert normalise.TITLES.load(kept_folder) == normalise.read_titles()
        normalise.TITLES.save(kept_folder, ["zzzcaptain"])
        normalise._titles.cache_clear()
        assert normalise._titles() == {"zzzcaptain"}  # read from the file as it is
        # another nameparser (its titles file changed): worked out again
        head, _, body = (kept_folder / normalise.TITLES.file).read_bytes().partition(b"\n")
        stamp = json.loads(head)
        stamp["source"] += 1
        (kept_folder / normalise.TITLES.file).write_bytes(
            json.dumps(stamp, sort_keys=True).encode() + b"\n" + body)
        normalise._titles.cache_clear()
        assert normalise._titles() == frozenset(normalise.read_titles())
        assert "captain" in normalise._titles()
    finally:
        normalise._titles.cache_clear()


def test_a_table_whose_source_cannot_be_stamped_is_never_kept(kept_folder: Path) -> None:
    table = kept.Table("unstamped", 1, lambda: ["a"], lambda p: isinstance(p, list), tuple,
                       source=lambda: None)
    table.save(kept_folder, ["b"])  # (a file, as if an older code had written it)
    assert table.get() == ("a",)
    table.write(kept_folder)
    assert table.get() == ("a",)


def test_a_table_stamps_its_source_once(kept_folder: Path) -> None:
    """Getting a table stamps its source once (nameparser's titles: a file found and read),
    whether the file is written or read; so does an index build's write."""
    stamps: list[int] = []

    def source() -> int:
        stamps.append(1)
        return 7

    table = kept.Table("counted", 1, lambda: ["a"], lambda p: isinstance(p, list), tuple,
                       source=source)
    assert table.get() == ("a",) and len(stamps) == 1  # worked out and written
    assert table.get() == ("a",) and len(stamps) == 2  # read back
    table.write(kept_folder)  # (a usable file there: not written again)
    assert len(stamps) == 3


def test_every_kept_table_is_written_by_an_index_build(tmp_path: Path) -> None:
    """rigour's Han words (transliterate), number words (orgs) and nameparser's titles
    (normalise) are kept tables, each written by write_all in its own file."""
    from ctnode.match import normalise, transliterate

    kept.write_all(tmp_path)
    for table in (transliterate.HAN_WORDS, orgs.NUMBER_WORDS, normalise.TITLES):
        assert table.load(tmp_path) == table.work_out()
    assert len({t.file for t in kept._TABLES}) == len(kept._TABLES)
