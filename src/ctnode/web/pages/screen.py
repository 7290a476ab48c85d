"""Screen: one person against the lists, with ranked hits and each feature's explanation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from ctnode.errors import CTNodeError
from ctnode.model.access import Purpose
from ctnode.services.screening.query import build_query
from ctnode.web.app import Csrf, Who, node_of, render, service_error
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
}
BANDS = {"match": N_("match"), "possible": N_("possible match"), "no match": N_("no match")}

Field = Annotated[str, Form(max_length=300)]


@router.get("/screen", response_class=HTMLResponse)
def screen_page(request: Request, who: Who) -> HTMLResponse:
    return render(request, "screen.html", form={}, result=None, error=None, features=FEATURES,
                  bands=BANDS)


@router.post("/screen", response_class=HTMLResponse, dependencies=[Csrf])
def screen(
    request: Request, who: Who, name: Field, birth_date: Field = "", nationality: Field = "",
    document: Field = "", purpose: Field = "", legal_basis: Field = "", case_ref: Field = "",
) -> HTMLResponse:
    form = {"name": name, "birth_date": birth_date, "nationality": nationality,
            "document": document, "purpose": purpose, "legal_basis": legal_basis,
            "case_ref": case_ref}
    node = node_of(request)
    try:
        query = build_query(
            [name], birth_dates=[birth_date] if birth_date.strip() else [],
            nationalities=[nationality] if nationality.strip() else [],
            documents=[document] if document.strip() else [])
        result = node.screening.screen(
            query, who.actor,
            Purpose(purpose.strip() or None, legal_basis.strip() or None, case_ref.strip() or None),
            source="console")
    except CTNodeError as exc:
        if exc.status_code in (401, 403):
            return service_error(request, exc)
        return render(request, "screen.html", status=exc.status_code, form=form, result=None,
                      error=exc.message, features=FEATURES, bands=BANDS)
    return render(request, "screen.html", form=form, result=result, error=None,
                  features=FEATURES, bands=BANDS)
