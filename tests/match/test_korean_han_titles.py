"""Issue 12 (lat, 2026-12-07): a Korean name written in Han is also read by each
character's Korean sound (Unihan kHangul), and a person's name with a title at its head
that rigour's prefixes leave in (nameparser's titles: Commander, Lieutenant) is also read
without it. Each rule on the indexed Matcher and the naive reference alike, said in the
hit's explanation; East Asian names that differ by one character still do not alert."""

from __future__ import annotations

import pytest

from ctnode.match import Matcher, NaiveMatcher, Thresholds
from ctnode.match.normalise import parse_name, without_head_titles
from ctnode.match.transliterate import korean_han_reading, readings
from ctnode.model.entities import Entity
from tests.match.test_script_recall import _e, _top, found_and_said, matchers_over, same_as_naive

pytestmark = pytest.mark.usefixtures("hand_model")

LIST: list[Entity] = [
    _e("pae", "PAE WON UK"), _e("ri", "RI EUN SONG"), _e("kim", "KIM YONG CHOL"),
    _e("jo", "JO YON JUN"), _e("wang", "WANG WEI"), _e("omar", "HASSAN MAHAT OMAR"),
    _e("han", "HAN JANG SU"), _e("taganda", "General Taganda"),
    _e("sultan", "SULTAN BASHIR-UD-DIN MAHMOOD"),
]


matcher = matchers_over(LIST)


def test_han_read_by_its_korean_sound() -> None:
    """金 is 김 (its name reading, not 금), 李 리 (before the initial-sound rule, as DPRK
    names write Ri), a simplified character by its traditional form (赵 趙 조); one word is
    cut as a Hangul name is; a word of three characters among others, or a character
    without a Korean reading, gives none."""
    assert korean_han_reading(["裴", "元", "旭"]) == "배 원 욱"
    assert korean_han_reading(["金正恩"]) == "김 정 은"
    assert korean_han_reading(["李"]) == "리"
    assert korean_han_reading(["赵延淳"]) == "조 연 순"
    assert korean_han_reading(["南宮玉分"]) == "남궁 옥 분"
    assert korean_han_reading(["金", "中原佟"]) is None
    assert korean_han_reading(["金", "x"]) is None
    assert [r.rule for r in readings("裴 元 旭")] == ["", "korean"]
    assert [p.tokens for p in parse_name("金正恩")][1] == ("kim", "jong", "un")


@pytest.mark.parametrize(("query", "expected"), [
    ("裴 元 旭", "pae"),      # Mandarin pei yuan xu
    ("莉殷宋", "ri"),         # Mandarin li yin song, Japanese rii in so
])
def test_korean_name_in_han_found(matcher: Matcher | NaiveMatcher, query: str,
                                  expected: str) -> None:
    found_and_said(matcher, query, expected, "read as korean")


@pytest.mark.parametrize("query", ["裴 元 植", "金 勇 植"])
def test_one_other_character_is_another_person(matcher: Matcher | NaiveMatcher,
                                               query: str) -> None:
    """A Korean reading that differs from a listed Korean name by one syllable (植 식 for
    旭 욱, for 哲 철) does not alert: one different character is a different person."""
    hit = _top(matcher, query)
    assert hit is None or hit.score < Thresholds().report, hit


def test_korean_reading_of_the_same_characters(matcher: Matcher | NaiveMatcher) -> None:
    found_and_said(matcher, "金 勇 哲", "kim", "read as korean")


def test_head_titles() -> None:
    """A title of nameparser's at the head, rigour's prefixes and our honorifics around it,
    two words or more left; a short one only with its period (Ra is a Korean surname)."""
    assert without_head_titles("Commander ABD AL-BASET AZZOUZ") == ("ABD AL-BASET AZZOUZ",
                                                                    "Commander")
    assert without_head_titles("General Commander Hassan Omar") == ("Hassan Omar",
                                                                   "General Commander")
    assert without_head_titles("SULTAN TAGANDA") is None  # one word left
    assert without_head_titles("RA KYONG SU") is None
    assert without_head_titles("Lt. Ali Hassan") == ("Ali Hassan", "Lt.")
    assert without_head_titles("Lieutenant General Ali Hassan") is None  # rigour's prefix
    assert without_head_titles("Mullah Omar Akhund") is None  # our honorific
    assert without_head_titles("Sergeant Ali Hassan") == ("Ali Hassan", "Sergeant")


@pytest.mark.parametrize(("query", "expected"), [
    ("Commander HASSAN MAHAT OMAR", "omar"),
    ("Commander HAN JANG SU", "han"),
])
def test_title_left_out(matcher: Matcher | NaiveMatcher, query: str, expected: str) -> None:
    found_and_said(matcher, query, expected, "title 'Commander' left out")


def test_title_word_that_is_a_name_still_counts(matcher: Matcher | NaiveMatcher) -> None:
    """The reading without the title is a second one: Sultan read as a name still meets
    the listed Sultan; a one-word rest is not read (SULTAN TAGANDA is not General Taganda)."""
    found_and_said(matcher, "Sultan Bashir Mahmood", "sultan", "sultan")
    hit = _top(matcher, "SULTAN TAGANDA")
    assert hit is None or hit.entity_id != "taganda" or hit.score < Thresholds().report


def test_fast_is_naive() -> None:
    same_as_naive(LIST, ["裴 元 旭", "莉殷宋", "金 扬 乔尔", "赵延淳", "王伟", "裴 元 植",
                         "Commander HASSAN MAHAT OMAR", "Sergeant Han Jang Su",
                         "Sultan Bashir Mahmood", "SULTAN TAGANDA", "Commander Taganda"])
