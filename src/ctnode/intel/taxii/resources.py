"""TAXII 2.1 resources as data: discovery, API root, collection, manifest record, status.

Each dataclass renders itself with ``as_dict()`` in the exact JSON shape of the
TAXII 2.1 specification (section numbers in the docstrings), omitting optional
properties that are not set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ctnode.intel.taxii.media import STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE
from ctnode.intel.timestamps import format_timestamp


@dataclass(frozen=True, slots=True)
class Discovery:
    """Section 4.1.1: the server's title and its API roots (URLs)."""

    title: str
    api_roots: Sequence[str] = ()
    description: str | None = None
    contact: str | None = None
    default: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title}
        if self.description:
            out["description"] = self.description
        if self.contact:
            out["contact"] = self.contact
        if self.default:
            out["default"] = self.default
        out["api_roots"] = list(self.api_roots)
        return out


@dataclass(frozen=True, slots=True)
class ApiRoot:
    """Section 4.2.1: one API root; ``max_content_length`` bounds a POST body in bytes."""

    title: str
    max_content_length: int
    description: str | None = None
    versions: Sequence[str] = (TAXII_MEDIA_TYPE,)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title}
        if self.description:
            out["description"] = self.description
        out["versions"] = list(self.versions)
        out["max_content_length"] = self.max_content_length
        return out


@dataclass(frozen=True, slots=True)
class Collection:
    """Section 5.2.1, as seen by one requester (``can_read``/``can_write`` are theirs)."""

    id: str
    title: str
    can_read: bool
    can_write: bool
    description: str | None = None
    alias: str | None = None
    media_types: Sequence[str] = (STIX_MEDIA_TYPE,)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "title": self.title}
        if self.description:
            out["description"] = self.description
        if self.alias:
            out["alias"] = self.alias
        out["can_read"] = self.can_read
        out["can_write"] = self.can_write
        out["media_types"] = list(self.media_types)
        return out


@dataclass(frozen=True, slots=True)
class StatusDetail:
    """Section 4.3.2: the outcome for one object of a POST."""

    id: str
    version: str
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "version": self.version}
        if self.message:
            out["message"] = self.message
        return out


@dataclass(frozen=True, slots=True)
class Status:
    """Section 4.3.1: what became of the objects of one POST.

    ctnode adds objects within the request, so a status is ``complete`` when it is
    first returned; ``pending`` exists for stores that add in the background.
    """

    id: str
    request_timestamp: datetime
    successes: Sequence[StatusDetail] = ()
    failures: Sequence[StatusDetail] = ()
    pendings: Sequence[StatusDetail] = field(default_factory=tuple)

    @property
    def status(self) -> Literal["complete", "pending"]:
        return "pending" if self.pendings else "complete"

    @property
    def total_count(self) -> int:
        return len(self.successes) + len(self.failures) + len(self.pendings)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "request_timestamp": format_timestamp(self.request_timestamp),
            "total_count": self.total_count,
            "success_count": len(self.successes),
            "failure_count": len(self.failures),
            "pending_count": len(self.pendings),
        }
        if self.successes:
            out["successes"] = [d.as_dict() for d in self.successes]
        if self.failures:
            out["failures"] = [d.as_dict() for d in self.failures]
        if self.pendings:
            out["pendings"] = [d.as_dict() for d in self.pendings]
        return out
