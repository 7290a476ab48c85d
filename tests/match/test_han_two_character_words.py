"""Issue 12 (osc): a word of two Han characters keeps its rigour name symbols as a longer word
does (``symbols.symbol_cap``): it is two syllables, mostly Xinhua's transcription of a
foreign name (``彼得`` Peter, 14 symbols) or a two-character surname with its readings, not
one syllable shared by many names. Two Hangul or kana letters keep a syllable's cap (``웨이``
Wei, ``しん`` Shin).

Said in the hit's explanation, on the indexed Matcher and the naive reference alike."""

from __future__ import annotations

import pytest

from ctnode.match import Matcher, NaiveMatcher
from ctnode.match.symbols import MAX_NAME_SYMBOLS, MAX_WORD_SYMBOLS, symbol_cap
from ctnode.model.screening import ScreenQuery
from tests.match.test_script_recall import (
    _e,
    _top,
    found_and_said,
    matchers_over,
    same_as_naive,
)

pytestmark = pytest.mark.usefixtures("hand_model")

LIST = [_e("cherif", "PETER CHERIF"), _e("other", "Karim Cherif")]

matcher = matchers_over(LIST)


def test_caps() -> None:
    assert symbol_cap("彼得") == MAX_WORD_SYMBOLS
    assert symbol_cap("穆罕默德") == MAX_WORD_SYMBOLS
    assert symbol_cap("金") == MAX_NAME_SYMBOLS
    assert symbol_cap("웨이") == MAX_NAME_SYMBOLS and symbol_cap("しん") == MAX_NAME_SYMBOLS
    assert symbol_cap("peter") == MAX_NAME_SYMBOLS


@pytest.mark.parametrize("query", ["彼得谢里夫", "彼得 谢里夫", "彼得·谢里夫"])
def test_found_and_said(matcher: Matcher | NaiveMatcher, query: str) -> None:
    found_and_said(matcher, query, "cherif",
                   "'bide' ~ 'peter': one name in two languages, written in its own script")


def test_other_given_name_not_lifted(matcher: Matcher | NaiveMatcher) -> None:
    hit = _top(matcher, "彼得 谢里夫")
    assert hit is not None and hit.entity_id == "cherif"
    other = matcher.compare(ScreenQuery(names=["彼得 谢里夫"]), "other")
    assert other is None or other.score < hit.score


def test_fast_equals_naive_on_these_queries() -> None:
    same_as_naive(LIST, ("彼得谢里夫", "彼得 谢里夫", "彼得", "谢里夫", "Peter Cherif"))
