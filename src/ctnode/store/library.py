"""SQL for the best-practice library (``schema_library``): documents, their language versions
and the full-text index, on SQLite (FTS5) and PostgreSQL (``tsvector``, GIN).

Both indexes hold the terms ``ctnode.library.analysis`` computes (stems, folded accents,
bigrams for scripts without spaces), so a query compiled by ``ctnode.library.query`` for a
language finds on both what the naive reference finds. The query text reaches the
database only as a bound parameter (``MATCH :q``, ``CAST(:q AS tsquery)``), every term of
it quoted by the engine. A search runs one statement per language present; rows of
language L are matched with the query compiled for L, and the pages are merged by score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    false,
    func,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.sql.elements import BindParameter, TextClause

from ctnode.errors import NotFound
from ctnode.library.analysis import analyse, index_text, tsvector_literal
from ctnode.library.model import DocumentMeta
from ctnode.library.query import CompiledQuery
from ctnode.store.contracts import LibraryFilters as Filters
from ctnode.store.contracts import TextHit
from ctnode.store.database import Database
from ctnode.store.schema_library import library_documents as d
from ctnode.store.schema_library import library_texts as t
from ctnode.store.schema_library import library_topics as tp

Row = dict[str, Any]


_FTS_INSERT = text(
    "INSERT INTO library_fts (doc_id, lang, title, summary, body) "
    "VALUES (:doc_id, :lang, :title, :summary, :body)"
)
_FTS_DELETE = text("DELETE FROM library_fts WHERE doc_id = :doc_id")
_LANGUAGES = text(
    "WITH RECURSIVE l(lang) AS (SELECT min(lang) FROM library_texts UNION ALL "
    "SELECT (SELECT min(x.lang) FROM library_texts x WHERE x.lang > l.lang) FROM l "
    "WHERE l.lang IS NOT NULL) SELECT lang FROM l WHERE lang IS NOT NULL"
)
# Field weights as the naive reference's BM25: title 3, summary 2, body 1.
_FTS_SEARCH = (
    "SELECT f.doc_id, f.lang, -bm25(library_fts, 3.0, 2.0, 1.0) AS score FROM library_fts f "
    "JOIN library_documents d ON d.id = f.doc_id "
    "WHERE library_fts MATCH :q AND f.lang = :lang AND d.withdrawn_at IS NULL "
    "AND (d.valid_until IS NULL OR d.valid_until >= :today) AND d.tlp IN :tlps"
)
_FTS_TOPICS = (
    " AND EXISTS (SELECT 1 FROM library_topics t WHERE t.document_id = d.id AND t.topic IN :topics)"
)


def _fts_statements(topics: bool) -> tuple[TextClause, TextClause]:
    """The ranked and the counting FTS5 statement, with or without the topic filter (built
    once, from constant text only)."""
    where = _FTS_SEARCH + (_FTS_TOPICS if topics else "")
    binds: list[BindParameter[Any]] = [bindparam("tlps", expanding=True)]
    if topics:
        binds.append(bindparam("topics", expanding=True))
    ranked = text(where + " ORDER BY score DESC, f.doc_id LIMIT :n").bindparams(*binds)
    counted = text("SELECT count(*) FROM (" + where + ")").bindparams(*binds)  # noqa: S608
    return ranked, counted


_FTS_STATEMENTS = {False: _fts_statements(False), True: _fts_statements(True)}


def _fields(title: str, summary: str, body: str, lang: str) -> list[list[Any]]:
    return [analyse(x, lang) for x in (title, summary, body)]


def _tsv(fields: list[list[Any]]) -> str:
    """Positions per field offset (as the reference does) so phrases do not cross fields."""
    parts, shift = [], 0
    for toks in fields:
        parts.append(tsvector_literal([replace(x, position=x.position + shift) for x in toks]))
        shift += len(toks) + 1
    return " ".join(p for p in parts if p)


class SqlLibrary:
    """Library documents and their full-text index (``ctnode.store.contracts.LibraryStore``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add_document(
        self,
        conn: Connection,
        meta: DocumentMeta,
        *,
        original: bytes,
        file_name: str,
        sha256: str,
        added_by: str,
        added_at: Any,
        texts: Sequence[tuple[str, str, str, str]],
        owner: str | None = None,
    ) -> None:
        """Store one document and index each (lang, title, summary, body) version of it
        (``owner``: the peer that published a copy)."""
        conn.execute(
            d.insert().values(
                id=meta.id,
                title=meta.title,
                languages=list(meta.languages),
                source=meta.source,
                date=meta.date,
                tlp=meta.tlp.value,
                summary=meta.summary,
                valid_until=meta.valid_until,
                format=meta.format,
                keywords=list(meta.keywords),
                file_name=file_name,
                sha256=sha256,
                original=original,
                added_at=added_at,
                added_by=added_by,
                owner=owner,
            )
        )
        if meta.topics:
            conn.execute(
                tp.insert(),
                [{"document_id": meta.id, "topic": topic.value} for topic in sorted(meta.topics)],
            )
        for lang, title, summary, body in texts:
            fields = _fields(title, summary, body, lang)
            values: Row = {
                "document_id": meta.id,
                "lang": lang,
                "title": title,
                "summary": summary,
                "body": body,
            }
            if self.db.dialect == "postgresql":
                conn.execute(t.insert().values(**values, tsv=cast(_tsv(fields), TSVECTOR)))
            else:
                conn.execute(t.insert().values(**values))
                conn.execute(
                    _FTS_INSERT,
                    {
                        "doc_id": meta.id,
                        "lang": lang,
                        **dict(
                            zip(
                                ("title", "summary", "body"),
                                (index_text(f) for f in fields),
                                strict=True,
                            )
                        ),
                    },
                )

    def get_document(self, document_id: str) -> Row:
        found = self.db.query(select(d).where(d.c.id == document_id))
        if not found:
            raise NotFound(f"no library document {document_id!r}")
        row = found[0]
        row["topics"] = [
            r["topic"]
            for r in self.db.query(
                select(tp.c.topic).where(tp.c.document_id == document_id).order_by(tp.c.topic)
            )
        ]
        return row

    def texts(self, document_id: str) -> list[Row]:
        return self.db.query(
            select(t.c.document_id, t.c.lang, t.c.title, t.c.summary, t.c.body)
            .where(t.c.document_id == document_id)
            .order_by(t.c.lang)
        )

    def texts_of(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Row]:
        """Title, summary and text of several (document, language) versions, in one query."""
        if not keys:
            return {}
        ids = sorted({doc for doc, _ in keys})
        rows = self.db.query(
            select(t.c.document_id, t.c.lang, t.c.title, t.c.summary, t.c.body).where(
                t.c.document_id.in_(ids)
            )
        )
        wanted = set(keys)
        return {
            (r["document_id"], r["lang"]): r
            for r in rows
            if (r["document_id"], r["lang"]) in wanted
        }

    def list_documents(self, *, include_withdrawn: bool = False, limit: int = 1000) -> list[Row]:
        q = (
            select(
                d.c.id,
                d.c.title,
                d.c.languages,
                d.c.source,
                d.c.date,
                d.c.tlp,
                d.c.valid_until,
                d.c.withdrawn_at,
                d.c.owner,
            )
            .order_by(d.c.added_at.desc())
            .limit(limit)
        )
        if not include_withdrawn:
            q = q.where(d.c.withdrawn_at.is_(None))
        return self.db.query(q)

    def languages(self) -> list[str]:
        """The languages of the texts held, in order: a loose index scan of
        ``ix_library_texts_lang`` (one probe per language, not a pass over every text)."""
        with self.db.engine.connect() as conn:
            return [str(r[0]) for r in conn.execute(_LANGUAGES)]

    def find_document(self, document_id: str) -> Row | None:
        """A document's row without its original (None: no such document)."""
        cols = [c for c in d.c if c.name != "original"]
        found = self.db.query(select(*cols).where(d.c.id == document_id))
        return found[0] if found else None

    def remove_document(self, conn: Connection, document_id: str) -> None:
        """Delete a document and its index rows entirely (a peer's copy being replaced)."""
        if self.db.dialect != "postgresql":
            conn.execute(_FTS_DELETE, {"doc_id": document_id})
        conn.execute(delete(t).where(t.c.document_id == document_id))
        conn.execute(delete(tp).where(tp.c.document_id == document_id))
        conn.execute(delete(d).where(d.c.id == document_id))

    def withdraw(self, conn: Connection, document_id: str, *, by: str, at: Any) -> None:
        """Remove a document from the index, drop its text and original; keep the record."""
        if self.db.dialect != "postgresql":
            conn.execute(_FTS_DELETE, {"doc_id": document_id})
        conn.execute(delete(t).where(t.c.document_id == document_id))
        conn.execute(
            update(d)
            .where(d.c.id == document_id)
            .values(original=None, withdrawn_at=at, withdrawn_by=by)
        )

    def search(
        self, lang: str, query: CompiledQuery, filters: Filters, limit: int
    ) -> tuple[list[TextHit], int]:
        """The best ``limit`` matches of language ``lang`` and how many match in all."""
        if self.db.dialect == "postgresql":
            return self._search_pg(lang, query, filters, limit)
        ranked, counted = _FTS_STATEMENTS[bool(filters.topics)]
        params: Row = {
            "q": query.to_fts5(),
            "lang": lang,
            "today": filters.today,
            "tlps": sorted(filters.tlp_levels),
        }
        if filters.topics:
            params["topics"] = sorted(x.value for x in filters.topics)
        with self.db.engine.connect() as conn:
            hits = [
                TextHit(r[0], r[1], float(r[2]))
                for r in conn.execute(ranked, {**params, "n": limit})
            ]
            total = int(conn.execute(counted, params).scalar_one())
        return hits, total

    def search_all(
        self, queries: Sequence[tuple[str, CompiledQuery]], filters: Filters, limit: int
    ) -> tuple[list[TextHit], int]:
        """The best ``limit`` matches over several languages, each language's rows matched
        with its own compiled query, best first (ties by document, then language), and how
        many match in all. On PostgreSQL one statement (one round trip) for them all; on
        SQLite one FTS5 statement per language, merged."""
        queries = [(lang, q) for lang, q in queries if not q.empty]
        if not queries:
            return [], 0
        if self.db.dialect == "postgresql":
            return self._search_pg_all(queries, filters, limit)
        merged: list[TextHit] = []
        total = 0
        for lang, q in queries:
            hits, count = self.search(lang, q, filters, limit)
            merged += hits
            total += count
        merged.sort(key=lambda h: (-h.score, h.document_id, h.lang))
        return merged[:limit], total

    def _search_pg_all(
        self, queries: Sequence[tuple[str, CompiledQuery]], filters: Filters, limit: int
    ) -> tuple[list[TextHit], int]:
        """One statement: the rows of each language matched by its own query, ranked."""
        matches, ranks, own = [], [], []
        for lang, query in queries:
            q = cast(query.to_tsquery(), TSQUERY)
            matches.append(t.c.tsv.op("@@")(q))
            ranks.append((t.c.lang == lang, func.ts_rank_cd(t.c.tsv, q)))
            own.append((and_(t.c.lang == lang, t.c.tsv.op("@@")(q)), true()))
        # The matches first, through the GIN index (the CTE's only condition, so no other
        # index can be chosen), whatever the planner's statistics say: on a freshly loaded
        # table without them it walked every document (112 ms rather than 9 ms over 10,000
        # documents), or every text of the language by ``ix_library_texts_lang`` (101 ms).
        # A row counts when its own language's query matches it (``own``).
        m = (
            select(
                t.c.document_id,
                t.c.lang,
                case(*ranks, else_=0.0).label("score"),
                case(*own, else_=false()).label("own"),
            )
            .where(or_(*matches))
            .cte("m")
            .prefix_with("MATERIALIZED")
        )
        # the window count is taken before LIMIT: every match, in the same round trip
        ranked = (
            select(m.c.document_id, m.c.lang, m.c.score, func.count().over().label("total"))
            .select_from(m.join(d, d.c.id == m.c.document_id))
            .where(m.c.own, *self._pg_filters(filters))
            .order_by(m.c.score.desc(), m.c.document_id, m.c.lang)
            .limit(limit)
        )
        with self.db.engine.connect() as conn:
            found = conn.execute(ranked).all()
        hits = [TextHit(r[0], r[1], float(r[2])) for r in found]
        return hits, int(found[0][3]) if found else 0

    @staticmethod
    def _pg_filters(filters: Filters) -> list[Any]:
        """The withdrawal, date, TLP and topic filters of a PostgreSQL search."""
        conds: list[Any] = [
            d.c.withdrawn_at.is_(None),
            or_(d.c.valid_until.is_(None), d.c.valid_until >= filters.today),
            d.c.tlp.in_(sorted(filters.tlp_levels)),
        ]
        if filters.topics:
            conds.append(
                exists().where(
                    and_(
                        tp.c.document_id == d.c.id,
                        tp.c.topic.in_(sorted(x.value for x in filters.topics)),
                    )
                )
            )
        return conds

    def _search_pg(
        self, lang: str, query: CompiledQuery, filters: Filters, limit: int
    ) -> tuple[list[TextHit], int]:
        return self._search_pg_all([(lang, query)], filters, limit)
