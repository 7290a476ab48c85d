"""Monitoring: subjects under watch (``/watch``), their alerts, and a full re-screen."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from ctnode.api.deps import MAX_ROW, ActorDep, CallerDep, NodeDep, read_upload, upload_body
from ctnode.api.schemas.monitoring import (
    AlertOut,
    HeldHit,
    ReadIn,
    RescreenOut,
    SubjectOut,
    SubjectWithHits,
    WatchIn,
    WatchOut,
)
from ctnode.services.monitoring.service import WatchResult

router = APIRouter(tags=["monitoring"])
SubjectId = Annotated[str, Path(max_length=36)]


def _out(result: WatchResult) -> WatchOut:
    return WatchOut(subjects=[SubjectOut.of(s) for s in result.subjects], capped=result.capped,
                    alerts=[AlertOut.of(a) for a in result.alerts])


@router.post("/watch", response_model=WatchOut, status_code=201, response_model_by_alias=True)
async def watch(body: WatchIn, call: CallerDep) -> WatchOut:
    """Put subjects under watch (purpose and legal basis required, in the headers). Each is
    screened at once; its hits are alerts to the owner. Audited as ``watch.add``."""
    fields = [s.to_fields() for s in body.subjects]
    result = await run_in_threadpool(
        lambda: call.node.monitoring.add(fields, call.actor, call.purpose, owner=body.owner,
                                         expires=body.expires, days=body.days, source="api"))
    return _out(result)


@router.post("/watch/import", response_model=WatchOut, status_code=201,
             response_model_by_alias=True,
             # a raw body (a file): bounded by max_upload_bytes, not read as JSON by the guard
             openapi_extra=upload_body("application/x-ndjson"))
async def watch_import(
    request: Request,
    call: CallerDep,
    format: Annotated[Literal["jsonl", "csv", "manifest", "payments"], Query(
        description="jsonl or csv (fields of a screen), manifest (its travellers: needs "
        "days or expires), payments (its parties)")] = "jsonl",
    owner: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    expires: Annotated[date | None, Query()] = None,
    days: Annotated[int | None, Query(ge=1, le=36_500)] = None,
    name: Annotated[str, Query(max_length=200, description="File name, for errors")] = "upload",
) -> WatchOut:
    """Put every subject of a file under watch, all or none (a bad line refuses the file,
    naming the line and field). Send the file as the body or the form field ``file``.
    Audited as ``watch.import``."""
    data = await read_upload(request, call.node.settings.max_upload_bytes)
    result = await run_in_threadpool(
        lambda: call.node.monitoring.import_file(data, format, call.actor, call.purpose,
                                                 name=name, owner=owner, expires=expires,
                                                 days=days))
    return _out(result)


@router.get("/watch", response_model_by_alias=True)
def list_watched(
    node: NodeDep,
    actor: ActorDep,
    everyone: Annotated[bool, Query(description="Every owner's (admin)")] = False,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ROW)] = 0,
) -> dict[str, Any]:
    """Watched subjects, oldest first: the caller's own (everyone's for an admin with
    ``everyone=true``). Audited as ``watch.list``."""
    subjects = node.monitoring.list_subjects(actor, everyone=everyone, limit=limit,
                                             offset=offset)
    total = node.monitoring.count(None if everyone else actor.name)
    return {"total": total, "subjects": [SubjectOut.of(s).model_dump(by_alias=True)
                                         for s in subjects]}


@router.get("/watch/alerts")
def watch_alerts(
    node: NodeDep,
    actor: ActorDep,
    unread: Annotated[bool, Query()] = False,
    everyone: Annotated[bool, Query(description="Every owner's (admin)")] = False,
    subject: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> dict[str, list[AlertOut]]:
    """Alerts to the caller, newest first: new hits, hits in another band, hits gone,
    expiries coming."""
    rows = node.monitoring.alerts(actor, everyone=everyone, unread=unread, subject_id=subject,
                                  limit=limit)
    return {"alerts": [AlertOut.of(r) for r in rows]}


@router.post("/watch/alerts/read")
def watch_alerts_read(body: ReadIn, node: NodeDep, actor: ActorDep) -> dict[str, int]:
    """Acknowledge alerts (one's own); returns how many were unread."""
    return {"marked": node.monitoring.mark_read(body.ids, actor)}


@router.post("/watch/rescreen", response_model=RescreenOut)
async def watch_rescreen(node: NodeDep, actor: ActorDep) -> RescreenOut:
    """Re-screen every watched subject in full (admin): the naive reference of the reverse
    index, and a repair after the lists were rebuilt. Audited as ``watch.rescreen``."""
    report = await run_in_threadpool(lambda: node.monitoring.rescreen_all(actor))
    return RescreenOut.model_validate(report.summary())


@router.get("/watch/{subject_id}", response_model=SubjectWithHits,
            response_model_by_alias=True)
def get_watched(subject_id: SubjectId, node: NodeDep, actor: ActorDep) -> SubjectWithHits:
    """One watched subject with the hits it has now (audited as ``watch.list``)."""
    subject, hits = node.monitoring.get(subject_id, actor)
    return SubjectWithHits(subject=SubjectOut.of(subject),
                           hits=[HeldHit(entity_id=h["entity_id"], band=h["band"],
                                         score=h["score"]) for h in hits])


@router.delete("/watch/{subject_id}", status_code=204)
def unwatch(
    subject_id: SubjectId,
    node: NodeDep,
    actor: ActorDep,
    reason: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """Take a subject off the watch list (its owner, or an admin); its hits are deleted,
    its alerts stay. Audited as ``watch.remove``."""
    node.monitoring.remove(subject_id, actor, reason)
    return Response(status_code=204)
