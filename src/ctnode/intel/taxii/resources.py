"""TAXII 2.1 resources as data: discovery, API root, collection, manifest record, status.

Each dataclass renders itself with ``as_dict()`` in the exact JSON shape of the
TAXII 2.1 specification (section numbers in the docstrings), omitting optional
properties that are not set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

from ctnode.intel.taxii.media import STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE
from ctnode.intel.timestamps import format_timestamp


class Resource:
    """A TAXII resource as data: ``as_dict()`` gives its JSON, the fields in order, leaving
    out optional properties not set (None or empty text); sequences become lists."""

    __slots__ = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None or value == "":
                continue
            out[f.name] = list(value) if isinstance(value, tuple | list) else value
        return out


@dataclass(frozen=True, slots=True)
class Discovery(Resource):
    """Section 4.1.1: the server's title and its API roots (URLs)."""

    title: str
    api_roots: Sequence[str] = ()
    description: str | None = None
    contact: str | None = None
    default: str | None = None


@dataclass(frozen=True, slots=True)
class ApiRoot(Resource):
    """Section 4.2.1: one API root; ``max_content_length`` bounds a POST body in bytes."""

    title: str
    max_content_length: int
    description: str | None = None
    versions: Sequence[str] = (TAXII_MEDIA_TYPE,)


@dataclass(frozen=True, slots=True)
class Collection(Resource):
    """Section 5.2.1, as seen by one requester (``can_read``/``can_write`` are theirs)."""

    id: str
    title: str
    can_read: bool
    can_write: bool
    description: str | None = None
    alias: str | None = None
    media_types: Sequence[str] = (STIX_MEDIA_TYPE,)


@dataclass(frozen=True, slots=True)
class StatusDetail(Resource):
    """Section 4.3.2: the outcome for one object of a POST."""

    id: str
    version: str
    message: str | None = None


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
        details = {
            "successes": self.successes,
            "failures": self.failures,
            "pendings": self.pendings,
        }
        return out | {key: [d.as_dict() for d in ds] for key, ds in details.items() if ds}
