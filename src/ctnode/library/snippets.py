"""Highlighted snippets: the passage of a text where a query's terms cluster, marked up safely.

Computed from the stored plain text with the same analysis as the index (``analysis``),
so a snippet shows the words as written even though the index holds stems and
bigrams. The HTML form escapes all text and adds only ``<mark>`` elements.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from ctnode.library.analysis import Token, analyse
from ctnode.library.query import CompiledQuery


@dataclass(frozen=True, slots=True)
class Snippet:
    """A passage and the spans (offsets into ``text``) that matched."""

    text: str
    spans: tuple[tuple[int, int], ...]
    truncated_start: bool
    truncated_end: bool

    def as_html(self, open_tag: str = "<mark>", close_tag: str = "</mark>") -> str:
        out: list[str] = ["…" if self.truncated_start else ""]
        last = 0
        for s, e in self.spans:
            out.append(html.escape(self.text[last:s]))
            out.append(open_tag + html.escape(self.text[s:e]) + close_tag)
            last = e
        out.append(html.escape(self.text[last:]))
        out.append("…" if self.truncated_end else "")
        return "".join(out)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def snippet(text: str, language: str | None, query: CompiledQuery, width: int = 240) -> Snippet:
    """The ``width``-character passage with the most distinct query terms (ties: the earliest)."""
    wanted = query.terms()
    tokens: list[Token] = analyse(text, language)
    hits = [t for t in tokens if t.term in wanted]
    if not hits:
        end = min(len(text), width)
        return Snippet(text[:end], (), False, end < len(text))
    best_start, best_score = hits[0].start, -1
    j = 0
    for i, first in enumerate(hits):  # window starting at each hit
        j = max(j, i)
        while j + 1 < len(hits) and hits[j + 1].end - first.start <= width:
            j += 1
        score = len({h.term for h in hits[i : j + 1]})
        if score > best_score:
            best_score, best_start = score, first.start
    # centre a little: start up to a quarter of the width before the first hit, at a space
    start = max(0, best_start - width // 4)
    if start > 0:
        space = text.rfind(" ", 0, best_start)
        start = space + 1 if space >= start else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > best_start else end
    spans = _merge(
        [(h.start - start, h.end - start) for h in hits if h.start >= start and h.end <= end]
    )
    return Snippet(text[start:end], tuple(spans), start > 0, end < len(text))
