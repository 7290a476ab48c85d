"""Manifest screening route: a PAXLST / PNRGOV message (or MRZ text) in, the report out."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from ctnode.api.deps import ActorDep, NodeDep, PurposeDep, read_upload

router = APIRouter(tags=["travel"])

FormatQuery = Annotated[
    Literal["json", "jsonl", "csv"], Query(description="json (one object), jsonl or csv")
]


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

    data = await read_upload(request, node.settings.max_upload_bytes)
    result = await run_in_threadpool(run, node, data, actor, purpose, channel="api")
    if format == "jsonl":
        return PlainTextResponse(rpt.to_jsonl(result), media_type="application/x-ndjson")
    if format == "csv":
        return PlainTextResponse(rpt.to_csv(result), media_type="text/csv")
    records = list(rpt.records(result))
    body: dict[str, Any] = {"manifest": records[0], "travellers": records[1:]}
    return JSONResponse(body)
