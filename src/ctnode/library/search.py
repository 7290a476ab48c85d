"""The library's search contract and its naive in-memory reference.

The SQL stores (SQLite FTS5, PostgreSQL full text) of the integration step implement
:class:`LibraryIndex`; :class:`NaiveLibraryIndex` implements it by scanning every
indexed text, and the SQL ones are tested against it: the same documents match, and
the same ranking formula orders them (BM25 with k1 = 1.2, b = 0.75, the weights
below per field, as FTS5's ``bm25()`` computes it).

One indexed row is one language version of one document. A query is compiled for
each language present (each with its stemmer), and rows of language L are matched
with the query compiled for L. Documents whose ``valid_until`` has passed, TLP levels
the requester may not see, and topics or languages outside the filters never match.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from ctnode.library.analysis import analyse
from ctnode.library.model import DocumentMeta, Topic, language_base
from ctnode.library.query import CompiledQuery, parse_query
from ctnode.library.snippets import Snippet, snippet
from ctnode.model.tlp import TLP

# Field weights of the BM25 score (FTS5: bm25(library_fts, 3.0, 2.0, 1.0)).
FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "summary": 2.0, "body": 1.0}
K1, B = 1.2, 0.75


@dataclass(frozen=True, slots=True)
class SearchRequest:
    text: str
    today: date
    languages: frozenset[str] | None = None  # language codes to search; None: all
    topics: frozenset[Topic] | None = None  # any of these topics; None: all
    tlp_levels: frozenset[TLP] | None = None  # levels the requester may see; None: all
    limit: int = 10
    offset: int = 0


@dataclass(frozen=True, slots=True)
class SearchHit:
    document_id: str
    language: str
    score: float
    title: str
    snippet: Snippet


@dataclass(slots=True)
class SearchResult:
    hits: list[SearchHit]
    total: int


class LibraryIndex(Protocol):
    """What the library service searches with (naive here; FTS5 and PostgreSQL in the store)."""

    def add(
        self, meta: DocumentMeta, language: str, title: str, summary: str, body: str
    ) -> None: ...

    def remove(self, document_id: str) -> None: ...

    def search(self, request: SearchRequest) -> SearchResult: ...


@dataclass(slots=True)
class _Row:
    meta: DocumentMeta
    language: str
    texts: dict[str, str]
    postings: dict[str, dict[str, list[int]]]  # field -> term -> positions
    lengths: dict[str, int]
    all_postings: dict[str, list[int]] = field(default_factory=dict)  # fields joined, for matching


class NaiveLibraryIndex:
    """Every row scanned for every query: slow, obviously right, the reference."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], _Row] = {}
        self._df: dict[str, int] = {}  # rows holding each term (kept up to date on add and remove)
        self._total: dict[str, int] = dict.fromkeys(FIELD_WEIGHTS, 0)  # terms per field, all rows

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, meta: DocumentMeta, language: str, title: str, summary: str, body: str) -> None:
        lang = language_base(language)
        texts = {"title": title, "summary": summary, "body": body}
        postings: dict[str, dict[str, list[int]]] = {}
        lengths: dict[str, int] = {}
        joined: dict[str, list[int]] = {}
        offset = 0
        for name, text in texts.items():
            toks = analyse(text, lang)
            fp: dict[str, list[int]] = {}
            for t in toks:
                fp.setdefault(t.term, []).append(t.position)
                joined.setdefault(t.term, []).append(offset + t.position)
            postings[name] = fp
            lengths[name] = len(toks)
            offset += len(toks) + 1  # a gap: phrases do not run across fields
        if (meta.id, lang) in self._rows:
            self._forget(self._rows[(meta.id, lang)])
        self._rows[(meta.id, lang)] = _Row(meta, lang, texts, postings, lengths, joined)
        for term in joined:
            self._df[term] = self._df.get(term, 0) + 1
        for name, n in lengths.items():
            self._total[name] += n

    def _forget(self, row: _Row) -> None:
        for term in row.all_postings:
            self._df[term] -= 1
        for name, n in row.lengths.items():
            self._total[name] -= n

    def remove(self, document_id: str) -> None:
        for key in [k for k in self._rows if k[0] == document_id]:
            self._forget(self._rows.pop(key))

    def _eligible(self, row: _Row, req: SearchRequest) -> bool:
        m = row.meta
        if not m.is_served(req.today):
            return False
        if req.languages is not None and row.language not in req.languages:
            return False
        if req.topics is not None and not (m.topics & req.topics):
            return False
        return req.tlp_levels is None or m.tlp in req.tlp_levels

    def search(self, request: SearchRequest) -> SearchResult:
        parsed = parse_query(request.text)
        compiled: dict[str, CompiledQuery] = {}
        rows = list(self._rows.values())
        n_rows = len(rows) or 1
        avg = {f: (self._total[f] / n_rows) or 1.0 for f in FIELD_WEIGHTS}
        matched: list[tuple[_Row, CompiledQuery]] = []
        for row in rows:
            if not self._eligible(row, request):
                continue
            cq = compiled.get(row.language)
            if cq is None:
                cq = compiled[row.language] = parsed.compile(row.language)
            if cq.matches(row.all_postings):
                matched.append((row, cq))
        scored = [(self._bm25(row, cq, self._df, n_rows, avg), row, cq) for row, cq in matched]
        scored.sort(key=lambda x: (-x[0], x[1].meta.id, x[1].language))
        page = scored[request.offset : request.offset + request.limit]
        hits = [
            SearchHit(
                row.meta.id,
                row.language,
                round(score, 6),
                row.texts["title"] or row.meta.title,
                snippet(row.texts["body"] or row.texts["summary"], row.language, cq),
            )
            for score, row, cq in page
        ]
        return SearchResult(hits=hits, total=len(scored))

    @staticmethod
    def _bm25(
        row: _Row, cq: CompiledQuery, df: dict[str, int], n: int, avg: dict[str, float]
    ) -> float:
        score = 0.0
        for term in cq.terms():
            idf = math.log((n - df.get(term, 0) + 0.5) / (df.get(term, 0) + 0.5) + 1.0)
            for fname, weight in FIELD_WEIGHTS.items():
                tf = len(row.postings[fname].get(term, ()))
                if not tf:
                    continue
                norm = K1 * (1 - B + B * row.lengths[fname] / avg[fname])
                score += weight * idf * tf * (K1 + 1) / (tf + norm)
        return score


def index_documents(index: LibraryIndex, docs: Iterable[tuple[DocumentMeta, str, str]]) -> int:
    """Add (meta, language, body) triples with the meta's title and summary; returns how many."""
    count = 0
    for meta, lang, body in docs:
        index.add(meta, lang, meta.title, meta.summary, body)
        count += 1
    return count
