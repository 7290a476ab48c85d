"""File screening routes: a manifest (PAXLST, PNRGOV, MRZ) or a payment file (ISO 20022,
MT103) in, the report out (JSON, JSON lines or CSV)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ctnode.api.deps import (
    REPORT_RESPONSES,
    CallerDep,
    HitsOnly,
    ReportFormat,
    read_upload,
    report_response,
    upload_body,
)

router = APIRouter()


@router.post(
    "/screen/manifest", tags=["travel"], responses=REPORT_RESPONSES,
    openapi_extra=upload_body("application/edifact"),
)
async def screen_manifest(
    request: Request, call: CallerDep, format: ReportFormat = "json", hits_only: HitsOnly = False
) -> Response:
    """Screen every traveller of a UN/EDIFACT PAXLST (D02B, D05B) or PNRGOV message.

    Send the message as the raw request body (or as the form field ``file``).
    The answer (``format=json``) is ``{"manifest": {...}, "travellers": [...]}``:
    the flights, declared and
    found counts, issues (what was skipped, with positions), and per traveller
    the names screened and the hits with their explanations. Hits enter the
    review queue; the run is audited as ``screen.manifest``.
    """
    data = await read_upload(request, call.node.settings.max_upload_bytes)
    result = await run_in_threadpool(
        lambda: call.node.manifests.screen(data, call.actor, call.purpose, channel="api")
    )
    return report_response(format, result, "manifest", "travellers", hits_only=hits_only)


@router.post(
    "/screen/payments", tags=["payments"], responses=REPORT_RESPONSES,
    openapi_extra=upload_body("application/xml"),
)
async def screen_payments(
    request: Request,
    call: CallerDep,
    format: ReportFormat = "json",
    hits_only: HitsOnly = False,
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
    data = await read_upload(request, call.node.settings.max_upload_bytes)
    result = await run_in_threadpool(
        lambda: call.node.payments.screen(data, call.actor, call.purpose, validate=validate,
                                          channel="api")
    )
    return report_response(format, result, "message", "transactions", hits_only=hits_only)
