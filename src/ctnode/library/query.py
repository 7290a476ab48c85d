"""Search queries: what a person types, parsed once, then compiled per document language.

Syntax (like common web search): words are all required; ``"a quoted phrase"``
must appear in order; ``OR`` between two words or phrases accepts either (it binds
tighter than the implicit AND); ``-word`` or ``-"phrase"`` excludes. Anything else
(brackets, stars, colons, quotes left open) is read as text, never as an operator of
the database. A query needs at least one word to search for.

:meth:`ParsedQuery.compile` analyses each word with a language's profile (stemmer,
bigrams), giving a :class:`CompiledQuery` that renders as an SQLite FTS5 ``MATCH``
expression or a PostgreSQL ``tsquery`` literal, both passed as bound parameters,
and that the naive reference evaluates directly on term positions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ctnode.errors import InvalidInput
from ctnode.library.analysis import analyse

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 32


@dataclass(frozen=True, slots=True)
class Phrase:
    """Text that must match in order; ``quoted`` when the person wrote quotes."""

    text: str
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """``must``: each entry is a set of alternatives (OR), all entries required (AND)."""

    must: tuple[tuple[Phrase, ...], ...]
    must_not: tuple[Phrase, ...] = ()

    def compile(self, language: str | None) -> CompiledQuery:
        """Index terms of every phrase for one document language."""
        groups: list[tuple[tuple[str, ...], ...]] = []
        droppable: list[bool] = []
        for alternatives in self.must:
            alts: list[tuple[str, ...]] = []
            all_stop = True
            for ph in alternatives:
                toks = analyse(ph.text, language)
                if not toks:
                    continue
                if not (not ph.quoted and len(toks) == 1 and toks[0].stopword):
                    all_stop = False
                alts.append(tuple(t.term for t in toks))
            if alts:
                groups.append(tuple(alts))
                droppable.append(all_stop)
        if any(not d for d in droppable):  # drop stopword-only clauses when something else is left
            groups = [g for g, d in zip(groups, droppable, strict=True) if not d]
        excluded = []
        for ph in self.must_not:
            terms = tuple(t.term for t in analyse(ph.text, language))
            if terms:
                excluded.append(terms)
        return CompiledQuery(tuple(groups), tuple(excluded))


def parse_query(text: str) -> ParsedQuery:
    """Parse what a person typed; ``InvalidInput`` says what is wrong."""
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInput(f"query: longer than {MAX_QUERY_CHARS} characters")
    items: list[tuple[str, Phrase, bool]] = []  # (kind, phrase, negated); kind "term" or "or"
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        negated = False
        if ch == "-" and i + 1 < n and not text[i + 1].isspace():
            negated = True
            i += 1
            ch = text[i]
        if ch == '"':
            close = text.find('"', i + 1)
            if close == -1:  # an open quote: the rest is a phrase
                close = n
            items.append(("term", Phrase(text[i + 1 : close].strip(), quoted=True), negated))
            i = close + 1
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] != '"':
            j += 1
        word = text[i:j]
        i = j
        if word == "OR" and not negated:
            items.append(("or", Phrase(""), False))
        else:
            items.append(("term", Phrase(word), negated))
    must: list[list[Phrase]] = []
    must_not: list[Phrase] = []
    join_next = False
    for kind, ph, negated in items:
        if kind == "or":
            join_next = bool(must)
            continue
        if not ph.text:
            continue
        if negated:
            must_not.append(ph)
        elif join_next and must:
            must[-1].append(ph)
        else:
            must.append([ph])
        join_next = False
    if len(must) + len(must_not) > MAX_CLAUSES:
        raise InvalidInput(f"query: more than {MAX_CLAUSES} words and phrases")
    if not must:
        raise InvalidInput("query: give at least one word to search for")
    return ParsedQuery(tuple(tuple(g) for g in must), tuple(must_not))


def _fts5_phrase(terms: Sequence[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in terms) + '"'


def _ts_phrase(terms: Sequence[str]) -> str:
    quoted = ["'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms]
    return quoted[0] if len(quoted) == 1 else "(" + " <-> ".join(quoted) + ")"


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    """Index terms per clause: ``groups`` AND'd, alternatives within a group OR'd; ``excluded`` NOT."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[str, ...], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.groups

    def terms(self) -> frozenset[str]:
        """Every term a match may show (for highlighting)."""
        return frozenset(t for g in self.groups for alt in g for t in alt)

    def to_fts5(self) -> str:
        """An FTS5 MATCH expression: bind it as the parameter of ``... MATCH ?``."""
        if self.empty:
            raise InvalidInput("query: nothing left to search for in this language")
        parts = ["(" + " OR ".join(_fts5_phrase(alt) for alt in g) + ")" for g in self.groups]
        expr = " AND ".join(parts)
        for ex in self.excluded:
            expr += f" NOT {_fts5_phrase(ex)}"
        return expr

    def to_tsquery(self) -> str:
        """A PostgreSQL tsquery literal: bind it and cast, ``CAST(:q AS tsquery)``."""
        if self.empty:
            raise InvalidInput("query: nothing left to search for in this language")
        parts = ["(" + " | ".join(_ts_phrase(alt) for alt in g) + ")" for g in self.groups]
        parts += ["!" + _ts_phrase(ex) for ex in self.excluded]
        return " & ".join(parts)

    def matches(self, postings: Mapping[str, Sequence[int]]) -> bool:
        """Does a text with these term positions match? (The naive reference's evaluation.)"""
        if self.empty:
            return False
        for group in self.groups:
            if not any(phrase_at(postings, alt) for alt in group):
                return False
        return not any(phrase_at(postings, ex) for ex in self.excluded)


def phrase_at(postings: Mapping[str, Sequence[int]], terms: Sequence[str]) -> bool:
    """Do ``terms`` occur at consecutive positions?"""
    first = postings.get(terms[0])
    if not first:
        return False
    if len(terms) == 1:
        return True
    rest = [postings.get(t) for t in terms[1:]]
    if any(not r for r in rest):
        return False
    sets = [set(r or ()) for r in rest]
    return any(all(p + k + 1 in s for k, s in enumerate(sets)) for p in first)
