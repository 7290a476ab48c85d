"""Issue 12 (osc): Hebrew letters with a geresh read as the sounds they write (ג׳ j, צ׳ ch,
ז׳ zh, ת׳ th, ד׳ dh, ח׳ kh, ע׳ gh: ``transliterate.hebrew_geresh``), an alternative beside
the letters as written (which keep their rigour name symbols); the geresh itself (׳) is an
apostrophe and no longer cuts a word in two (``normalise._APOSTROPHES``).

Said in the hit's explanation, on the indexed Matcher and the naive reference alike."""

from __future__ import annotations

import pytest

from ctnode.match import Matcher, NaiveMatcher
from ctnode.match.normalise import parse_name
from ctnode.match.transliterate import hebrew_geresh
from tests.match.test_script_recall import _e, found_and_said, matchers_over, same_as_naive

pytestmark = pytest.mark.usefixtures("hand_model")

LIST = [_e("ryu", "RYU JIN"), _e("uthman", "OMAR MAHMOUD UTHMAN"), _e("other", "Ryu Chol")]

matcher = matchers_over(LIST)


def test_reading() -> None:
    assert hebrew_geresh("ריו ג'ין") == "ריו jין"
    assert hebrew_geresh("צ׳וי") == "chוי"
    assert hebrew_geresh("עות’מאן") == "עוthמאן"
    assert hebrew_geresh("ריו גין") == "ריו גין"  # no geresh: as written
    parsed = parse_name("ריו ג'ין")[0]
    assert parsed.tokens == ("ryw", "gyn")  # the letters as written
    assert "jyn" in parsed.alts[1]
    assert parse_name("עות׳מאן")[0].tokens == ("wtmn",)  # ׳ no longer cuts the word


@pytest.mark.parametrize(("query", "expected", "said"), [
    ("ריו ג'ין", "ryu", "(read as 'jyn'/'jin')"),
    ("ריו ג׳ין", "ryu", "(read as 'jyn'/'jin')"),
    ("עומאר מחמוד עות׳מאן", "uthman", "'wtmn' ~ 'uthman'"),
])
def test_found_and_said(matcher: Matcher | NaiveMatcher, query: str, expected: str,
                        said: str) -> None:
    found_and_said(matcher, query, expected, said)


def test_fast_equals_naive_on_these_queries() -> None:
    same_as_naive(LIST, ("ריו ג'ין", "ריו ג׳ין", "ג'ין", "עומאר מחמוד עות׳מאן", "ריו גין"))
