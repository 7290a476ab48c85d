"""Issue 12, an organisation's name written in Arabic or Persian against its English name:
the class word the English name writes (NETWORK, OFFICE, ORGANIZATION, GROUP) is written
translated (``شبکه``, ``مكتب``, ``تنظيم``, ``جماعة``), which rigour's organisation symbols
hold only in other languages; ``normalise.ARABIC_CLASS_WORDS`` gives each its English word,
whose symbol is rigour's; and rigour's joining words written in Arabic script (``في`` in,
``من`` of), which its ASCII folding reads as nothing, dropped as written. Said in the hit's
explanation, on the indexed Matcher and the naive reference alike; a person's name keeps
such a word as a name.
"""

from __future__ import annotations

import pytest

from ctnode.match import Matcher, NaiveMatcher
from ctnode.match.normalise import ARABIC_CLASS_WORDS, parse_name, written_class
from ctnode.match.orgs import org_class, written_stopwords
from tests.match.test_script_recall import _e, _org, found_and_said, matchers_over, same_as_naive

pytestmark = pytest.mark.usefixtures("hand_model")


LIST = [
    _org("haqqani", "HAQQANI NETWORK"), _org("jamal", "MUHAMMAD JAMAL NETWORK"),
    _org("hunaifa", "Hunaifa Office"), _org("maghreb", "Organization of Al-Qaida in the Maghreb"),
    _org("jamal_co", "Jamal Trading Co."), _e("haqqani_p", "Khalil Haqqani"),
    _org("iraq", "AL-QAIDA IN IRAQ"), _org("arab", "Tanzim Qa'idat al-Jihad fi Jazirat al-Arab"),
    _org("jaysh", "Jaysh al-Muhajirin wal-Ansar"),
]


matcher = matchers_over(LIST)


def test_every_word_has_a_symbol_of_rigour() -> None:
    """Each English word is one rigour files under an organisation symbol (else the entry
    would do nothing)."""
    for word, english in ARABIC_CLASS_WORDS.items():
        assert org_class(english) is not None, (word, english)


def test_class_words_written_in_arabic_or_persian() -> None:
    assert written_class("شبکه") == "network"  # Persian: keheh, final heh
    assert written_class("الشبكة") == "network"  # with its article
    assert written_class("مكتب") == "office"
    assert written_class("تنظیم") == "org"  # Farsi yeh
    assert written_class("جماعة") == "grp"
    assert written_class("حقانی") is None
    parsed = parse_name("شبکه حقانی", "org")[0]
    assert parsed.tokens[0] == "network"
    assert "class words: شبکه → network" in parsed.notes
    assert parse_name("مكتب حنيفة", "person")[0].tokens[0] != "office"  # a person's: a name


def test_joining_words_written_in_arabic() -> None:
    assert {"في", "من", "على", "الى"} <= written_stopwords()
    assert "و" not in written_stopwords()  # Latin spellings keep it: wal-Ansar, wa
    parsed = parse_name("القاعده في العراق", "org")[0]
    assert parsed.tokens == ("qadh", "araq")
    assert "joining words written in Arabic script left out: في" in parsed.notes
    assert parse_name("القاعده إلى العراق", "org")[0].tokens == ("qadh", "araq")  # hamza
    assert "mn" in parse_name("علي من حسن", "person")[0].tokens  # a person's: kept
    assert parse_name("جيش و الأنصار", "org")[0].tokens[1] == "w"


@pytest.mark.parametrize(("query", "expected", "said"), [
    ("القاعده في العراق", "iraq", "joining words written in Arabic script left out: في"),
    ("شبکه حقانی", "haqqani", "'network' ~ 'network'"),
    ("شبكة محمد جمال", "jamal", "class words: شبكة → network"),
    ("مكتب حنيفة", "hunaifa", "'office' ~ 'office'"),
])
def test_screened_and_explained(matcher: Matcher | NaiveMatcher, query: str, expected: str,
                                said: str) -> None:
    found_and_said(matcher, query, expected, said, "Organization")


def test_fast_equals_naive_on_these_queries() -> None:
    same_as_naive(LIST, (("شبکه حقانی", "Organization"), ("شبكة محمد جمال", "Organization"),
                         ("مكتب حنيفة", "Organization"),
                         ("تنظيم القاعدة في المغرب", "Organization"),
                         ("شبكة جمال", "Organization"), ("شبکه حقانی", "Person"),
                         ("القاعده في العراق", "Organization"),
                         ("تنظیم جیش المھاجرین و الأنصار", "Organization")))
