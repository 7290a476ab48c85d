"""Lists: import an uploaded list with a dry-run preview first (admins, permission ``import``).

Upload the UN SC XML or FtM JSON lines: the exact delta (added, changed, delisted, relisted)
is computed in the import's own transaction and rolled back, and shown (a file of another
publisher than the list held, by what it states or the Source field, is refused); the file waits
(``node.staged_lists``, memory only) until the person applies it or leaves it. Applying is
``Lists.import_list`` as ``ctnode import`` does: audited, and refused when it would
delist more than 5% of a list without confirmation or bring back an older version.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from ctnode.errors import CTNodeError
from ctnode.model.lists import DELIST_LIMIT, ImportReport, ParsedList
from ctnode.web.app import PREFIX, Csrf, Who, node_of, refusal, render, service_error
from ctnode.web.forms import read_upload
from ctnode.web.i18n import N_

router = APIRouter()
KINDS = {"un-sc": N_("UN Security Council Consolidated List (XML)"),
         "ftm": N_("FollowTheMoney entities (JSON lines)")}
SHOWN_IDS = 50  # records named per kind of change in the preview

Field = Annotated[str, Form(max_length=200)]


@router.get("/lists/import", response_class=HTMLResponse)
def import_page(request: Request, who: Who) -> HTMLResponse:
    node = node_of(request)
    try:
        node.context.require(who.actor, "import")
    except CTNodeError as exc:
        return service_error(request, exc)
    return render(request, "list_import.html", kinds=KINDS, form={}, error=None,
                  max_bytes=node.settings.console_max_upload_bytes)


def _preview(report: ImportReport, parsed: ParsedList) -> dict[str, Any]:
    names = {e.id: e.caption for e in parsed.entities}
    share = len(report.removed) / report.held_before if report.held_before else 0.0

    def named(ids: list[str]) -> list[tuple[str, str]]:
        return [(i, names.get(i, i)) for i in ids[:SHOWN_IDS]]
    return {"added": named(report.added), "changed": named(report.changed),
            "removed": named(report.removed), "relisted": named(report.relisted),
            "share_removed": share, "needs_confirm": share > DELIST_LIMIT,
            "limit": DELIST_LIMIT}


@router.post("/lists/import", response_class=HTMLResponse, dependencies=[Csrf])
async def preview(
    request: Request, who: Who, file: Annotated[UploadFile, File()],
    kind: Annotated[Literal["un-sc", "ftm"], Form()], dataset: Field = "", version: Field = "",
    source: Field = "", allow_older: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    """Read the file and compute its delta without keeping it (a dry run)."""
    node = node_of(request)
    limit = node.settings.console_max_upload_bytes
    form = {"kind": kind, "dataset": dataset, "version": version, "source": source,
            "allow_older": allow_older}
    try:
        node.context.require(who.actor, "import")
        filename, data = await read_upload(file, "list", limit)
        parsed = node.lists.parse_bytes(kind, data, name=filename,
                                        dataset=dataset.strip() or None, version=version,
                                        publisher=source)
        report = node.lists.import_list(parsed, who.actor, dry_run=True,
                                        allow_older=allow_older)
        staged = node.staged_lists.stage(who.actor.name, kind=kind, filename=filename,
                                         data=data, dataset=dataset.strip() or None,
                                         version=version.strip() or None,
                                         publisher=source.strip() or None)
    except CTNodeError as exc:
        if exc.status_code in (401, 403):
            return service_error(request, exc)
        return render(request, "list_import.html", back=f"{PREFIX}/lists/import",
                      status=exc.status_code, kinds=KINDS,
                      form=form, error=refusal(request, exc), max_bytes=limit)
    finally:
        await file.close()
    return render(request, "list_preview.html", back=f"{PREFIX}/lists", report=report, parsed=parsed,
                  preview=_preview(report, parsed), token=staged.token, filename=filename,
                  allow_older=allow_older, done=False)


@router.post("/lists/import/apply", response_class=HTMLResponse, dependencies=[Csrf])
def apply(
    request: Request, who: Who, token: Annotated[str, Form(max_length=64)],
    confirm: Annotated[bool, Form()] = False, allow_older: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    """Import the previewed file (read again: the delta is computed anew in the import)."""
    node = node_of(request)
    try:
        node.context.require(who.actor, "import")
        staged = node.staged_lists.take(who.actor.name, token)
        parsed = node.lists.parse_bytes(staged.kind, staged.data, name=staged.filename,
                                        dataset=staged.dataset, version=staged.version,
                                        publisher=staged.publisher)
        report = node.lists.import_list(parsed, who.actor, confirm=confirm,
                                        allow_older=allow_older)
    except CTNodeError as exc:
        if exc.status_code in (401, 403):
            return service_error(request, exc)
        return render(request, "list_import.html", back=f"{PREFIX}/lists/import",
                      status=exc.status_code, kinds=KINDS,
                      form={}, error=refusal(request, exc),
                      max_bytes=node.settings.console_max_upload_bytes)
    return render(request, "list_preview.html", back=f"{PREFIX}/lists", report=report, parsed=parsed,
                  preview=_preview(report, parsed), token="", filename=staged.filename,
                  allow_older=allow_older, done=True)
