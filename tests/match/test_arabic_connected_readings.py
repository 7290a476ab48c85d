"""Issue 12 (osc): two Arabic-script readings of a part as it is said before another word.

* Ta marbuta said ``t`` before another word (``transliterate.construct_reading``): in pause
  it is ``-a``/``-ah``, in connected speech and in the construct state ``t``, which Latin
  spellings write (``جماعة`` Jama'at, ``كتيبة`` Katibat, ``حركة`` Harakat, ``هبة الله`` Hibat
  Allah); an alternative beside the reading as written.
* A one-letter word (wa-, fa-, bi-, li-) joined to a word without the article, in an
  organisation's name after its first part (``transliterate.proclitic_bare_reading``:
  ``بليبيا`` bi-Libya, *in* Libya).

Said in the hit's explanation, on the indexed Matcher and the naive reference alike."""

from __future__ import annotations

import pytest

from ctnode.match import Matcher, NaiveMatcher
from ctnode.match.normalise import parse_name
from ctnode.match.transliterate import construct_reading, proclitic_bare_reading
from tests.match.test_script_recall import (
    _e,
    _org,
    _top,
    found_and_said,
    matchers_over,
    same_as_naive,
)

pytestmark = pytest.mark.usefixtures("hand_model")

LIST = [
    _org("jihad", "HARAKAT TAWHID WAL-JIHAD"), _org("dawa", "Jama'atu Ahlis Sunna Lidda'Awati"),
    _org("libya", "Ansar Dawa Libya"), _org("other", "Ansar Dawa"),
    _e("hibat", "Hibat Allah Akhund"), _e("hamza", "Hamza Ali Rahman"),
]

matcher = matchers_over(LIST)


def test_construct_reading() -> None:
    said = "ta marbuta said t before another word"
    assert construct_reading("حركة") == (("hrkat", said),)
    assert construct_reading("كتيبة") == (("ktibat", said),)
    assert construct_reading("حركت") == ()  # no ta marbuta
    assert construct_reading("ة") == ()
    # only for a part another follows
    notes = " ".join(parse_name("حركة التوحيد", "org")[0].notes)
    assert "read as ta marbuta said t before another word: حركة → hrkat" in notes
    assert "→ hrkat" not in " ".join(parse_name("التوحيد حركة", "org")[0].notes)


def test_proclitic_without_article() -> None:
    assert proclitic_bare_reading("بليبيا") == (("libia", "'ب' joined to the word"),)
    assert proclitic_bare_reading("بالعراق") == ()  # the article: proclitic_reading's
    assert proclitic_bare_reading("بلال") == ()  # three letters left: Bilal
    # an organisation's part after the first only
    assert any("→ libia" in n for n in parse_name("أنصار الدعوة بليبيا", "org")[0].notes)
    assert not any("→ libia" in n for n in parse_name("بليبيا الدعوة", "org")[0].notes)
    assert not any("→ libia" in n for n in parse_name("أنصار بليبيا", "person")[0].notes)


@pytest.mark.parametrize(("query", "expected", "schema", "said"), [
    ("حركة التوحيد والجهاد", "jihad", "Organization",
     "'hrka' ~ 'harakat': phonetic skeleton 'hrkt' (read as 'hrkat'/'harakat')"),
    ("جماعة أهل السنة للدعوة", "dawa", "Organization", "(read as 'jmaat'/'jamaatu')"),
    ("أنصار الدعوة بليبيا", "libya", "Organization", "(read as 'libia'/'libya')"),
    ("هبة الله آخوند", "hibat", "Person", "(read as 'hbat'/'hibat')"),
])
def test_screened_and_explained(matcher: Matcher | NaiveMatcher, query: str, expected: str,
                                schema: str, said: str) -> None:
    found_and_said(matcher, query, expected, said, schema)


def test_the_reading_as_written_still_meets(matcher: Matcher | NaiveMatcher) -> None:
    hit = _top(matcher, "حمزة علي رحمن")
    assert hit is not None and hit.entity_id == "hamza"


def test_fast_equals_naive_on_these_queries() -> None:
    same_as_naive(LIST, (("حركة التوحيد والجهاد", "Organization"),
                         ("جماعة أهل السنة للدعوة", "Organization"),
                         ("أنصار الدعوة بليبيا", "Organization"), ("بليبيا", "Organization"),
                         "هبة الله آخوند", "حمزة علي رحمن", "حمزة"))
