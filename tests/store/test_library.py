"""The library's SQL full-text index, on SQLite (FTS5) and PostgreSQL (tsvector): it finds the
documents the naive reference finds for every test query, in every language, honours the
date, TLP, language and topic filters, ranks title matches first, and forgets a withdrawn
document."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from ctnode.library.model import Topic
from ctnode.library.query import parse_query
from ctnode.library.search import NaiveLibraryIndex
from ctnode.model.tlp import TLP
from ctnode.store.contracts import LibraryFilters
from ctnode.store.sql import SqlStore
from tests.library.test_search import DOCS, QUERIES, TODAY, _ids

ALL = frozenset(level.value for level in TLP)


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    s = SqlStore(store_url)
    with s.begin() as conn:
        for meta, lang, body in DOCS:
            s.library.add_document(conn, meta, original=body.encode(), file_name=f"{meta.id}.txt",
                                   sha256="0" * 64, added_by="test",
                                   added_at=datetime(2026, 1, 1, tzinfo=UTC),
                                   texts=[(lang, meta.title, meta.summary, body)])
    yield s
    s.close()


def _found(store: SqlStore, text: str, filters: LibraryFilters) -> list[str]:
    parsed = parse_query(text)
    hits = []
    for lang in store.library.languages():
        compiled = parsed.compile(lang)
        if not compiled.empty:
            hits += store.library.search(lang, compiled, filters, 100)[0]
    return sorted({h.document_id for h in hits})


def test_sql_index_finds_what_the_reference_finds(store: SqlStore) -> None:
    reference = NaiveLibraryIndex()
    for meta, lang, body in DOCS:
        reference.add(meta, lang, meta.title, meta.summary, body)
    everything = LibraryFilters(today=TODAY, tlp_levels=ALL)
    for query in QUERIES:
        assert _found(store, query, everything) == sorted(_ids(reference, query, limit=100)), query


def test_filters_ranking_and_withdrawal(store: SqlStore) -> None:
    everything = LibraryFilters(today=TODAY, tlp_levels=ALL)
    hits, total = store.library.search("en", parse_query("custody").compile("en"), everything, 10)
    assert total == len(hits) == 3 and {h.document_id for h in hits[:2]} == {"f1", "red"}
    assert hits[0].score > hits[-1].score and hits[-1].document_id == "f2"  # not in its title
    green = LibraryFilters(today=TODAY, tlp_levels=frozenset({"green", "clear"}))
    assert _found(store, "custody", green) == ["f1", "f2"]  # the TLP:RED one is left out
    border = LibraryFilters(today=TODAY, tlp_levels=ALL,
                            topics=frozenset({Topic.BORDER_AND_TRAVEL}))
    assert _found(store, "border OR phone", border) == ["t1"]
    with store.begin() as conn:
        store.library.withdraw(conn, "f1", by="test", at=datetime(2026, 3, 2, tzinfo=UTC))
    assert "f1" not in _found(store, "custody", everything)
    assert store.library.get_document("f1")["original"] is None


def test_one_statement_over_every_language_is_the_merged_per_language_searches(
    store: SqlStore,
) -> None:
    everything = LibraryFilters(today=TODAY, tlp_levels=ALL)
    green = LibraryFilters(today=TODAY, tlp_levels=frozenset({"green", "clear"}),
                           topics=frozenset(Topic))
    langs = store.library.languages()
    assert len(langs) > 2
    for filters in (everything, green):
        for query in QUERIES:
            parsed = parse_query(query)
            compiled = [(lang, parsed.compile(lang)) for lang in langs]
            merged, total = [], 0
            for lang, cq in compiled:
                if not cq.empty:
                    hits, count = store.library.search(lang, cq, filters, 100)
                    merged += hits
                    total += count
            merged.sort(key=lambda h: (-h.score, h.document_id, h.lang))
            got, got_total = store.library.search_all(compiled, filters, 100)
            assert got_total == total, query
            assert [(h.document_id, h.lang) for h in got] == [
                (h.document_id, h.lang) for h in merged], query
            assert [round(h.score, 5) for h in got] == [round(h.score, 5) for h in merged]
