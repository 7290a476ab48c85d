"""The console's plumbing: templates, the session, CSRF, security headers, error pages.

Every page is a router in ``pages/`` (listed in ``pages.PAGES``); a route takes ``Who``
(the signed-in person: a session cookie checked by ``services/users.Users.session``) and
renders a template with ``render``. A POST form carries the session's CSRF token
(``check_csrf``); without it, or with another, the request is refused (403) and nothing
happens. Pages are sent with a Content-Security-Policy that allows no inline script or
style and nothing from another origin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ctnode.errors import CTNodeError
from ctnode.node import Node
from ctnode.services.users import SignedIn
from ctnode.web import phrases
from ctnode.web.i18n import LANGUAGES, Lang, language_name, negotiate
from ctnode.web.service_texts import said, say

HERE = Path(__file__).parent
PREFIX = "/console"
SESSION_PATHS = (PREFIX,)
# The file forms (multipart), bounded by ``console_max_upload_bytes`` instead of the JSON limit.
UPLOAD_PATHS = (PREFIX + "/screen/files", PREFIX + "/lists/import", PREFIX + "/watch/import")
COOKIE = "ctnode_session"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
       "form-action 'self'; object-src 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
ENV = Environment(loader=FileSystemLoader(HERE / "templates"),
                  autoescape=select_autoescape(default=True, default_for_string=True),
                  trim_blocks=True, lstrip_blocks=True)


class SignInNeeded(Exception):
    """No valid session: the person is sent to the sign-in page (and back afterwards)."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class FormRefused(Exception):
    """A form without this session's CSRF token."""


def node_of(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


def current(request: Request) -> SignedIn | None:
    """The signed-in person of this request, if any (read once per request)."""
    if not hasattr(request.state, "who"):
        request.state.who = node_of(request).users.session(request.cookies.get(COOKIE))
    who: SignedIn | None = request.state.who
    return who


def signed_in(request: Request) -> SignedIn:
    who = current(request)
    if who is None:
        raise SignInNeeded(request.url.path)
    return who


Who = Annotated[SignedIn, Depends(signed_in)]


def lang_of(request: Request) -> Lang:
    who = current(request)
    chosen = who.language if who else request.cookies.get("ctnode_lang")
    return Lang(negotiate(chosen, request.headers.get("accept-language")))


async def check_csrf(request: Request) -> None:
    """Refuse a POST whose form has no ``csrf_token`` of this session."""
    who = signed_in(request)
    form = await request.form()
    token = form.get("csrf_token")
    if not isinstance(token, str) or not node_of(request).users.csrf_ok(who, token):
        raise FormRefused()


Csrf = Depends(check_csrf)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the request's language, with the person, the navigation and the form token."""
    lang = lang_of(request)
    who = current(request)
    context.setdefault("back", None)  # where the language menu returns (a GET page)
    html = ENV.get_template(template).render(
        _=lang.gettext, lang=lang, said=lambda message, code=None: say(lang, message, code),
        explain=lambda e: phrases.explanation(lang, e),
        issue_text=lambda i: phrases.issue(lang, i), severities=phrases.SEVERITIES,
        who=who, csrf=who.csrf if who else "",
        nav=request.app.state.console_nav(who), path=request.url.path, prefix=PREFIX,
        languages=[(code, language_name(code)) for code in LANGUAGES], **context)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status=status, status_code=status, message=message)


def refusal(request: Request, exc: CTNodeError) -> str:
    """A service's refusal in the request's language (``service_texts``)."""
    return said(lang_of(request), exc)


def service_error(request: Request, exc: CTNodeError) -> HTMLResponse:
    """A service's refusal (no permission, bad input, not found) as a page with its status."""
    return error_page(request, exc.status_code, refusal(request, exc))
