"""Names, dates and codes as travel messages carry them: case tables."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from ctnode.travel.mrz import check_digit, parse_mrz_manifest
from ctnode.travel.names import (
    de_icao,
    expand_year,
    from_icao_arabic,
    icao_transliterate,
    mrz_name,
    parse_date,
    split_title,
    traveller_names,
)

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize("given, expected", [
    ("JOHNMR", ("JOHN", "MR")),
    ("WILLIAMMR", ("WILLIAM", "MR")),
    ("ANNAMRS", ("ANNA", "MRS")),
    ("MRJONATHON ROBERT", ("JONATHON ROBERT", "MR")),
    ("CHARLESMR MUHAMMAD", ("CHARLES MUHAMMAD", "MR")),
    ("MR JOHN", ("JOHN", "MR")),
    ("TIMMSTR", ("TIM", "MSTR")),
    ("ANNA MARIA", ("ANNA MARIA", None)),
    ("AMR", ("AMR", None)),  # the Arabic name Amr keeps its letters
    ("THOMAS", ("THOMAS", None)),
])
def test_split_title(given: str, expected: tuple[str, str | None]) -> None:
    assert split_title(given) == expected


def test_ambiguous_title_keeps_the_declared_form_first() -> None:
    names, title = traveller_names("ADAMS", "WILLIAMS")
    assert names[0] == "WILLIAMS ADAMS" and title == "MS"


@pytest.mark.parametrize("value, birth, expected", [
    ("541016", True, "1954-10-16"),
    ("120315", True, "2012-03-15"),
    ("261127", True, "2026-11-27"),
    ("271127", True, "1927-11-27"),  # a birth date is never in the future
    ("12JUL64", True, "1964-07-12"),
    ("26DEC48", True, "1948-12-26"),
    ("23AUG19", False, "2019-08-23"),
    ("19790217", True, "1979-02-17"),
    ("0807101500", False, "2008-07-10"),
    ("991399", True, None),
    ("31FEB80", True, None),
    ("8012", True, None),
])
def test_parse_date_two_digit_years(value: str, birth: bool, expected: str | None) -> None:
    assert parse_date(value, birth=birth, today=TODAY) == expected


def test_expand_year_for_documents_looks_ahead() -> None:
    assert expand_year(31, birth=False, today=TODAY) == 2031
    assert expand_year(99, birth=False, today=TODAY) == 1999


def test_transliteration_vectors(samples: Path) -> None:
    """The shared ICAO 9303 vectors: Cyrillic via iuliia, Latin diacritics, Arabic table."""
    with (samples / "name_transliteration_testvectors.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    checked = 0
    for row in rows:
        expected = row["icao9303_mrz_form"]
        if row["script"] == "Cyrl-ukr":
            continue  # Ukrainian passports use the national KMU-55 table, not ICAO's: not claimed
        if row["script"] == "Arab":
            assert icao_transliterate(row["original"]).replace(" ", "<") == expected
        else:
            surname, _, given = row["original"].partition(" ")
            assert mrz_name(surname, given) == expected, row["original"]
        checked += 1
    assert checked == 8


@pytest.mark.parametrize("icao, listed", [
    ("SHCHUKINA IULIIA", "SHCHUKINA YULIYA"),
    ("OBIEEDKOV FEDOR", "OBYEDKOV FEDOR"),
    ("IAKOV GRIGORII", "YAKOV GRIGORIY"),
    ("WILLIAM MARIA", "WILLIAM MARIA"),  # Western names untouched
])
def test_de_icao_rewrites_cyrillic_digraphs_only(icao: str, listed: str) -> None:
    assert de_icao(icao) == listed


def test_mrz_name_truncates_like_a_passport() -> None:
    long = mrz_name("Abdulrahman-Al-Hashimi-Al-Qurashi", "Mohammed Abdullah")
    assert len(long) <= 39 and long.startswith("ABDULRAHMAN<AL<HASHIMI<AL<QURASHI<<MOH")


def test_mrz_specimens(samples: Path) -> None:
    m = parse_mrz_manifest((samples / "mrz_specimens.txt").read_text())
    assert len(m.travellers) == 2
    td3, td1 = m.travellers
    assert td3.names == ["ANNA MARIA ERIKSSON"] and td3.birth_date == "1974-08-12"
    assert td3.documents[0].number == "L898902C3" and td3.documents[0].type == "P"
    assert td1.documents[0].number == "D23145890" and td1.sex == "F"
    assert not m.issues  # every check digit verifies


def test_mrz_wrong_check_digit_is_reported() -> None:
    text = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
            "L898902C37UTO7408122F1204159ZE184226B<<<<<10\n")
    m = parse_mrz_manifest(text)
    assert any("document number check digit" in i.message for i in m.issues)
    assert check_digit("L898902C3") == "6"


@pytest.mark.parametrize("mrz, arabic", [
    ("MXHMD EBD ALLH", "محمد عبد الله"),
    ("FAXTTMXAH", "فاطمة"),
    ("ALEXANDER SMITH", None),  # X not an ICAO escape here
    ("XAVIER", None),
    ("JOHN", None),  # no escape at all: not claimed as Arabic
    ("MAX", None),
])
def test_icao_arabic_mrz_names_are_reversed(mrz: str, arabic: str | None) -> None:
    assert from_icao_arabic(mrz) == arabic
    if arabic:
        assert icao_transliterate(arabic) == mrz  # the table is reversible
