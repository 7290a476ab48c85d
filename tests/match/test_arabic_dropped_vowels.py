"""Issue 12, Arabic-script names with a letter dropped (ard, 2026-12-07): a part left with
three consonants that writes a long vowel agreeing with the Latin part's vowels is valued
as one left with four (``جمان`` Djermane), but not when the three count a first vowel
(``عماد``/Ahmadi), the lam of Allah (``قاريالله``/Karimullah) or leave out the Latin part's
last consonant (``حامد``/Hamidullah: a suffix, not a letter); the tails of compound names
written with a letter left out (Allah with one lam, ``عبداله``, ``نصراله``, ``روح اله``:
Persian writing; ``عبدلله``; ad-Din as ``الين``, ``الدن``) are also read whole; and a part
glued to a slipped Abd-al (``عدالغفار``, ``عبالغفار``, ``عبدلغفار``, ``عبداغفار``) is read
as two parts, as ``عبدالغفار`` is; a nisba ending a name, alef and a sun letter first, is
also read as the article with its lam left out (``اراوي`` al-Rawi); after Abd, the
first consonant after the article may be the one left out with one long vowel
(``عبد الكيم`` Abd al-Hakim: a divine name). Each on the indexed
Matcher and the naive reference alike, each said in the hit's explanation."""

from __future__ import annotations

import pytest

from ctnode.match import Matcher, NaiveMatcher
from ctnode.match.normalise import parse_name
from ctnode.match.similarity import abjad_similarity
from ctnode.match.transliterate import (
    ABJAD_MARK,
    PRIME,
    abd_al_slip,
    allah_one_lam,
    article_readings,
    joined_abd,
)
from ctnode.match.weights import MODEL
from tests.match.test_script_recall import _e, _top, found_and_said, matchers_over, same_as_naive

pytestmark = pytest.mark.usefixtures("hand_model")

LIST = [
    _e("djermane", "Kamel Djermane"), _e("karim", "Abdullah Hamad Mohammad Karim"),
    _e("nasrullah", "Nasrullah Mansur Khan"), _e("ruhullah", "Ruhullah Amin Wardak"),
    _e("other", "Omar Hassan Khalil"), _e("kamal", "Kamal Jaber Hassan"),
    _e("ghafar", "Abdul Ghafar Shinwari"), _e("nasiruddin", "Nasiruddin Haqqani"),
    _e("rawi", "Saif al-Din Fulayyih Taha al-Rawi"), _e("shekau", "Abubakar Mohammed Shekau"),
    _e("hakim", "Abdul Hakim Murad"), _e("hakimi", "Mohammad Hakim Sultani"),
]

QUERIES = ("كمال جمان", "عبد اله حماد محمد كريم", "نصراله منصور خان", "روح اله امین وردک",
           "عبد الاله حماد", "كمال جبر", "هاله منصور", "عدالغفار شینواری", "عبداغفار شینواری",
           "نصیر الین حقانی", "عدالت شینواری", "سيف الدين فليح طه اراوي",
           "أبو بكر محمد اشكوى", "اراوي طه", "عبد الكيم مراد", "محمد الكيم سلطانی")

matcher = matchers_over(LIST)


def _abjad(reading: str, latin: str) -> tuple[float, str]:
    return abjad_similarity(ABJAD_MARK + reading, latin)


def test_three_left_with_a_long_vowel_that_agrees_count_as_four() -> None:
    sim, said = _abjad("jman", "djermane")  # a after m, as in Djermane
    assert sim == MODEL.abjad_dropped
    assert "consonants 'jmn' of 'jrmn', long vowels agree" in said
    assert _abjad("ʹtriti", "tikriti")[0] == MODEL.abjad_dropped  # التريتي, written after al-
    assert _abjad("blmkhar", "belmokhtar")[0] == MODEL.abjad_dropped  # four left: as before


def test_three_left_otherwise_keep_the_short_value() -> None:
    assert _abjad("jmn", "djermane")[0] == MODEL.abjad_dropped_short  # no long vowel written
    assert _abjad("jmin", "djermane")[0] == MODEL.abjad_dropped_short  # i against a
    assert _abjad("amad", "ahmadi")[0] == MODEL.abjad_dropped_short  # عماد: a first vowel
    assert _abjad("akla", "attiqullah")[0] == MODEL.abjad_dropped_short  # عكلة
    assert _abjad("hamd", "hamidullah")[0] == MODEL.abjad_dropped_short  # the suffix's l
    assert _abjad("hdait", "hidayatullah")[0] == MODEL.abjad_dropped_short
    assert _abjad("qarillah", "karimullah")[0] == MODEL.abjad_dropped_short  # Allah's lam
    assert _abjad("ʹtkrii", "tikriti")[0] == MODEL.abjad_dropped_short  # the last one left out


def test_allah_written_with_one_lam() -> None:
    assert allah_one_lam("عبداله") == "عبدالله"
    assert allah_one_lam("نصراله خان") == "نصرالله خان"
    assert allah_one_lam("عبد اله حماد") == "عبد الله حماد"
    assert allah_one_lam("روح اله امین") == "روح الله امین"
    assert allah_one_lam("هاله") is None  # Haleh, a name of its own
    assert allah_one_lam("لاله") is None  # Laleh
    assert allah_one_lam("عبدالاله") is None  # Abd al-Ilah
    assert allah_one_lam("اله") is None  # alone: ilah
    assert allah_one_lam("بن اله") is None  # after bin: no theophoric name
    assert allah_one_lam("عبدالله") is None
    assert allah_one_lam("عبدلله") == "عبدالله"  # its alef left out
    assert allah_one_lam("نصیر الین حقانی") == "نصیر الدين حقانی"  # ad-Din
    assert allah_one_lam("نورالدن ترابی") == "نورالدين ترابی"
    assert allah_one_lam("الين") is None  # alone: no tail
    assert allah_one_lam("عبد الين") is None  # after Abd: a divine name, not ad-Din
    assert allah_one_lam("Abdullah") is None
    readings = [p.tokens for p in parse_name("روح اله امین")]
    assert ("ruh", "alh", "amin") in readings  # as written, beside
    assert ("ruhullah", "amin") in readings  # with Allah, joined to the name before it
    assert ("nsrullah",) in [p.tokens for p in parse_name("نصراله")]
    assert ("abdullah",) in [p.tokens for p in parse_name("عبداله")]


def test_abd_al_with_a_letter_left_out() -> None:
    for slipped in ("عدالغفار", "عبالغفار", "عبدلغفار", "عبداغفار"):
        assert joined_abd(slipped) == ("عبد", "الغفار"), slipped
    assert parse_name("عدالغفار")[0].tokens == parse_name("عبدالغفار")[0].tokens
    assert ("read as two parts, Abd al- with a letter left out: عدالغفار → عبد الغفار"
            in parse_name("عدالغفار")[0].notes)
    assert abd_al_slip("عدالت") is None  # Adalat (justice): one letter after the prefix
    assert abd_al_slip("عبدلله") is None  # Abdullah (allah_one_lam)
    assert abd_al_slip("عبدالغفار") is None  # written whole: split as it is
    assert joined_abd("عبدالغفار") == ("عبد", "الغفار")


def test_a_nisba_with_the_article_said() -> None:
    said = "the article said before a sun letter"
    assert article_readings("اراوي", "طه", last=True) == (("raui", said),)
    assert article_readings("اشكوى", "محمد", last=True) == (("shkua", said),)
    assert article_readings("اراوي", "طه") == ()  # not the last part
    assert article_readings("اراوي", "", last=True) == ()  # the only part
    assert article_readings("اشرف", "محمد", last=True) == ()  # no nisba: Ashraf
    assert article_readings("اسدي", "محمد", last=True) == ()  # three letters after the alef
    assert article_readings("احمدي", "محمد", last=True) == ()  # a moon letter: Ahmadi
    assert "raui" not in parse_name("اراوي طه")[0].alts.get(0, ())


def test_after_abd_the_first_consonant_after_the_article() -> None:
    after_abd = ABJAD_MARK + PRIME + PRIME + "kim"  # عبد الكيم: a second prime after Abd
    assert abjad_similarity(after_abd, "hakim")[0] == MODEL.abjad_dropped_short
    assert "after Abd: one long vowel" in abjad_similarity(after_abd, "hakim")[1]
    assert abjad_similarity(ABJAD_MARK + PRIME + "kim", "hakim")[0] == 0.0  # محمد الكيم
    assert after_abd in parse_name("عبد الكيم مراد")[0].alts[1]
    assert ABJAD_MARK + PRIME + "kim" in parse_name("محمد الكيم")[0].alts[1]


@pytest.mark.parametrize(("query", "expected", "said"), [
    ("كمال جمان", "djermane", "consonants 'jmn' of 'jrmn', long vowels agree"),
    ("عبد اله حماد محمد كريم", "karim", "written with a letter left out: عبد الله حماد"),
    ("نصراله منصور خان", "nasrullah", "transliterated (a compound name's tail (Allah, ad-Din)"),
    ("روح اله امین وردک", "ruhullah",
     "written with a letter left out, Allah joined to the name before it: روحالله"),
    ("نصیر الین حقانی", "nasiruddin", "written with a letter left out: نصیر الدين حقانی"),
    ("عدالغفار شینواری", "ghafar", "Abd al- with a letter left out: عدالغفار → عبد الغفار"),
    ("عبداغفار شینواری", "ghafar", "Abd al- with a letter left out: عبداغفار → عبد الغفار"),
    ("سيف الدين فليح طه اراوي", "rawi", "read as the article said before a sun letter: اراوي"),
    ("أبو بكر محمد اشكوى", "shekau", "read as the article said before a sun letter: اشكوى"),
    ("عبد الكيم مراد", "hakim", "(written with the article after Abd: one long vowel)"),
])
def test_screened_and_explained(matcher: Matcher | NaiveMatcher, query: str, expected: str,
                                said: str) -> None:
    found_and_said(matcher, query, expected, said)


def test_haleh_is_no_theophoric_name(matcher: Matcher | NaiveMatcher) -> None:
    hit = _top(matcher, "هاله منصور", include_below=True)
    assert hit is None or "a letter left out" not in " ".join(
        f.detail for f in hit.explanation)


def test_fast_equals_naive_on_these_queries() -> None:
    same_as_naive(LIST, QUERIES)
