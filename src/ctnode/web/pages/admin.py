"""Admin: the console's people — throttles lifted, passwords reset, sessions ended (``users``);
API keys made and revoked through the same ``access`` service as the CLI and API (audited there);
the node's settings shown read-only, secrets only as set / not set."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from ctnode.errors import CTNodeError
from ctnode.model.access import BIOMETRIC_SCOPES, ROLES
from ctnode.web.app import Csrf, Who, node_of, render, service_error

router = APIRouter()


def _page(request: Request, who: Who, **done: object) -> HTMLResponse:
    node = node_of(request)
    try:
        people = node.users.list_users(who.actor)
        keys = node.access.list_keys(who.actor)
        settings = node.access.node_settings(who.actor)
    except CTNodeError as exc:
        return service_error(request, exc)
    return render(request, "admin.html", people=people, keys=keys, settings=settings,
                  roles=ROLES, scopes=BIOMETRIC_SCOPES, back="/console/admin",
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


@router.post("/admin/keys", response_class=HTMLResponse, dependencies=[Csrf])
def create_key(
    request: Request, who: Who, name: Annotated[str, Form(min_length=1, max_length=128)],
    role: Annotated[str, Form(max_length=16)],
    scope: Annotated[list[str] | None, Form(max_length=8)] = None,
) -> HTMLResponse:
    try:
        token = node_of(request).access.create_key(who.actor, name=name, role=role,
                                                   biometric_scopes=scope or None)
    except CTNodeError as exc:
        return service_error(request, exc)
    return _page(request, who, key_name=name.strip(), token=token)


@router.post("/admin/keys/revoke", response_class=HTMLResponse, dependencies=[Csrf])
def revoke_key(request: Request, who: Who,
               key_id: Annotated[str, Form(min_length=1, max_length=16)]) -> HTMLResponse:
    try:
        node_of(request).access.revoke_key(who.actor, key_id)
    except CTNodeError as exc:
        return service_error(request, exc)
    return _page(request, who, revoked=key_id)
