"""Screen a file: a batch (CSV or JSON lines), a passenger manifest (PAXLST, PNRGOV, MRZ) or a
payment file (ISO 20022, MT103), screened in the background with progress, then its report
with filters and CSV / JSON export.

The file is screened by the same services as ``ctnode screen ...`` and ``POST /screen/...``
(``Batches``, ``Manifests``, ``Payments``: same permission, same audit, hits to the review
queue); ``node.file_runs`` holds the run, and keeps its report in the store sealed with the
node's data key, for the person who sent it (and admins), each opening audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ctnode.errors import CTNodeError, InvalidInput
from ctnode.model.screening import Hit
from ctnode.services.batches import reports
from ctnode.services.batches.manifest import ManifestReport
from ctnode.services.batches.payments import PaymentReport
from ctnode.services.batches.runs import FileRun, OpenReport, Progress
from ctnode.web.app import PREFIX, Csrf, Who, node_of, refusal, render, service_error
from ctnode.web.forms import form_purpose, read_upload
from ctnode.web.i18n import N_
from ctnode.web.pages.screen import BANDS, FEATURES

router = APIRouter()
ROWS_PER_PAGE = 50
KINDS = {
    "batch": N_("A batch of people (CSV or JSON lines)"),
    "manifest": N_("A passenger manifest (PAXLST, PNRGOV or MRZ)"),
    "payments": N_("A payments file (ISO 20022 pacs.008 / pain.001 or MT103)"),
}
SHOW = {"all": N_("Everyone"), "review": N_("To review (hits, suppressed, not screened)"),
        "clear": N_("No hit")}
# the export's first record and the name of its rows, as the API's (``format=json``)
JSON_SHAPE = {"batch": ("batch", "subjects"), "manifest": ("manifest", "travellers"),
              "payments": ("message", "transactions")}

Field = Annotated[str, Form(max_length=300)]


def hit_view(hit: Hit) -> dict[str, Any]:
    """What the report page shows of a hit (kept, sealed, with the report)."""
    return {"entity_id": hit.entity_id, "caption": hit.caption, "band": hit.band,
            "score": hit.score, "suppressed": hit.suppressed is not None,
            "dataset": hit.dataset, "reference": hit.reference,
            "matched_name": hit.matched_name,
            "explanation": [e.as_record() for e in hit.explanation]}


@dataclass(slots=True)
class Row:
    """One screened subject of a report, as the page shows it (hits as ``hit_view``)."""

    label: str
    name: str
    details: list[str]
    hits: list[dict[str, Any]] = field(default_factory=list)
    suppressed: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    listed: list[str] = field(default_factory=list)  # a listed wallet's listings

    @property
    def to_review(self) -> bool:
        return bool(self.hits or self.suppressed or self.error or self.listed)

    def has_band(self, band: str) -> bool:
        return (any(h["band"] == band for h in self.hits)
                or (band == "match" and bool(self.listed)))

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "name": self.name, "details": self.details,
                "hits": self.hits, "suppressed": self.suppressed, "error": self.error,
                "listed": self.listed}


def _hits(hits: list[Hit]) -> list[dict[str, Any]]:
    return [hit_view(h) for h in hits]


def report_rows(report: reports.Report) -> list[Row]:
    """Every subject of a report: travellers, payment parties and wallets, or batch lines."""
    rows: list[Row] = []
    if isinstance(report, ManifestReport):
        for t, r in zip(report.manifest.travellers, report.results, strict=True):
            rows.append(Row(
                label=f"{t.ref} · {t.role}" + (f" · PNR {t.pnr}" if t.pnr else ""),
                name=r.query.names[0] if r.query.names else t.raw_name,
                details=[x for x in (t.birth_date, t.sex, " ".join(t.nationalities),
                                     " ".join(d.number for d in t.documents)) if x],
                hits=_hits(r.reportable), suppressed=_hits(r.suppressed), error=r.error))
    elif isinstance(report, PaymentReport):
        for tr in report.transactions:
            tx = tr.transaction
            for pr in tr.parties:
                p, res = pr.party, pr.result
                rows.append(Row(
                    label=f"{tx.ref} · {p.role}", name=p.name or "",
                    details=[x for x in (p.country, p.birth_date,
                                         " ".join(f"{i.scheme}:{i.value}"
                                                  for i in p.identifiers)) if x],
                    hits=_hits(res.reportable) if res else [],
                    suppressed=_hits(res.suppressed) if res else [],
                    error=res.error if res else None))
            for w in tr.wallets:
                rows.append(Row(
                    label=f"{tx.ref} · {w.chain}", name=w.address, details=[w.where],
                    listed=[f"{lw.dataset} {lw.reference or lw.entity_id}" for lw in w.listed]))
    else:
        for r in report.results:
            q = r.query
            rows.append(Row(label=r.label, name=q.names[0] if q.names else "",
                            details=[*q.birth_dates, *q.nationalities, *q.documents],
                            hits=_hits(r.reportable), suppressed=_hits(r.suppressed),
                            error=r.error))
    return rows


def report_view(report: reports.Report) -> tuple[dict[str, Any], int, int]:
    """What the report page shows of a finished report (kept sealed in the store with it),
    how many subjects it has and how many need review."""
    rows = report_rows(report)
    issues = (report.manifest.issues if isinstance(report, ManifestReport)
              else report.message.issues if isinstance(report, PaymentReport) else [])
    view = {"kind": _kind_of(report), "seconds": report.seconds,
            "warnings": [w.as_dict() for w in report.coverage.warnings] if report.coverage
            else [],
            "issues": [{**i.as_dict(), "phrase": i.phrase.as_dict()} for i in issues],
            "rows": [r.as_dict() for r in rows]}
    return view, len(rows), sum(1 for r in rows if r.to_review)


def _kind_of(report: reports.Report) -> str:
    if isinstance(report, ManifestReport):
        return "manifest"
    if isinstance(report, PaymentReport):
        return "payments"
    return "batch"


def _batch_format(filename: str, data: bytes) -> str:
    name = filename.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    return "jsonl" if data.lstrip()[:1] == b"{" else "csv"


@router.get("/screen/files", response_class=HTMLResponse)
def files_page(request: Request, who: Who) -> HTMLResponse:
    node = node_of(request)
    return render(request, "files.html", kinds=KINDS, runs=node.file_runs.of(who.actor),
                  form={}, error=None, max_bytes=node.settings.console_max_upload_bytes)


@router.post("/screen/files", dependencies=[Csrf], response_model=None)
async def upload(
    request: Request, who: Who, file: Annotated[UploadFile, File()],
    kind: Annotated[Literal["batch", "manifest", "payments"], Form()],
    purpose: Field = "", legal_basis: Field = "", case_ref: Field = "",
) -> Response:
    """Start screening the file; the answer sends the browser to its progress."""
    node = node_of(request)
    limit = node.settings.console_max_upload_bytes
    form = {"kind": kind, "purpose": purpose, "legal_basis": legal_basis, "case_ref": case_ref}
    try:
        filename, data = await read_upload(file, "file", limit)
        why = form_purpose(purpose, legal_basis, case_ref)
        actor = who.actor
        if kind == "manifest":
            def work(progress: Progress) -> reports.Report:
                return node.manifests.screen(data, actor, why, channel="console",
                                             progress=progress)
        elif kind == "payments":
            def work(progress: Progress) -> reports.Report:
                return node.payments.screen(data, actor, why, channel="console",
                                            progress=progress)
        else:
            fmt = _batch_format(filename, data)

            def work(progress: Progress) -> reports.Report:
                return node.batches.screen(data, fmt, actor, why, name=filename,
                                           progress=progress)
        node.context.require(actor, "screen")  # refused at once, not in the background
        run = node.file_runs.start(actor, kind, filename, work, report_view)
    except CTNodeError as exc:
        if exc.status_code in (401, 403):
            return service_error(request, exc)
        return render(request, "files.html", back=f"{PREFIX}/screen/files",
                      status=exc.status_code, kinds=KINDS,
                      runs=node.file_runs.of(who.actor), form=form, error=refusal(request, exc),
                      max_bytes=limit)
    finally:
        await file.close()
    return RedirectResponse(f"{PREFIX}/screen/files/{run.id}", status_code=303)


def _run(request: Request, who: Who, run_id: str) -> FileRun:
    return node_of(request).file_runs.get(who.actor, run_id[:64])


def _open(request: Request, who: Who, run_id: str, what: str) -> FileRun | OpenReport:
    return node_of(request).file_runs.open(who.actor, run_id[:64], what)


@router.get("/screen/files/{run_id}/progress")
def progress(request: Request, who: Who, run_id: str) -> JSONResponse:
    """How far the run is (``console.js`` polls it while the page waits)."""
    try:
        run = _run(request, who, run_id)
    except CTNodeError as exc:
        return JSONResponse({"detail": str(refusal(request, exc))}, status_code=exc.status_code)
    return JSONResponse({"status": run.status, "done": run.done, "total": run.total,
                         "percent": run.percent})


@router.get("/screen/files/{run_id}", response_class=HTMLResponse)
def report_page(
    request: Request, who: Who, run_id: str,
    show: Annotated[Literal["all", "review", "clear"], Query()] = "all",
    band: Annotated[Literal["", "match", "possible"], Query()] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    try:
        opened = _open(request, who, run_id, "page")
    except CTNodeError as exc:
        return service_error(request, exc)
    if isinstance(opened, FileRun):  # running, or failed
        run = opened
        return render(request, "file_run.html", status=200 if run.status == "running" else
                      (run.error_status or 500), run=run, kinds=KINDS)
    view = opened.view
    if "_rows" not in view:  # the report no longer changes: its rows are made once
        view["_rows"] = [Row(**r) for r in view["rows"]]
    rows: list[Row] = view["_rows"]
    every = len(rows)
    if show == "review":
        rows = [r for r in rows if r.to_review]
    elif show == "clear":
        rows = [r for r in rows if not r.to_review]
    if band:
        rows = [r for r in rows if r.has_band(band)]
    needle = q.strip().casefold()
    if needle:
        rows = [r for r in rows if needle in r.name.casefold() or needle in r.label.casefold()]
    pages = max(1, -(-len(rows) // ROWS_PER_PAGE))
    page = min(page, pages)
    shown = rows[(page - 1) * ROWS_PER_PAGE: page * ROWS_PER_PAGE]
    return render(request, "file_report.html", run=opened.run, report=view, kinds=KINDS,
                  rows=shown, matching=len(rows), every=every, page=page, pages=pages,
                  show=show, band=band, q=q, shows=SHOW, bands=BANDS, features=FEATURES,
                  issues=view["issues"], to_review=opened.run.to_review)


@router.get("/screen/files/{run_id}/export", response_model=None)
def export(
    request: Request, who: Who, run_id: str,
    format: Annotated[Literal["csv", "json", "jsonl"], Query()] = "csv",
    hits_only: Annotated[bool, Query()] = False,
) -> Response:
    """The report as the API answers it: CSV, JSON lines, or one JSON object."""
    try:
        opened = _open(request, who, run_id, f"export {format}" + (" hits" if hits_only else ""))
    except CTNodeError as exc:
        return service_error(request, exc)
    if isinstance(opened, FileRun):
        return service_error(request, InvalidInput("the file is not screened yet"))
    kind = opened.run.kind
    stem = f"ctnode-{kind}-{opened.run.id[:8]}"
    if format == "csv":
        body, media, ext = opened.export("csv", hits_only), "text/csv", "csv"
    elif format == "jsonl":
        body, media, ext = opened.export("jsonl", hits_only), "application/x-ndjson", "jsonl"
    else:
        head, rows_name = JSON_SHAPE[kind]
        records = [json.loads(line) for line in opened.export("jsonl", hits_only).splitlines()
                   if line.strip()]
        body = json.dumps({head: records[0], rows_name: records[1:]}, ensure_ascii=False)
        media, ext = "application/json", "json"
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{stem}.{ext}"'})
