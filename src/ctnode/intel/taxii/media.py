"""TAXII 2.1 media types, content negotiation, and the TAXII error resource.

Every TAXII response carries ``application/taxii+json;version=2.1``; STIX content
inside it is ``application/stix+json;version=2.1``. A client whose ``Accept`` allows
neither gets 406; a POST whose ``Content-Type`` is not the TAXII type gets 415.
Errors are returned as the TAXII error resource (section 3.6.1 of the TAXII 2.1
specification): ``title`` (required), ``description``, ``error_id``, ``error_code``,
``http_status`` (a string), ``external_details``, ``details``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ctnode.errors import CTNodeError

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
# Headers of a page of objects, manifest records or versions (date_added of its first and last entry).
DATE_ADDED_FIRST = "X-TAXII-Date-Added-First"
DATE_ADDED_LAST = "X-TAXII-Date-Added-Last"


class TaxiiError(CTNodeError, status=400, code="taxii_bad_request"):
    """An error a TAXII route answers with a TAXII error resource.

    A subclass is one line: ``class TaxiiGone(TaxiiError, status=410, code="taxii_gone",
    title="Gone")``; ``title`` is the resource's short title.
    """

    title = "Bad request"

    def __init_subclass__(cls, *, title: str | None = None, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if title is not None:
            cls.title = title

    def __init__(self, description: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.details = details or {}

    def resource(self) -> dict[str, Any]:
        """The TAXII error resource for this error."""
        out: dict[str, Any] = {
            "title": self.title,
            "description": self.description,
            "error_code": self.code,
            "http_status": str(self.status_code),
        }
        if self.details:
            out["details"] = self.details
        return out


class TaxiiBadRequest(TaxiiError):
    """A query parameter or body is malformed; the description names it."""


class TaxiiUnauthorized(TaxiiError, status=401, code="taxii_unauthorized", title="Unauthorized"):
    """No credential, or an unknown or revoked one."""


class TaxiiNotFound(TaxiiError, status=404, code="taxii_not_found", title="Not found"):
    """No such API root, collection, object or status resource (for this requester)."""


class TaxiiForbidden(TaxiiError, status=403, code="taxii_forbidden", title="Forbidden"):
    """The credential may not read (or write) this collection."""


class TaxiiNotAcceptable(
    TaxiiError, status=406, code="taxii_not_acceptable", title="Not acceptable"
):
    """The request's ``Accept`` allows no TAXII 2.1 media type."""


class TaxiiUnsupportedMediaType(
    TaxiiError, status=415, code="taxii_unsupported_media_type", title="Unsupported media type"
):
    """A POST body that is not ``application/taxii+json``."""


class TaxiiTooLarge(
    TaxiiError, status=413, code="taxii_too_large", title="Request entity too large"
):
    """A POST body above the API root's ``max_content_length``."""


def error_resource(exc: CTNodeError) -> dict[str, Any]:
    """A TAXII error resource for any ctnode error (TAXII routes answer every error this way)."""
    if isinstance(exc, TaxiiError):
        return exc.resource()
    return {
        "title": exc.code.replace("_", " ").capitalize(),
        "description": exc.message,
        "error_code": exc.code,
        "http_status": str(exc.status_code),
    }


@dataclass(frozen=True, slots=True)
class _MediaRange:
    type: str
    subtype: str
    version: str | None
    q: float


def _parse_accept(header: str) -> list[_MediaRange]:
    ranges: list[_MediaRange] = []
    for part in header.split(","):
        part = part.strip()
        if not part:
            continue
        pieces = [p.strip() for p in part.split(";")]
        main = pieces[0].lower()
        if "/" not in main:
            continue
        typ, sub = main.split("/", 1)
        version: str | None = None
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            key = key.strip().lower()
            value = value.strip().strip('"')
            if key == "version":
                version = value
            elif key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append(_MediaRange(typ, sub, version, q))
    return ranges


def accepts_taxii(accept: str | None) -> bool:
    """Does an ``Accept`` header allow the TAXII 2.1 media type?

    ``application/taxii+json`` without a version means the latest, which is 2.1;
    ``*/*`` and ``application/*`` are accepted too (browsers and curl send them).
    """
    if accept is None or not accept.strip():
        return True
    for r in _parse_accept(accept):
        if r.q <= 0:
            continue
        if r.type == "*" and r.subtype == "*":
            return True
        if r.type == "application" and r.subtype in ("*", "taxii+json"):
            if r.subtype == "*" or r.version in (None, "2.1"):
                return True
    return False


def require_taxii_accept(accept: str | None) -> None:
    if not accepts_taxii(accept):
        raise TaxiiNotAcceptable(
            f"this server answers {TAXII_MEDIA_TYPE}; the request accepts only {accept!r}"
        )


def require_taxii_content(content_type: str | None) -> None:
    """A POST body must be ``application/taxii+json`` (version 2.1, or no version)."""
    ranges = _parse_accept(content_type or "")
    if not ranges or not any(
        r.type == "application" and r.subtype == "taxii+json" and r.version in (None, "2.1")
        for r in ranges
    ):
        raise TaxiiUnsupportedMediaType(
            f"send {TAXII_MEDIA_TYPE}; the request's Content-Type is {content_type!r}"
        )
