"""Entity: a listed record with the provenance of every value, its history and decisions, the
threat actors and intrusion sets that name it (for ``intel.read``; audited ``intel.view``), and
its biometric records for people whose role holds ``biometric.view`` (the list audited by the
biometric service; each image fetched from the Biometrics page's image route, which needs a
purpose and a legal basis and audits every view)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from rigour.langs import iso_639_alpha2, iso_639_alpha3

from ctnode.errors import CTNodeError
from ctnode.model.access import Purpose, allowed
from ctnode.web.app import Who, node_of, render, service_error
from ctnode.web.i18n import N_

router = APIRouter()
EVENTS = {"listed": N_("listed"), "changed": N_("changed"), "delisted": N_("delisted"),
          "relisted": N_("relisted"), "decision": N_("decision")}


PurposeQ = Annotated[str, Query(max_length=300)]
MODALITIES = {"face": N_("Face (photo)"), "fingerprint": N_("Fingerprint")}


@router.get("/entity/{entity_id:path}", response_class=HTMLResponse)
def entity(request: Request, who: Who, entity_id: str, purpose: PurposeQ = "",
           legal_basis: PurposeQ = "", case_ref: PurposeQ = "") -> HTMLResponse:
    node = node_of(request)
    why = Purpose(purpose.strip() or None, legal_basis.strip() or None, case_ref.strip() or None)
    s = node.settings
    may_view = allowed(who.actor, "biometric.view", set(s.biometric_roles),
                       s.biometric_role_scopes)
    may_read_intel = allowed(who.actor, "intel.read", set(s.biometric_roles),
                             s.biometric_role_scopes)
    samples: list[dict[str, Any]] = []
    intel: list[dict[str, Any]] = []
    try:
        view = node.screening.view_entity(entity_id[:255], who.actor)
        if may_read_intel:  # the threat actors and intrusion sets naming it (intel.view)
            intel = node.intel.linked_to(who.actor, view.entity.id)
        if may_view:
            samples = [{**b, "created_at": datetime.fromisoformat(b["created_at"])}
                       for b in node.biometrics.enrolment.list_samples(who.actor,
                                                                       view.entity.id, why)]
    except CTNodeError as exc:
        return service_error(request, exc)
    form = {"purpose": purpose, "legal_basis": legal_basis, "case_ref": case_ref}
    return render(request, "entity.html", view=view, e=view.entity, events=EVENTS, bcp47=bcp47,
                  may_view=may_view, samples=samples, modalities=MODALITIES, form=form,
                  show_images=bool(why.purpose and why.legal_basis),
                  may_read_intel=may_read_intel, intel=intel)


def bcp47(code: str | None) -> str | None:
    """A value's language as HTML's ``lang`` wants it (BCP 47: ``ar``, not the lists' ISO
    639-3 ``ara``); None when unknown (no attribute rather than a wrong one)."""
    if not code:
        return None
    return iso_639_alpha2(code) or iso_639_alpha3(code)
