"""Country names and script detection used by every importer."""

from __future__ import annotations

import pytest
from followthemoney import registry

from ctnode.ingest.countries import country_code
from ctnode.ingest.country_names import COUNTRY_CODES
from ctnode.ingest.scripts import guess_lang, main_script

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
    names = sorted(COUNTRY_CODES)[::7]
    disagreements = {n: (COUNTRY_CODES[n], registry.country.clean(n)) for n in names
                     if registry.country.clean(n) != COUNTRY_CODES[n]}
    assert disagreements == {}


SCRIPT_CASES = [
    ("GEDO HAMDAN AHMED", "Latn", None),
    ("عبد الرحمن السيندي", "Arab", "ara"),
    ("اغا جان عالیزی", "Arab", "fas"),  # Persian yeh
    ("ګل اکبر سپینوال", "Arab", "pus"),  # Pashto gaf
    ("Амир Хазмат", "Cyrl", "rus"),
    ("長安海連技術有限公司", "Hani", "zho"),
    ("1234 - 56", None, None),
]


@pytest.mark.parametrize(("text", "script", "lang"), SCRIPT_CASES)
def test_script_and_language_guess(text: str, script: str | None, lang: str | None) -> None:
    assert main_script(text) == script
    assert guess_lang(text) == lang
