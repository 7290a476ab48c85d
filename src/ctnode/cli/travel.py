"""``ctnode screen manifest FILE`` and ``ctnode screen payments FILE`` (registered by cli/main.py).

Thin edge: read the file, call ``ctnode.travel.screen`` / ``ctnode.payments.screen``,
render the report as a table, JSON lines or CSV.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ctnode.cli.common import console, handle_errors, make_node, operator, out, progress_bar
from ctnode.errors import InvalidInput, TooLarge
from ctnode.node import Purpose


class ReportFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


FileArg = Annotated[Path, typer.Argument(help="The message file to screen.", show_default=False)]
FormatOpt = Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
]
PurposeOpt = Annotated[str | None, typer.Option(help="Purpose of the screening (audited).")]
BasisOpt = Annotated[str | None, typer.Option("--legal-basis", help="Legal basis (audited).")]
CaseOpt = Annotated[str | None, typer.Option("--case-ref", help="Case reference (audited).")]


def _read(path: Path, limit: int) -> bytes:
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    if path.stat().st_size > limit:
        raise TooLarge(f"{path} is larger than the limit of {limit} bytes")
    return path.read_bytes()


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        out.print(text, end="", markup=False, highlight=False, soft_wrap=True)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"report written to {output}")


@handle_errors
def screen_manifest_cmd(
    file: FileArg,
    format: FormatOpt = ReportFormat.table,
    output: OutputOpt = None,
    hits_only: Annotated[
        bool, typer.Option("--hits-only", help="Table: show only travellers with hits.")
    ] = False,
    purpose: PurposeOpt = None,
    legal_basis: BasisOpt = None,
    case_ref: CaseOpt = None,
) -> None:
    """Screen every traveller of a PAXLST or PNRGOV message (or MRZ text) against the lists."""
    from ctnode.travel import report as rpt
    from ctnode.travel.screen import screen_manifest

    node = make_node()
    try:
        data = _read(file, node.settings.max_upload_bytes)
        with progress_bar("screening travellers") as update:
            report = screen_manifest(
                node,
                data,
                operator(),
                Purpose(purpose, legal_basis, case_ref),
                channel="cli",
                progress=update,
            )
        if format is ReportFormat.table:
            if output is None:
                rpt.render_table(report, out, all_travellers=not hits_only)
            else:
                from rich.console import Console

                with output.open("w", encoding="utf-8") as fh:
                    rpt.render_table(
                        report, Console(file=fh, width=160), all_travellers=not hits_only
                    )
        elif format is ReportFormat.jsonl:
            _emit(rpt.to_jsonl(report), output)
        else:
            _emit(rpt.to_csv(report), output)
    finally:
        node.close()


@handle_errors
def screen_payments_cmd(
    file: FileArg,
    format: FormatOpt = ReportFormat.table,
    output: OutputOpt = None,
    validate: Annotated[
        bool | None,
        typer.Option(
            "--validate/--no-validate",
            help="Validate ISO 20022 against the official XSDs (default: on when "
            "CTNODE_PAYMENTS_XSD_DIR is set).",
        ),
    ] = None,
    xsd_dir: Annotated[Path | None, typer.Option(help="Folder of the official XSD files.")] = None,
    purpose: PurposeOpt = None,
    legal_basis: BasisOpt = None,
    case_ref: CaseOpt = None,
) -> None:
    """Screen every party and crypto address of an ISO 20022 (pacs.008, pain.001) or MT103 file."""
    from ctnode.payments import report as rpt
    from ctnode.payments.screen import screen_payments

    node = make_node()
    try:
        data = _read(file, node.settings.max_upload_bytes)
        with progress_bar("screening payment parties") as update:
            report = screen_payments(
                node,
                data,
                operator(),
                Purpose(purpose, legal_basis, case_ref),
                validate=validate,
                xsd_dir=xsd_dir,
                channel="cli",
                progress=update,
            )
        if format is ReportFormat.table:
            if output is None:
                rpt.render_table(report, out)
            else:
                from rich.console import Console

                with output.open("w", encoding="utf-8") as fh:
                    rpt.render_table(report, Console(file=fh, width=160))
        elif format is ReportFormat.jsonl:
            _emit(rpt.to_jsonl(report), output)
        else:
            _emit(rpt.to_csv(report), output)
    finally:
        node.close()


@handle_errors
def travel_retention_cmd() -> None:
    """Apply the retention policy to stored manifests and payment files now (mask, delete)."""
    from ctnode.travel.retention import sweep

    node = make_node()
    try:
        result = sweep(node.store.engine, node.settings)
        node.audit(
            "travel.retention",
            operator(),
            detail={"masked": result.masked, "deleted": result.deleted},
        )
        out.print(f"masked {result.masked} raw messages, deleted {result.deleted}")
    finally:
        node.close()


def register(app: typer.Typer, *, screen_app: typer.Typer, **_others: typer.Typer) -> None:
    """Wire the commands into ``ctnode`` (called by cli/main.py)."""
    screen_app.command("manifest")(screen_manifest_cmd)
    screen_app.command("payments")(screen_payments_cmd)
    app.command("travel-retention")(travel_retention_cmd)
