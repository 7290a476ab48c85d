"""Issue 12, French spellings of Russian (acc, 2026-12-07): French writes я ё ю е at a
word's start ia io iou ie (Iakov, Iouri, Ievgueni; Le Monde's Ianoukovitch) and й ï
(Nikolaï, Andreï, Sergueï), where English writes y (Yakov, Yuri, Andrey). A part that
starts so is read by the French habit's table even without its other marks, and a part
written with ï is also read with a y there (ASCII folding reads it as a plain i). On the
indexed Matcher and the naive reference alike, and said in the hit's explanation."""

from __future__ import annotations

import pytest

from ctnode.match import Matcher, NaiveMatcher, Thresholds
from ctnode.match.normalise import token_alternatives
from ctnode.match.transliterate import french_diaeresis_reading, western_alternatives
from tests.match.test_script_recall import _details, _e, _top, matchers_over


def test_a_french_initial_ia_is_read_ya_without_other_marks() -> None:
    assert {"yakhia", "yahia"} <= set(western_alternatives("iakhia"))  # (and kh read h)
    assert "yuri" in western_alternatives("iouri")  # ю: iou, with the French ou
    assert western_alternatives("ibrahim") == []  # i before a consonant: no French mark
    assert western_alternatives("ian") == []  # (parts under four letters: as before)


def test_a_diaeresis_i_is_read_y() -> None:
    assert french_diaeresis_reading("Ïadkhran") == "yadkhran"
    assert french_diaeresis_reading("Andreï") == "andrey"
    assert french_diaeresis_reading("Ahmed") is None
    assert french_diaeresis_reading("Zoë") is None  # another letter's diaeresis
    assert token_alternatives("Ïadkhran") == ("yadkhran", "yadhran")
    assert token_alternatives("Nikolaï") == ("nikolay",)


LIST = [_e("yahya", "Yahya Haqqani"), _e("jadhran", "Ibrahim Saeed Salim Jadhran"),
        _e("jo", "Jo Yong-Won"), _e("other", "Ibrahim Haqqani"),
        _e("andrey", "Andrey Petrenko")]


matcher = matchers_over(LIST)


@pytest.mark.parametrize(("query", "expected", "said"), [
    ("Iakhia Khakkani", "yahya", "'iakhia' ~ 'yahya': phonetic skeleton 'yh' (read as 'yahia'/'yahya')"),
    ("Ibrakhim Ssaeed Ssalim Ïadkhran", "jadhran", "'iadkhran' ~ 'jadhran': exact (read as 'yadhran'/'yadhran')"),
    ("Andreï Petrenko", "andrey", "'andrei' ~ 'andrey': exact (read as 'andrey'/'andrey')"),
    # (Ïo is read yo, which is not jo: left unmatched; Iong read Yong, no longer a typo)
    ("Ïo Iong-von", "jo", "'iong' ~ 'yong': exact (read as 'yong'/'yong')"),
])
def test_screening_reads_french_y(matcher: Matcher | NaiveMatcher, query: str, expected: str,
                                  said: str) -> None:
    hit = _top(matcher, query, include_below=True)
    assert hit is not None
    assert hit.entity_id == expected
    assert said in _details(hit)
    assert hit.score >= Thresholds().report or expected == "jo"
