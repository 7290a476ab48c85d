"""Entity: a listed record with the provenance of every value, its history and decisions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from rigour.langs import iso_639_alpha2, iso_639_alpha3

from ctnode.errors import CTNodeError
from ctnode.web.app import Who, node_of, render, service_error
from ctnode.web.i18n import N_

router = APIRouter()
EVENTS = {"listed": N_("listed"), "changed": N_("changed"), "delisted": N_("delisted"),
          "relisted": N_("relisted"), "decision": N_("decision")}


@router.get("/entity/{entity_id:path}", response_class=HTMLResponse)
def entity(request: Request, who: Who, entity_id: str) -> HTMLResponse:
    try:
        view = node_of(request).screening.view_entity(entity_id[:255], who.actor)
    except CTNodeError as exc:
        return service_error(request, exc)
    return render(request, "entity.html", view=view, e=view.entity, events=EVENTS, bcp47=bcp47)


def bcp47(code: str | None) -> str | None:
    """A value's language as HTML's ``lang`` wants it (BCP 47: ``ar``, not the lists' ISO
    639-3 ``ara``); None when unknown (no attribute rather than a wrong one)."""
    if not code:
        return None
    return iso_639_alpha2(code) or iso_639_alpha3(code)
