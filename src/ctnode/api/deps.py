"""Shared FastAPI dependencies as ``Annotated`` aliases (the node, the calling actor, the
purpose), bounded body readers, and the upload-in / report-out shape of the file routes."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Header, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from ctnode.api.guard import STATE_ACTOR, client_address, token_from_headers
from ctnode.errors import InvalidInput, TooLarge
from ctnode.model.access import Actor, Purpose
from ctnode.node import Node
from ctnode.services.batches import reports

# The largest row number or offset a query parameter may name: a signed 64-bit integer, what
# SQLite and PostgreSQL store (a larger one would reach the driver and fail as a 500).
MAX_ROW = 2**63 - 1
# Audit sequence numbers are 32-bit integers in the store (schema ``audit_log.seq``).
MAX_AUDIT_SEQ = 2**31 - 1


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]


def get_actor(
    request: Request,
    node: NodeDep,
    x_api_key: Annotated[str | None, Header(description="API key: ctn_<id>_<secret>")] = None,
    authorization: Annotated[
        str | None, Header(description="'ApiKey <key>' or 'Bearer <key>'")
    ] = None,
) -> Actor:
    # The request guard (api/guard.py) checked the key before the body was read.
    checked = getattr(request.state, STATE_ACTOR, None)
    if isinstance(checked, Actor):
        return checked
    token = token_from_headers(x_api_key, authorization)
    return node.access.authenticate(token, source=client_address(request.scope))


ActorDep = Annotated[Actor, Depends(get_actor)]


def get_purpose(
    purpose: Annotated[str | None, Header(alias="X-Purpose", max_length=200)] = None,
    legal_basis: Annotated[str | None, Header(alias="X-Legal-Basis", max_length=500)] = None,
    case_ref: Annotated[str | None, Header(alias="X-Case-Ref", max_length=200)] = None,
) -> Purpose:
    return Purpose(purpose=purpose, legal_basis=legal_basis, case_ref=case_ref)


PurposeDep = Annotated[Purpose, Depends(get_purpose)]


@dataclass(frozen=True, slots=True)
class Caller:
    """The node, the calling actor and the purpose stated: what a route acting for someone needs."""

    node: Node
    actor: Actor
    purpose: Purpose


def get_caller(node: NodeDep, actor: ActorDep, purpose: PurposeDep) -> Caller:
    return Caller(node, actor, purpose)


CallerDep = Annotated[Caller, Depends(get_caller)]


async def read_limited(request: Request, limit: int) -> bytes:
    """The raw request body, refused with 413 above ``limit`` bytes before it is all read."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"body of {declared} bytes exceeds the limit of {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_upload(request: Request, limit: int) -> bytes:
    """A file sent as the raw body, or as the part ``file`` of a multipart form upload."""
    data = await read_limited(request, limit)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        data = await _form_file(request, data)
    if not data.strip():
        raise InvalidInput(
            "empty body: send the message as the request body (or as the form field 'file')"
        )
    return data


async def _form_file(request: Request, body: bytes) -> bytes:
    from starlette.datastructures import UploadFile
    from starlette.formparsers import MultiPartException, MultiPartParser

    async def replay() -> AsyncGenerator[bytes, None]:
        yield body

    try:
        form = await MultiPartParser(request.headers, replay()).parse()
    except MultiPartException as exc:
        raise InvalidInput(f"multipart form unreadable: {exc.message}") from None
    try:
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise InvalidInput("multipart upload without a file field named 'file'")
        return await part.read()
    finally:
        await form.close()  # the parts' spooled temporary files


# ---- file routes: a message uploaded, a report returned ----------------------------------

ReportFormat = Annotated[
    Literal["json", "jsonl", "csv"], Query(description="json (one object), jsonl or csv")
]
REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "application/x-ndjson": {}, "text/csv": {}}}
}


def upload_body(media_type: str) -> dict[str, Any]:
    """OpenAPI request body of a file route: the raw message, or a form field ``file``."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                media_type: {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            },
        }
    }


HitsOnly = Annotated[
    bool, Query(description="leave out the subjects with nothing to review (no hit, none "
                            "suppressed, screened), in every format")
]


def report_response(fmt: str, result: reports.Report, head: str, rows: str, *,
                    hits_only: bool = False) -> Response:
    """A screened file's report in the asked format; JSON is ``{head: first record, rows:
    the others}``."""
    if fmt == "jsonl":
        return PlainTextResponse(reports.to_jsonl(result, hits_only=hits_only),
                                 media_type="application/x-ndjson")
    if fmt == "csv":
        return PlainTextResponse(reports.to_csv(result, hits_only=hits_only),
                                 media_type="text/csv")
    records = list(reports.records(result, hits_only=hits_only))
    return JSONResponse({head: records[0], rows: records[1:]})
