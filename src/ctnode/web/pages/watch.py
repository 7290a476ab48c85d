"""Watch (issue 15): one's alerts (acknowledge them), one's subjects under watch (remove one
with a reason), and putting a person or a file of people under watch.

Thin edge over ``node.monitoring`` (permissions ``watch.*``; listing subjects shows names and
is audited as ``watch.list``, adding as ``watch.add`` / ``watch.import``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctnode.errors import CTNodeError
from ctnode.services.monitoring.files import check_birth_dates, fields_of
from ctnode.web.app import PREFIX, Csrf, Who, node_of, refusal, render, service_error
from ctnode.web.forms import Subject, Text, form_purpose, read_upload
from ctnode.web.i18n import N_
from ctnode.web.pages.screen import BANDS

router = APIRouter()
PAGE_SIZE = 50
ALERT_KINDS = {"new": N_("new hit"), "band": N_("band changed"), "gone": N_("hit gone"),
               "expiry": N_("watch ends soon")}
FILE_FORMATS = {"csv": "CSV", "jsonl": "JSON lines", "manifest": "PAXLST / PNRGOV / MRZ",
                "payments": "ISO 20022 / MT103"}


def _page(request: Request, who: Who, *, status: int = 200, error: str | None = None,
          done: str | None = None, show: str = "unread", page: int = 1,
          form: dict[str, str] | None = None) -> HTMLResponse:
    mon = node_of(request).monitoring
    try:
        alerts = mon.alerts(who.actor, unread=show == "unread", limit=200)
        subjects = mon.list_subjects(who.actor, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        total = mon.count(who.actor.name)
    except CTNodeError as exc:
        return service_error(request, exc)
    pages = max(1, -(-total // PAGE_SIZE))
    return render(request, "watch.html", back=f"{PREFIX}/watch", status=status, error=error,
                  done=done, alerts=alerts,
                  subjects=subjects, total=total, page=page, pages=pages, show=show,
                  kinds=ALERT_KINDS, bands=BANDS, formats=FILE_FORMATS, form=form or {},
                  max_days=node_of(request).settings.watch_max_days)


@router.get("/watch", response_class=HTMLResponse)
def watch(request: Request, who: Who,
          show: Annotated[Literal["unread", "all"], Query()] = "unread",
          page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> HTMLResponse:
    return _page(request, who, show=show, page=page)


@router.post("/watch/add", response_class=HTMLResponse, dependencies=[Csrf])
def add(
    request: Request, who: Who, subject: Subject,
    days: Annotated[int | None, Form(ge=1, le=36_500)] = None,
) -> HTMLResponse:
    form = subject.as_dict()
    node = node_of(request)
    try:
        check_birth_dates("birth date", subject.birth_dates)
        result = node.monitoring.add(
            [fields_of(subject.query())], who.actor, subject.stated_purpose(), days=days,
            source="console")
    except CTNodeError as exc:
        if exc.status_code in (401, 403):
            return service_error(request, exc)
        return _page(request, who, status=exc.status_code, error=refusal(request, exc), form=form)
    return _page(request, who, done=f"{len(result.subjects)}:{len(result.alerts)}")


@router.post("/watch/import", response_class=HTMLResponse, dependencies=[Csrf])
async def import_file(
    request: Request, who: Who, file: Annotated[UploadFile, File()],
    format: Annotated[Literal["csv", "jsonl", "manifest", "payments"], Form()],
    purpose: Text = "", legal_basis: Text = "", case_ref: Text = "",
    days: Annotated[int | None, Form(ge=1, le=36_500)] = None,
) -> HTMLResponse:
    node = node_of(request)
    limit = node.settings.console_max_upload_bytes
    try:
        name, data = await read_upload(file, "file", limit)
        result = node.monitoring.import_file(
            data, format, who.actor,
            form_purpose(purpose, legal_basis, case_ref), name=name, days=days)
    except CTNodeError as exc:
        if exc.status_code in (401, 403):
            return service_error(request, exc)
        return _page(request, who, status=exc.status_code, error=refusal(request, exc))
    finally:
        await file.close()
    return _page(request, who, done=f"{len(result.subjects)}:{len(result.alerts)}")


@router.post("/watch/read", dependencies=[Csrf], response_model=None)
async def mark_read(request: Request, who: Who) -> Response:
    form = await request.form()
    ids = [str(i)[:36] for i in form.getlist("alert_id")][:500]
    try:
        node_of(request).monitoring.mark_read(ids, who.actor)
    except CTNodeError as exc:
        return service_error(request, exc)
    return RedirectResponse(f"{PREFIX}/watch", status_code=303)


@router.post("/watch/{subject_id}/remove", dependencies=[Csrf], response_model=None)
def remove(request: Request, who: Who, subject_id: str,
           reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    try:
        node_of(request).monitoring.remove(subject_id[:36], who.actor, reason=reason)
    except CTNodeError as exc:
        return service_error(request, exc)
    return RedirectResponse(f"{PREFIX}/watch", status_code=303)
