"""Payment screening route: an ISO 20022 or MT103 file in, the report out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ctnode.api.deps import (
    REPORT_RESPONSES,
    ActorDep,
    NodeDep,
    PurposeDep,
    ReportFormat,
    read_upload,
    report_response,
    upload_body,
)

router = APIRouter(tags=["payments"])


@router.post(
    "/screen/payments", responses=REPORT_RESPONSES, openapi_extra=upload_body("application/xml")
)
async def screen_payments(
    request: Request,
    node: NodeDep,
    actor: ActorDep,
    purpose: PurposeDep,
    format: ReportFormat = "json",
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
    data = await read_upload(request, node.settings.max_upload_bytes)
    result = await run_in_threadpool(
        lambda: node.payments.screen(data, actor, purpose, validate=validate, channel="api")
    )
    return report_response(format, result, "message", "transactions")
