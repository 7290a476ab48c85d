"""``ctnode index ...``: the name index's files under the data folder.

Every process loads the index from its files (``<data_dir>/index``); they are kept up to
date by every import. These commands show their state, rebuild them from the store, and
check them against the store and the naive reference matcher.
"""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer

from ctnode.cli.common import node_session, out, progress_bar
from ctnode.match.bounds import COMPILED

index_app = typer.Typer(help="The name index's files: status, rebuild, verify.",
                        no_args_is_help=True)


def _size(folder_bytes: int) -> str:
    return f"{folder_bytes / 1e6:.1f} MB"


@index_app.command("status")
def index_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Where the index files are, what they hold, and whether they are current."""
    with node_session() as node:
        state = node.index.state()
    stamp = state.stamp or {}
    size = sum(int(f.get("size", 0)) for f in (stamp.get("files") or {}).values())
    data = {"folder": str(state.folder), "current": state.problem is None,
            "problem": state.problem, "store_mark": state.store_mark,
            "index_mark": stamp.get("mark"), "records": stamp.get("records"),
            "names": stamp.get("names"), "bytes": size}
    if as_json:
        out.print_json(json.dumps(data))
        return
    out.print(f"name index: {state.folder}")
    if state.stamp is None:
        out.print(f"  none yet ({state.problem}); it is built on first use or by "
                  "`ctnode index rebuild`")
        return
    out.print(f"  {stamp.get('records')} records, {stamp.get('names')} names, {_size(size)}")
    out.print(f"  built at store mark {stamp.get('mark')} (the store is at {state.store_mark})")
    out.print("  current" if state.problem is None else
              f"  not current: {state.problem} (brought up to date on next use)")


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Build the name index from the store and write its files (under the index's lock)."""
    started = time.monotonic()
    with node_session() as node:
        node.index.rebuild()
        state = node.index.state()
    stamp = state.stamp or {}
    size = sum(int(f.get("size", 0)) for f in (stamp.get("files") or {}).values())
    out.print(f"name index rebuilt: {stamp.get('records')} records, {stamp.get('names')} "
              f"names, {_size(size)} in {state.folder} ({time.monotonic() - started:.1f} s)")


@index_app.command("verify")
def index_verify(
    sample: Annotated[int, typer.Option(help="How many sample queries", min=1)] = 300,
    seed: Annotated[int, typer.Option(help="Random seed of the sample")] = 1,
) -> None:
    """Check the index files against the store (one record per entity) and the fast
    matcher against the naive reference on sample queries made from listed names; exit 1
    on any difference."""
    with node_session() as node, progress_bar("verifying") as update:
        report = node.index.verify(sample, seed, progress=lambda done: update(done, sample))
    if report.problem:
        out.print(f"the files were not current ({report.problem}); brought up to date first")
    out.print(f"records: {report.records} in the index, {report.stored} in the store with a "
              "name, date or document")
    out.print(f"{report.queries} sample queries in {report.seconds:.1f} s: "
              f"{report.queries - len(report.differ)} answered as the naive reference")
    for name in report.differ[:20]:
        out.print(f"  differs: {name!r}")
    out.print(f"name bounds: {COMPILED}")
    if not report.ok:
        raise typer.Exit(1)
    out.print("ok")
