"""Audit: the hash-chained log filtered (event, person, dates), the chain and the node's signed
checkpoints verified, and the filtered entries exported as CSV or JSON lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from ctnode.audit.chain import AuditEntry, ChainBroken
from ctnode.audit.events import EVENTS
from ctnode.errors import CTNodeError, InvalidInput
from ctnode.web.app import Csrf, Who, node_of, refusal, render, service_error
from ctnode.web.forms import DayQ, day_of

router = APIRouter()
PAGE_SIZE = 50
CHUNK = 1000  # entries per piece of an export's streamed body
CSV_FIELDS = ("seq", "at", "actor", "event", "purpose", "legal_basis", "case_ref",
              "query_hash", "result_ids", "detail", "prev_hash", "hash")

EventQ = Annotated[str, Query(max_length=64)]
ActorQ = Annotated[str, Query(max_length=128)]


def _span(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole days in UTC: from the start of ``since`` to the end of ``until``."""
    start = datetime.combine(since, time(), UTC) if since else None
    end = datetime.combine(until, time(), UTC) + timedelta(days=1) if until else None
    return start, end


def _filters(event: str, actor: str, since: date | None, until: date | None) -> dict[str, str]:
    return {"event": event if event in EVENTS else "", "actor": actor.strip(),
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else ""}


def _page(request: Request, who: Who, filters: dict[str, str], after: int = 0,
          verified: dict[str, int] | None = None, broken: str | None = None) -> HTMLResponse:
    trail = node_of(request).audit_trail
    since, until = _span(date.fromisoformat(filters["since"]) if filters["since"] else None,
                         date.fromisoformat(filters["until"]) if filters["until"] else None)
    try:
        entries = list(islice(trail.entries(
            who.actor, event=filters["event"] or None, who=filters["actor"] or None,
            since=since, until=until, after_seq=after, limit=PAGE_SIZE + 1), PAGE_SIZE + 1))
        head = trail.head(who.actor)
    except CTNodeError as exc:
        return service_error(request, exc)
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    return render(request, "audit.html", entries=entries, filters=filters, events=sorted(EVENTS),
                  more=more, next_after=entries[-1].seq if entries else after, head=head,
                  verified=verified, broken=broken, back="/console/audit")


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request, who: Who, event: EventQ = "", actor: ActorQ = "",
    since: DayQ = "", until: DayQ = "",
    after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> HTMLResponse:
    try:
        filters = _filters(event, actor, day_of(since), day_of(until))
    except InvalidInput as exc:
        return service_error(request, exc)
    return _page(request, who, filters, after)


@router.post("/audit/verify", response_class=HTMLResponse, dependencies=[Csrf])
def verify(request: Request, who: Who) -> HTMLResponse:
    """Re-hash the whole chain and match every signed checkpoint this node keeps of itself
    (each checkpoint's signature checked with the node's key first)."""
    node = node_of(request)
    empty = _filters("", "", None, None)
    try:
        if node.federation.context.initialised:
            n, used = node.federation.checkpoints.verify_audit(who.actor)
        else:  # no identity, so no signed checkpoints: the chain alone
            n, used = node.audit_trail.verify(who.actor)[0], 0
    except CTNodeError as exc:
        if exc.status_code in (401, 403):
            return service_error(request, exc)
        return _page(request, who, empty, broken=refusal(request, exc))
    except ChainBroken as exc:
        return _page(request, who, empty, broken=str(exc))
    return _page(request, who, empty, verified={"entries": n, "checkpoints": used})


def _csv(entries: Iterator[AuditEntry]) -> Iterator[str]:
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(CSV_FIELDS)
    for n, e in enumerate(entries, start=1):
        d = e.to_dict()
        out.writerow([json.dumps(d[k], ensure_ascii=False, sort_keys=True)
                      if k in ("result_ids", "detail") else ("" if d[k] is None else d[k])
                      for k in CSV_FIELDS])
        if n % CHUNK == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def _jsonl(entries: Iterator[AuditEntry]) -> Iterator[str]:
    lines: list[str] = []
    for e in entries:
        lines.append(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
        if len(lines) >= CHUNK:
            yield "".join(lines)
            lines.clear()
    yield "".join(lines)


@router.get("/audit/export", response_model=None)
def export(
    request: Request, who: Who, format: Annotated[str, Query(pattern="^(csv|jsonl)$")],
    event: EventQ = "", actor: ActorQ = "", since: DayQ = "", until: DayQ = "",
) -> Response:
    """The filtered entries as a download: CSV (one column per field) or JSON lines (the
    form ``ctnode audit verify-export`` checks against signed checkpoints)."""
    try:
        first, last = day_of(since), day_of(until)
        f = _filters(event, actor, first, last)
        start, end = _span(first, last)
        entries = node_of(request).audit_trail.export(
            who.actor, fmt=format, event=f["event"] or None, who=f["actor"] or None,
            since=start, until=end)
    except CTNodeError as exc:
        return service_error(request, exc)
    body = _csv(entries) if format == "csv" else _jsonl(entries)
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="audit-{stamp}.{format}"'})
