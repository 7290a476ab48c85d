"""The matcher's explanations and the parsers' issues as codes with values, said in every
language of the console (issue 14): every code has its msgid, every translation keeps the
values, the English is the API's text unchanged, and the fixtures' issues all have a code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ctnode.errors import CTNodeError
from ctnode.ingest.list_warnings import LIST_WARNINGS
from ctnode.match.phrases import EXPLANATIONS, english, note_phrase, rule_phrase
from ctnode.model.access import Actor
from ctnode.model.messages import ISSUES, Issue, issue_phrase
from ctnode.model.phrases import Phrase, codes_of
from ctnode.node import Node
from ctnode.payments.parse import parse_payments
from ctnode.services.screening.query import build_query
from ctnode.travel.parse import parse_manifest
from ctnode.web.i18n import LANGUAGES, Lang
from ctnode.web.phrases import MSGIDS, explanation, issue, say_phrases
from tests.conftest import PAYMENT_FIXTURES, TRAVEL_FIXTURES

ADMIN = Actor(name="cli:test", role="admin")
AS_WRITTEN = {"match.text", "issue.text"}  # a text no template reads: shown as it is
VALUE = re.compile(r"%\((\w+)\)s")


def test_every_code_has_its_msgid_and_the_same_english() -> None:
    sources = {**EXPLANATIONS, **ISSUES, **LIST_WARNINGS}
    assert set(MSGIDS) == set(sources) - AS_WRITTEN
    assert {code: MSGIDS[code] for code in MSGIDS} == {c: sources[c] for c in MSGIDS}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_translation_keeps_the_values(lang: str) -> None:
    gettext = Lang(lang).gettext
    for msgid in MSGIDS.values():
        said = gettext(msgid)
        assert set(VALUE.findall(said)) == set(VALUE.findall(msgid)), (lang, msgid, said)
        if lang != "en" and len(msgid) > 12:
            assert said != msgid, (lang, msgid)


# multi-script cases against the demo list: names, dates, nationalities, documents, schema
CASES = [
    (["Faris Nadir"], {"birth_dates": ["1975-04-17"]}),
    (["فارس نادر"], {"birth_dates": ["1975"]}),
    (["ФАРИС НАДИР"], {"birth_dates": ["1975-04"]}),
    (["Nadir, Faris"], {"nationalities": ["sy"]}),
    (["Dr. Faris Nadr"], {"birth_dates": ["1979"]}),
    (["F. Nadir"], {}),
]


@pytest.mark.parametrize(("names", "details"), CASES)
def test_an_explanation_is_its_phrases_and_the_api_text_is_unchanged(
        node: Node, names: list[str], details: dict[str, list[str]]) -> None:
    result = node.screening.screen(build_query(names, **details), ADMIN, include_below=True)
    features = [e for h in result.hits + result.suppressed for e in h.explanation]
    assert features, names
    for e in features:
        assert e.phrases and english(e.phrases) == e.detail  # the API's words
        assert "phrases" not in e.as_dict()  # the API's shape is as it was
        codes = set().union(*(codes_of(p) for p in e.phrases))
        assert not codes & AS_WRITTEN, (e.detail, codes)  # every part has its code
        arabic = explanation(Lang("ar"), e)
        assert arabic != e.detail and re.search("[\u0600-\u06ff]", arabic), arabic
        # the form a file report keeps reads the same
        assert explanation(Lang("ar"), e.as_record()) == arabic


def test_the_rules_and_notes_of_the_matcher_read_back() -> None:
    assert rule_phrase("exact") == Phrase("match.rule.exact")
    nested = rule_phrase("one name in two languages (rigour name symbol 42), phonetic skeleton "
                         "'nt' (read as 'nadr'/'nadir')")
    assert codes_of(nested) == {"match.rule.read_as", "match.rule.symbol_and",
                                "match.rule.skeleton"}
    assert nested.render(EXPLANATIONS.__getitem__) == (
        "one name in two languages (rigour name symbol 42), phonetic skeleton 'nt' (read as "
        "'nadr'/'nadir')")
    assert say_phrases(Lang("ru"), [nested]).startswith("одно имя на двух языках")
    assert note_phrase("title 'Dr.' left out") == Phrase.of("match.note.title", title="Dr.")
    joining = note_phrase("joining words written in Arabic script left out: في, من")
    assert joining == Phrase.of("match.note.joining_arabic", words="في, من")
    assert say_phrases(Lang("fr"), [joining]).startswith("mots de liaison")
    unknown = rule_phrase("a rule written tomorrow")
    assert unknown.code == "match.text"
    assert say_phrases(Lang("ar"), [unknown]) == "a rule written tomorrow"  # as written


def _fixture_issues() -> list[Issue]:
    found: list[Issue] = []
    for path in sorted(TRAVEL_FIXTURES.iterdir()):
        try:
            found += parse_manifest(path.read_bytes()).issues
        except CTNodeError:  # refused whole (an unknown message type)
            continue
    for path in sorted(PAYMENT_FIXTURES.iterdir()):
        try:
            found += parse_payments(path.read_bytes()).issues
        except CTNodeError:  # refused whole (the XML bombs)
            continue
    return found


def test_the_fixtures_issues_have_codes_and_are_translated() -> None:
    found = _fixture_issues()
    assert len(found) >= 5, found
    for i in found:
        phrase = i.phrase
        assert phrase.code != "issue.text", i.message  # a template reads every one
        assert phrase.render(ISSUES.__getitem__) == i.message  # the API's words
        view = {**i.as_dict(), "phrase": phrase.as_dict()}
        said = issue(Lang("zh"), view)
        assert said != i.message, i.message
    assert issue_phrase("something else entirely").code == "issue.text"
    assert issue(Lang("fr"), {"message": "kept before codes"}) == "kept before codes"


def test_a_value_named_twice_must_agree() -> None:
    ok = ("CNT 42 declares 3 travellers, the message holds 4; all 4 screened")
    assert issue_phrase(ok).code == "issue.paxlst.count"
    odd = "CNT 42 declares 3 travellers, the message holds 4; all 5 screened"
    assert issue_phrase(odd).code == "issue.text"


def test_no_catalogue_is_left_without_the_new_strings() -> None:
    for lang in LANGUAGES:
        po = (Path(__file__).resolve().parents[2] / "src" / "ctnode" / "web" / "locale"
              / f"{lang}.po").read_text()
        assert 'msgid "date of birth: same date"' in po, lang
