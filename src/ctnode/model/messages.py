"""What the travel and payment parsers share: the problems met in a message, and its text.

A message parser never crashes on bad input: it either raises
``ctnode.errors.MessageError`` naming the position, or returns a partial result whose
``issues`` say what was skipped and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found while parsing.

    ``severity`` is ``error`` when data was skipped (the part named by
    ``where`` was not screened) and ``warning`` when everything was read but
    something is off (e.g. a control count that disagrees).
    """

    severity: Severity
    message: str
    where: str  # e.g. "segment 14 (NAD) line 13 element 4", "Cdtr line 40", "field :59:"
    skipped: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "message": self.message,
            "where": self.where,
            "skipped": self.skipped,
        }


def decode_text(data: bytes) -> str:
    """Bytes → text: UTF-8 (BOM dropped) when it decodes, else Latin-1 (never fails)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
