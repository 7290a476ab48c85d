"""Which writing system a name is in, and the language guessed from it (every importer uses it)."""

from __future__ import annotations

import pytest

from ctnode.ingest.writing_systems import guess_lang, main_script

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
