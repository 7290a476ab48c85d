"""Issue 12, Latin-script spellings (lat, 2026-12-07): a vowel changed, added or dropped is
a typo no less than a consonant changed; a final kh after a vowel (Russian х for an Arabic
final h: Абдуллах) is also read h; a name written by a German, Polish or French habit (a
strong telling mark in one part) has all its parts read by that habit. Each rule under the
hand-set and the fitted model, on the indexed Matcher and the naive reference alike, and
said in the hit's explanation."""

from __future__ import annotations

import pytest

from ctnode.match import Matcher, NaiveMatcher, weights
from ctnode.match.normalise import parse_name, token_alternatives
from ctnode.match.similarity import similarity_values, token_similarity
from ctnode.match.transliterate import kh_reading, western_alternatives, western_habits
from tests.match.test_script_recall import _details, _e, _top, matchers_over

# (a, b): one vowel changed, added or dropped inside a part of five letters or more
VOWEL_TYPOS = [("hisein", "hosein"), ("bikht", "bakht"), ("awys", "aweys"),
               ("hassan", "hossan"), ("rashidi", "rashedi")]


@pytest.mark.parametrize(("a", "b"), VOWEL_TYPOS)
def test_a_vowel_typo_is_valued_as_a_consonant_typo(model: str, a: str, b: str) -> None:
    """The same skeleton, one edit apart: at least the typo rule's value (which a consonant
    changed at the same place gets), whatever the vowel-class penalty would give."""
    sim, rule = token_similarity(a, b)
    typo = weights.MODEL.typo_base + weights.MODEL.typo_span * (1 - 1 / max(len(a), len(b)))
    assert sim >= typo - 1e-9
    assert rule.startswith(("one edit apart", "phonetic skeleton", "one name in two"))
    assert similarity_values(a, [b]) == [sim]  # the index's bound is the rule's value


def test_the_vowel_typo_rule_is_named_and_leaves_other_names_alone(model: str) -> None:
    assert token_similarity("hisein", "hosein")[1] == "one edit apart (typo)"
    # vowels that differ throughout stay the skeleton rule's (another name)
    assert token_similarity("mohamed", "mahmud")[1].startswith("phonetic skeleton")
    # a vowel of another class in a part of up to four letters: another name, as before
    assert token_similarity("jun", "jin")[0] == 0.0
    assert token_similarity("amur", "amir")[0] == token_similarity("amir", "amur")[0] == 0.0


def test_final_kh_is_also_read_h() -> None:
    assert kh_reading("abdullakh") == "abdullah"
    assert kh_reading("salikh") == "salih"
    assert kh_reading("akh") is None  # too short to be a name's ending
    # a Slavic patronymic's ending is no Arabic h (German and Polish write ч as ch)
    assert western_alternatives("magomedovich") == ["magomedovikh"]
    # French ou and the final kh together; German ch for х read kh, then h
    assert "obaidullah" in western_alternatives("obaidoullakh")
    assert token_alternatives("Matiullach") == ("matiullakh", "matiullah")


def test_a_names_habit_is_read_in_all_its_parts() -> None:
    """French ou in one part: the French ch (ш) and initial ia (я) of the others are read
    too; a ch or j, which English writes (Choe, Jong), tells no habit of the name."""
    assert western_habits("akhound", strong=True) == ("fr",)
    assert western_habits("choe", strong=True) == ()
    assert western_habits("choe") == ("de",)  # (the part's own reading keeps the weak marks)
    cher = parse_name("Cher Mokhammad Akhound")[0]
    assert "sher" in cher.alts[0]
    iakhia = parse_name("Iakhia Abdallakh Al-oubaidi")[0]
    assert "yakhia" in iakhia.alts[0] and iakhia.alts[1] == ("abdallah",)
    assert "yahia" in iakhia.alts[0]  # (and its kh read h: kh_reading)
    assert 1 not in parse_name("Choe Hwi")[0].alts  # not read w → v by the German habit
    assert parse_name("Cher Khan")[0].alts.get(0) == ("kher", "her")  # no habit in the name


LIST = [_e("hosein", "Hosein Salimi"), _e("obaid", "Obaidullah Akhund"),
        _e("salih", "Salih Mahdi Ammash"), _e("other", "Omar Hassan Khalil"),
        _e("sher", "Sher Mohammad Akhund"), _e("yahia", "Yahia Abdallah Al-Ubaidi")]


matcher = matchers_over(LIST)


def test_screening_says_the_vowel_typo(matcher: Matcher | NaiveMatcher) -> None:
    hit = _top(matcher, "Hisein Salimi", include_below=True)
    assert hit is not None
    assert hit.entity_id == "hosein"
    assert "'hisein' ~ 'hosein': one edit apart (typo)" in _details(hit)
    assert hit.band in ("match", "possible")


@pytest.mark.parametrize(("query", "expected", "said"), [
    ("Obaidoullakh Akhound", "obaid", "(read as 'obaidullah'/'obaidullah')"),
    ("Salikh Makhdi Ammash", "salih", "(read as 'salih'/'salih')"),
    ("Cher Mokhammad Akhound", "sher", "'cher' ~ 'sher': exact (read as 'sher'/'sher')"),
    # (the French ia, then its kh read h: kh_reading, oth)
    ("Iakhia Abdallakh Al-oubaidi", "yahia", "'iakhia' ~ 'yahia': exact (read as 'yahia'/'yahia')"),
])
def test_screening_reads_final_kh_and_the_names_habit(matcher: Matcher | NaiveMatcher, query: str,
                                                      expected: str, said: str) -> None:
    hit = _top(matcher, query, include_below=True)
    assert hit is not None
    assert hit.entity_id == expected
    assert said in _details(hit)
    assert hit.band in ("match", "possible")
