"""``ctnode screen NAME`` (also ``--batch FILE`` and ``--network``) and ``ctnode entity``."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, ClassVar

import typer
from rich.markup import escape

from ctnode.cli.common import (
    check_output,
    console,
    make_node,
    operator,
    out,
    print_coverage,
    print_hits,
    print_json,
    progress_bar,
    writing,
)
from ctnode.cli.groups import DefaultGroup, Lazy
from ctnode.cli.options import with_purpose
from ctnode.errors import InvalidInput
from ctnode.model.access import NO_PURPOSE, Purpose
from ctnode.model.screening import Hit, ScreenQuery
from ctnode.node import Node
from ctnode.services.screening.query import build_query
from ctnode.services.screening.workers import collecting_rarely
from ctnode.textsafe import json_object_line


class _ScreenCommands(DefaultGroup):
    """``ctnode screen NAME`` by default; manifests and payment files from ``cli.batches``,
    imported only when one of them is screened."""

    commands_table: ClassVar[dict[str, Lazy]] = {
        "manifest": Lazy("batches", "screen_manifest_cmd"),
        "payments": Lazy("batches", "screen_payments_cmd"),
    }


screen_app = typer.Typer(
    cls=_ScreenCommands, help="Screen a name (default), a batch file, a manifest or payments."
)

BirthDateOpt = Annotated[
    list[str] | None, typer.Option("--birth-date", help="YYYY-MM-DD, YYYY-MM or YYYY")
]
NationalityOpt = Annotated[list[str] | None, typer.Option(help="Country code or name")]
DocumentOpt = Annotated[list[str] | None, typer.Option(help="Passport or ID number")]
SchemaOpt = Annotated[str, typer.Option(help="Person, Organization, LegalEntity or Thing")]
SubjectIdOpt = Annotated[str | None, typer.Option(
    "--subject-id", help="Your stable id of this person (lets a false-positive decision apply to "
    "the same subject again, as a birth date or a document does)")]


def subject_query(name: str, schema: str, birth_date: list[str] | None,
                  nationality: list[str] | None, document: list[str] | None,
                  subject_id: str | None = None) -> ScreenQuery:
    """The query the subject options describe."""
    query = build_query([name], schema=schema, birth_dates=birth_date or [],
                        nationalities=nationality or [], documents=document or [],
                        dates_field="--birth-date")
    query.subject_id = (subject_id or "").strip() or None
    return query


@screen_app.command("name")
@with_purpose
def screen_name(
    name: Annotated[str | None, typer.Argument(help="The name to screen, in any script")] = None,
    birth_date: BirthDateOpt = None,
    nationality: NationalityOpt = None,
    document: DocumentOpt = None,
    schema: SchemaOpt = "Person",
    subject_id: SubjectIdOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also show hits below the reporting threshold")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
    batch: Annotated[
        Path | None, typer.Option(help="Screen a JSONL file instead of one name")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--out", help="With --batch: output JSONL (default stdout)")
    ] = None,
    purpose: Purpose = NO_PURPOSE,
    network: Annotated[
        bool,
        typer.Option(
            "--network",
            help="Also ask every peer whose agreement allows it (hit/no-hit; needs --purpose, --legal-basis, --case)",
        ),
    ] = False,
    peer: Annotated[
        list[str] | None, typer.Option("--peer", help="With --network: ask only these peers")
    ] = None,
    deadline: Annotated[
        float | None, typer.Option(help="With --network: seconds to wait for peers")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=0, max=64, help="With --batch: processes that match a large batch "
                     "(default CTNODE_BATCH_WORKERS; 0: one per core, at most 4)"),
    ] = None,
) -> None:
    """Screen NAME (with optional date of birth, nationality, document) and print ranked, explained hits."""
    if batch is not None:
        if name is not None:
            raise InvalidInput("give either NAME or --batch FILE, not both")
        node = make_node()
        _screen_batch(node, batch, output, limit, purpose, workers)
        node.close()
        return
    if not name:
        raise InvalidInput("missing NAME (or --batch FILE); see ctnode screen --help")
    query = subject_query(name, schema, birth_date, nationality, document, subject_id)
    node = make_node()
    try:
        if network:
            _screen_network(node, query, purpose, as_json=as_json, limit=limit, peers=peer,
                            deadline=deadline)
            return
        result = node.screening.screen(query, operator(), purpose, limit=limit, include_below=show_all,
                                       source="cli")
    finally:
        node.close()
    if as_json:
        print_json(
            {
                "query": name,
                "screening_id": result.screening_id,
                "hits": [h.as_dict() for h in result.hits],
                "suppressed": [h.as_dict() for h in result.suppressed],
                "coverage": result.coverage.as_dict() if result.coverage else None,
                "warnings": result.warnings,
            }
        )
        return
    print_coverage(result.coverage)
    for warning in result.warnings:
        out.print(f"[bold yellow]warning:[/] {escape(warning)}")
    print_hits(result.hits, f"screening {name!r}", result.suppressed)
    if result.screening_id:
        out.print(f"screening id {result.screening_id} (for `ctnode decide`)")
    if result.suppressed:
        out.print(
            f"{len(result.suppressed)} hit(s) suppressed by earlier false-positive decisions "
            "(shown above, marked; `ctnode revoke-decision DECISION_ID --reason TEXT` undoes one)"
        )


def _screen_network(node: Node, query: ScreenQuery, purpose: Purpose, *, as_json: bool,
                    limit: int, peers: list[str] | None, deadline: float | None) -> None:
    result = node.network.screen(
        query, operator(), purpose, peers=peers, deadline=deadline, limit=limit
    )
    if as_json:
        print_json({"query": query.names[0], **result.to_dict()})
        return
    print_coverage(result.local.coverage)
    print_hits(result.local.hits, f"this node: {query.names[0]!r}", result.local.suppressed)
    for a in result.peers:
        if a.status == "hit":
            refs = ", ".join(f"{h['ref']} ({h['band']})" for h in a.hits) or "(no reference "
            out.print(f"[bold red]HIT[/]     {a.peer_id} ({a.country}) {refs}")
        elif a.status == "no_hit":
            out.print(f"[green]no hit[/]  {a.peer_id} ({a.country})")
        else:
            out.print(
                f"[yellow]{a.status}[/] {a.peer_id} ({a.country}): "
                + escape(f"{a.reason} — {a.detail or ''}")
            )
    out.print(f"network screen took {result.ms:.0f} ms (deadline {result.deadline:.1f} s)")


BATCH_FIELDS = {"id", "schema", "name", "birthDate", "nationality", "document", "subjectId"}


def _parse_batch_line(lineno: int, raw: str) -> tuple[Any, ScreenQuery]:
    item = json_object_line(raw, f"line {lineno}")
    unknown = set(item) - BATCH_FIELDS
    if unknown:
        raise InvalidInput(f"line {lineno}: unknown field(s) {', '.join(sorted(unknown))}")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"line {lineno}: field 'name' must be a non-empty string")

    def opt(field: str) -> list[str]:
        v = item.get(field)
        if v is None:
            return []
        if not isinstance(v, str):
            raise InvalidInput(f"line {lineno}: field {field!r} must be a string")
        return [v]

    try:
        query = build_query(
            [name], schema=str(item.get("schema", "Person")), birth_dates=opt("birthDate"),
            nationalities=opt("nationality"), documents=opt("document"),
            dates_field="field 'birthDate'",
        )
    except InvalidInput as exc:
        raise InvalidInput(f"line {lineno}: {exc.message}") from None
    subject_ids = opt("subjectId")
    query.subject_id = subject_ids[0].strip() or None if subject_ids else None
    return item.get("id"), query


BATCH_HIT_FIELDS = ("entity_id", "list", "reference", "name", "score", "band", "explanation",
                    "suppressed")


def _screen_batch(node: Node, path: Path, output: Path | None, limit: int,
                  purpose: Purpose, workers: int | None) -> None:
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    if output is not None:
        check_output(output, path)
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    items: list[tuple[Any, ScreenQuery]] = []
    bad = 0
    # the queries are kept: no garbage collection goes over them while they are read (where
    # the imports are not frozen, the UN batch's 7,492 lines set off a full collection, 0.05
    # CPU-s before the workers start; ``run`` freezes them, and there it changes little)
    with collecting_rarely():
        for lineno, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                items.append(_parse_batch_line(lineno, raw))
            except InvalidInput as exc:
                bad += 1
                console.print(f"[yellow]skipped[/yellow] {path}:{exc.message}")
    hits_total = suppressed_total = 0
    coverage = None
    with writing(output, path) as fh:
        # started before the progress bar: worker processes are forked before its thread runs
        results = node.screening.screen_many(
            [q for _, q in items], operator(), purpose, limit=limit, source="batch",
            workers=workers,
        )
        with progress_bar(f"screening {len(items)} subjects") as update:
            for done, ((item_id, _), result) in enumerate(zip(items, results, strict=True), 1):
                update(done, len(items))
                hits_total += len(result.hits)
                suppressed_total += len(result.suppressed)
                coverage = result.coverage
                cov = result.coverage
                fh.write(json.dumps({
                    "id": item_id, "hits": _batch_hits(result.hits),
                    "suppressed": _batch_hits(result.suppressed),
                    "warnings": result.warnings,
                    "coverage": {"complete": cov.complete,
                                 "lists": [f"{c.name}@{c.version}" for c in cov.lists],
                                 "warnings": [w.code for w in cov.warnings]} if cov else None,
                }, ensure_ascii=False) + "\n")
    if coverage is None:
        coverage = node.screening.coverage()
    print_coverage(coverage, console)
    console.print(f"screened {len(items)} subjects, {hits_total} hits ({suppressed_total} more "
                  f"suppressed, marked), {bad} bad line(s) skipped")


def _batch_hits(hits: list[Hit]) -> list[dict[str, Any]]:
    """The fields of each hit a batch output line carries (of its one wire form)."""
    out = []
    for hit in hits:
        wire = hit.as_dict()
        out.append({k: wire[k] for k in BATCH_HIT_FIELDS})
    return out


def entity(
    entity_id: Annotated[
        str, typer.Argument(help="Entity id, or a list reference such as QDi.006")
    ],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show an entity with the provenance of every value, its history and decisions."""
    node = make_node()
    try:
        view = node.screening.find_entity(entity_id, operator())
    finally:
        node.close()
    e = view.entity
    if as_json:
        print_json(
            {
                "id": e.id,
                "schema": e.schema,
                "reference": e.reference,
                "status": e.status,
                "statements": [asdict(s) for s in e.statements],
                "history": view.events,
                "decisions": view.decisions,
            }
        )
        return
    out.print(f"[bold]{e.caption}[/] {e.id} ({e.schema}, {e.status}) ref {e.reference}")
    for s in e.statements:
        orig = f"  [dim](source: {s.original!r})[/dim]" if s.original != s.value else ""
        out.print(
            f"  {s.prop}: {s.value}{orig}  [dim]{s.dataset}, first seen "
            f"{s.first_seen:%Y-%m-%d}, last seen {s.last_seen:%Y-%m-%d}[/dim]"
            if s.first_seen and s.last_seen
            else f"  {s.prop}: {s.value}{orig}"
        )
    for ev in view.events:
        out.print(f"  [cyan]{ev['at']:%Y-%m-%d %H:%M}[/] {ev['kind']} {ev['detail'] or ''}")
