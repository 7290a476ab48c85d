"""``ctnode import ...``, ``ctnode export ...`` and ``ctnode datasets``: the lists."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from ctnode.cli.common import (
    check_output,
    console,
    handle_errors,
    make_node,
    open_output,
    operator,
    out,
    print_json,
    progress_bar,
)
from ctnode.model.lists import ImportReport

import_app = typer.Typer(
    help="Import a list into the store (one transaction; delta on re-import).", no_args_is_help=True
)
export_app = typer.Typer(help="Export lists from the store.", no_args_is_help=True)

AsJson = Annotated[bool, typer.Option("--json", help="Print the report as JSON")]


def print_report(report: ImportReport, as_json: bool = False, to: Console = out) -> None:
    """An import report: JSON, or readable lines (what came from where, the delta, the ids
    added or removed when there are at most 50, the first 20 warnings)."""
    summary = report.summary()
    if as_json:
        print_json(
            {
                **summary,
                "added_ids": report.added,
                "changed_ids": report.changed,
                "removed_ids": report.removed,
                "warnings": report.warnings,
            }
        )
        return
    to.print(
        f"imported [bold]{escape(str(summary['dataset']))}[/] version "
        f"{escape(str(summary['version']))} from {escape(str(summary['source']))} "
        f"in {summary['seconds']} s"
    )
    to.print(
        f"  added {summary['added']}, changed {summary['changed']} "
        f"({summary['changed_identifying']} in names, dates or documents), removed (delisted) "
        f"{summary['removed']}, relisted {summary['relisted']}, unchanged {summary['unchanged']}"
    )
    for label, ids in (("removed", report.removed), ("added", report.added)):
        if ids and len(ids) <= 50:
            to.print(f"  {label}: {', '.join(i.split('-', 1)[-1] for i in ids)}", markup=False)
    if report.warnings:
        to.print(f"  {len(report.warnings)} warnings:")
        for w in report.warnings[:20]:
            to.print(f"    - {w}", markup=False)


def _import(kind: str, source: str, as_json: bool, *, dataset: str | None = None,
            mapping: Path | None = None) -> None:
    node = make_node()
    try:
        with progress_bar(f"importing {source}") as update:
            report = node.lists.import_source(kind, source, operator(), progress=update,
                                              dataset=dataset, mapping=mapping)
    finally:
        node.close()
    print_report(report, as_json)


@import_app.command("un-sc")
@handle_errors
def import_un_sc(
    source: Annotated[
        str, typer.Argument(help="File path or URL of the UN SC Consolidated List XML")
    ],
    as_json: AsJson = False,
) -> None:
    """Import the UN Security Council Consolidated List (official XML); re-import applies a delta."""
    _import("un-sc", source, as_json)


@import_app.command("ofac-sdn")
@handle_errors
def import_ofac_sdn(
    source: Annotated[
        Path, typer.Argument(help="Folder holding OFAC's sdn.csv, alt.csv, add.csv (or sdn.csv)")
    ],
    as_json: AsJson = False,
) -> None:
    """Import the US OFAC SDN list (legacy CSV files joined; wallets become CryptoWallets)."""
    _import("ofac-sdn", str(source), as_json)


@import_app.command("ftm")
@handle_errors
def import_ftm(
    file: Annotated[Path, typer.Argument(help="FollowTheMoney entities, JSON lines")],
    dataset: Annotated[str | None, typer.Option(help="List name (default: the file name)")] = None,
    as_json: AsJson = False,
) -> None:
    """Import FollowTheMoney entities (JSON lines) as a list."""
    _import("ftm", str(file), as_json, dataset=dataset)


@import_app.command("csv")
@handle_errors
def import_csv(
    file: Annotated[Path, typer.Argument(help="CSV file of a national list")],
    mapping: Annotated[
        Path, typer.Option("--mapping", "-m", help="Mapping file (see docs/formats.md)")
    ],
    as_json: AsJson = False,
) -> None:
    """Import a national list from CSV with a declarative column mapping."""
    _import("csv", str(file), as_json, mapping=mapping)


@export_app.command("ftm")
@handle_errors
def export_ftm(
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file (default stdout)")
    ] = None,
    dataset: Annotated[str | None, typer.Option(help="Only this list")] = None,
    include_delisted: Annotated[bool, typer.Option(help="Also export delisted records")] = False,
) -> None:
    """Export entities as FollowTheMoney JSON lines."""
    fh = open_output(check_output(output)) if output else sys.stdout
    node = make_node()
    n = 0
    try:
        for item in node.lists.export_ftm(operator(), dataset=dataset,
                                          include_delisted=include_delisted):
            fh.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
            n += 1
    finally:
        if output:
            fh.close()
        node.close()
    console.print(f"exported {n} entities")


@handle_errors
def datasets() -> None:
    """The lists this node holds."""
    node = make_node()
    for d in node.screening.datasets(operator()):
        out.print(
            f"{d['name']}: {d['title']} — version {d['version']}, {d['entities']} listed, "
            f"imported {d['imported_at']:%Y-%m-%d %H:%M} from {d['source']}"
        )
    node.close()
