"""Manifest screening route: a PAXLST / PNRGOV message (or MRZ text) in, the report out."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from ctnode.api.deps import ActorDep, NodeDep, PurposeDep
from ctnode.errors import InvalidInput, TooLarge

router = APIRouter(tags=["travel"])

FormatQuery = Annotated[
    Literal["json", "jsonl", "csv"], Query(description="json (one object), jsonl or csv")
]


async def read_body(request: Request, limit: int) -> bytes:
    """The message: the raw request body, or the part ``file`` of a multipart form upload.

    Refused above ``limit`` bytes before it is all read.
    """
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
    data = b"".join(chunks)
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
    part = form.get("file")
    if not isinstance(part, UploadFile):
        raise InvalidInput("multipart upload without a file field named 'file'")
    return await part.read()


@router.post(
    "/screen/manifest",
    responses={
        200: {"content": {"application/json": {}, "application/x-ndjson": {}, "text/csv": {}}}
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/edifact": {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            },
        }
    },
)
async def screen_manifest(
    request: Request,
    node: NodeDep,
    actor: ActorDep,
    purpose: PurposeDep,
    format: FormatQuery = "json",
) -> Response:
    """Screen every traveller of a UN/EDIFACT PAXLST (D02B, D05B) or PNRGOV message.

    Send the message as the raw request body (or as the form field ``file``).
    The answer (``format=json``) is ``{"manifest": {...}, "travellers": [...]}``:
    the flights, declared and
    found counts, issues (what was skipped, with positions), and per traveller
    the names screened and the hits with their explanations. Hits enter the
    review queue; the run is audited as ``screen.manifest``.
    """
    from ctnode.travel import report as rpt
    from ctnode.travel.screen import screen_manifest as run

    data = await read_body(request, node.settings.max_upload_bytes)
    result = await run_in_threadpool(run, node, data, actor, purpose, channel="api")
    if format == "jsonl":
        return PlainTextResponse(rpt.to_jsonl(result), media_type="application/x-ndjson")
    if format == "csv":
        return PlainTextResponse(rpt.to_csv(result), media_type="text/csv")
    records = list(rpt.records(result))
    body: dict[str, Any] = {"manifest": records[0], "travellers": records[1:]}
    return JSONResponse(body)
