"""``ctnode screen manifest FILE`` and ``ctnode screen payments FILE``: a file in, a report out
(a readable table, JSON lines or CSV).

Thin edge: read the file, call the manifest or payment screening service
(``ctnode.services.batches``), render its report.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ctnode.cli.common import (
    check_output,
    console,
    coverage_texts,
    node_session,
    open_output,
    operator,
    out,
    progress_bar,
    read_file,
    suppression_text,
    write_output,
)
from ctnode.cli.options import with_purpose
from ctnode.model.access import NO_PURPOSE, Purpose
from ctnode.model.messages import Issue
from ctnode.model.screening import Hit
from ctnode.node import Node
from ctnode.services.batches import reports
from ctnode.services.batches.manifest import ManifestReport
from ctnode.services.batches.payments import PaymentReport


class ReportFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


FileArg = Annotated[Path, typer.Argument(help="The message file to screen.", show_default=False)]
FormatOpt = Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write the report to this file.")]
HitsOnlyOpt = Annotated[bool, typer.Option(
    "--hits-only", help="Leave out the subjects with nothing to review (no hit, none "
                        "suppressed, screened), in every format.")]


R = TypeVar("R", ManifestReport, PaymentReport)


def _screen(file: Path, output: Path | None, label: str,
            screen: Callable[[Node, bytes, Callable[[int, int], None]], R]) -> R:
    """Read the file and screen it with a progress bar labelled ``label`` (once the report's
    output file, if any, is known to be writable and not the input)."""
    if output is not None:
        check_output(output, file)
    with node_session() as node:
        data = read_file(file, node.settings.max_upload_bytes)
        with progress_bar(label) as update:
            return screen(node, data, update)


def _render(report: reports.Report, fmt: ReportFormat, output: Path | None,
            table: Callable[[Console], None], hits_only: bool) -> None:
    """The report as a table, JSON lines or CSV, to the output file or stdout."""
    if fmt is ReportFormat.table:
        if output is None:
            table(out)
        else:
            with open_output(output) as fh:
                table(Console(file=fh, width=160))
        return
    text = (reports.to_jsonl(report, hits_only=hits_only) if fmt is ReportFormat.jsonl
            else reports.to_csv(report, hits_only=hits_only))
    if output is None:
        out.print(text, end="", markup=False, highlight=False, soft_wrap=True)
    else:
        write_output(output, text)
        console.print(f"report written to {output}")


@with_purpose
def screen_manifest_cmd(
    file: FileArg, format: FormatOpt = ReportFormat.table, output: OutputOpt = None,
    hits_only: HitsOnlyOpt = False,
    purpose: Purpose = NO_PURPOSE,
) -> None:
    """Screen every traveller of a PAXLST or PNRGOV message (or MRZ text) against the lists."""
    report = _screen(file, output, "screening travellers",
                     lambda node, data, update: node.manifests.screen(
                         data, operator(), purpose, channel="cli", progress=update))
    _render(report, format, output,
            lambda console: manifest_table(report, console, all_travellers=not hits_only),
            hits_only)


@with_purpose
def screen_payments_cmd(
    file: FileArg,
    format: FormatOpt = ReportFormat.table,
    output: OutputOpt = None,
    validate: Annotated[bool | None, typer.Option(
        "--validate/--no-validate",
        help="Validate ISO 20022 against the official XSDs (default: on when "
             "CTNODE_PAYMENTS_XSD_DIR is set).")] = None,
    xsd_dir: Annotated[Path | None, typer.Option(help="Folder of the official XSD files.")] = None,
    hits_only: HitsOnlyOpt = False,
    purpose: Purpose = NO_PURPOSE,
) -> None:
    """Screen every party and crypto address of an ISO 20022 (pacs.008, pain.001) or MT103 file."""
    report = _screen(file, output, "screening payment parties",
                     lambda node, data, update: node.payments.screen(
                         data, operator(), purpose, validate=validate, xsd_dir=xsd_dir,
                         channel="cli", progress=update))
    _render(report, format, output,
            lambda console: payment_table(report, console, all_parties=not hits_only), hits_only)


# -- the readable tables ----------------------------------------------------------------------

_BAND = {"match": "bold red", "possible": "yellow"}


def manifest_table(report: ManifestReport, console: Console, *, all_travellers: bool = True) -> None:
    m = report.manifest
    head = Text()
    head.append(f"{m.kind} {m.version or ''} {m.list_type or ''}".strip(), style="bold")
    head.append(f" from {m.sender or '?'} to {m.recipient or '?'}\n")
    for leg in m.legs:
        head.append(f"  flight {leg.label}" + (f" → {leg.arrival}" if leg.arrival else "") + "\n")
    if m.pnrs:
        head.append(f"  PNRs: {', '.join(m.pnrs)}\n")
    head.append(f"  {len(m.travellers)} travellers screened"
                + (f" (message declares {m.declared_count})" if m.declared_count is not None
                   else "")
                + f", {report.hit_count} with hits, {report.seconds:.2f} s\n")
    table = Table(show_lines=True)
    for col in ("#", "traveller", "born / sex / nat.", "documents", "hits (score, band, why)"):
        table.add_column(col)
    for t, r in zip(m.travellers, report.results, strict=True):
        hits = [*r.reportable, *r.suppressed]
        if not all_travellers and not reports.needs_review(r):
            continue
        who = Text(r.query.names[0] if r.query.names else t.raw_name)
        who.append(f"\n{t.role}" + (f", PNR {t.pnr}" if t.pnr else ""), style="dim")
        if len(r.query.names) > 1:
            who.append("\nalso: " + " | ".join(r.query.names[1:]), style="dim")
        facts = " / ".join(x for x in (t.birth_date or "?", t.sex or "?",
                                        ",".join(t.nationalities) or "?"))
        docs = "\n".join(f"{d.type or '?'} {d.number} {d.issuing_state or ''}".strip()
                         for d in t.documents)
        cell = Text()
        _hit_lines(cell, hits)
        if r.error:
            cell.append(f"not screened: {r.error}", style="red")
        elif not hits:
            cell.append("no hit", style="green")
        table.add_row(t.ref, who, facts, docs, cell)
    console.print(Group(*coverage_texts(report.coverage), head, table, *_issues(m.issues)))


def payment_table(report: PaymentReport, console: Console, *, all_parties: bool = True) -> None:
    m = report.message
    head = Text()
    head.append(f"{m.format}", style="bold")
    head.append(f"{' with AppHdr' if m.app_header else ''} message {m.message_id or '?'}: "
                f"{len(m.transactions)} transactions, {report.hit_count} hits, "
                f"{report.seconds:.2f} s")
    if m.schema_valid is not None:
        head.append(f", XSD {'valid' if m.schema_valid else 'INVALID'}")
    head.append("\n")
    table = Table(show_lines=True)
    for col in ("transaction", "party", "identifiers", "hits (score, band, why)"):
        table.add_column(col)
    for tr in report.transactions:
        tx = tr.transaction
        label = f"{tx.ref}\n{tx.amount or ''} {tx.currency or ''}".strip()
        parties, wallets = reports.shown_parts(tr, not all_parties)
        for pr in parties:
            p, r = pr.party, pr.result
            who = Text(p.name or "(no name)")
            who.append(f"\n{p.role}, {p.schema}", style="dim")
            ids = "\n".join(f"{i.scheme} {i.value}" for i in p.identifiers[:4])
            cell = Text()
            if r is None:
                cell.append("not screened (no name)", style="dim")
            elif r.error:
                cell.append(f"not screened: {r.error}", style="red")
            else:
                _hit_lines(cell, [*r.reportable, *r.suppressed])
                if not r.reportable and not r.suppressed:
                    cell.append("no hit", style="green")
            table.add_row(label, who, ids, cell)
            label = ""
        for w in wallets:
            cell = Text()
            if w.listed:
                cell.append("1.000 match", style="bold red")
                cell.append(" " + ", ".join(f"{lw.dataset} {lw.reference or lw.entity_id}"
                                            for lw in w.listed) + "\n")
            else:
                cell.append("not listed" + ("" if w.valid else f" (invalid: {w.reason})"),
                            style="dim")
            table.add_row(label, Text(f"{w.chain} wallet\n{w.where}"), w.address, cell)
            label = ""
    console.print(Group(*coverage_texts(report.coverage), head, table, *_issues(m.issues)))


def _hit_lines(cell: Text, hits: list[Hit]) -> None:
    for h in hits:
        cell.append(f"{h.score:.3f} {h.band}", style=_BAND.get(h.band, ""))
        cell.append(f" {h.dataset} {h.reference or ''} {h.matched_name}\n")
        if h.suppressed:
            cell.append(suppression_text(h) + "\n", style="magenta")
        cell.append(h.why() + "\n", style="dim")


def _issues(issues: list[Issue]) -> list[Text]:
    if not issues:
        return []
    text = Text("Issues:\n", style="bold")
    for i in issues:
        text.append(f"  {i.severity}{' (skipped)' if i.skipped else ''}: {i.message} "
                    f"[{i.where}]\n", style="red" if i.severity == "error" else "yellow")
    return [text]
