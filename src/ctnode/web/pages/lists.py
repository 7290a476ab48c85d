"""Lists: the datasets this node holds, with version, size, last import and its delta."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ctnode.errors import CTNodeError
from ctnode.model.access import allowed
from ctnode.web.app import Who, node_of, render, service_error

router = APIRouter()


@router.get("/lists", response_class=HTMLResponse)
def lists(request: Request, who: Who) -> HTMLResponse:
    node = node_of(request)
    try:
        datasets = node.screening.datasets(who.actor)
        last = node.screening.last_imports(who.actor)
        coverage = node.screening.coverage()
    except CTNodeError as exc:
        return service_error(request, exc)
    s = node.settings
    can_import = allowed(who.actor, "import", set(s.biometric_roles), s.biometric_role_scopes)
    return render(request, "lists.html", datasets=datasets, coverage=coverage,
                  can_import=can_import, last=last)
