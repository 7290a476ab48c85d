"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from ctnode import __version__
from ctnode.api.errors import ERROR_RESPONSES, install_error_handlers
from ctnode.api.routers import admin, entities, match, review, screening
from ctnode.node import Node


def create_app(node: Node | None = None) -> FastAPI:
    """Build the API around a node (a new one from the environment's settings if none is given)."""
    node = node or Node()
    app = FastAPI(
        title="ctnode",
        version=__version__,
        description="Watchlist screening and hit/no-hit sharing for national counter-terrorism "
        "coordinators. Every route but /healthz needs an API key (X-API-Key or "
        "Authorization: ApiKey ...).",
        responses=ERROR_RESPONSES,  # the real 4xx body, in place of FastAPI's default 422 shape
    )
    app.state.node = node
    install_error_handlers(app)
    if node.settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=node.settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["*"],
        )

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness check; the only route without a credential. Reveals nothing about the lists."""
        return {"status": "ok"}

    for module in (screening, match, entities, review, admin):
        app.include_router(module.router)
    for router in _feature_routers():
        app.include_router(router)
    return app


def _feature_routers() -> list[APIRouter]:
    """Routers of the feature areas (federation, biometrics, travel, payments)."""
    import importlib

    routers: list[APIRouter] = []
    for name in ("federation", "biometrics", "travel", "payments"):
        try:
            module = importlib.import_module(f"ctnode.api.routers.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"ctnode.api.routers.{name}":
                raise
            continue
        router: APIRouter = module.router
        routers.append(router)
    return routers
