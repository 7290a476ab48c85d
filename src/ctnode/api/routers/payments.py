"""Payment screening route: an ISO 20022 or MT103 file in, the report out."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from ctnode.api.deps import ActorDep, NodeDep, PurposeDep, read_upload

router = APIRouter(tags=["payments"])


@router.post(
    "/screen/payments",
    responses={
        200: {"content": {"application/json": {}, "application/x-ndjson": {}, "text/csv": {}}}
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/xml": {"schema": {"type": "string"}},
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
async def screen_payments(
    request: Request,
    node: NodeDep,
    actor: ActorDep,
    purpose: PurposeDep,
    format: Annotated[
        Literal["json", "jsonl", "csv"], Query(description="json (one object), jsonl or csv")
    ] = "json",
    validate: Annotated[
        bool | None,
        Query(
            description="validate ISO 20022 against the official XSDs (default: when "
            "CTNODE_PAYMENTS_XSD_DIR is set)"
        ),
    ] = None,
) -> Response:
    """Screen every party and crypto address of a pacs.008 / pain.001 XML or MT103 file.

    Send the file as the raw request body (or as the form field ``file``).
    The answer (``format=json``) is ``{"message": {...}, "transactions": [...]}``:
    per transaction the parties
    (role, names screened, identifiers, hits with explanations) and the
    wallet addresses found (valid or not, and the listings they match). Hits
    enter the review queue; the run is audited as ``screen.payments``.
    """
    from ctnode.payments import report as rpt
    from ctnode.payments.screen import screen_payments as run

    data = await read_upload(request, node.settings.max_upload_bytes)
    result = await run_in_threadpool(
        run, node, data, actor, purpose, validate=validate, channel="api"
    )
    if format == "jsonl":
        return PlainTextResponse(rpt.to_jsonl(result), media_type="application/x-ndjson")
    if format == "csv":
        return PlainTextResponse(rpt.to_csv(result), media_type="text/csv")
    records = list(rpt.records(result))
    body: dict[str, Any] = {"message": records[0], "transactions": records[1:]}
    return JSONResponse(body)
