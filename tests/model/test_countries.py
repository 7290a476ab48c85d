"""Country names and codes (lists, travel documents) to FtM country codes: one table, one function."""

from __future__ import annotations

import pytest
from followthemoney import registry

from ctnode.model.countries import country_code, not_available, table

COUNTRY_CASES = [
    ("Afghanistan", "af"),
    ("Democratic People's Republic of Korea", "kp"),
    ("Iran (Islamic Republic of)", "ir"),
    ("United Kingdom of Great Britain and Northern Ireland", "gb"),
    ("  Syrian   Arab Republic ", "sy"),
    ("Türkiye", "tr"),
    ("State of Palestine", "ps"),
    ("former Soviet Union", "suhh"),
    ("St. Kitts & Nevis", "kn"),
    ("DE", "de"),
    ("na", None),  # "not available" in the UN list, not Namibia
    ("None Identified", None),
    ("Atlantis", None),
]


@pytest.mark.parametrize(("name", "code"), COUNTRY_CASES)
def test_country_code(name: str, code: str | None) -> None:
    assert country_code(name) == code


def test_generated_table_agrees_with_followthemoney() -> None:
    codes = table()["names"]
    names = sorted(codes)[::7]
    disagreements = {n: (codes[n], registry.country.clean(n)) for n in names
                     if registry.country.clean(n) != codes[n]}
    assert disagreements == {}


@pytest.mark.parametrize("code, expected", [
    ("GBR", "gb"), ("USA", "us"), ("RUS", "ru"), ("D", "de"), ("GBD", "gb"), ("XXA", None),
    ("UTO", None), ("", None), (None, None), ("de", "de"), ("ZZZ", None),
])
def test_travel_document_codes(code: str | None, expected: str | None) -> None:
    assert country_code(code) == expected


def test_not_available_is_no_country() -> None:
    assert not_available(" N/A ") and not_available("None identified")
    assert not not_available("Namibia")
