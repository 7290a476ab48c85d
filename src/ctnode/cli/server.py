"""Running the node: ``up`` (first start: store, UN list, admin key; then serve), ``serve``,
``db upgrade``.

The server is started through the process's app factory named by string
(``ctnode.server:serve``: the API and the console in one app), so the command line never
imports the other edges: the factory builds its own node from the same settings.
"""

from __future__ import annotations

import copy
import logging
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from ctnode.cli.common import (
    console,
    error_line,
    make_node,
    operator,
    progress_bar,
    settings_error,
)
from ctnode.cli.lists import print_report
from ctnode.node import Node
from ctnode.settings import Settings

APP_FACTORY = "ctnode.server:serve"

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)

HostOpt = Annotated[
    str | None, typer.Option(help="Bind address (default from CTNODE_HOST: 127.0.0.1)")
]
PortOpt = Annotated[int | None, typer.Option(help="Port (default from CTNODE_PORT: 8000)")]


def _ensure_admin_key(node: Node) -> None:
    """On first start, create an admin key and keep it in DATA_DIR/admin.key (owner-only)."""
    path: Path = node.settings.key_dir / "admin.key"
    if node.access.has_keys():
        if path.exists():
            console.print(f"admin API key: in {path}")
        return
    token = node.access.create_key(operator(), name="first-admin", role="admin")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token + "\n")
    console.print(
        f"created the first admin API key; it is in {path} (owner-only). Use it as "
        "header 'X-API-Key'."
    )


def up(
    host: HostOpt = None,
    port: PortOpt = None,
    load: Annotated[bool, typer.Option(help="Load the UN list on first start")] = True,
) -> None:
    """Create the store, load the UN Security Council list on first start, and serve the API.

    The list comes from CTNODE_UN_SC_SOURCE (the official URL by default, or a
    file); when that cannot be read, a small fictional demo list is loaded with a
    warning.
    """
    node = make_node(create=True)
    report = None
    # the real list held: nothing to load, and the list parsers are not imported before the
    # server answers (the server's warm-up loads them in the background)
    if load and not node.store.entities.count_entities(dataset="un_sc"):
        with progress_bar("loading the UN Security Council list") as update:
            how, report = node.lists.ensure_un_list(operator(), progress=update)
        if how == "demo":
            console.print(
                "[bold yellow]WARNING: the UN list could not be read from "
                f"{node.settings.un_sc_source} ({node.lists.last_source_error}); using the "
                "FICTIONAL DEMO list (dataset un_sc_demo) instead. Do not screen real "
                "people against it. Set CTNODE_UN_SC_SOURCE to a copy of the list, or "
                "run `ctnode import un-sc FILE`.[/]"
            )
        if report is not None:
            print_report(report, to=console)
    if load and report is None:
        console.print(
            f"lists present: {', '.join(d['name'] for d in node.screening.datasets(operator()))}"
        )
    _ensure_admin_key(node)
    _serve(node, host, port)


def serve(host: HostOpt = None, port: PortOpt = None) -> None:
    """Serve the HTTP API (OpenAPI at /docs) without loading anything."""
    _serve(make_node(create=True), host, port)


def _serve(node: Node, host: str | None, port: int | None) -> None:
    import uvicorn

    from ctnode.federation.transport import SERVER_KEEP_ALIVE

    settings = node.settings
    if host is not None or port is not None:
        # Re-validate so a non-loopback --host is refused outside development mode too.
        overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
        try:
            settings = Settings(**{**settings.model_dump(), **overrides})
        except ValueError as exc:
            error_line("configuration error", settings_error(exc))
            raise typer.Exit(2) from None
        # The app factory builds its node from the environment: tell it the same.
        os.environ["CTNODE_HOST"], os.environ["CTNODE_PORT"] = settings.host, str(settings.port)
    listed = node.store.entities.count_entities(status="listed")
    console.print(
        f"ctnode listening on http://{settings.host}:{settings.port} "
        f"(store: {node.store.dialect}; {listed} listed entities)"
    )
    node.close()
    # idle connections outlive the peers' keep-alive (federation/transport.py), so that a
    # peer's request never crosses this node closing the connection it was sent on
    uvicorn.run(APP_FACTORY, factory=True, host=settings.host, port=settings.port,
                log_level="info", log_config=access_log_config(),
                timeout_keep_alive=SERVER_KEEP_ALIVE)


class StripQueryString(logging.Filter):
    """Access-log lines without query strings: ``GET /search?q=<a name>`` is logged as
    ``GET /search?…`` (the audit log keeps only keyed hashes of what was searched; the
    access log must not keep the name in clear)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, mark, _query = args[2].partition("?")
            if mark:
                record.args = (*args[:2], path + "?\u2026", *args[3:])
        return True


def access_log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the query strings stripped from access lines."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["no_query"] = {"()": StripQueryString}
    config["handlers"]["access"]["filters"] = ["no_query"]
    return config


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations (also done at every start)."""
    node = make_node(create=True)
    console.print(f"store at the newest schema ({node.store.dialect})")
    node.close()
