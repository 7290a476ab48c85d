"""``ctnode``: the command line, composed here from one module per command group.

Every command is a thin edge: it parses, calls a service of the node, and renders.
This table says where each lives:

============================  ======================================================
``up``, ``serve``, ``db``      ``server`` (the API started by its factory's name)
``import``, ``export``,        ``lists``
``datasets``
``screen`` (name, batch,       ``screening``; ``screen manifest`` / ``payments``:
``--network``), ``entity``     ``batches``
``decide``, ``review``         ``review``
``watch``                      ``monitoring``
``keys``                       ``keys``
``audit``                      ``audit`` (with the signed checkpoints)
``init``, ``descriptor``,      ``peers``
``peers``, ``agreements``
``disclosures``, ``inbox``,    ``sharing``
``alerts``, ``updates``
``biometrics``, ``import`` /   ``biometrics``
``export ansi-nist``
``jobs``                       ``jobs``
============================  ======================================================
"""

from __future__ import annotations

import typer

from ctnode.cli import (
    audit,
    batches,
    biometrics,
    jobs,
    keys,
    lists,
    monitoring,
    peers,
    review,
    screening,
    server,
    sharing,
)
from ctnode.cli.common import handle_errors

app = typer.Typer(
    help="ctnode: watchlist screening and hit/no-hit sharing for counter-terrorism coordinators.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# -- running the node --
app.command("up")(server.up)
app.command("serve")(server.serve)
app.add_typer(server.db_app, name="db")
app.add_typer(jobs.jobs_app, name="jobs")
app.command("travel-retention", hidden=True)(jobs.travel_retention)  # old name, one release
# -- lists --
app.add_typer(lists.import_app, name="import")
app.add_typer(lists.export_app, name="export")
app.command("datasets")(lists.datasets)
lists.import_app.command("ansi-nist")(biometrics.import_ansi_nist)
lists.export_app.command("ansi-nist")(biometrics.export_ansi_nist)
# -- screening and review --
app.add_typer(screening.screen_app, name="screen")
screening.screen_app.command("manifest")(batches.screen_manifest_cmd)
screening.screen_app.command("payments")(batches.screen_payments_cmd)
app.command("entity")(screening.entity)
app.command("decide")(review.decide)
app.command("review")(review.review)
app.add_typer(monitoring.watch_app, name="watch")
# -- keys and audit --
app.add_typer(keys.keys_app, name="keys")
app.add_typer(audit.audit_app, name="audit")
# -- federation --
app.command("init")(handle_errors(peers.init))
app.command("descriptor")(handle_errors(peers.descriptor))
app.add_typer(peers.peers_app, name="peers")
app.add_typer(peers.agreements_app, name="agreements")
app.add_typer(sharing.disclosures_app, name="disclosures")
app.command("inbox")(handle_errors(sharing.inbox))
app.add_typer(sharing.alerts_app, name="alerts")
app.add_typer(sharing.updates_app, name="updates")
# -- biometrics --
app.add_typer(biometrics.biometrics_app, name="biometrics")
