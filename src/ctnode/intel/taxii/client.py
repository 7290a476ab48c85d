"""Pulling another TAXII 2.1 server's collection.

:class:`TaxiiPuller` speaks the protocol (discovery, collections, pages of objects
with ``added_after`` and ``next``, the date-added headers, TAXII error resources) and
validates what it receives with ``stix.parse_stix``. The HTTP request itself goes
through a :class:`TaxiiTransport`; the node's implementation is
``ctnode.federation.transport.TaxiiHttpClient``, in the one module that opens
connections to other hosts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urljoin

import orjson

from ctnode.errors import InvalidInput, Unavailable
from ctnode.intel.issues import StixIssue, StixValidationError
from ctnode.intel.stix import parse_stix
from ctnode.intel.taxii.media import DATE_ADDED_LAST, TAXII_MEDIA_TYPE
from ctnode.intel.taxii.query import parse_timestamp
from ctnode.intel.timestamps import format_timestamp


@dataclass(frozen=True, slots=True)
class HttpResult:
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: bytes


class TaxiiTransport(Protocol):
    """One HTTP GET. Implementations add credentials, timeouts and TLS settings."""

    def get(
        self, url: str, params: Sequence[tuple[str, str]], headers: Mapping[str, str]
    ) -> HttpResult: ...


class TaxiiRemoteError(Unavailable):
    """The remote TAXII server answered with an error (its error resource is in the message)."""

    code = "taxii_remote_error"

    def __init__(self, message: str, http_status: int) -> None:
        super().__init__(message)
        self.http_status = http_status


@dataclass(slots=True)
class PulledPage:
    """One page as received: the valid objects, the rejected ones, and the resume point."""

    objects: list[dict[str, Any]]
    rejected: list[StixIssue] = field(default_factory=list)
    date_added_last: datetime | None = None
    more: bool = False


@dataclass(slots=True)
class PullResult:
    objects: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[StixIssue] = field(default_factory=list)
    pages: int = 0
    # Keep this and pass it as ``added_after`` next time; None when nothing new came.
    checkpoint: datetime | None = None


class TaxiiPuller:
    """Client side of TAXII 2.1 for one remote server."""

    def __init__(self, transport: TaxiiTransport, *, allow_custom: bool = False) -> None:
        self._transport = transport
        self._allow_custom = allow_custom

    def _get_json(
        self, url: str, params: Sequence[tuple[str, str]] = ()
    ) -> tuple[dict[str, Any], HttpResult]:
        result = self._transport.get(url, params, {"Accept": TAXII_MEDIA_TYPE})
        ctype = result.headers.get("content-type", "")
        if result.status >= 400:
            detail = ""
            try:
                err = orjson.loads(result.body)
                if isinstance(err, dict):
                    detail = f": {err.get('title', '')} - {err.get('description', '')}".rstrip(" -")
            except orjson.JSONDecodeError:
                detail = ""
            raise TaxiiRemoteError(
                f"TAXII server answered {result.status} for {url}{detail}", result.status
            )
        if not ctype.replace(" ", "").lower().startswith("application/taxii+json"):
            raise TaxiiRemoteError(
                f"{url} answered {ctype!r}, not {TAXII_MEDIA_TYPE}", result.status
            )
        try:
            doc = orjson.loads(result.body)
        except orjson.JSONDecodeError as exc:
            raise TaxiiRemoteError(
                f"{url} answered malformed JSON: {exc.msg}", result.status
            ) from None
        if not isinstance(doc, dict):
            raise TaxiiRemoteError(f"{url} answered JSON that is not an object", result.status)
        return doc, result

    def discover(self, discovery_url: str) -> dict[str, Any]:
        """The discovery resource (title, api_roots, default)."""
        return self._get_json(discovery_url)[0]

    def collections(self, api_root_url: str) -> list[dict[str, Any]]:
        doc = self._get_json(urljoin(_slash(api_root_url), "collections/"))[0]
        cols = doc.get("collections", [])
        return [c for c in cols if isinstance(c, dict)]

    def pages(
        self,
        collection_url: str,
        *,
        added_after: datetime | None = None,
        types: Sequence[str] = (),
        limit: int = 1000,
        max_pages: int | None = None,
    ) -> Iterator[PulledPage]:
        """Follow ``next`` through a collection's objects, validating each page."""
        url = urljoin(_slash(collection_url), "objects/")
        params: list[tuple[str, str]] = [("limit", str(limit))]
        if added_after is not None:
            params.append(("added_after", format_timestamp(added_after)))
        if types:
            params.append(("match[type]", ",".join(types)))
        token: str | None = None
        count = 0
        while True:
            page_params = params + ([("next", token)] if token else [])
            doc, result = self._get_json(url, page_params)
            page = self._read_page(doc, result)
            yield page
            count += 1
            token = doc.get("next") if isinstance(doc.get("next"), str) else None
            if not page.more or not token or (max_pages is not None and count >= max_pages):
                return

    def _read_page(self, doc: dict[str, Any], result: HttpResult) -> PulledPage:
        raw = doc.get("objects", [])
        if not isinstance(raw, list):
            raise InvalidInput("TAXII envelope: 'objects' is not a list")
        objects: list[dict[str, Any]] = []
        rejected: list[StixIssue] = []
        for index, obj in enumerate(raw):
            try:
                objects.extend(parse_stix([obj], allow_custom=self._allow_custom).objects)
            except StixValidationError as exc:
                rejected.extend(
                    StixIssue(i.message, i.object_id, index, i.property, i.severity)
                    for i in exc.issues
                )
        last = result.headers.get(DATE_ADDED_LAST.lower())
        return PulledPage(
            objects=objects,
            rejected=rejected,
            date_added_last=parse_timestamp(last, DATE_ADDED_LAST) if last else None,
            more=bool(doc.get("more", False)),
        )

    def pull(
        self,
        collection_url: str,
        *,
        added_after: datetime | None = None,
        limit: int = 1000,
        max_pages: int | None = None,
    ) -> PullResult:
        """Everything added since ``added_after``; the result's ``checkpoint`` is the next ``added_after``."""
        out = PullResult(checkpoint=added_after)
        for page in self.pages(
            collection_url, added_after=added_after, limit=limit, max_pages=max_pages
        ):
            out.pages += 1
            out.objects.extend(page.objects)
            out.rejected.extend(page.rejected)
            if page.date_added_last is not None:
                out.checkpoint = page.date_added_last
        return out


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
