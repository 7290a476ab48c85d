"""``ctnode``: the command line, composed here from one module per command group.

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

import platform
from collections.abc import Callable
from typing import Annotated, Any

import typer

from ctnode import __version__
from ctnode.cli import (
    audit,
    batches,
    biometrics,
    hashes,
    index,
    intel,
    jobs,
    keys,
    library,
    lists,
    monitoring,
    peers,
    review,
    screening,
    server,
    sharing,
    users,
)
from ctnode.cli.common import ErrorLines

app = typer.Typer(
    help="ctnode: watchlist screening and hit/no-hit sharing for counter-terrorism coordinators.",
    cls=ErrorLines,  # every command's typed errors as one line, exit status 1
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
    pass


# The top-level commands (functions) and command groups (Typer apps), by area, in the order
# ``--help`` lists them.
TOP: tuple[tuple[str, Callable[..., Any] | typer.Typer], ...] = (
    # running the node
    ("up", server.up), ("serve", server.serve), ("db", server.db_app), ("jobs", jobs.jobs_app),
    # lists
    ("import", lists.import_app), ("export", lists.export_app), ("datasets", lists.datasets_app),
    ("index", index.index_app),
    # screening and review
    ("screen", screening.screen_app), ("entity", screening.entity),
    ("decide", review.decide), ("revoke-decision", review.revoke_decision),
    ("review", review.review), ("watch", monitoring.watch_app),
    # keys and audit
    ("keys", keys.keys_app), ("users", users.users_app), ("audit", audit.audit_app),
    # federation
    ("init", peers.init), ("descriptor", peers.descriptor), ("rotate-key", peers.rotate_key),
    ("peers", peers.peers_app), ("agreements", peers.agreements_app),
    ("disclosures", sharing.disclosures_app), ("inbox", sharing.inbox),
    ("alerts", sharing.alerts_app), ("updates", sharing.updates_app),
    # biometrics, content hashes, threat intelligence, the library
    ("biometrics", biometrics.biometrics_app), ("hashes", hashes.hashes_app),
    ("intel", intel.intel_app), ("library", library.library_app),
)
for name, part in TOP:
    if isinstance(part, typer.Typer):
        app.add_typer(part, name=name)
    else:
        app.command(name)(part)
app.command("travel-retention", hidden=True)(jobs.travel_retention)  # old name, one release
# Commands of one group that live with another area
lists.import_app.command("ansi-nist")(biometrics.import_ansi_nist)
lists.export_app.command("ansi-nist")(biometrics.export_ansi_nist)
screening.screen_app.command("manifest")(batches.screen_manifest_cmd)
screening.screen_app.command("payments")(batches.screen_payments_cmd)
