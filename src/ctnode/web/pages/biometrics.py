"""Biometrics: a 1:N search with a photo or a fingerprint; the probe beside each candidate with
its score and calibrated decision, for a person to verify. Candidates' images are shown only
to people whose role holds ``biometric.view``, each image fetched separately and each view
audited by the service (``biometric.view``, with the search's purpose)."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ctnode.errors import CTNodeError, Forbidden
from ctnode.model.access import allowed
from ctnode.services.biometrics.types import SearchResult
from ctnode.web.app import Csrf, Who, node_of, refusal, render, service_error
from ctnode.web.forms import form_purpose
from ctnode.web.i18n import N_

router = APIRouter()
MODALITIES = {"face": N_("Face (photo)"), "fingerprint": N_("Fingerprint")}
DECISIONS = {"match": N_("match"), "possible": N_("possible match"), "no match": N_("no match")}
IMAGE_TYPES = {"image/jpeg", "image/png", "image/bmp", "image/tiff", "image/webp"}
# what a stored sample's format is sent as (a browser shows JPEG and PNG; WSQ is downloaded)
MEDIA = {"JPEG": "image/jpeg", "JPEGB": "image/jpeg", "PNG": "image/png", "WSQ": "image/x-wsq",
         "WSQ20": "image/x-wsq", "JPEG2000": "image/jp2"}

Field = Annotated[str, Form(max_length=300)]
PurposeQ = Annotated[str, Query(max_length=300)]


def _may(request: Request, who: Who, permission: str) -> bool:
    s = node_of(request).settings
    return allowed(who.actor, permission, set(s.biometric_roles), s.biometric_role_scopes)


def _form(request: Request, who: Who, status: int = 200, **context: object) -> HTMLResponse:
    context.setdefault("form", {"modality": "face"})
    context.setdefault("result", None)
    context.setdefault("error", None)
    return render(request, "biometrics.html", status=status, modalities=MODALITIES,
                  decisions=DECISIONS, can_view=_may(request, who, "biometric.view"),
                  back="/console/biometrics", **context)


@router.get("/biometrics", response_class=HTMLResponse)
def biometrics_page(request: Request, who: Who) -> HTMLResponse:
    if not _may(request, who, "biometric.search"):
        return service_error(request, Forbidden("this page needs the biometric search permission"))
    return _form(request, who)


@router.post("/biometrics", response_class=HTMLResponse, dependencies=[Csrf])
async def search(
    request: Request, who: Who, probe: Annotated[UploadFile, File()],
    modality: Annotated[str, Form(pattern="^(face|fingerprint)$")] = "face",
    purpose: Field = "", legal_basis: Field = "", case_ref: Field = "",
    position: Annotated[int | None, Form(ge=0, le=10)] = None,
) -> HTMLResponse:
    """Search the gallery with the uploaded probe (the console's body limit bounds it)."""
    form = {"modality": modality, "purpose": purpose, "legal_basis": legal_basis,
            "case_ref": case_ref, "position": position}
    data = await probe.read()
    node = node_of(request)
    why = form_purpose(purpose, legal_basis, case_ref)
    bio = node.biometrics.search

    def run() -> SearchResult:
        if modality == "face":
            return bio.face(who.actor, data, why)
        return bio.fingerprint(who.actor, data, why, position=position or None)

    try:
        result = await run_in_threadpool(run)
    except CTNodeError as exc:
        if exc.status_code in (401, 403):
            return service_error(request, exc)
        return _form(request, who, status=exc.status_code, form=form, error=refusal(request, exc))
    kind = probe.content_type if probe.content_type in IMAGE_TYPES else "image/png"
    shown = f"data:{kind};base64,{base64.b64encode(data).decode()}"
    return _form(request, who, form=form, result=result, probe=shown)


@router.get("/biometrics/image/{sample_id}", response_model=None)
def candidate_image(request: Request, who: Who, sample_id: str, purpose: PurposeQ = "",
                    legal_basis: PurposeQ = "", case_ref: PurposeQ = "") -> Response:
    """A candidate's enrolled image, decrypted for a person whose role may view it; audited."""
    why = form_purpose(purpose, legal_basis, case_ref)
    try:
        data, fmt = node_of(request).biometrics.enrolment.get_image(who.actor, sample_id[:64],
                                                                    why)
    except CTNodeError as exc:
        return service_error(request, exc)
    return Response(data, media_type=MEDIA.get(fmt.upper(), "application/octet-stream"))
