"""The naive reference search, and the SQL contract it sets for the store.

The second half checks that what the engine writes and renders works in the real
engines: an SQLite FTS5 table with the documented tokenizer and a PostgreSQL
``tsvector`` column return the same documents as the naive reference.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest

from ctnode.library.analysis import analyse, index_text, tsvector_literal
from ctnode.library.model import DocumentMeta, Topic
from ctnode.library.query import parse_query
from ctnode.library.search import NaiveLibraryIndex, SearchRequest
from ctnode.model.tlp import TLP
from tests.library.conftest import TODAY, meta

DOCS: list[tuple[DocumentMeta, str, str]] = [
    (
        meta("f1", title="Chain of custody for seized phones", topics=["forensics"]),
        "en",
        "Investigators keep a custody record for every seized phone and write down hash values before analysis.",
    ),
    (
        meta("f2", title="Imaging hard drives", topics=["forensics"]),
        "en",
        "Write blockers protect the evidence; the chain of custody starts at the scene.",
    ),
    (
        meta(
            "t1",
            title="Cash couriers at the border",
            topics=["border-and-travel", "financing-of-terrorism"],
        ),
        "en",
        "Customs declarations and cash couriers: how border units share alerts with financial intelligence.",
    ),
    (
        meta(
            "fr1",
            title="Financement du terrorisme",
            languages=["fr"],
            topics=["financing-of-terrorism"],
        ),
        "fr",
        "Les cellules de renseignement financier analysent les virements fractionnés et les associations écrans.",
    ),
    (
        meta(
            "ru1",
            title="Финансирование терроризма",
            languages=["ru"],
            topics=["financing-of-terrorism"],
        ),
        "ru",
        "Подразделения финансовой разведки анализируют переводы через благотворительные организации.",
    ),
    (
        meta("zh1", title="恐怖主义融资调查", languages=["zh"], topics=["financing-of-terrorism"]),
        "zh",
        "金融情报机构分析通过慈善组织进行的恐怖主义融资。",
    ),
    (
        meta(
            "old",
            title="Custody rules (superseded)",
            valid_until="2025-12-31",
            topics=["forensics"],
        ),
        "en",
        "Old chain of custody rules.",
    ),
    (
        meta("red", title="Custody of informant phones", tlp="TLP:RED", topics=["forensics"]),
        "en",
        "Restricted chain of custody procedure.",
    ),
]


@pytest.fixture
def index() -> NaiveLibraryIndex:
    idx = NaiveLibraryIndex()
    for m, lang, body in DOCS:
        idx.add(m, lang, m.title, m.summary, body)
    return idx


def _ids(idx: NaiveLibraryIndex, text: str, **kw: object) -> list[str]:
    kw.setdefault("today", TODAY)
    return [h.document_id for h in idx.search(SearchRequest(text, **kw)).hits]  # type: ignore[arg-type]


def test_ranked_hits_with_snippets(index: NaiveLibraryIndex) -> None:
    result = index.search(
        SearchRequest("custody", TODAY, tlp_levels=frozenset({TLP.GREEN, TLP.CLEAR}))
    )
    assert [h.document_id for h in result.hits] == ["f1", "f2"]  # title match ranks first
    assert result.total == 2
    assert "<mark>custody</mark>" in result.hits[0].snippet.as_html()


def test_expired_and_withheld_documents_never_match(index: NaiveLibraryIndex) -> None:
    assert "old" not in _ids(index, "custody")
    assert "red" in _ids(index, "custody")  # a reader allowed every level
    assert "red" not in _ids(index, "custody", tlp_levels=frozenset({TLP.GREEN}))
    assert "old" in _ids(index, "custody", today=date(2025, 6, 1))


def test_each_language_with_its_own_analysis(index: NaiveLibraryIndex) -> None:
    assert set(_ids(index, "financier")) == {"fr1", "t1"}  # French stems, and English "financial"
    assert _ids(index, "финансовая разведка") == ["ru1"]
    assert _ids(index, "恐怖主义融资") == ["zh1"]
    assert _ids(index, "慈善组织", languages=frozenset({"en"})) == []


def test_topic_filter_phrase_and_exclusion(index: NaiveLibraryIndex) -> None:
    assert _ids(index, "border OR custody", topics=frozenset({Topic.BORDER_AND_TRAVEL})) == ["t1"]
    assert set(_ids(index, '"chain of custody"', tlp_levels=frozenset({TLP.GREEN}))) == {"f1", "f2"}
    assert _ids(index, '"custody record"') == ["f1"]
    assert _ids(index, '"record custody"') == []
    assert _ids(index, "custody -phones", tlp_levels=frozenset({TLP.GREEN})) == ["f2"]


def test_remove_and_paging(index: NaiveLibraryIndex) -> None:
    assert _ids(index, "custody", limit=1, offset=1, tlp_levels=frozenset({TLP.GREEN})) == ["f2"]
    index.remove("f1")
    assert _ids(index, "custody", tlp_levels=frozenset({TLP.GREEN})) == ["f2"]


QUERIES = [
    "custody",
    '"chain of custody"',
    "custody -phones",
    "border OR phone",
    "financier",
    "финансовая",
    "恐怖主义融资",
    "analyse OR analysieren OR анализируют",
    "hash values",
]


def _rows() -> Iterator[tuple[str, str, str, str, str]]:
    for m, lang, body in DOCS:
        if m.is_served(TODAY):
            yield m.id, lang, m.title, m.summary, body


def _naive_sets(index: NaiveLibraryIndex) -> dict[str, set[str]]:
    return {q: set(_ids(index, q, limit=100)) for q in QUERIES}


def test_sqlite_fts5_returns_what_the_reference_returns(index: NaiveLibraryIndex) -> None:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE lib USING fts5(doc_id UNINDEXED, lang UNINDEXED, title, summary, body, "
        "tokenize = \"unicode61 remove_diacritics 0 categories 'L* N* M*'\")"
    )
    for doc_id, lang, title, summary, body in _rows():
        db.execute(
            "INSERT INTO lib VALUES (?, ?, ?, ?, ?)",
            (doc_id, lang, *(index_text(analyse(t, lang)) for t in (title, summary, body))),
        )
    langs = sorted({row[1] for row in _rows()})
    for query, expected in _naive_sets(index).items():
        parsed = parse_query(query)
        found: set[str] = set()
        for lang in langs:
            compiled = parsed.compile(lang)
            if compiled.empty:
                continue
            found |= {
                r[0]
                for r in db.execute(
                    "SELECT doc_id FROM lib WHERE lib MATCH ? AND lang = ?",
                    (compiled.to_fts5(), lang),
                )
            }
        assert found == expected, query


@pytest.fixture
def pg() -> Iterator[object]:
    psycopg = pytest.importorskip("psycopg")
    url = os.environ.get("CTNODE_TEST_PG_DSN", "host=127.0.0.1 port=5432 dbname=test")
    try:
        conn = psycopg.connect(url, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {url}: {exc}")
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


def test_postgresql_tsvector_returns_what_the_reference_returns(
    index: NaiveLibraryIndex, pg: object
) -> None:
    conn = pg
    cur = conn.cursor()  # type: ignore[attr-defined]
    cur.execute("CREATE TEMP TABLE lib (doc_id text, lang text, tsv tsvector)")
    for doc_id, lang, title, summary, body in _rows():
        # positions per field are offset so phrases do not run across fields, as in the reference
        parts = []
        shift = 0
        for text in (title, summary, body):
            t = analyse(text, lang)
            parts.append(tsvector_literal([replace(x, position=x.position + shift) for x in t]))
            shift += len(t) + 1
        cur.execute(
            "INSERT INTO lib VALUES (%s, %s, CAST(%s AS tsvector))",
            (doc_id, lang, " ".join(p for p in parts if p)),
        )
    langs = sorted({row[1] for row in _rows()})
    for query, expected in _naive_sets(index).items():
        parsed = parse_query(query)
        found: set[str] = set()
        for lang in langs:
            compiled = parsed.compile(lang)
            cur.execute(
                "SELECT doc_id FROM lib WHERE lang = %s AND tsv @@ CAST(%s AS tsquery)",
                (lang, compiled.to_tsquery()),
            )
            found |= {r[0] for r in cur.fetchall()}
        assert found == expected, query
