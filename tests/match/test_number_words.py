"""Number words and ordinals in organisation names (``match.orgs``): rigour's ordinals table
read into one-word and two-word keys, asking rigour's transliteration only of the words
that are not ASCII already (a payment file's first organisation name paid the whole
table's: 0.1 s of CPU)."""

from __future__ import annotations

import re

import pytest
from rigour._core import ordinals_dict

from ctnode.match import orgs


def _table_as_first_written() -> tuple[dict[str, str], dict[str, str]]:
    """The table as it was read before: every word through ``orgs._key`` (casefold, rigour's
    ``maybe_ascii``, lower case, letters and digits)."""
    single: dict[str, str] = {}
    double: dict[str, str] = {}
    for number, forms in ordinals_dict().items():
        for form in forms:
            words = [w for w in re.split(r"[\s\-]+", form.casefold()) if w]
            keys = [orgs._key(w) for w in words]
            if any(not k for k in keys):
                continue
            if len(keys) == 1 and len(keys[0]) >= 2:
                single.setdefault(keys[0], str(number))
            elif len(keys) == 2:
                double.setdefault(" ".join(keys), str(number))
    return single, double


def test_the_table_is_the_same_as_every_word_transliterated() -> None:
    single, double = orgs.number_words()
    assert (single, double) == _table_as_first_written()
    # forms in other scripts were read too (the shortcut is for ASCII words only)
    assert any(not f.isascii() for forms in ordinals_dict().values() for f in forms)
    assert single["twelfth"] == "12" and double["twenty one"] == "21"


@pytest.mark.parametrize(("word", "key"), [
    ("twelfth", "twelfth"), ("1st", "1st"), ("a.b", "ab"),  # ASCII: letters and digits
    ("76ème", "76eme"), ("двадцать", orgs._key("двадцать")), ("第五", ""),  # others: rigour
])
def test_a_words_key(word: str, key: str) -> None:
    assert orgs._word_key(word) == key == orgs._key(word)


def test_numbers_become_digits() -> None:
    assert orgs.numbers_to_digits(["twelfth", "street", "trading"]) == ["12", "street", "trading"]
    assert orgs.numbers_to_digits(["twenty", "one", "co"]) == ["21", "co"]
    assert orgs.numbers_to_digits(["007"]) == ["7"]
