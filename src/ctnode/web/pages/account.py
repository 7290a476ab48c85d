"""Signing in and out, one's password, language and second factor."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

import pyotp
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctnode.errors import CTNodeError, RateLimited
from ctnode.web.app import COOKIE, PREFIX, Csrf, Who, current, lang_of, node_of, refusal, render
from ctnode.web.i18n import LANGUAGES

router = APIRouter()


def safe_next(value: str | None) -> str:
    """Only a path of the console itself (no other host, no scheme)."""
    if not value:
        return PREFIX + "/screen"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith(PREFIX + "/") or "\\" in value:
        return PREFIX + "/screen"
    return value


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next: str = "") -> HTMLResponse:
    return render(request, "signin.html", next=safe_next(next), error=None, username="")


@router.post("/signin", response_model=None)
def signin(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    code: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    node = node_of(request)
    _ = lang_of(request).gettext
    address = request.client.host if request.client else None
    try:
        session = node.users.sign_in(username, password, code=code, address=address)
    except RateLimited:
        return render(request, "signin.html", status=429, next=safe_next(next), username=username,
                      error=_("Too many failed sign-ins: this account is throttled for a while. "
                              "Try again later or ask an admin to unlock it."))
    except CTNodeError:
        return render(request, "signin.html", status=401, next=safe_next(next), username=username,
                      error=_("Unknown username, wrong password or wrong code."))
    target = PREFIX + "/password" if session.user["must_change_password"] else safe_next(next)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE, session.token, httponly=True, samesite="strict", path="/",
        secure=node.settings.console_secure_cookies or node.settings.behind_tls_proxy,
        max_age=node.settings.console_session_max_hours * 3600)
    return response


@router.post("/signout", dependencies=[Csrf])
def signout(request: Request, who: Who) -> RedirectResponse:
    node_of(request).users.sign_out(who)
    response = RedirectResponse(PREFIX + "/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/password", response_class=HTMLResponse)
def password_page(request: Request, who: Who) -> HTMLResponse:
    return render(request, "password.html", error=None, done=False)


@router.post("/password", dependencies=[Csrf], response_model=None)
def change_password(
    request: Request, who: Who,
    current_password: Annotated[str, Form(max_length=1024)],
    new_password: Annotated[str, Form(max_length=1024)],
    repeat: Annotated[str, Form(max_length=1024)],
) -> Response:
    _ = lang_of(request).gettext
    if new_password != repeat:
        return render(request, "password.html", status=422, done=False,
                      error=_("The two new passwords differ."))
    try:
        node_of(request).users.change_password(who, current=current_password, new=new_password)
    except CTNodeError as exc:
        return render(request, "password.html", status=exc.status_code, done=False,
                      error=refusal(request, exc))
    return RedirectResponse(PREFIX + "/screen", status_code=303)


@router.post("/language", dependencies=[Csrf])
def set_language(
    request: Request, who: Who, language: Annotated[str, Form(max_length=8)],
    back: Annotated[str, Form(max_length=500)] = "",
) -> RedirectResponse:
    node_of(request).users.set_language(who, language if language in LANGUAGES else None)
    return RedirectResponse(safe_next(back), status_code=303)


@router.get("/totp", response_class=HTMLResponse)
def totp_page(request: Request, who: Who) -> HTMLResponse:
    secret = node_of(request).users.start_totp()
    uri = pyotp.TOTP(secret).provisioning_uri(name=who.username, issuer_name="ctnode")
    return render(request, "totp.html", secret=secret, uri=uri, error=None)


@router.post("/totp", dependencies=[Csrf], response_model=None)
def enable_totp(
    request: Request, who: Who, secret: Annotated[str, Form(max_length=64)],
    code: Annotated[str, Form(max_length=16)],
) -> Response:
    try:
        node_of(request).users.enable_totp(who, secret=secret, code=code)
    except CTNodeError as exc:
        uri = pyotp.TOTP(secret).provisioning_uri(name=who.username, issuer_name="ctnode")
        return render(request, "totp.html", status=exc.status_code, secret=secret, uri=uri,
                      error=refusal(request, exc))
    return RedirectResponse(PREFIX + "/screen", status_code=303)


__all__ = ["current", "router"]
