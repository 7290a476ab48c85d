"""Validation findings on STIX content, and the error that carries them.

Every finding names the object (its id, or its position when the id itself is
missing) and the property, so an analyst can fix the producer's file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ctnode.errors import InvalidInput

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class StixIssue:
    """One finding: which object, which property, what is wrong."""

    message: str
    object_id: str | None = None
    index: int | None = None  # position in the bundle's ``objects`` (0-based)
    property: str | None = None
    severity: Severity = "error"

    def where(self) -> str:
        if self.object_id:
            return self.object_id
        return f"object #{self.index}" if self.index is not None else "bundle"

    def __str__(self) -> str:
        prop = f" property '{self.property}'" if self.property else ""
        return f"{self.where()}{prop}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "object_id": self.object_id,
            "index": self.index,
            "property": self.property,
            "severity": self.severity,
            "message": self.message,
        }


class StixValidationError(InvalidInput):
    """STIX content failed validation; nothing of it was taken. ``issues`` lists every error."""

    code = "invalid_stix"

    def __init__(self, issues: list[StixIssue], source: str | None = None) -> None:
        self.issues = issues
        self.source = source
        head = f"{source}: " if source else ""
        shown = "; ".join(str(i) for i in issues[:5])
        more = f" (and {len(issues) - 5} more)" if len(issues) > 5 else ""
        noun = "error" if len(issues) == 1 else "errors"
        super().__init__(f"{head}{len(issues)} STIX validation {noun}: {shown}{more}")
