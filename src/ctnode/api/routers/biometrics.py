"""Biometric routes: enrol, import/export ANSI/NIST-ITL, 1:N search, view, purge.

Thin edge over ``ctnode.services.biometrics``. Images and transactions are sent
as the raw request body. Purpose, legal basis and case reference travel in the
``X-Purpose`` / ``X-Legal-Basis`` / ``X-Case-Ref`` headers; searches, image
views and exports are refused without them. Only roles in
``CTNODE_BIOMETRIC_ROLES`` and keys flagged biometric get past the service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ctnode.api.deps import ActorDep, Caller, CallerDep, NodeDep, read_limited
from ctnode.errors import InvalidInput
from ctnode.services.biometrics.types import EnrolRequest, ProbeTemplate

router = APIRouter(tags=["biometrics"])

IMAGE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/x-wsq": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
NIST_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
EntityId = Annotated[str, Path(description="Watchlist entity id", max_length=255)]
LegalBasis = Annotated[
    str | None,
    Query(
        max_length=500,
        description="Legal basis for holding the record (default: the X-Legal-Basis header)",
    ),
]
Source = Annotated[str, Query(max_length=200, description="Who captured or sent the image")]
Captured = Annotated[date | None, Query(description="Capture date (YYYY-MM-DD)")]
RetainUntil = Annotated[
    date | None, Query(description="Delete after this date (capped by the node's limit)")
]
MultiFaces = Annotated[
    Literal["largest", "refuse"] | None,
    Query(description="When several faces: use the largest (said so) or refuse"),
]
Finger = Annotated[
    int | None,
    Query(ge=0, le=12, description="ANSI/NIST finger position: 1-10, 11-12 thumbs, 0 unknown"),
]
Ppi = Annotated[int, Query(ge=250, le=2000, description="Scan resolution, pixels per inch")]
ProbeFacesQ = Annotated[
    Literal["all", "largest", "refuse"],
    Query(description="Faces of the probe to search: every face (each answer says which), the "
          "largest, or refuse a probe with several"),
]
K = Annotated[int | None, Query(ge=1, le=1000, description="Most candidates to return")]
Network = Annotated[
    bool,
    Query(
        description="Also send the template (never the image) to peers whose agreement allows "
        "biometric queries; needs X-Case-Ref too. Their hit / no-hit answers come back in `peers`."
    ),
]

_MEDIA = {
    "JPEG": "image/jpeg",
    "JPEGB": "image/jpeg",
    "PNG": "image/png",
    "WSQ": "image/x-wsq",
    "WSQ20": "image/x-wsq",
    "JPEG2000": "image/jp2",
}


async def _body(request: Request, call: Caller) -> bytes:
    data = await read_limited(request, call.node.settings.max_upload_bytes)
    if not data:
        raise InvalidInput("empty body: send the image or transaction as the request body")
    return data


def _basis(query: str | None, call: Caller) -> str:
    basis = (query or call.purpose.legal_basis or "").strip()
    if not basis:
        raise InvalidInput(
            "legal_basis (query) or the X-Legal-Basis header is required to hold biometric data"
        )
    return basis


@dataclass(frozen=True, slots=True)
class Holding:
    """What both image enrolments are told about the record they make (query parameters):
    the entity, the legal basis for holding it, who captured it, when, until when to keep it."""

    entity_id: EntityId
    legal_basis: LegalBasis = None
    source: Source = ""
    capture_date: Captured = None
    retain_until: RetainUntil = None


HoldingQ = Annotated[Holding, Depends()]


async def _enrolment(request: Request, call: Caller, held: Holding, **kind: Any) -> EnrolRequest:
    """The enrolment request of an image route: the image is the body."""
    data = await _body(request, call)
    return EnrolRequest(held.entity_id, data, _basis(held.legal_basis, call), held.source,
                        held.capture_date, held.retain_until, **kind)


@router.post("/entities/{entity_id}/biometrics/face", status_code=201, openapi_extra=IMAGE_BODY)
async def enrol_face(
    request: Request, call: CallerDep, held: HoldingQ, multiple_faces: MultiFaces = None
) -> dict[str, Any]:
    """Attach a face image to an entity.

    One face is embedded: the largest (the answer's ``note`` says so when there
    were several) or, with ``multiple_faces=refuse``, none. Audited as
    ``biometric.enrol``.
    """
    req = await _enrolment(request, call, held, multiple_faces=multiple_faces)
    enrolment = call.node.biometrics.enrolment
    return (await run_in_threadpool(enrolment.enrol_face, call.actor, req)).as_dict()


@router.post(
    "/entities/{entity_id}/biometrics/fingerprint", status_code=201, openapi_extra=IMAGE_BODY
)
async def enrol_fingerprint(
    request: Request, call: CallerDep, held: HoldingQ, finger: Finger = None, ppi: Ppi = 500
) -> dict[str, Any]:
    """Attach one fingerprint (PNG, WSQ, JPEG ...) to an entity; NBIS minutiae are extracted.
    A print with too few minutiae is refused (``poor_print``)."""
    req = await _enrolment(request, call, held, position=finger, ppi=ppi)
    enrolment = call.node.biometrics.enrolment
    return (await run_in_threadpool(enrolment.enrol_fingerprint, call.actor, req)).as_dict()


@router.post("/entities/{entity_id}/biometrics/ansi-nist", status_code=201, openapi_extra=NIST_BODY)
async def import_ansi_nist(
    request: Request, call: CallerDep, entity_id: EntityId, legal_basis: LegalBasis = None
) -> dict[str, Any]:
    """Import an ANSI/NIST-ITL transaction (Type-1, 2, 4, 9, 10, 13, 14) onto an entity.

    Whole or not at all.
    Records of other types are listed under ``skipped`` with the reason."""
    data = await _body(request, call)
    basis = _basis(legal_basis, call)
    enrolment = call.node.biometrics.enrolment
    result = await run_in_threadpool(
        lambda: enrolment.import_ansi_nist(call.actor, data, entity_id=entity_id,
                                           legal_basis=basis)
    )
    return result.as_dict()


@router.get(
    "/entities/{entity_id}/biometrics/ansi-nist",
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def export_ansi_nist(call: CallerDep, entity_id: EntityId) -> Response:
    """The entity's faces and fingerprints as ANSI/NIST-ITL 2011 (needs purpose headers)."""
    data = await run_in_threadpool(
        call.node.biometrics.enrolment.export_ansi_nist, call.actor, entity_id, call.purpose
    )
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{entity_id}.an2"'},
    )


@router.get("/entities/{entity_id}/biometrics")
async def list_samples(call: CallerDep, entity_id: EntityId) -> dict[str, Any]:
    """The entity's biometric records: kind, finger, source, quality, basis, provenance."""
    samples = await run_in_threadpool(
        call.node.biometrics.enrolment.list_samples, call.actor, entity_id, call.purpose
    )
    return {"entity_id": entity_id, "samples": samples}


@router.get("/biometrics/samples/{sample_id}/image", responses={200: {"content": {"image/*": {}}}})
async def sample_image(
    call: CallerDep, sample_id: Annotated[str, Path(max_length=36)]
) -> Response:
    """One sample's image as stored (decrypted for this response; audited; needs purpose)."""
    data, fmt = await run_in_threadpool(
        call.node.biometrics.enrolment.get_image, call.actor, sample_id, call.purpose
    )
    return Response(data, media_type=_MEDIA.get(fmt.upper(), "application/octet-stream"))


@router.delete("/biometrics/samples/{sample_id}", status_code=204)
async def delete_sample(
    node: NodeDep,
    actor: ActorDep,
    sample_id: Annotated[str, Path(max_length=36)],
    reason: Annotated[str, Query(min_length=3, max_length=500)],
) -> Response:
    """Delete one sample and its templates (correction, delisting); the reason is audited."""
    await run_in_threadpool(node.biometrics.enrolment.delete_sample, actor, sample_id, reason)
    return Response(status_code=204)


async def _network(call: Caller, probe: Callable[[], ProbeTemplate]) -> dict[str, Any]:
    """The template (made here, never the image) sent to peers: their hit / no-hit answers."""
    return await run_in_threadpool(
        lambda: call.node.federation.biometric.query(probe(), call.actor, call.purpose).to_dict()
    )


@router.post("/biometrics/search/face", openapi_extra=IMAGE_BODY)
async def search_face(
    request: Request,
    call: CallerDep,
    k: K = None,
    faces: ProbeFacesQ = "all",
    multiple_faces: MultiFaces = None,
    network: Network = False,
) -> dict[str, Any]:
    """1:N face search of every face in the probe. ``faces`` has one answer per face (number,
    box, quality, candidates); ``candidates`` lists them all, best first, each naming its
    ``face``. Candidates (entity, list reference, score, decision calibrated for the gallery
    size, explanation) are leads for a person to verify. Needs ``X-Purpose`` and
    ``X-Legal-Basis``. ``multiple_faces`` (older spelling) overrides ``faces``."""
    data = await _body(request, call)
    bio = call.node.biometrics
    which = multiple_faces or faces
    result = await run_in_threadpool(
        lambda: bio.search.face(call.actor, data, call.purpose, k=k, probe_faces=which)
    )
    out = result.as_dict()
    if network:
        out["network"] = await _network(
            call, lambda: bio.exchange.make_probe(call.actor, data, "face", call.purpose)
        )
    return out


@router.post("/biometrics/search/fingerprint", openapi_extra=IMAGE_BODY)
async def search_fingerprint(
    request: Request,
    call: CallerDep,
    finger: Finger = None,
    ppi: Ppi = 500,
    k: K = None,
    network: Network = False,
) -> dict[str, Any]:
    """1:N fingerprint search (NBIS Bozorth3).

    With ``finger``, candidates of another known finger are left out.
    """
    data = await _body(request, call)
    bio = call.node.biometrics
    result = await run_in_threadpool(
        lambda: bio.search.fingerprint(call.actor, data, call.purpose, position=finger, ppi=ppi,
                                       k=k)
    )
    out = result.as_dict()
    if network:
        out["network"] = await _network(call, lambda: bio.exchange.make_probe(
            call.actor, data, "fingerprint", call.purpose, position=finger))
    return out


@router.post("/biometrics/purge")
async def purge(node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    """Delete every biometric record past its retention date."""
    n = await run_in_threadpool(node.biometrics.enrolment.purge_expired, actor)
    return {"deleted": n}
