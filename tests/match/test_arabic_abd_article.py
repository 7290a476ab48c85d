"""Issue 12, an Abd- name written in Arabic script with the article's lam left out before a
moon letter (``عبد اقادر`` for ``عبد القادر``, Abd al-Qadir): after Abd the name is one of
God's and bears the article, so an alef there before any letter but lam is that article
(``transliterate.article_readings``). Said in the hit's explanation, on the indexed Matcher
and the naive reference alike; elsewhere alef and a moon letter begin names of their own
(Akram is not Karim, Ahmad not Hamad)."""

from __future__ import annotations

import pytest

from ctnode.match import Matcher, NaiveMatcher, Thresholds
from ctnode.match.normalise import parse_name
from ctnode.match.transliterate import article_readings
from tests.match.test_script_recall import _e, _top, found_and_said, same_as_naive

pytestmark = pytest.mark.usefixtures("hand_model")

LIST = [
    _e("qader", "Abdul Hai Hazem Abdul Qader"), _e("karim", "Abdul Karim Mansour"),
    _e("hamad", "Hamad Karim"), _e("other", "Omar Hassan Khalil"),
]


@pytest.fixture(scope="module", params=[Matcher, NaiveMatcher])
def matcher(request: pytest.FixtureRequest) -> Matcher | NaiveMatcher:
    m: Matcher | NaiveMatcher = request.param(Thresholds())
    m.build(LIST)
    return m


def test_the_article_after_abd() -> None:
    said = "the article after Abd, its lam left out"
    assert article_readings("اقادر", "عبد") == (("qadr", said),)
    assert article_readings("اكريم", "عبد") == (("krim", said),)
    assert article_readings("اقادر", "بن") == ()  # only after Abd: Bin Ahmad is Ahmad
    assert article_readings("احمد", "ابو") == ()
    assert article_readings("اكرم", "محمد") == ()  # Akram: a name of its own
    assert article_readings("الكريم", "عبد")[0][0] == "lkrim"  # the article written whole
    assert article_readings("اله", "عبد") == ()  # too short to leave a name
    parsed = parse_name("عبد اقادر")[0]
    assert "read as the article after Abd, its lam left out: اقادر → qadr" in parsed.notes


@pytest.mark.parametrize(("query", "expected"), [
    ("عبد الحی عظیم عبد اقادر", "qader"), ("عبد اكريم منصور", "karim"),
])
def test_screened_and_explained(matcher: Matcher | NaiveMatcher, query: str,
                                expected: str) -> None:
    found_and_said(matcher, query, expected, "read as the article after Abd, its lam left out")


def test_not_after_another_part(matcher: Matcher | NaiveMatcher) -> None:
    """Akram after Muhammad is Akram: no reading as al-Karim, so Hamad Karim is not met by
    ``احمد اكرم`` through an article."""
    parsed = parse_name("احمد اكرم")[0]
    assert not any(a.endswith("krm") and not a.endswith("akrm")
                   for alts in parsed.alts.values() for a in alts)
    hit = _top(matcher, "احمد اكرم")
    assert hit is None or hit.score < Thresholds().report, hit


def test_fast_equals_naive_on_these_queries() -> None:
    same_as_naive(LIST, ("عبد الحی عظیم عبد اقادر", "عبد اكريم منصور", "احمد اكرم",
                         "عبد اقادر", "عمر حسن"))
