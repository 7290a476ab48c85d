"""The EDIFACT tokenizer: separators, positions, wrapped lines, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctnode.errors import InvalidInput, MessageError
from ctnode.travel.edifact import DEFAULT, Separators, tokenize


def tags(data: bytes) -> list[str]:
    return [s.tag for s in tokenize(data).segments]


def test_default_separators_without_una() -> None:
    inter = tokenize(b"UNB+UNOA:4+A+B'UNH+1+PAXLST:D:05B:UN:IATA'UNT+2+1'UNZ+1+X'")
    assert inter.separators == DEFAULT
    assert not inter.una
    assert [s.tag for s in inter.segments] == ["UNB", "UNH", "UNT", "UNZ"]
    unh = inter.segments[1]
    assert unh.get(2, 0) == "PAXLST" and unh.get(2, 2) == "05B"
    assert unh.get(9) == "" and unh.get(2, 9) == ""


def test_custom_una_with_blank_inside_tag(formats: Path) -> None:
    inter = tokenize((formats / "paxlst_d02b_custom_una_gtas.edi").read_bytes())
    assert inter.una
    assert inter.separators == Separators(":", "*", ".", "?", " ", "$")
    assert inter.segments[1].tag == "UNG"  # written "UNG *PAXLST" in the file
    assert inter.segments[1].get(1) == "PAXLST"
    nad = next(s for s in inter.segments if s.tag == "NAD" and s.get(1) == "FL")
    assert nad.components(4)[:2] == ("BETTON", "DAVID")
    assert nad.line == 13  # CRLF line ends counted


def test_leading_blanks_on_every_line(formats: Path) -> None:
    inter = tokenize((formats / "paxlst_d05b_multileg_gtas.edi").read_bytes())
    assert inter.segments[0].tag == "UNB"
    assert inter.segments[0].line == 2
    assert "RFF" in [s.tag for s in inter.segments]


def test_junk_after_unz_is_reported_not_parsed(formats: Path) -> None:
    inter = tokenize((formats / "paxlst_d05b_multileg2_gtas.edi").read_bytes())
    assert inter.segments[-1].tag == "UNZ"
    assert any("13Nov09" in i.message for i in inter.issues)


def test_line_break_inside_a_value_is_dropped() -> None:
    inter = tokenize(b"UNH+1+PNRGOV:10:1:IA'ADD++702:45 HIGH\r\nSTREET:SLOUGH'UNT+3+1'")
    add = inter.segments[1]
    assert add.get(2, 1) == "45 HIGHSTREET"
    assert add.line == 1


def test_release_character_escapes_separators() -> None:
    inter = tokenize(b"UNH+1+PAXLST:D:05B:UN'NAD+FL+++O?'BRIEN:SEAN?+X?:Y??'UNT+3+1'")
    nad = inter.segments[1]
    assert nad.components(4) == ("O'BRIEN", "SEAN+X:Y?")


def test_segment_positions_count_from_one() -> None:
    inter = tokenize(b"UNB+UNOA:4+A+B'\nUNH+1+PAXLST:D:05B:UN'\nBGM+745'\nUNT+3+1'\nUNZ+1+X'")
    assert [(s.index, s.line) for s in inter.segments] == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]
    assert inter.segments[2].where(1) == "segment 3 (BGM) line 3 element 1"


def test_malformed_segment_is_skipped_with_position() -> None:
    inter = tokenize(b"UNH+1+PAXLST:D:05B:UN'12+X'BGM+745'UNT+3+1'")
    assert [s.tag for s in inter.segments] == ["UNH", "BGM", "UNT"]
    assert inter.issues[0].skipped and "segment 2" in inter.issues[0].where


def test_truncated_interchange_is_warned() -> None:
    inter = tokenize(b"UNB+UNOA:4+A+B'UNH+1+PAXLST:D:05B:UN'NAD+FL+++SMI")
    assert inter.segments[-1].get(4) == "SMI"
    assert any("UNZ missing" in i.message for i in inter.issues)


@pytest.mark.parametrize("data, message", [
    (b"", "no EDIFACT segments"),
    (b"   \n  ", "no EDIFACT segments"),
    (b"UNA:+", "truncated"),
    (b"UNA:::::'UNB", "unusable separators"),
    (b"hello world, this is not edifact", "no EDIFACT segments"),
    (b"ABC+WORLD'", "starts with UNA, UNB or UNH"),
    (b"UNA:+.? 'XYZ+1'", "starts with UNA, UNB or UNH"),
])
def test_unreadable_input_raises_invalid_input(data: bytes, message: str) -> None:
    with pytest.raises(MessageError) as err:
        tokenize(data)
    assert isinstance(err.value, InvalidInput)
    assert message in err.value.message


def test_wrong_separator_without_una_is_guessed() -> None:
    inter = tokenize(b"UNB*UNOA:4*A*B$UNH*1*PAXLST:D:05B:UN$UNT*2*1$UNZ*1*X$")
    assert inter.separators.element == "*" and inter.separators.terminator == "$"
    assert [s.tag for s in inter.segments] == ["UNB", "UNH", "UNT", "UNZ"]
