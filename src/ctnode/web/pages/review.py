"""Review: the queue of screenings with hits (paginated), and deciding on each hit."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctnode.errors import CTNodeError
from ctnode.model.decisions import DECISIONS
from ctnode.web.app import PREFIX, Csrf, Who, node_of, refusal, render, service_error
from ctnode.web.forms import DayQ, day_of
from ctnode.web.i18n import N_
from ctnode.web.pages.screen import BANDS, FEATURES

router = APIRouter()
PAGE_SIZE = 25
DECISION_NAMES = {"confirmed": N_("confirmed"), "false_positive": N_("false positive"),
                  "unsure": N_("unsure")}


@router.get("/review", response_class=HTMLResponse)
def queue(
    request: Request, who: Who, page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    show: Annotated[str, Query(pattern="^(open|reviewed|all)$")] = "open",
    actor: Annotated[str, Query(max_length=128)] = "",
    case_ref: Annotated[str, Query(max_length=128)] = "",
    since: DayQ = "",
    until: DayQ = "",
    band: Annotated[str, Query(pattern="^(|match|possible)$")] = "",
    list_name: Annotated[str, Query(alias="list", max_length=64)] = "",
) -> HTMLResponse:
    reviewed = {"open": False, "reviewed": True, "all": None}[show]
    review = node_of(request).review
    try:  # the form sends an empty day as ``since=``: no bound
        first, last = day_of(since), day_of(until)
    except CTNodeError as exc:
        return service_error(request, exc)
    # whole days in UTC: from the start of ``since`` to the end of ``until``
    where = {"actor": actor.strip(), "case_ref": case_ref.strip(),
             "since": datetime.combine(first, time(), UTC) if first else None,
             "until": datetime.combine(last, time(), UTC) + timedelta(days=1) if last else None,
             "band": band, "list": list_name.strip()}
    try:
        total = review.queue_size(who.actor, reviewed=reviewed, where=where)
        rows = review.queue(who.actor, reviewed=reviewed, limit=PAGE_SIZE,
                            offset=(page - 1) * PAGE_SIZE, where=where)
        lists = review.queue_lists(who.actor)
    except CTNodeError as exc:
        return service_error(request, exc)
    pages = max(1, -(-total // PAGE_SIZE))
    filters = {"show": show, "actor": actor.strip(), "case_ref": case_ref.strip(),
               "since": first.isoformat() if first else "",
               "until": last.isoformat() if last else "", "band": band,
               "list": list_name.strip()}
    return render(request, "review.html", rows=rows, total=total, page=page, pages=pages,
                  show=show, bands=BANDS, filters=filters, lists=lists,
                  query=urlencode(filters))


@router.get("/review/{screening_id}", response_class=HTMLResponse)
def screening(request: Request, who: Who, screening_id: str) -> HTMLResponse:
    node = node_of(request)
    try:
        found = node.review.screening_detail(who.actor, screening_id[:64])
    except CTNodeError as exc:
        return service_error(request, exc)
    return render(request, "review_one.html", s=found, bands=BANDS, features=FEATURES,
                  decisions=DECISIONS, decision_names=DECISION_NAMES, error=None)


@router.post("/review/{screening_id}/revoke", dependencies=[Csrf], response_model=None)
def revoke(
    request: Request, who: Who, screening_id: str,
    decision_id: Annotated[str, Form(max_length=64)],
    reason: Annotated[str, Form(max_length=2000)],
) -> Response:
    """Revoke a decision: it stays on record and suppresses nothing from now on."""
    node = node_of(request)
    try:
        node.review.revoke(who.actor, decision_id, reason=reason)
    except CTNodeError as exc:
        return service_error(request, exc)
    return RedirectResponse(f"{PREFIX}/review/{screening_id[:64]}", status_code=303)


@router.post("/review/{screening_id}/decide", dependencies=[Csrf], response_model=None)
def decide(
    request: Request, who: Who, screening_id: str,
    entity_id: Annotated[str, Form(max_length=255)],
    decision: Annotated[str, Form(max_length=32)],
    comment: Annotated[str, Form(max_length=2000)],
) -> Response:
    node = node_of(request)
    try:
        node.review.decide(who.actor, entity_id=entity_id, decision=decision, comment=comment,
                           screening_id=screening_id[:64])
    except CTNodeError as exc:
        if exc.status_code in (401, 403, 404):
            return service_error(request, exc)
        found = node.review.screening_detail(who.actor, screening_id[:64])
        return render(request, "review_one.html", status=exc.status_code, s=found, bands=BANDS,
                      features=FEATURES, decisions=DECISIONS, decision_names=DECISION_NAMES,
                      error=refusal(request, exc))
    return RedirectResponse(f"{PREFIX}/review/{screening_id[:64]}", status_code=303)
