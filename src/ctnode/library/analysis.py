"""Text -> index terms with positions and offsets: the one analysis every store and query uses.

A term is what the full-text index holds. For a word: NFKC, case folding, Arabic
diacritics and tatweel removed, accents folded in Latin-script languages, then the
language's Snowball stemmer. For a run of a script without spaces: overlapping
character bigrams (one character alone stays a unigram). Positions count terms, so
phrases ("chain of custody", or the bigrams of one Chinese word) match in order.

The store writes :func:`index_text` into SQLite FTS5 (a column whose tokenizer is
``unicode61 remove_diacritics 0 categories 'L* N* M*'``, so FTS5 splits exactly on
the spaces written here) and :func:`tsvector_literal` into PostgreSQL (a ``tsvector``
with these terms and positions, bound as a parameter and cast), so both stores
index the same terms as the naive reference in ``search.py``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import regex

from ctnode.library.language import LanguageProfile, profile_for, stem

# A word: a letter or digit, then letters, digits and combining marks (Thai vowels, Devanagari matras).
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*")
# Characters of scripts without spaces between words (and the Japanese long-vowel mark).
_NGRAM_CHAR = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}\u30fc"
_NGRAM_RUN = regex.compile(rf"[{_NGRAM_CHAR}][{_NGRAM_CHAR}\p{{M}}]*")
_HAS_NGRAM = regex.compile(rf"[{_NGRAM_CHAR}]")
_MARKS = regex.compile(r"\p{M}+")
_ARABIC_MARKS = regex.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# Longest term kept (longer "words" are data blobs, not language).
MAX_TERM = 64


@dataclass(frozen=True, slots=True)
class Token:
    """One index term, where it came from in the text (offsets) and its position."""

    term: str
    start: int
    end: int
    position: int
    stopword: bool = False


@lru_cache(maxsize=200_000)
def _word_term(word: str, code: str) -> tuple[str, bool]:
    prof = profile_for(code)
    w = unicodedata.normalize("NFKC", word).casefold()
    w = _ARABIC_MARKS.sub("", w)
    if prof.fold_accents:
        w = unicodedata.normalize("NFC", _MARKS.sub("", unicodedata.normalize("NFD", w)))
    is_stop = w in prof.stopwords
    if prof.stemmer and not w.isdigit():
        w = stem(w, prof.stemmer)
    return w[:MAX_TERM], is_stop


_GRAPHEME = regex.compile(r"\X")


def _ngram_tokens(run: str, offset: int) -> Iterator[tuple[str, int, int]]:
    """Bigrams of grapheme clusters (a Thai consonant with its vowel marks is one unit)."""
    units = [(g.group(), g.start(), g.end()) for g in _GRAPHEME.finditer(run)]
    norm = [unicodedata.normalize("NFKC", u).casefold() for u, _, _ in units]
    if len(units) == 1:
        yield norm[0], offset + units[0][1], offset + units[0][2]
        return
    for i in range(len(units) - 1):
        yield norm[i] + norm[i + 1], offset + units[i][1], offset + units[i + 1][2]


def analyse(text: str, language: str | None) -> list[Token]:
    """Every index term of ``text`` read as ``language``, with offsets into ``text``."""
    prof: LanguageProfile = profile_for(language)
    tokens: list[Token] = []
    pos = 0
    for m in _WORD.finditer(text):
        word = m.group()
        if _HAS_NGRAM.search(word) is None:
            term, is_stop = _word_term(word, prof.code)
            if term:
                tokens.append(Token(term, m.start(), m.end(), pos, is_stop))
                pos += 1
            continue
        last = 0
        for run in _NGRAM_RUN.finditer(word):
            if run.start() > last:  # a non-CJK piece glued to the run, e.g. "ISIL的"
                piece = word[last : run.start()]
                term, is_stop = _word_term(piece, prof.code)
                if term:
                    tokens.append(
                        Token(term, m.start() + last, m.start() + run.start(), pos, is_stop)
                    )
                    pos += 1
            for gram, s, e in _ngram_tokens(run.group(), m.start() + run.start()):
                tokens.append(Token(gram, s, e, pos))
                pos += 1
            last = run.end()
        if last < len(word):
            term, is_stop = _word_term(word[last:], prof.code)
            if term:
                tokens.append(Token(term, m.start() + last, m.end(), pos, is_stop))
                pos += 1
    return tokens


def index_text(tokens: list[Token]) -> str:
    """The terms joined by spaces, in order: what the FTS5 column holds."""
    return " ".join(t.term for t in tokens)


def _tsv_quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(tokens: list[Token], weight: str | None = None) -> str:
    """A PostgreSQL ``tsvector`` literal with positions (1-based, capped at 16383 as PostgreSQL does).

    Bind it as a parameter and cast (``CAST(:tsv AS tsvector)``); never format it into SQL.
    """
    if weight is not None and weight not in ("A", "B", "C", "D"):
        raise ValueError("tsvector weight must be A, B, C or D")
    positions: dict[str, list[int]] = {}
    for t in tokens:
        positions.setdefault(t.term, []).append(min(t.position + 1, 16383))
    w = weight or ""
    return " ".join(
        f"{_tsv_quote(term)}:{','.join(f'{p}{w}' for p in ps[:256])}"
        for term, ps in positions.items()
    )
