"""Issue 12, Arabic-script names written as they are said or joined: the article's lam left
out before a sun letter (``ادين`` ad-Din, ``بن اطاهر`` bin at-Tahir), one lam written for
the article's and a name's own (``الطيف`` al-Latif; Maghrebi ``Lamine`` for al-Amin),
``بن`` glued to a name, Abd- names written joined (``عبدالحليم``) or glued to the part
before (``محمدعبد``), and two Arabic-script parts read as one Latin part even when their
readings look like East Asian syllables (``نور الدين`` Noureddine). Each rule on the
indexed Matcher and the naive reference alike, each said in the hit's explanation, and
the places where the rules must not apply (Ashraf is not Sharif)."""

from __future__ import annotations

import pytest

from ctnode.match import Matcher, NaiveMatcher, Thresholds
from ctnode.match.normalise import parse_name
from ctnode.match.transliterate import article_readings, glued_bin_reading, joined_abd
from tests.match.test_script_recall import _e, _top, found_and_said, matchers_over, same_as_naive

pytestmark = pytest.mark.usefixtures("hand_model")


LIST = [
    _e("ghias", "Sayyed Ghiassouddine Agha"), _e("taher", "Ali Ben Taher Ben Faleh Harzi"),
    _e("latif", "Abdul Latif Mansour"), _e("lamine", "Mohamed Lamine Kebir"),
    _e("remadna", "Abdelhalim Hafed Abdelfattah Remadna"),
    _e("basir", "Nazir Mohammad Abdul Basir"), _e("hassine", "Seifallah Ben Omar Ben Hassine"),
    _e("drissi", "Noureddine Drissi"), _e("sharif", "Mohammad Sharif"),
    _e("nur", "Mohammad Nur Zadran"), _e("other", "Omar Hassan Khalil"),
]


matcher = matchers_over(LIST)


def test_the_article_as_said() -> None:
    """An alef before a sun letter is the article without its lam only after the head of
    a construct (Abd, Bin, Abu ...) or in ad-Din; ``ال`` before a letter other than lam
    may hold a name's first lam."""
    assert article_readings("ادين", "غیاث") == (("din", "the article said before a sun letter"),)
    assert article_readings("اطاهر", "بن")[0][0] == "tahr"
    assert article_readings("اشرف", "محمد") == ()  # Ashraf: a name of its own
    assert article_readings("اشرف", "") == ()
    assert article_readings("احمد", "بن") == ()  # ح is no sun letter
    assert article_readings("الطيف", "عبد")[0][0] == "ltif"
    assert article_readings("الامين", "")[0][0] == "lamin"
    assert article_readings("اللطيف", "عبد") == ()  # both lams written
    assert article_readings("الله", "عبد") == ()
    assert glued_bin_reading("بنحسين")[0][0] == "hsin"
    assert glued_bin_reading("بنت") == ()


def test_joined_abd_names_are_two_parts() -> None:
    assert joined_abd("عبدالحليم") == ("عبد", "الحليم")
    assert joined_abd("محمدعبد") == ("محمد", "عبد")
    assert joined_abd("عبدالله") == ("عبدالله",)  # Abdullah is one name
    assert joined_abd("حمیدعبد") == ("حمید", "عبد")  # د joins no letter after it
    assert joined_abd("حسنعبد") == ("حسنعبد",)  # ن does: the missing space would show
    assert joined_abd("عبد") == ("عبد",)
    parsed = parse_name("عبدالحليم حافظ عبدالفتاح")[0]
    assert parsed.tokens[:2] == ("abdul", "hlim")
    assert parsed.tokens.count("abdul") == 2  # each Abd- name keeps its own Abd
    assert "read as two parts: عبدالحليم → عبد الحليم" in parsed.notes


@pytest.mark.parametrize(("query", "expected", "said"), [
    ("سيد غیاث ادین آغا", "ghias", "read as the article said before a sun letter: ادین → din"),
    ("علي بن اطاهر بن فالح حرزي", "taher", "read as 'tahr'/'taher'"),
    ("عبد الطيف منصور", "latif", "read as the article's lam also a name's first lam"),
    ("محمد الامين كبير", "lamine", "read as 'lamin'/'lamine'"),
    ("عبدالحليم حافظ عبدالفتاح رمادنا", "remadna", "read as two parts: عبدالفتاح"),
    ("نظر محمدعبد البصیر", "basir", "read as two parts: محمدعبد → محمد عبد"),
    ("سيف الله بن عمر بنحسين", "hassine", "read as 'بن' (bin) glued to the name"),
    ("نور الدين الدريسي", "drissi", "'nurdin' ~ 'noureddine': merged parts"),
])
def test_screened_and_explained(matcher: Matcher | NaiveMatcher, query: str, expected: str,
                                said: str) -> None:
    found_and_said(matcher, query, expected, said)


def test_a_name_of_its_own_is_not_the_article(matcher: Matcher | NaiveMatcher) -> None:
    """Ashraf is not Sharif, Anwar not Nur: alef and a sun letter begin names of their own,
    so outside a construct or ad-Din they are not read as the article."""
    for query in ("محمد اشرف", "محمد انور", "اشرف"):
        parsed = parse_name(query)[0]
        assert not any(a in ("shrf", "nur") for alts in parsed.alts.values() for a in alts)
        assert not any(n.startswith("read as the article") for n in parsed.notes)
    hit = _top(matcher, "محمد انور")
    assert hit is None or hit.score < Thresholds().report, hit


def test_fast_equals_naive_on_these_queries() -> None:
    same_as_naive(LIST, ("سيد غیاث ادین آغا", "علي بن اطاهر بن فالح حرزي", "عبد الطيف منصور",
                         "محمد الامين كبير", "عبدالحليم حافظ عبدالفتاح رمادنا", "نظر محمدعبد البصیر",
                         "سيف الله بن عمر بنحسين", "نور الدين الدريسي", "محمد اشرف", "محمد انور"))
