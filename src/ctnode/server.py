"""The served process: the API and the analyst console in one ASGI app.

The two are sibling edges (``api/``, ``web/``) that never import each other; this module,
above both, puts them together. ``ctnode serve`` starts ``serve`` by name
(``ctnode.server:serve``). The console's paths (``/`` and ``/console/...``) authenticate a
signed-in person themselves; the API's guard still bounds and checks their input.
"""

from __future__ import annotations

from fastapi import FastAPI

import ctnode.web as web
from ctnode.api.app import create_app as create_api
from ctnode.node import Node


def create_app(node: Node | None = None, *, own_node: bool = False,
               start_in_background: bool = False) -> FastAPI:
    """The API with the console mounted (a node from the environment's settings if none;
    ``start_in_background``: see ``ctnode.api.app.create_app``)."""
    return create_api(node, own_node=own_node, session_paths=web.SESSION_PATHS,
                      session_uploads=web.UPLOAD_PATHS,
                      extend=lambda app: web.install(app, app.state.node),
                      start_in_background=start_in_background)


def serve() -> FastAPI:
    """The app of a node built from the environment's settings (``ctnode serve`` and
    ``ctnode up`` run it): it answers once the name index is loaded and warms up the rest
    in the background (``/readyz`` says 503 until then)."""
    return create_app(own_node=True, start_in_background=True)
