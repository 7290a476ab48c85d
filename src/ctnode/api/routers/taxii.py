"""The TAXII 2.1 server: discovery at ``/taxii2/``, the one API root ``/taxii2/api1/``.

TAXII clients authenticate with the node's API keys, the way TAXII clients do: HTTP Basic
(user: the key id, password: the key's secret, or any user with the whole
``ctn_<id>_<secret>`` token as password) or ``Authorization: Bearer <token>``
(``X-API-Key`` works too), checked by the request guard (``api/guard.py``) before a body is
read. Every answer, errors included, is
``application/taxii+json;version=2.1``; errors are TAXII error resources. The routes
parse, call ``node.taxii`` (``services/intel/taxii.py``) and write its answer back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ctnode.api.deps import NodeDep, read_limited
from ctnode.api.guard import STATE_ACTOR, TAXII_CHALLENGE, client_address, taxii_token
from ctnode.errors import CTNodeError, Unauthorized
from ctnode.intel.taxii import protocol
from ctnode.intel.taxii.media import TAXII_MEDIA_TYPE, TaxiiUnauthorized
from ctnode.model.access import Actor
from ctnode.node import Node
from ctnode.services.intel.taxii import ReadEndpoint

router = APIRouter(prefix="/taxii2", tags=["taxii"])
ROOT = "/api1"
CollectionId = Annotated[str, Path(max_length=64, description="collection id or alias")]
ObjectId = Annotated[str, Path(max_length=300, description="STIX id, type--UUID")]
# The TAXII error resource (TAXII 2.1 section 3.6.1): every error of these routes.
TAXII_ERROR = {
    "type": "object",
    "required": ["title"],
    "properties": {
        "title": {"type": "string"},
        "description": {"type": "string"},
        "error_code": {"type": "string"},
        "http_status": {"type": "string"},
        "details": {"type": "object"},
    },
}
TAXII_DOC: dict[str, Any] = {
    "responses": {
        200: {"description": "A TAXII resource", "content": {TAXII_MEDIA_TYPE: {}}},
        202: {"description": "Accepted: a status resource", "content": {TAXII_MEDIA_TYPE: {}}},
        "4XX": {"content": {TAXII_MEDIA_TYPE: {"schema": TAXII_ERROR}}},
    }
}


def _actor(request: Request, node: Node) -> Actor:
    """The caller: checked by the request guard (``api/guard.py``) before any body was read,
    from HTTP Basic, Bearer, ApiKey or X-API-Key."""
    checked = getattr(request.state, STATE_ACTOR, None)
    if isinstance(checked, Actor):
        return checked
    token = taxii_token(request.headers.get("x-api-key"), request.headers.get("authorization"))
    return node.access.authenticate(token, source=client_address(request.scope))


def _write(resp: protocol.TaxiiResponse) -> Response:
    headers = dict(resp.headers)
    media = headers.pop("Content-Type", TAXII_MEDIA_TYPE)
    return Response(resp.json_bytes(), status_code=resp.status, headers=headers, media_type=media)


async def _answer(
    request: Request, node: Node, call: Callable[[Actor], protocol.TaxiiResponse]
) -> Response:
    """Authenticate, run the call in a worker thread, render any error as a TAXII error."""
    try:
        actor = await run_in_threadpool(_actor, request, node)
        return _write(await run_in_threadpool(call, actor))
    except Unauthorized as exc:
        resp = _write(protocol.error(TaxiiUnauthorized(exc.message)))
        resp.headers["WWW-Authenticate"] = TAXII_CHALLENGE
        return resp
    except CTNodeError as exc:
        return _write(protocol.error(exc))


Accept = Annotated[str | None, Header()]


@router.get("/", openapi_extra=TAXII_DOC)
async def discovery(request: Request, node: NodeDep, accept: Accept = None) -> Response:
    """TAXII discovery: the server's title and its API root."""
    base = str(request.base_url)
    return await _answer(request, node, lambda _a: node.taxii.discovery(base, accept))


@router.get(ROOT + "/", openapi_extra=TAXII_DOC)
async def api_root(request: Request, node: NodeDep, accept: Accept = None) -> Response:
    """The API root: versions and ``max_content_length``."""
    return await _answer(request, node, lambda _a: node.taxii.api_root(accept))


@router.get(ROOT + "/status/{status_id}/", openapi_extra=TAXII_DOC)
async def status(
    request: Request,
    node: NodeDep,
    status_id: Annotated[str, Path(max_length=64)],
    accept: Accept = None,
) -> Response:
    """The status resource of an earlier POST (only its poster, or an admin, sees it)."""
    return await _answer(request, node, lambda a: node.taxii.status(a, status_id, accept))


@router.get(ROOT + "/collections/", openapi_extra=TAXII_DOC)
async def collections(request: Request, node: NodeDep, accept: Accept = None) -> Response:
    """The collections the key may read or write."""
    return await _answer(request, node, lambda a: node.taxii.collections(a, accept))


@router.get(ROOT + "/collections/{collection_id}/", openapi_extra=TAXII_DOC)
async def collection(
    request: Request, node: NodeDep, collection_id: CollectionId, accept: Accept = None
) -> Response:
    """One collection, with what the key may do (``can_read``, ``can_write``)."""
    return await _answer(request, node, lambda a: node.taxii.collection(a, collection_id, accept))


class Target(NamedTuple):
    """What an object route names: the collection, the Accept header, the object."""

    collection_id: str
    accept: str | None
    object_id: str


def _target(collection_id: CollectionId, object_id: ObjectId, accept: Accept = None) -> Target:
    return Target(collection_id, accept, object_id)


ObjectTarget = Annotated[Target, Depends(_target)]


def _params(request: Request) -> list[tuple[str, str]]:
    return list(request.query_params.multi_items())


async def _read(
    request: Request,
    node: Node,
    endpoint: ReadEndpoint,
    collection_id: str,
    accept: str | None,
    object_id: str | None = None,
) -> Response:
    params = _params(request)
    return await _answer(
        request,
        node,
        lambda a: node.taxii.read(a, endpoint, collection_id, params, accept, object_id),
    )


@router.get(ROOT + "/collections/{collection_id}/objects/", openapi_extra=TAXII_DOC)
async def get_objects(
    request: Request, node: NodeDep, collection_id: CollectionId, accept: Accept = None
) -> Response:
    """Objects, filtered by ``added_after``, ``match[id|type|version|spec_version]``, paged by
    ``limit`` and ``next``."""
    return await _read(request, node, "objects", collection_id, accept)


@router.post(ROOT + "/collections/{collection_id}/objects/", openapi_extra=TAXII_DOC)
async def add_objects(
    request: Request, node: NodeDep, collection_id: CollectionId, accept: Accept = None
) -> Response:
    """Add objects (a TAXII envelope); 202 with a status resource."""
    limit = node.settings.taxii_max_content_length
    ctype = request.headers.get("content-type")

    async def body() -> bytes:
        return await read_limited(request, limit)

    return await _with_body(
        request,
        node,
        body,
        lambda a, data: node.taxii.add_objects(a, collection_id, data, ctype, accept),
    )


async def _with_body(
    request: Request,
    node: Node,
    read: Callable[[], Awaitable[bytes]],
    call: Callable[[Actor, bytes], protocol.TaxiiResponse],
) -> Response:
    try:
        data = await read()
    except CTNodeError as exc:
        return _write(protocol.error(exc))
    return await _answer(request, node, lambda a: call(a, data))


@router.get(ROOT + "/collections/{collection_id}/manifest/", openapi_extra=TAXII_DOC)
async def get_manifest(
    request: Request, node: NodeDep, collection_id: CollectionId, accept: Accept = None
) -> Response:
    """Manifest records (id, date_added, version, media_type) of the selected objects."""
    return await _read(request, node, "manifest", collection_id, accept)


@router.get(ROOT + "/collections/{collection_id}/objects/{object_id}/", openapi_extra=TAXII_DOC)
async def get_object(request: Request, node: NodeDep, target: ObjectTarget) -> Response:
    """One object (its last version unless ``match[version]`` says otherwise)."""
    return await _read(request, node, "object", *target)


@router.delete(ROOT + "/collections/{collection_id}/objects/{object_id}/", openapi_extra=TAXII_DOC)
async def delete_object(request: Request, node: NodeDep, target: ObjectTarget) -> Response:
    """Delete an object's versions (all, or those ``match[version]`` names); admins only."""
    params = _params(request)
    return await _answer(
        request,
        node,
        lambda a: node.taxii.delete_object(
            a, target.collection_id, target.object_id, params, target.accept
        ),
    )


@router.get(
    ROOT + "/collections/{collection_id}/objects/{object_id}/versions/", openapi_extra=TAXII_DOC
)
async def get_versions(request: Request, node: NodeDep, target: ObjectTarget) -> Response:
    """The version timestamps of one object."""
    return await _read(request, node, "versions", *target)
