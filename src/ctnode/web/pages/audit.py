"""Audit: the hash-chained log, filtered by event and page, and the chain's verification."""

from __future__ import annotations

from itertools import islice
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ctnode.audit.chain import ChainBroken
from ctnode.audit.events import EVENTS
from ctnode.errors import CTNodeError
from ctnode.web.app import Csrf, Who, node_of, render, service_error

router = APIRouter()
PAGE_SIZE = 50


def _page(request: Request, who: Who, event: str, after: int,
          verified: tuple[int, int, str] | None = None, broken: str | None = None) -> HTMLResponse:
    trail = node_of(request).audit_trail
    try:
        entries = list(islice(trail.entries(who.actor, event=event or None, after_seq=after,
                                            limit=PAGE_SIZE + 1), PAGE_SIZE + 1))
        head = trail.head(who.actor)
    except CTNodeError as exc:
        return service_error(request, exc)
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    return render(request, "audit.html", entries=entries, event=event, events=sorted(EVENTS),
                  more=more, next_after=entries[-1].seq if entries else after, head=head,
                  verified=verified, broken=broken, back="/console/audit")


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request, who: Who,
    event: Annotated[str, Query(max_length=64)] = "",
    after: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    return _page(request, who, event if event in EVENTS else "", after)


@router.post("/audit/verify", response_class=HTMLResponse, dependencies=[Csrf])
def verify(request: Request, who: Who) -> HTMLResponse:
    try:
        result = node_of(request).audit_trail.verify(who.actor)
    except CTNodeError as exc:
        if exc.status_code in (401, 403):
            return service_error(request, exc)
        return _page(request, who, "", 0, broken=exc.message)
    except ChainBroken as exc:
        return _page(request, who, "", 0, broken=str(exc))
    return _page(request, who, "", 0, verified=result)
