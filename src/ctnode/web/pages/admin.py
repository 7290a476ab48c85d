"""Admin: the console's people — throttles lifted, passwords reset, sessions ended (``users``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from ctnode.errors import CTNodeError
from ctnode.web.app import Csrf, Who, node_of, render, service_error

router = APIRouter()


def _page(request: Request, who: Who, **done: object) -> HTMLResponse:
    try:
        people = node_of(request).users.list_users(who.actor)
    except CTNodeError as exc:
        return service_error(request, exc)
    return render(request, "admin.html", people=people, back="/console/admin",
                  done=done or None)


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, who: Who) -> HTMLResponse:
    return _page(request, who)


@router.post("/admin/users", response_class=HTMLResponse, dependencies=[Csrf])
def act(
    request: Request, who: Who, user_id: Annotated[str, Form(max_length=36)],
    action: Annotated[str, Form(pattern="^(unlock|reset|revoke)$")],
) -> HTMLResponse:
    users = node_of(request).users
    try:
        if action == "unlock":
            users.unlock(who.actor, user_id)
            return _page(request, who, unlocked=True)
        if action == "reset":
            password = users.reset_password(who.actor, user_id)
            username = next(p["username"] for p in users.list_users(who.actor)
                            if p["id"] == user_id)
            return _page(request, who, username=username, password=password)
        ended = users.revoke_session(who.actor, user_id)
        return _page(request, who, ended=ended)
    except CTNodeError as exc:
        return service_error(request, exc)
