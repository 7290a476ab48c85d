"""What every list parser returns, and the small helpers they share.

A parser reads one source (UN XML, FtM JSON lines, a mapped CSV) and returns a
:class:`ParsedList`: entities made of statements, each statement keeping the
exact source string in ``original``. Parsers never write to the store; the
store's import code compares a ``ParsedList`` with what it holds and applies
the delta.

A parser either returns a complete list or raises
:class:`ctnode.errors.ImportFailed` naming the file and the element, line or
field at fault. Oddities that do not make the list unusable (an unknown
country name, an unparseable date note) go into ``ParsedList.warnings``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ctnode.model.entities import Entity

# Called with (bytes read so far, total bytes or 0 when unknown).
Progress = Callable[[int, int], None]

_SPACES = re.compile(r"\s+")


@dataclass
class ParsedList:
    """One parsed list: its identity, its entities and the non-fatal oddities met."""

    dataset: str  # e.g. "un_sc"
    title: str
    version: str | None  # e.g. the UN list's dateGenerated
    source: str  # file path or URL as given
    entities: list[Entity]
    warnings: list[str] = field(default_factory=list)

    @property
    def references(self) -> set[str]:
        """The set of reference numbers (the unit a list update adds or removes)."""
        return {e.reference for e in self.entities if e.reference is not None}

    def by_reference(self) -> dict[str, Entity]:
        return {e.reference: e for e in self.entities if e.reference is not None}


def collapse(text: str | None) -> str:
    """Trim and collapse runs of whitespace (including newlines) to one space."""
    if not text:
        return ""
    if (
        text.isascii()
        and "  " not in text
        and "\n" not in text
        and "\t" not in text
        and "\r" not in text
    ):
        return text.strip()  # the common case, without the regex
    return _SPACES.sub(" ", text).strip()
