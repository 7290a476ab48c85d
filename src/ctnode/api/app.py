"""The FastAPI application factory.

``create_app(node)`` builds the API around a node; ``serve()`` builds the API alone (``ctnode
serve`` runs ``ctnode.server:serve``, the API with the console), so the command line never imports
the API: it builds its own node from the environment's settings. The app's lifespan
starts the node (match index, warm-up, periodic jobs) and stops its jobs at shutdown.
"""

from __future__ import annotations

import re
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from ctnode import __version__
from ctnode.api import docs
from ctnode.api.errors import ERROR_RESPONSES, install_error_handlers
from ctnode.api.guard import RequestGuard
from ctnode.api.routers import (
    admin,
    batches,
    biometrics,
    entities,
    federation,
    hashes,
    intel,
    library,
    match,
    monitoring,
    review,
    screening,
    taxii,
)
from ctnode.node import Node

ROUTERS = (
    screening,
    batches,
    match,
    entities,
    review,
    admin,
    federation,
    biometrics,
    intel,
    library,
    taxii,
    hashes,
    monitoring,
)


def create_app(
    node: Node | None = None,
    *,
    own_node: bool = False,
    extend: Callable[[FastAPI], None] | None = None,
    session_paths: tuple[str, ...] = (),
    session_uploads: tuple[str, ...] = (),
    start_in_background: bool = False,
) -> FastAPI:
    """Build the API around a node (a new one from the environment's settings if none is given;
    that one, or any with ``own_node``, is closed when the app shuts down).

    ``extend`` adds another edge's routes (the console, ``ctnode.server``) before the guard is
    installed; ``session_paths`` are the path prefixes that edge authenticates itself (a
    signed-in person's session): the guard asks them for no API key but still bounds and
    checks their input; ``session_uploads`` are that edge's file forms (exact paths), bounded by
    ``console_max_upload_bytes``.

    With ``start_in_background`` (the served process: ``ctnode up``, ``ctnode serve``) the
    server answers as soon as the name index is loaded, and the node builds and warms up the
    rest on a thread of its own (``Node.start``); ``/readyz`` says 503 until it is done.
    Without it (an app around a given node, as tests build it), the app starts only when
    the node is ready."""
    own_node = own_node or node is None
    node = node or Node()
    routes_ready = threading.Event()  # a served node prepares the routes (prepare_routes)
    if not start_in_background:  # an app around a given node: on first use, as FastAPI does
        routes_ready.set()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(node.start, start_in_background)
        if start_in_background:  # as the node's warm-up: on a thread, /readyz waits for it
            threading.Thread(target=prepare_routes, args=(app, routes_ready), daemon=True,
                             name="api-routes").start()
        try:
            yield
        finally:
            await run_in_threadpool(node.close if own_node else node.jobs.stop)

    app = FastAPI(
        title="ctnode",
        version=__version__,
        description="Watchlist screening and hit/no-hit sharing for national counter-terrorism "
        "coordinators. Every route but /healthz and /readyz needs an API key (X-API-Key or "
        "Authorization: ApiKey ...).",
        responses=ERROR_RESPONSES,  # the real 4xx body, in place of FastAPI's default 422 shape
        lifespan=lifespan,
        docs_url=None,  # our own pages, vendored assets, no inline script (api/docs.py)
        redoc_url=None,
    )
    app.state.node = node
    install_error_handlers(app)

    def healthz() -> dict[str, str]:
        """Liveness check; with ``/readyz`` the only routes without a credential. Reveals
        nothing about the lists."""
        return {"status": "ok"}

    def readyz() -> JSONResponse:
        """Readiness (as yente's): 200 once screens are answered from a built index and the
        node has warmed up (every service and index built), 503 before. Like ``/healthz`` it
        needs no credential and reveals nothing about the lists."""
        ready = node.ready and routes_ready.is_set()
        return JSONResponse({"status": "ok" if ready else "loading"},
                            status_code=200 if ready else 503)

    # The health routes are matched before any router: FastAPI prepares an included router's
    # routes (their parameters' validators, 0.3-0.4 s of CPU for all of them) when a request
    # first reaches it, so a first /healthz matched last waited for all of them. The same
    # routes are declared again at the end for the schema, which lists them there as before.
    for path, endpoint in (("/healthz", healthz), ("/readyz", readyz)):
        app.add_api_route(path, endpoint, methods=["GET"], include_in_schema=False)
    for module in ROUTERS:
        app.include_router(module.router)
    docs.install(app)
    if extend is not None:
        extend(app)
    # Credential, then bounded and checked input, before any route reads a body (the CORS
    # middleware, added after it, is outside it: a preflight needs no key).
    app.add_middleware(RequestGuard, node=node, upload_paths=upload_paths(),
                       session_paths=session_paths, session_uploads=session_uploads)
    if node.settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=node.settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["*"],
        )

    app.get("/healthz", tags=["health"])(healthz)
    app.get("/readyz", tags=["health"])(readyz)
    return app


def prepare_routes(app: FastAPI, done: threading.Event | None = None) -> None:
    """Have every router prepare its routes now (a served process does it beside the node's
    warm-up), not on the first request that reaches it: a path no route has is matched
    against each (Starlette's ``matches``, which makes an included router prepare its own)."""
    scope: dict[str, Any] = {"type": "http", "path": "/\u0000", "root_path": "",
                             "method": "GET", "headers": [], "query_string": b""}
    try:
        for route in app.router.routes:
            route.matches(scope)
    finally:
        if done is not None:
            done.set()


def upload_paths() -> list[re.Pattern[str]]:
    """The routes that read a raw body themselves (they declare it in ``openapi_extra``):
    bounded by ``max_upload_bytes``; every other body by ``max_json_bytes``."""
    return [
        route.path_regex
        for module in ROUTERS
        for route in module.router.routes
        if isinstance(route, APIRoute) and "requestBody" in (route.openapi_extra or {})
    ]


def serve() -> FastAPI:
    """The app of a node built from the environment's settings, warming up in the background
    once it answers (``ctnode serve`` runs it)."""
    return create_app(own_node=True, start_in_background=True)
