"""Machine-readable zones: every check digit verified (composite included), a truncated zone
named as such with its line."""

from __future__ import annotations

import pytest

from ctnode.errors import MessageError
from ctnode.travel.mrz import check_digit, parse_mrz_manifest
from ctnode.travel.parse import parse_manifest
from tests.conftest import TRAVEL_FIXTURES

# ICAO Doc 9303 specimens (Part 4 TD3, Part 5 TD1): every check digit right.
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
       "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<",
       "7408122F1204159UTO<<<<<<<<<<<6",
       "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")


def _messages(lines: tuple[str, ...] | list[str]) -> list[str]:
    return [i.message for i in parse_mrz_manifest("\n".join(lines) + "\n").issues]


def test_specimens_and_own_fixture_verify() -> None:
    assert _messages(TD3) == [] and _messages(TD1) == []
    m = parse_manifest((TRAVEL_FIXTURES / "mrz_short_names.txt").read_bytes())
    assert len(m.travellers) == 4 and m.issues == []


def test_a_wrong_composite_check_digit_is_reported() -> None:
    assert _messages([TD3[0], TD3[1][:43] + "9"]) == [
        "composite check digit wrong: mis-read MRZ or forgery"]
    assert _messages([TD1[0], TD1[1][:29] + "5", TD1[2]]) == [
        "composite check digit wrong: mis-read MRZ or forgery"]


def test_a_birth_date_changed_with_its_own_digit_is_caught_by_the_composite() -> None:
    # (a change of one digit whose own check digit is fixed cancels out in the composite:
    # Doc 9303's weights repeat; a changed month and day does not)
    forged = TD3[1][:13] + "741208" + check_digit("741208") + TD3[1][20:]
    assert _messages([TD3[0], forged]) == ["composite check digit wrong: mis-read MRZ or forgery"]
    (t,) = parse_mrz_manifest(f"{TD3[0]}\n{forged}\n").travellers
    assert t.birth_date == "1974-12-08"  # still screened, with the warning


def test_td2_composite_is_checked() -> None:
    l1 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<"
    body = "D231458907UTO7408122F1204159<<<<<<<"
    l2 = body + check_digit(body[0:10] + body[13:20] + body[21:35])
    assert len(l1) == len(l2) == 36
    assert _messages([l1, l2]) == []
    assert _messages([l1, l2[:35] + str((int(l2[35]) + 1) % 10)]) == [
        "composite check digit wrong: mis-read MRZ or forgery"]


def test_a_td3_optional_data_check_digit_is_checked() -> None:
    wrong = TD3[1][:42] + "2" + TD3[1][43]  # optional data ZE184226B has digit 1
    assert "optional data check digit wrong: mis-read MRZ or forgery" in _messages([TD3[0],
                                                                                   wrong])


@pytest.mark.parametrize(("text", "where", "why"), [
    (f"{TD3[0]}\n{TD3[1][:27]}\n", "MRZ 1 line 2", "line 2 has 27 characters, TD3 lines have 44"),
    (f"{TD3[0]}\n", "MRZ 1 line 1", "TD3 zone has 1 of 2 lines"),
    (f"{TD1[0]}\n{TD1[1]}\n", "MRZ 1 line 1", "TD1 zone has 2 of 3 lines"),
    (f"{TD3[0][:40]}\n{TD3[1]}\n", "MRZ 1 line 1", "line 1 has 40 characters"),
])
def test_a_truncated_mrz_is_named_as_such(text: str, where: str, why: str) -> None:
    with pytest.raises(MessageError) as exc:
        parse_manifest(text.encode())
    assert exc.value.where == where
    assert exc.value.message.startswith("truncated MRZ: ") and why in exc.value.message
    assert "EDIFACT" not in exc.value.message


def test_a_truncated_zone_beside_a_whole_one_is_skipped_with_its_line() -> None:
    m = parse_manifest(("\n".join(TD1) + f"\n\n{TD3[0]}\n{TD3[1][:25]}\n").encode())
    assert len(m.travellers) == 1
    (issue,) = m.issues
    assert issue.skipped and issue.where == "MRZ 2 line 6"
    assert issue.message.startswith("truncated MRZ: line 6 has 25 characters")
