"""Problems a parser met in a message: where, how bad, and whether data was skipped.

Shared by the travel and payment parsers (``ctnode.payments`` imports it): a
parser never crashes on bad input; it either raises an ``InvalidInput`` subclass
naming the position, or returns a partial result whose ``issues`` say what was
skipped and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ctnode.errors import InvalidInput

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


class MessageError(InvalidInput):
    """A message could not be read at all; ``where`` says at which position."""

    code = "invalid_message"

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(f"{message} ({where})" if where else message)
        self.where = where


class UnknownMessageType(MessageError):
    """The input is not a message type this node reads."""

    code = "unknown_message_type"
