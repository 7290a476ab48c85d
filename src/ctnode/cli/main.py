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
from typing import Annotated

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


# -- running the node --
app.command("up")(server.up)
app.command("serve")(server.serve)
app.add_typer(server.db_app, name="db")
app.add_typer(jobs.jobs_app, name="jobs")
app.command("travel-retention", hidden=True)(jobs.travel_retention)  # old name, one release
# -- lists --
app.add_typer(lists.import_app, name="import")
app.add_typer(lists.export_app, name="export")
app.add_typer(lists.datasets_app, name="datasets")
lists.import_app.command("ansi-nist")(biometrics.import_ansi_nist)
lists.export_app.command("ansi-nist")(biometrics.export_ansi_nist)
app.add_typer(index.index_app, name="index")
# -- screening and review --
app.add_typer(screening.screen_app, name="screen")
screening.screen_app.command("manifest")(batches.screen_manifest_cmd)
screening.screen_app.command("payments")(batches.screen_payments_cmd)
app.command("entity")(screening.entity)
app.command("decide")(review.decide)
app.command("revoke-decision")(review.revoke_decision)
app.command("review")(review.review)
app.add_typer(monitoring.watch_app, name="watch")
# -- keys and audit --
app.add_typer(keys.keys_app, name="keys")
app.add_typer(users.users_app, name="users")
app.add_typer(audit.audit_app, name="audit")
# -- federation --
app.command("init")(peers.init)
app.command("descriptor")(peers.descriptor)
app.command("rotate-key")(peers.rotate_key)
app.add_typer(peers.peers_app, name="peers")
app.add_typer(peers.agreements_app, name="agreements")
app.add_typer(sharing.disclosures_app, name="disclosures")
app.command("inbox")(sharing.inbox)
app.add_typer(sharing.alerts_app, name="alerts")
app.add_typer(sharing.updates_app, name="updates")
# -- biometrics --
app.add_typer(biometrics.biometrics_app, name="biometrics")
# -- content hashes --
app.add_typer(hashes.hashes_app, name="hashes")
# -- threat intelligence --
app.add_typer(intel.intel_app, name="intel")
app.add_typer(library.library_app, name="library")
