"""Issue 12 (osc): foreign names in katakana read as Japanese writes foreign sounds.

* The katakana of foreign sounds (the Cabinet notice 外来語の表記, 1991) read in Hepburn
  (``transliterate.kana_word_reading``): ウォ ``wo``, クァ ``kwa``, ヴァ ``va``, トゥ ``tu``,
  where ICU's Katakana-Latin read two syllables (ウォン ``uon``, クァン ``kuan``).
* ジ also ``zi`` and フ also ``hu`` (``transliterate.katakana_sound_readings``): Japanese has
  no zi or hu of its own (Aziz アジーズ, Hussein フセイン, Mahdi メフディ).
* A Latin part's loanword keys also read j as the h of the Spanish jota or the y of Dutch
  and German, and an initial h silent (``transliterate.loanword_keys``: Quijano キハノ,
  Hilarion イラリオン).
* A closing ム or プ after a vowel read as a Korean syllable's final m or p (キム Kim), as
  ル and ク were read l and k (``transliterate.katakana_syllable_readings``).

Said in the hit's explanation, on the indexed Matcher and the naive reference alike."""

from __future__ import annotations

import pytest

from ctnode.match import Matcher, NaiveMatcher
from ctnode.match.transliterate import (
    kana_word_reading,
    katakana_sound_readings,
    katakana_syllable_readings,
    loanword_keys,
)
from tests.match.test_script_recall import _e, found_and_said, matchers_over, same_as_naive

pytestmark = pytest.mark.usefixtures("hand_model")

LIST = [
    _e("aziz", "TARIQ AZIZ"), _e("hussain", "OMAR ALI HUSSAIN"), _e("mahdi", "ADIL ABDALLAH MAHDI"),
    _e("pae", "PAE WON UK"), _e("hyon", "HYON KWANG IL"), _e("kim", "KIM YONG NAM"),
    _e("other", "Omar Ali Hamid"), _e("quijano", "ALVARO ANDRES QUIJANO BECERRA"),
    _e("hilarion", "HILARION DEL ROSARIO SANTOS"),
]

matcher = matchers_over(LIST)


def test_readings() -> None:
    assert kana_word_reading("ウォン") == "won"
    assert kana_word_reading("クァン") == "kwan"
    assert kana_word_reading("ヴァシリー") == "vashiri"
    assert kana_word_reading("ウィリアム") == "wiriamu"
    assert kana_word_reading("スミス") == "sumisu"  # the plain syllables as before
    assert katakana_sound_readings("ajizu") == ("azizu",)
    assert katakana_sound_readings("fusein") == ("husein",)
    assert katakana_sound_readings("sumisu") == ()
    assert "kim" in katakana_syllable_readings("kimu")
    assert "hap" in katakana_syllable_readings("hapu")
    assert {"kjn", "khn"} <= loanword_keys("quijano")
    assert {"hrn", "arn"} <= loanword_keys("hilarion")
    assert loanword_keys("abdullah") == {"abdr"}  # no j, no initial h: as before


@pytest.mark.parametrize(("query", "expected", "said"), [
    ("ターリク アジーズ", "aziz", "(read as 'azizu'/'aziz')"),
    ("オマル アリ フセイン", "hussain", "(read as 'husein'/'hussain')"),
    ("アーディル アブダラ メフディ", "mahdi", "(read as 'mehudi'/'mahdi')"),
    ("ペ ウォン ウク", "pae", "'won' ~ 'won': exact"),
    ("ヒョン クァン イル", "hyon", "'kwan' ~ 'kwang': exact (read as 'kwang'/'kwang')"),
    ("キム ヨン ナム", "kim", "'kimu' ~ 'kim': exact (read as 'kim'/'kim')"),
    ("アルバロ アンドレス キハノ ベセラ", "quijano", "loanword key 'khn'"),
    ("イラリオン デル ロサリオ サントス", "hilarion", "loanword key 'arn'"),
])
def test_found_and_said(matcher: Matcher | NaiveMatcher, query: str, expected: str,
                        said: str) -> None:
    found_and_said(matcher, query, expected, said)


def test_fast_equals_naive_on_these_queries() -> None:
    same_as_naive(LIST, ("ターリク アジーズ", "オマル アリ フセイン", "フセイン",
                         "アーディル アブダラ メフディ", "ペ ウォン ウク", "ヒョン クァン イル",
                         "キム ヨン ナム", "キム", "ウォン", "Omar Ali", "キハノ", "イラリオン",
                         "アルバロ アンドレス キハノ ベセラ"))
