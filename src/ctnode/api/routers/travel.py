"""Manifest screening route: a PAXLST / PNRGOV message (or MRZ text) in, the report out."""

from __future__ import annotations

from fastapi import APIRouter, Request
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

router = APIRouter(tags=["travel"])


@router.post(
    "/screen/manifest",
    responses=REPORT_RESPONSES,
    openapi_extra=upload_body("application/edifact"),
)
async def screen_manifest(
    request: Request,
    node: NodeDep,
    actor: ActorDep,
    purpose: PurposeDep,
    format: ReportFormat = "json",
) -> Response:
    """Screen every traveller of a UN/EDIFACT PAXLST (D02B, D05B) or PNRGOV message.

    Send the message as the raw request body (or as the form field ``file``).
    The answer (``format=json``) is ``{"manifest": {...}, "travellers": [...]}``:
    the flights, declared and
    found counts, issues (what was skipped, with positions), and per traveller
    the names screened and the hits with their explanations. Hits enter the
    review queue; the run is audited as ``screen.manifest``.
    """
    data = await read_upload(request, node.settings.max_upload_bytes)
    result = await run_in_threadpool(
        lambda: node.manifests.screen(data, actor, purpose, channel="api")
    )
    return report_response(format, result, "manifest", "travellers")
