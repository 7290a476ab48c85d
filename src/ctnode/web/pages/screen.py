"""Screen: one person against the lists, with ranked hits and each feature's explanation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ctnode.errors import CTNodeError
from ctnode.web.app import Csrf, Who, node_of, refusal, render, service_error
from ctnode.web.forms import Subject
from ctnode.web.i18n import N_

router = APIRouter()

# What each feature of an explanation compares, in words (the matcher's keys).
FEATURES = {
    "name": N_("Name"),
    "name_part": N_("Part of the name"),
    "birth_date": N_("Date of birth"),
    "nationality": N_("Nationality"),
    "document": N_("Identity document"),
    "schema": N_("Kind of subject"),
    "calibration": N_("Calibration"),
    "name_rarity": N_("Rarity of the name parts"),
}
BANDS = {"match": N_("match"), "possible": N_("possible match"), "no match": N_("no match")}

@router.get("/screen", response_class=HTMLResponse)
def screen_page(request: Request, who: Who) -> HTMLResponse:
    return render(request, "screen.html", form={}, result=None, error=None, features=FEATURES,
                  bands=BANDS)


@router.post("/screen", response_class=HTMLResponse, dependencies=[Csrf])
def screen(request: Request, who: Who, subject: Subject) -> HTMLResponse:
    form = subject.as_dict()
    node = node_of(request)
    try:
        result = node.screening.screen(
            subject.query(), who.actor, subject.stated_purpose(), source="console")
    except CTNodeError as exc:
        if exc.status_code in (401, 403):
            return service_error(request, exc)
        return render(request, "screen.html", status=exc.status_code, form=form, result=None,
                      error=refusal(request, exc), features=FEATURES, bands=BANDS)
    return render(request, "screen.html", form=form, result=result, error=None,
                  features=FEATURES, bands=BANDS)
