"""``ctnode watch ...``: subjects under watch, re-screened when a list changes.

``add`` one subject, ``import`` a file (JSON lines, CSV, a manifest's travellers, a payment
file's parties), ``list``, ``show``, ``remove``; ``alerts`` to read (and acknowledge)
what list changes raised; ``rescreen`` for the full re-screen (admin).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ctnode.cli.common import (
    node_session,
    operator,
    out,
    print_json,
    progress_bar,
    read_file,
)
from ctnode.cli.options import JsonOpt, with_purpose
from ctnode.cli.screening import BirthDateOpt, DocumentOpt, NationalityOpt, SchemaOpt
from ctnode.errors import InvalidInput
from ctnode.model.access import Purpose
from ctnode.services.monitoring.files import WATCH_FORMATS, fields_of
from ctnode.services.monitoring.service import WatchResult
from ctnode.services.screening.query import build_query

watch_app = typer.Typer(
    help="Subjects under watch: re-screened the moment a list changes; alerts to their owner.",
    no_args_is_help=True,
)

OwnerOpt = Annotated[str | None, typer.Option(
    help="Who gets the alerts (an API key's owner name, e.g. key:desk-2); default: you")]
ExpiresOpt = Annotated[str | None, typer.Option(
    help="Last day under watch, YYYY-MM-DD (default: CTNODE_WATCH_DEFAULT_DAYS from now; "
    "capped by CTNODE_WATCH_MAX_DAYS)")]
DaysOpt = Annotated[int | None, typer.Option(min=1, help="Or: days under watch from now")]
EveryoneOpt = Annotated[bool, typer.Option("--all", help="Every owner's (admin)")]


def _expires(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--expires must be a date YYYY-MM-DD, not {value!r}") from None


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value)


def _report(result: WatchResult, as_json: bool) -> None:
    if as_json:
        print_json({"subjects": [s.as_dict() for s in result.subjects],
                    "capped": result.capped, "alerts": result.alerts})
        return
    first = result.subjects[0]
    out.print(f"{len(result.subjects)} subject(s) under watch until "
              f"{first.expires_at:%Y-%m-%d}, owner {escape(first.owner)}"
              + (" [yellow](expiry cut to the retention policy's longest)[/]"
                 if result.capped else ""))
    if len(result.subjects) == 1:
        out.print(f"id {first.id}")
    _alerts_table(result.alerts, "hits of the first screen (alerts to the owner)",
                  empty="first screen: [green]no hit[/green]")


def _alerts_table(rows: list[dict[str, Any]], title: str, empty: str) -> None:
    if not rows:
        out.print(empty)
        return
    table = Table(title=title)
    for col in ("at", "alert", "subject", "kind", "entity", "band", "score", "cause"):
        table.add_column(col)
    for a in rows:
        band = a["band"] or ""
        if a["previous_band"]:
            band = f"{a['previous_band']} → {band or 'none'}"
        table.add_row(_when(a["at"]), a["id"][:8], a["subject_id"][:8], a["kind"],
                      escape(a["entity_id"] or ""), band,
                      "" if a["score"] is None else f"{a['score']:.3f}",
                      escape(a["cause"]) + ("" if a["read_at"] is None else " (read)"))
    out.print(table)


@watch_app.command("add")
@with_purpose
def watch_add(
    name: Annotated[list[str], typer.Argument(help="The subject's name(s), in any script")],
    purpose: Purpose,
    birth_date: BirthDateOpt = None,
    nationality: NationalityOpt = None,
    document: DocumentOpt = None,
    schema: SchemaOpt = "Person",
    label: Annotated[str | None, typer.Option(help="Your own reference (kept sealed)")] = None,
    owner: OwnerOpt = None,
    expires: ExpiresOpt = None,
    days: DaysOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Put one subject under watch (needs --purpose and --legal-basis). It is screened at
    once; every list change re-screens it and alerts its owner."""
    query = build_query(name, schema=schema, birth_dates=birth_date or [],
                        nationalities=nationality or [], documents=document or [],
                        dates_field="--birth-date")
    with node_session() as node:
        result = node.monitoring.add([fields_of(query, label)], operator(), purpose,
                                     owner=owner, expires=_expires(expires), days=days,
                                     source="cli")
    _report(result, as_json)


@watch_app.command("import")
@with_purpose
def watch_import(
    path: Annotated[Path, typer.Argument(help="The file")],
    purpose: Purpose,
    fmt: Annotated[str, typer.Option("--format", help=(
        "jsonl or csv (columns id, name, names, schema, birthDate, nationality, document; "
        "several values in a CSV cell separated by |), manifest (PAXLST, PNRGOV, MRZ: its "
        "travellers, only with --days or --expires), payments (ISO 20022, MT103: its "
        "parties); default: from the file's extension"))] = "",
    owner: OwnerOpt = None,
    expires: ExpiresOpt = None,
    days: DaysOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Put every subject of a file under watch: all of them, or none when a line is wrong
    (the error names the line and field)."""
    fmt = fmt or {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".edi": "manifest",
                  ".xml": "payments", ".fin": "payments"}.get(path.suffix.lower(), "")
    if fmt not in WATCH_FORMATS:
        raise InvalidInput(f"--format must be one of {', '.join(WATCH_FORMATS)} (the "
                           f"extension of {path.name} does not say which)")
    with node_session() as node:
        data = read_file(path, node.settings.max_upload_bytes)
        with progress_bar("first screen", enabled=not as_json) as update:
            result = node.monitoring.import_file(data, fmt, operator(), purpose,
                                                 name=str(path), owner=owner,
                                                 expires=_expires(expires), days=days,
                                                 progress=update)
    _report(result, as_json)


@watch_app.command("list")
def watch_list(
    everyone: EveryoneOpt = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Subjects under watch, oldest first (yours; every owner's with --all)."""
    with node_session() as node:
        subjects = node.monitoring.list_subjects(operator(), everyone=everyone, limit=limit,
                                                 offset=offset)
    if as_json:
        print_json([s.as_dict() for s in subjects])
        return
    if not subjects:
        out.print("no subject under watch")
        return
    table = Table(title=f"{len(subjects)} subject(s) under watch")
    for col in ("id", "names", "born", "label", "owner", "case", "until", "source"):
        table.add_column(col)
    for s in subjects:
        table.add_row(s.id, escape("; ".join(s.fields.names)), ", ".join(s.fields.birth_dates),
                      escape(s.fields.label or ""), escape(s.owner), escape(s.case_ref or ""),
                      f"{s.expires_at:%Y-%m-%d}", s.source)
    out.print(table)


@watch_app.command("show")
def watch_show(subject_id: Annotated[str, typer.Argument(help="The subject's id")],
               as_json: JsonOpt = False) -> None:
    """One subject under watch, with the hits it has now and its alerts."""
    with node_session() as node:
        actor = operator()
        subject, hits = node.monitoring.get(subject_id, actor)
        alerts = node.monitoring.alerts(actor, everyone=True, subject_id=subject_id)
    if as_json:
        print_json({"subject": subject.as_dict(), "hits": hits, "alerts": alerts})
        return
    out.print(f"{escape('; '.join(subject.fields.names))} ({subject.fields.schema}) "
              f"owner {escape(subject.owner)}, until {subject.expires_at:%Y-%m-%d}, "
              f"purpose {escape(subject.purpose)} / {escape(subject.legal_basis)}")
    for h in hits:
        out.print(f"  {h['entity_id']}  {h['band']}  {h['score']:.3f}")
    if not hits:
        out.print("  no hit now")
    _alerts_table(alerts, "alerts", empty="no alert")


@watch_app.command("remove")
def watch_remove(
    subject_id: Annotated[list[str], typer.Argument(help="The subject id(s)")],
    reason: Annotated[str | None, typer.Option(help="Why (audited)")] = None,
) -> None:
    """Take subjects off the watch list (their hits are deleted; alerts stay)."""
    with node_session() as node:
        for sid in subject_id:
            node.monitoring.remove(sid, operator(), reason)
            out.print(f"removed {sid}")


@watch_app.command("alerts")
def watch_alerts(
    unread: Annotated[bool, typer.Option("--unread", help="Only unread ones")] = False,
    everyone: EveryoneOpt = False,
    mark_read: Annotated[bool, typer.Option("--mark-read", help="Acknowledge those shown")] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Alerts to you, newest first: new hits, hits in another band, hits gone, expiries."""
    with node_session() as node:
        actor = operator()
        rows = node.monitoring.alerts(actor, everyone=everyone, unread=unread, limit=limit)
        marked = node.monitoring.mark_read([r["id"] for r in rows], actor) if (
            mark_read and rows) else 0
    if as_json:
        print_json(rows)
        return
    _alerts_table(rows, "alerts", empty="no alert")
    if mark_read:
        out.print(f"{marked} alert(s) marked read")


@watch_app.command("rescreen")
def watch_rescreen(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show, write nothing")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Re-screen every subject in full (admin): the naive reference of the reverse index,
    and a repair after the lists were rebuilt or the thresholds changed."""
    with node_session() as node, progress_bar("re-screen", enabled=not as_json) as update:
        report = node.monitoring.rescreen_all(operator(), apply=not dry_run, progress=update)
    summary = report.summary()
    if dry_run:
        summary["would_alert"] = sum(1 for c in report.changes if c.kind and not c.suppressed)
    if as_json:
        print_json(summary)
        return
    out.print(f"{summary['subjects']} subject(s) re-screened in {summary['seconds']:.1f} s: "
              + (f"{summary['would_alert']} change(s) would alert (dry run)" if dry_run
                 else f"{summary['alerts']} alert(s) {summary['by_kind'] or ''}"))
