"""The TAXII 2.1 endpoints as functions from a request to a response, without HTTP.

The HTTP routes of the integration step parse the request (path, query pairs,
``Accept``/``Content-Type``, body), call one function here, and write the
:class:`TaxiiResponse` back. Permissions arrive as data: the ``Collection`` given is
the requester's view (``can_read``/``can_write``) and ``tlp_levels`` the levels they
may receive. Nothing here reads a clock, a store or a setting by itself.

==========================================  ==========================
endpoint (TAXII 2.1 section)                function
==========================================  ==========================
GET /taxii2/ (4.1)                          :func:`discovery`
GET {root}/ (4.2)                           :func:`api_root`
GET {root}/status/{id}/ (4.3)               :func:`status`
GET {root}/collections/ (5.1)               :func:`collections`
GET {root}/collections/{id}/ (5.2)          :func:`collection`
GET {root}/collections/{id}/manifest/ (5.3) :func:`get_manifest`
GET {root}/collections/{id}/objects/ (5.4)  :func:`get_objects`
POST {root}/collections/{id}/objects/ (5.5) :func:`add_objects`
GET .../objects/{object-id}/ (5.6)          :func:`get_object`
DELETE .../objects/{object-id}/ (5.7)       :func:`delete_object_query` (the store deletes)
GET .../objects/{object-id}/versions/ (5.8) :func:`get_versions`
==========================================  ==========================
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson

from ctnode.errors import CTNodeError
from ctnode.intel.issues import StixValidationError
from ctnode.intel.taxii.collection import AddOutcome, ObjectSource, Page, json_default, wire
from ctnode.intel.taxii.media import (
    DATE_ADDED_FIRST,
    DATE_ADDED_LAST,
    TAXII_MEDIA_TYPE,
    TaxiiBadRequest,
    TaxiiForbidden,
    TaxiiNotFound,
    TaxiiTooLarge,
    error_resource,
    require_taxii_accept,
    require_taxii_content,
)
from ctnode.intel.taxii.query import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    OBJECT_PARAMS,
    OBJECTS_PARAMS,
    VERSIONS_PARAMS,
    ObjectQuery,
    VersionMatch,
    parse_query,
)
from ctnode.intel.taxii.resources import ApiRoot, Collection, Discovery, Status, StatusDetail
from ctnode.intel.timestamps import format_timestamp, object_version
from ctnode.model.tlp import TLP

QueryPairs = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class TaxiiResponse:
    """What an HTTP route writes back: status, JSON body, headers (Content-Type included)."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": TAXII_MEDIA_TYPE})

    def json_bytes(self) -> bytes:
        return orjson.dumps(self.body, default=json_default)  # stored objects: their text


@dataclass(frozen=True, slots=True)
class Limits:
    """Page sizes and body size an API root enforces (settings of the integration step)."""

    default_limit: int = DEFAULT_LIMIT
    max_limit: int = MAX_LIMIT
    max_content_length: int = 10 * 1024 * 1024


def _ok(body: dict[str, Any], status: int = 200, page: Page | None = None) -> TaxiiResponse:
    headers = {"Content-Type": TAXII_MEDIA_TYPE}
    if page is not None and page.records:
        first, last = page.date_added_first, page.date_added_last
        assert first is not None and last is not None
        headers[DATE_ADDED_FIRST] = format_timestamp(first)
        headers[DATE_ADDED_LAST] = format_timestamp(last)
    return TaxiiResponse(status, body, headers)


def error(exc: CTNodeError) -> TaxiiResponse:
    """The TAXII error response for any ctnode error."""
    return TaxiiResponse(exc.status_code, error_resource(exc))


def discovery(resource: Discovery, accept: str | None) -> TaxiiResponse:
    require_taxii_accept(accept)
    return _ok(resource.as_dict())


def api_root(resource: ApiRoot, accept: str | None) -> TaxiiResponse:
    require_taxii_accept(accept)
    return _ok(resource.as_dict())


def status(resource: Status | None, accept: str | None) -> TaxiiResponse:
    require_taxii_accept(accept)
    if resource is None:
        raise TaxiiNotFound("no such status resource")
    return _ok(resource.as_dict())


def collections(visible: Sequence[Collection], accept: str | None) -> TaxiiResponse:
    """Only collections the requester may read or write are listed; none gives ``{}``."""
    require_taxii_accept(accept)
    shown = [c.as_dict() for c in visible if c.can_read or c.can_write]
    return _ok({"collections": shown} if shown else {})


def collection(resource: Collection | None, accept: str | None) -> TaxiiResponse:
    require_taxii_accept(accept)
    if resource is None or not (resource.can_read or resource.can_write):
        raise TaxiiNotFound("no such collection")
    return _ok(resource.as_dict())


def _readable(resource: Collection | None) -> Collection:
    if resource is None:
        raise TaxiiNotFound("no such collection")
    if not resource.can_read:
        raise TaxiiForbidden(f"collection {resource.id} is not readable with this credential")
    return resource


def _query(
    params: QueryPairs, allowed: frozenset[str], limits: Limits, tlp_levels: frozenset[TLP] | None
) -> ObjectQuery:
    q = parse_query(
        params, allowed=allowed, default_limit=limits.default_limit, max_limit=limits.max_limit
    )
    return replace(q, tlp_levels=tlp_levels)


def _envelope(page: Page, key: str, items: Sequence[object]) -> dict[str, Any]:
    body: dict[str, Any] = {"more": page.more}
    if page.more and page.next:
        body["next"] = page.next
    if items:
        body[key] = items
    return body


@dataclass(frozen=True, slots=True)
class TaxiiRequest:
    """What a TAXII route hands over for one collection request.

    ``collection`` is the requester's view of it (None when it does not exist),
    ``params`` the query string as pairs, ``accept`` the Accept header, ``tlp_levels``
    the levels the requester may receive (None: all), ``limits`` the API root's.
    """

    collection: Collection | None
    params: QueryPairs = ()
    accept: str | None = None
    tlp_levels: frozenset[TLP] | None = None
    limits: Limits = Limits()


def _select(
    source: ObjectSource,
    req: TaxiiRequest,
    allowed: frozenset[str],
    object_id: str | None = None,
    all_versions: bool = False,
) -> tuple[Collection, ObjectQuery, Page]:
    require_taxii_accept(req.accept)
    col = _readable(req.collection)
    query = _query(req.params, allowed, req.limits, req.tlp_levels)
    if all_versions:
        query = replace(query, versions=VersionMatch(last=False, all=True))
    if object_id is not None:
        query = query.with_id(_checked_id(object_id))
    page = source.select(col.id, query)
    if object_id is not None and not page.records and query.next is None:
        raise TaxiiNotFound(f"no object {object_id} in collection {col.id}")
    return col, query, page


def get_objects(source: ObjectSource, req: TaxiiRequest) -> TaxiiResponse:
    """GET objects: an envelope (``more``, ``next``, ``objects``) and the date-added headers."""
    _, _, page = _select(source, req, OBJECTS_PARAMS)
    return _ok(_envelope(page, "objects", [wire(r.obj) for r in page.records]), page=page)


def get_object(source: ObjectSource, req: TaxiiRequest, object_id: str) -> TaxiiResponse:
    """GET one object's versions (``last`` unless ``match[version]`` says otherwise); 404 if none."""
    _, _, page = _select(source, req, OBJECT_PARAMS, object_id)
    return _ok(_envelope(page, "objects", [wire(r.obj) for r in page.records]), page=page)


def get_manifest(source: ObjectSource, req: TaxiiRequest) -> TaxiiResponse:
    """GET manifest: one record (id, date_added, version, media_type) per selected version."""
    _, _, page = _select(source, req, OBJECTS_PARAMS)
    stamps: dict[datetime, str] = {}  # the versions of one add share their date_added

    def added(at: datetime) -> str:
        text = stamps.get(at)
        if text is None:
            text = stamps[at] = format_timestamp(at)
        return text

    items = [
        {
            "id": r.id,
            "date_added": added(r.date_added),
            "version": r.version_text,
            "media_type": r.media_type,
        }
        for r in page.records
    ]
    return _ok(_envelope(page, "objects", items), page=page)


def get_versions(source: ObjectSource, req: TaxiiRequest, object_id: str) -> TaxiiResponse:
    """GET versions of one object: ``{"more", "versions": [timestamps]}``."""
    _, _, page = _select(source, req, VERSIONS_PARAMS, object_id, all_versions=True)
    return _ok(_envelope(page, "versions", [r.version_text for r in page.records]), page=page)


def delete_object_query(
    resource: Collection | None, object_id: str, params: QueryPairs
) -> ObjectQuery:
    """DELETE one object: check the right and return which versions to delete (default: all)."""
    if resource is None:
        raise TaxiiNotFound("no such collection")
    if not (resource.can_read and resource.can_write):
        raise TaxiiForbidden(f"deleting from collection {resource.id} needs read and write access")
    q = parse_query(params, allowed=frozenset({"match[version]", "match[spec_version]"}))
    pairs = dict(params.items()) if isinstance(params, Mapping) else dict(params)
    if "match[version]" not in pairs:
        q = replace(q, versions=VersionMatch(last=False, all=True))
    if "match[spec_version]" not in pairs:
        q = replace(q, spec_versions=frozenset({"2.0", "2.1"}))
    return q.with_id(_checked_id(object_id))


def _checked_id(object_id: str) -> str:
    parse_query({"match[id]": object_id})  # same rule as the filter
    return object_id


# What the store does with accepted objects: add them, answer per object.
ObjectWriter = Callable[[str, list[dict[str, Any]]], list[AddOutcome]]


def add_objects(
    write: ObjectWriter,
    req: TaxiiRequest,
    body: bytes,
    content_type: str | None,
    now: datetime,
    allow_custom: bool = False,
    status_id: str | None = None,
) -> tuple[Status, TaxiiResponse]:
    """POST an envelope: validate each object on its own, add the valid ones, answer 202 with a status.

    A TAXII POST succeeds or fails per object (the status lists both); a body that
    is not an envelope at all is a 400 and adds nothing. The caller keeps the
    returned ``Status`` so ``GET status/{id}/`` can answer later.
    """
    require_taxii_accept(req.accept)
    resource = req.collection
    if resource is None:
        raise TaxiiNotFound("no such collection")
    if not resource.can_write:
        raise TaxiiForbidden(f"collection {resource.id} is not writable with this credential")
    require_taxii_content(content_type)
    if len(body) > req.limits.max_content_length:
        raise TaxiiTooLarge(
            f"body of {len(body)} bytes; this API root takes at most {req.limits.max_content_length}"
        )
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise TaxiiBadRequest(f"body is not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("objects", []), list) or "type" in doc:
        raise TaxiiBadRequest('body must be a TAXII envelope: {"objects": [...]}')
    successes: list[StatusDetail] = []
    failures: list[StatusDetail] = []
    valid: list[dict[str, Any]] = []
    # imported here, not with the module: the STIX checker loads stix2 and its pattern
    # grammar (0.17 s of CPU), which the server would otherwise pay before it first answers
    from ctnode.intel.stix import parse_stix

    for index, obj in enumerate(doc.get("objects", [])):
        oid = (
            str(obj.get("id", f"object #{index}")) if isinstance(obj, dict) else f"object #{index}"
        )
        version = (object_version(obj) if isinstance(obj, dict) else None) or ""
        try:
            valid.extend(parse_stix([obj], allow_custom=allow_custom).objects)
        except StixValidationError as exc:
            failures.append(StatusDetail(oid, version, "; ".join(str(i) for i in exc.issues)))
    for outcome in write(resource.id, valid) if valid else []:
        detail = StatusDetail(outcome.id, outcome.version, outcome.message)
        (successes if outcome.added else failures).append(detail)
    st = Status(
        id=status_id or str(uuid.uuid4()),
        request_timestamp=now,
        successes=successes,
        failures=failures,
    )
    return st, _ok(st.as_dict(), status=202)
