"""``ctnode import ...``, ``ctnode export ...`` and ``ctnode datasets``: the lists."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from ctnode import collector
from ctnode.cli.common import (
    console,
    node_session,
    operator,
    out,
    print_coverage,
    print_json,
    progress_bar,
    writing,
)
from ctnode.cli.groups import DefaultGroup
from ctnode.cli.options import bundled
from ctnode.model.lists import ImportReport

import_app = typer.Typer(
    help="Import a list into the store (one transaction; delta on re-import).", no_args_is_help=True
)
export_app = typer.Typer(help="Export lists from the store.", no_args_is_help=True)
R = TypeVar("R")

AsJson = Annotated[bool, typer.Option("--json", help="Print the report as JSON")]
DryRun = Annotated[bool, typer.Option(
    "--dry-run", help="Compute and print the delta (added, changed, delisted, relisted), change "
    "nothing")]
Confirm = Annotated[bool, typer.Option(
    "--confirm", help="Apply even when more than 5% of the list's records would be delisted")]
AllowOlder = Annotated[bool, typer.Option(
    "--allow-older", help="Import even when the list is older (by its own date) than the one held")]
VersionOpt = Annotated[str | None, typer.Option(
    "--version", help="The list's version, best its date (2026-05-13): an older one is refused")]
SourceOpt = Annotated[str | None, typer.Option(
    "--source", help="Who publishes the list, when the file does not say it (or says it "
    "otherwise): a dataset refuses a list of another publisher than its first import's")]


@dataclass(frozen=True, slots=True)
class ImportChoices:
    """How a list import runs and reports: the options every ``ctnode import`` of a list has."""

    as_json: bool = False
    dry_run: bool = False
    confirm: bool = False
    allow_older: bool = False


def import_choices(*, older: bool = True) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """``--json``, ``--dry-run``, ``--confirm`` (and, for a list that dates itself,
    ``--allow-older``) given to the command as one ``how: ImportChoices``."""
    options: dict[str, tuple[Any, Any]] = {
        "as_json": (AsJson, False), "dry_run": (DryRun, False), "confirm": (Confirm, False)}
    if older:
        options["allow_older"] = (AllowOlder, False)
    return bundled("how", ImportChoices, options)


class DatasetsGroup(DefaultGroup):
    """``ctnode datasets`` lists them; ``ctnode datasets remove NAME`` removes one."""

    default_command = "list"


datasets_app = typer.Typer(cls=DatasetsGroup, help="The lists this node holds (list, remove).")


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
                "relisted_ids": report.relisted,
                "warnings": report.warnings,
            }
        )
        return
    if report.dry_run:
        to.print(
            f"[bold yellow]dry run[/]: nothing was changed. Importing "
            f"{escape(str(summary['source']))} (version {escape(str(summary['version']))}) into "
            f"[bold]{escape(str(summary['dataset']))}[/] ({report.held_before} listed now) would:"
        )
    else:
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
    shown = (("removed", report.removed), ("added", report.added), ("relisted", report.relisted),
             ("changed", report.changed))
    for label, ids in shown:
        if ids and (len(ids) <= 50 or report.dry_run):
            to.print(f"  {label}: {', '.join(i.split('-', 1)[-1] for i in ids)}",
                     markup=False, soft_wrap=True)
    if report.warnings:
        to.print(f"  {len(report.warnings)} warnings:")
        for w in report.warnings[:20]:
            to.print(f"    - {w}", markup=False)


def _import(kind: str, source: str, how: ImportChoices, *, dataset: str | None = None,
            mapping: Path | None = None, version: str | None = None,
            publisher: str | None = None) -> None:
    # Python's cyclic collector paused for the whole command (the parse, the store's write
    # and the index build pause it too, each for itself): between them its first passes
    # would go over every entity just parsed, which it cannot free (issue 11)
    with collector.paused(then_ends=True), node_session(create=True) as node, \
            progress_bar(f"importing {source}") as update:
        report = node.lists.import_source(
            kind, source, operator(), progress=update, dataset=dataset, mapping=mapping,
            version=version, publisher=publisher, dry_run=how.dry_run, confirm=how.confirm,
            allow_older=how.allow_older)
    print_report(report, how.as_json)


@import_app.command("un-sc")
@import_choices()
def import_un_sc(
    source: Annotated[
        str, typer.Argument(help="File path or URL of the UN SC Consolidated List XML")
    ],
    how: ImportChoices,
) -> None:
    """Import the UN Security Council Consolidated List (official XML); re-import applies a delta.

    A file older (by its dateGenerated) than the list held is refused unless --allow-older;
    a delta delisting more than 5% of the records needs --confirm; --dry-run shows the delta."""
    _import("un-sc", source, how)


@import_app.command("ofac-sdn")
@import_choices(older=False)
def import_ofac_sdn(
    source: Annotated[
        Path, typer.Argument(help="Folder holding OFAC's sdn.csv, alt.csv, add.csv (or sdn.csv)")
    ],
    how: ImportChoices,
    publisher: SourceOpt = None,
) -> None:
    """Import the US OFAC SDN list (legacy CSV files joined; wallets become CryptoWallets).

    Its publisher is US Treasury OFAC unless --source says otherwise (a list of the same
    shape from another publisher): a dataset refuses a list of another publisher."""
    _import("ofac-sdn", str(source), how, publisher=publisher)


@import_app.command("ftm")
@import_choices()
def import_ftm(
    file: Annotated[Path, typer.Argument(help="FollowTheMoney entities, JSON lines")],
    how: ImportChoices,
    dataset: Annotated[str | None, typer.Option(help="List name (default: the file name)")] = None,
    version: VersionOpt = None,
    publisher: SourceOpt = None,
) -> None:
    """Import FollowTheMoney entities (JSON lines) as a list.

    Refused into a dataset imported from another format (un_sc, a CSV list) or from another
    publisher (what the entities' `datasets` field states, or --source); see
    `ctnode import un-sc --help` for --dry-run, --confirm and --allow-older."""
    _import("ftm", str(file), how, dataset=dataset, version=version, publisher=publisher)


@import_app.command("csv")
@import_choices()
def import_csv(
    file: Annotated[Path, typer.Argument(help="CSV file of a national list")],
    mapping: Annotated[
        Path, typer.Option("--mapping", "-m", help="Mapping file (see docs/formats.md)")
    ],
    how: ImportChoices,
    version: VersionOpt = None,
    publisher: SourceOpt = None,
) -> None:
    """Import a national list from CSV with a declarative column mapping (--version, or the
    mapping's version, is the list's version; --source, or the mapping's publisher or title,
    its publisher: a dataset refuses a list of another publisher)."""
    _import("csv", str(file), how, mapping=mapping, version=version, publisher=publisher)


@export_app.command("ftm")
def export_ftm(
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file (default stdout)")
    ] = None,
    dataset: Annotated[str | None, typer.Option(help="Only this list")] = None,
    include_delisted: Annotated[bool, typer.Option(help="Also export delisted records")] = False,
) -> None:
    """Export entities as FollowTheMoney JSON lines."""
    n = 0
    with writing(output) as fh, node_session() as node:
        for item in node.lists.export_ftm(operator(), dataset=dataset,
                                          include_delisted=include_delisted):
            fh.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
            n += 1
    console.print(f"exported {n} entities")


@datasets_app.command("list")
def datasets(as_json: AsJson = False) -> None:
    """The lists this node holds, with version, size and what a screen would warn about."""
    with node_session() as node:
        rows = node.screening.datasets(operator())
        coverage = node.screening.coverage()
    if as_json:
        print_json({"datasets": rows, "coverage": coverage.as_dict()})
        return
    for d in rows:
        imported = f"{d['imported_at']:%Y-%m-%d %H:%M}" if d["imported_at"] else "?"
        out.print(
            f"{d['name']}: {d['title']} — version {d['version']}, {d['entities']} listed, "
            f"imported {imported} from {d['source']} ({d.get('kind') or 'format not recorded'}"
            f"; published by {d.get('publisher') or 'not stated'})",
            markup=False,
        )
    print_coverage(coverage)


@datasets_app.command("remove")
def remove_dataset(
    name: Annotated[str, typer.Argument(help="The dataset to remove (see `ctnode datasets`)")],
    reason: Annotated[str, typer.Option(help="Why (required, audited)")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Remove a list on purpose: its records are deleted (their history and the audit entry
    stay); subscribed peers get the delisting. Audited as dataset.remove."""
    with node_session() as node:
        held = node.lists.count(name, status=None)
        if not yes and not typer.confirm(f"remove dataset {name!r} and its {held} records?"):
            raise typer.Exit(1)
        report = node.lists.remove_dataset(operator(), name, reason=reason)
    out.print(f"removed dataset {name!r}: {len(report.removed)} records "
              f"({report.held_before} were listed)", markup=False)
