"""``ctnode jobs ...``: the periodic jobs the server runs, listed or run once now.

``ctnode jobs run retention`` is what a node without a server runs from cron or a
systemd timer (``ctnode travel-retention``, its name before 0.2, still works for one
release).
"""

from __future__ import annotations

from typing import Annotated

import typer

from ctnode.cli.common import node_session, operator, out

jobs_app = typer.Typer(help="Periodic jobs: list them, or run one now.", no_args_is_help=True)


@jobs_app.command("list")
def jobs_list() -> None:
    """The jobs the server runs, and how often."""
    with node_session() as node:
        for job in node.jobs.jobs.values():
            out.print(f"{job.name:<16} every {job.every / 60:g} min  {job.description}")
        if not node.settings.jobs_enabled:
            out.print("(CTNODE_JOBS_ENABLED=false: the server runs none of them)")


@jobs_app.command("run")
def jobs_run(name: Annotated[str, typer.Argument(help="The job (see `ctnode jobs list`)")]) -> None:
    """Run one job now and print what it did (for cron or a systemd timer)."""
    with node_session() as node:
        result = node.jobs.run(name, operator())
    out.print(str(result) if result is not None else f"{name}: done")


def travel_retention() -> None:
    """Apply the retention policy now (old name of ``ctnode jobs run retention``)."""
    jobs_run("retention")
