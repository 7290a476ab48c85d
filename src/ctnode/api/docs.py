"""The API's reference pages, served by the node itself: ``/docs`` (Swagger UI) and ``/redoc``.

FastAPI's default pages load their scripts from a CDN and start them with an inline script,
so on an offline node they are blank, and a Content-Security-Policy without inline scripts
would stop them anyway. Here the assets are vendored (``api/static/vendor``: swagger-ui-dist
5.35.0 and redoc 2.5.0, from the npm registry, each in its own folder with its licence) and
each page is our own HTML that loads an external init script (``api/static/docs``). All of
them are served flat under ``/docs/assets/``. ``CSP_DOCS`` is the policy they are served with.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

# Our init scripts, and the third-party assets, unchanged, one folder per project.
OWN = Path(__file__).parent / "static" / "docs"
VENDORED: list[str | tuple[str, str]] = [
    ("ctnode.api", "static/vendor/swagger-ui"), ("ctnode.api", "static/vendor/redoc")]
ASSETS = "/docs/assets"
# No inline script anywhere; Swagger UI and ReDoc set inline styles and ReDoc runs its search
# in a blob: worker, so those two are allowed on these pages only.
CSP_DOCS = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; font-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)
DOC_PATHS = ("/docs", "/redoc")

SWAGGER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ctnode API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{assets}/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi="/openapi.json"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-init.js"></script></body></html>
"""

REDOC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ctnode API (ReDoc)</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><div id="redoc" data-openapi="/openapi.json"></div>
<script src="{assets}/redoc.standalone.js"></script>
<script src="{assets}/redoc-init.js"></script></body></html>
"""

router = APIRouter(include_in_schema=False)


def _page(html: str) -> HTMLResponse:
    return HTMLResponse(html.format(assets=ASSETS), headers={"Content-Security-Policy": CSP_DOCS})


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    """Swagger UI over this node's OpenAPI document (vendored, no CDN)."""
    return _page(SWAGGER)


@router.get("/redoc")
def redoc() -> HTMLResponse:
    """ReDoc over this node's OpenAPI document (vendored, no CDN)."""
    return _page(REDOC)


def install(app: FastAPI) -> None:
    """Serve the reference pages and their assets (the app is made with ``docs_url=None``)."""
    app.include_router(router)
    # One flat URL space over the three folders.
    app.mount(ASSETS, StaticFiles(directory=OWN, packages=VENDORED), name="docs-assets")
