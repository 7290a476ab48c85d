"""Putting the console on an app: its pages, static files, headers and error pages."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from ctnode.node import Node
from ctnode.web.app import (
    HEADERS,
    HERE,
    PREFIX,
    FormRefused,
    SignInNeeded,
    error_page,
    lang_of,
)
from ctnode.web.pages import ROUTERS, visible_pages


def install(app: FastAPI, node: Node) -> None:
    """Add the console to ``app``: its pages, static files, headers and error pages."""
    app.state.console_nav = lambda who: visible_pages(node, who)
    for router in ROUTERS:
        app.include_router(router, prefix=PREFIX, include_in_schema=False)
    app.mount(PREFIX + "/static", StaticFiles(directory=HERE / "static"), name="console-static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(PREFIX + "/screen", status_code=303)

    @app.exception_handler(SignInNeeded)
    async def sign_in_needed(request: Request, exc: SignInNeeded) -> Response:
        return RedirectResponse(f"{PREFIX}/signin?next={quote(exc.next_path)}", status_code=303)

    @app.exception_handler(FormRefused)
    async def form_refused(request: Request, exc: FormRefused) -> Response:
        lang = lang_of(request)
        return error_page(request, 403, lang.gettext(
            "This form was refused: it did not come from this session. Reload the page and try "
            "again."))

    @app.middleware("http")
    async def console_headers(request: Request,
                              call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        if request.url.path == "/" or request.url.path.startswith(PREFIX):
            for name, value in HEADERS.items():
                response.headers.setdefault(name, value)
            if node.settings.console_server_timing:  # for the benchmarks only
                spent = (time.perf_counter() - started) * 1000
                response.headers["Server-Timing"] = f"app;dur={spent:.1f}"
        return response
