"""Per-language analysis, query parsing and rendering, snippets: tables of multi-script cases."""

from __future__ import annotations

import pytest

from ctnode.errors import InvalidInput
from ctnode.library.analysis import analyse, index_text, tsvector_literal
from ctnode.library.language import profile_for
from ctnode.library.query import parse_query
from ctnode.library.snippets import snippet

# (language, document text, query text): the query must find the document through
# stemming, accent folding, diacritics or bigrams.
MATCHING = [
    ("en", "Investigators documented the chain of custody.", "investigator document custody"),
    ("fr", "Le financement des associations écrans", "financer association ecran"),
    (
        "es",
        "Las investigaciones financieras sobre el terrorismo",
        "investigación financiera terrorista",
    ),
    (
        "ru",
        "Финансирование терроризма через благотворительные организации",
        "финансированию терроризм организация",
    ),
    ("ar", "تمويل الإرهاب عبر الجمعيات الخيرية", "الجمعيات"),
    ("ar", "تَمْوِيل الإرهاب", "تمويل"),  # vowel marks do not hide a word
    ("zh", "关于恐怖主义融资的调查指南", "恐怖主义融资"),
    ("ja", "テロ資金供与対策のガイドライン", "資金供与"),
    ("th", "แนวทางการป้องกันภัยคุกคามทางไซเบอร์", "ภัยคุกคาม"),
    ("en", "Guidance on 恐怖主义 financing", "恐怖主义"),  # Chinese inside an English text
    ("de", "Die Überwachung kritischer Infrastrukturen", "uberwachung kritische infrastruktur"),
]


@pytest.mark.parametrize(("lang", "text", "query"), MATCHING)
def test_query_finds_document(lang: str, text: str, query: str) -> None:
    toks = analyse(text, lang)
    postings: dict[str, list[int]] = {}
    for t in toks:
        postings.setdefault(t.term, []).append(t.position)
    assert parse_query(query).compile(lang).matches(postings), (index_text(toks), query)


def test_offsets_point_into_the_original_text() -> None:
    text = "Sécurité des réseaux — 网络安全 2026"
    for tok in analyse(text, "fr"):
        assert text[tok.start : tok.end]
    assert [text[t.start : t.end] for t in analyse(text, "fr")][-4:] == [
        "网络",
        "络安",
        "安全",
        "2026",
    ]


def test_profiles_say_what_they_do() -> None:
    assert (
        profile_for("zh-Hant").describe()
        == "zh: character bigrams (no spaces between words), no stemming"
    )
    assert profile_for("fr").describe() == "fr: words, Snowball french stemmer, accents folded"
    assert profile_for("kk").describe() == "kk: words, no stemmer (words as written)"


def test_tsvector_literal_quotes_and_positions() -> None:
    lit = tsvector_literal(analyse("O'Neil's chain, chain", "en"), weight="A")
    assert lit == "'o':1A 'neil':2A 's':3A 'chain':4A,5A"
    with pytest.raises(ValueError):
        tsvector_literal([], weight="Z")


@pytest.mark.parametrize(
    ("query", "fts5", "tsquery"),
    [
        ("chain of custody", '("chain") AND ("custodi")', "('chain') & ('custodi')"),
        ('"chain of custody"', '("chain of custodi")', "(('chain' <-> 'of' <-> 'custodi'))"),
        (
            "evidence OR proof -fingerprint",
            '("evid" OR "proof") NOT "fingerprint"',
            "('evid' | 'proof') & !'fingerprint'",
        ),
        ("the", '("the")', "('the')"),  # a query of stopwords only keeps them
        # an open quote runs to the end: the rest is one phrase, never operators
        (
            'custody" OR 1=1; DROP TABLE x; --',
            '("custodi") AND ("or 1 1 drop tabl x")',
            "('custodi') & (('or' <-> '1' <-> '1' <-> 'drop' <-> 'tabl' <-> 'x'))",
        ),
        # FTS5 syntax is text: a word that analyses into several terms is a phrase
        (
            "NEAR(a b) col:term *",
            '("near a") AND ("b") AND ("col term")',
            "(('near' <-> 'a')) & ('b') & (('col' <-> 'term'))",
        ),
    ],
)
def test_query_renders_as_safe_fts5_and_tsquery(query: str, fts5: str, tsquery: str) -> None:
    compiled = parse_query(query).compile("en")
    assert compiled.to_fts5() == fts5
    assert compiled.to_tsquery() == tsquery


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "at least one word"),
        ("-only -exclusions", "at least one word"),
        ("x " * 300, "longer than 500"),
    ],
)
def test_bad_queries(query: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_query(query)


def test_punctuation_only_query_cannot_render() -> None:
    with pytest.raises(InvalidInput, match="nothing left to search for"):
        parse_query("!!! ???").compile("en").to_fts5()


def test_snippet_marks_words_as_written_and_escapes_html() -> None:
    text = (
        ("Background. " * 40)
        + "Investigators <b>documented</b> the custody of seized phones & laptops. "
        + ("Annex. " * 40)
    )
    snip = snippet(text, "en", parse_query("document custody").compile("en"), width=120)
    html = snip.as_html()
    assert "<mark>documented</mark>" in html and "<mark>custody</mark>" in html
    assert "&lt;b&gt;" in html and "&amp; laptops" in html and "<b>" not in html
    assert html.startswith("…") and html.endswith("…")
    assert len(snip.text) <= 120


def test_snippet_for_chinese_marks_the_matched_characters() -> None:
    text = "本指南说明了恐怖主义融资调查的步骤。"
    snip = snippet(text, "zh", parse_query("融资调查").compile("zh"))
    assert snip.as_html() == "本指南说明了恐怖主义<mark>融资调查</mark>的步骤。"
