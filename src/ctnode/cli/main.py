"""``ctnode``: the command line, composed here from one module per command group.

Each module is imported only when one of its commands runs (``cli.groups.LazyCommands``),
so ``ctnode screen NAME`` does not load the STIX, hash or biometric command modules.

Every command is a thin edge: it parses, calls a service of the node, and renders.
This table says where each lives:

============================  ======================================================
``up``, ``serve``, ``db``      ``server`` (the API started by its factory's name)
``import``, ``export``,        ``lists``
``datasets``
``screen`` (name, batch,       ``screening``; ``screen manifest`` / ``payments``:
``--network``), ``entity``     ``batches``
``decide``, ``review``,        ``review``
``revoke-decision``
``watch``                      ``monitoring``
``keys``                       ``keys``
``users``                      ``users`` (the console's accounts)
``audit``                      ``audit`` (with the signed checkpoints)
``init``, ``descriptor``,      ``peers``
``peers``, ``agreements``
``disclosures``, ``inbox``,    ``sharing``
``alerts``, ``updates``
``biometrics``, ``import`` /   ``biometrics``
``export ansi-nist``
``jobs``                       ``jobs``
``hashes``                     ``hashes``
``intel``                      ``intel`` (STIX 2.1, TAXII 2.1 sources, MISP)
``library``                    ``library`` (best-practice documents)
============================  ======================================================
"""

from __future__ import annotations

import atexit
import os
import platform
import sys
import threading
from functools import cache
from typing import Annotated, ClassVar

import typer

from ctnode import __version__
from ctnode.cli.groups import Lazy, LazyCommands, Loading


@cache
def _import() -> typer.Typer:
    from ctnode.cli import biometrics, lists

    lists.import_app.command("ansi-nist")(biometrics.import_ansi_nist)
    return lists.import_app


@cache
def _export() -> typer.Typer:
    from ctnode.cli import biometrics, lists

    lists.export_app.command("ansi-nist")(biometrics.export_ansi_nist)
    return lists.export_app


class _Commands(LazyCommands):
    """Every command, in the order ``ctnode --help`` lists them."""

    commands_table: ClassVar[dict[str, Lazy]] = {
        # -- running the node --
        "up": Lazy("server", "up"),
        "serve": Lazy("server", "serve"),
        "db": Lazy("server", "db_app"),
        "jobs": Lazy("jobs", "jobs_app"),
        "travel-retention": Lazy("jobs", "travel_retention", hidden=True),  # old name, one release
        # -- lists --
        "import": Lazy(load=_import),
        "export": Lazy(load=_export),
        "datasets": Lazy("lists", "datasets_app"),
        "index": Lazy("index", "index_app"),
        # -- screening and review --
        "screen": Lazy("screening", "screen_app"),
        "entity": Lazy("screening", "entity"),
        "decide": Lazy("review", "decide"),
        "revoke-decision": Lazy("review", "revoke_decision"),
        "review": Lazy("review", "review"),
        "watch": Lazy("monitoring", "watch_app"),
        # -- keys and audit --
        "keys": Lazy("keys", "keys_app"),
        "users": Lazy("users", "users_app"),
        "audit": Lazy("audit", "audit_app"),
        # -- federation --
        "init": Lazy("peers", "init"),
        "descriptor": Lazy("peers", "descriptor"),
        "rotate-key": Lazy("peers", "rotate_key"),
        "peers": Lazy("peers", "peers_app"),
        "agreements": Lazy("peers", "agreements_app"),
        "disclosures": Lazy("sharing", "disclosures_app"),
        "inbox": Lazy("sharing", "inbox"),
        "alerts": Lazy("sharing", "alerts_app"),
        "updates": Lazy("sharing", "updates_app"),
        # -- biometrics, content hashes, threat intelligence, the library --
        "biometrics": Lazy("biometrics", "biometrics_app"),
        "hashes": Lazy("hashes", "hashes_app"),
        "intel": Lazy("intel", "intel_app"),
        "library": Lazy("library", "library_app"),
    }


app = typer.Typer(
    help="ctnode: watchlist screening and hit/no-hit sharing for counter-terrorism coordinators.",
    cls=_Commands,  # typed errors as one line (exit status 1); command modules loaded on use
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"ctnode {__version__} (Python {platform.python_version()})")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print the version of ctnode and exit.")] = False,
) -> None:
    # The command's module is imported by now (click resolves it before this callback). In a
    # process that runs several commands, its consoles take this command's terminal width.
    common = sys.modules.get("ctnode.cli.common")
    if common is not None:
        common.follow_terminal_width()


def run() -> None:
    """The ``ctnode`` command (and ``python -m ctnode.cli``): :data:`app`, then an exit that
    does not take the interpreter apart.

    After a command has run, Python's own exit frees every object and module it loaded one
    by one: 0.15-0.3 s of CPU for a screen (SQLAlchemy, numpy, rigour, the name index and
    its caches), a fifth of a ``ctnode screen NAME``, with nothing to show for it. Here
    the exit does what Python's does that anyone can see, in its order: wait for the
    threads that are not daemons (and run what was registered to run before that), run
    the ``atexit`` functions (logging's flush among them), flush standard output and
    error; then the process ends with the command's status. A file a command left open
    is not flushed at exit: commands write theirs with ``with`` or in one call.
    """
    code: str | int | None = 0
    Loading.active = True  # the collector off while the command's module is imported
    try:
        app()
    except SystemExit as exc:
        code = exc.code
    # what Python's exit does first: the threading module's exit functions and the
    # non-daemon threads (a server's workers), then atexit's (private names, but the same
    # calls the interpreter makes, in CPython since 3.9)
    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is None:  # another Python: its own exit, slower
        sys.exit(code)
    shutdown()
    atexit._run_exitfuncs()
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): printed, status 1, as Python does
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        if stream is None or stream.closed:  # as Python's exit: nothing left to flush
            continue
        try:
            stream.flush()
        except OSError:  # a closed pipe (`ctnode ... | head`)
            status = status or 120  # what Python exits with when its final flush fails
    os._exit(status)
