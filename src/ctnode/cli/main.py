"""``ctnode``: run a node, import lists, screen, review, manage keys, read the audit log."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from ctnode.cli.common import (
    DefaultGroup,
    console,
    handle_errors,
    hit_dict,
    make_node,
    operator,
    out,
    print_hits,
    print_json,
    progress_bar,
)
from ctnode.errors import InvalidInput
from ctnode.model.dates import normalise_birth_date
from ctnode.model.screening import ScreenQuery
from ctnode.node import Purpose

app = typer.Typer(
    help="ctnode: watchlist screening and hit/no-hit sharing for counter-terrorism coordinators.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(
    help="Import a list into the store (one transaction; delta on re-import).", no_args_is_help=True
)
export_app = typer.Typer(help="Export lists from the store.", no_args_is_help=True)
screen_app = typer.Typer(
    cls=DefaultGroup, help="Screen a name (default), a batch file, a manifest or payments."
)
keys_app = typer.Typer(
    help="Manage API keys (roles: admin, analyst, screener).", no_args_is_help=True
)
audit_app = typer.Typer(help="Read, export and verify the audit log.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(screen_app, name="screen")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")

PurposeOpt = Annotated[
    str | None, typer.Option("--purpose", help="Why this query is made (audited)")
]
LegalOpt = Annotated[str | None, typer.Option("--legal-basis", help="The legal basis (audited)")]
CaseOpt = Annotated[str | None, typer.Option("--case", help="Case reference (audited)")]


# -- running the node ----------------------------------------------------------------


def _ensure_admin_key(node: Any) -> None:
    """On first start, create an admin key and keep it in DATA_DIR/admin.key (owner-only)."""
    path: Path = node.settings.data_dir / "admin.key"
    if node.store.list_keys():
        if path.exists():
            console.print(f"admin API key: in {path}")
        return
    token = node.create_key(operator(), name="first-admin", role="admin")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token + "\n")
    console.print(
        f"created the first admin API key; it is in {path} (owner-only). Use it as "
        "header 'X-API-Key'."
    )


@app.command()
@handle_errors
def up(
    host: Annotated[
        str | None, typer.Option(help="Bind address (default from CTNODE_HOST: 127.0.0.1)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from CTNODE_PORT: 8000)")] = None,
    load: Annotated[bool, typer.Option(help="Load the UN list on first start")] = True,
) -> None:
    """Create the store, load the UN Security Council list on first start, and serve the API.

    The list comes from CTNODE_UN_SC_SOURCE (the official URL by default, or a
    file); when that cannot be read, a small fictional demo list is loaded with a
    warning.
    """
    node = make_node()
    if load:
        with progress_bar("loading the UN Security Council list") as update:
            how, report = node.ensure_un_list(progress=update)
        if how == "demo":
            console.print(
                "[bold yellow]WARNING: the UN list could not be read from "
                f"{node.settings.un_sc_source} ({node.last_source_error}); using the "
                "FICTIONAL DEMO list (dataset un_sc_demo) instead. Do not screen real "
                "people against it. Set CTNODE_UN_SC_SOURCE to a copy of the list, or "
                "run `ctnode import un-sc FILE`.[/]"
            )
        if report is not None:
            console.print(f"loaded {report.dataset}: {report.summary()}")
        else:
            console.print(
                f"lists present: {', '.join(d['name'] for d in node.store.list_datasets())}"
            )
    _ensure_admin_key(node)
    _serve(node, host, port)


@app.command()
@handle_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000)")] = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) without loading anything."""
    _serve(make_node(), host, port)


def _serve(node: Any, host: str | None, port: int | None) -> None:
    import uvicorn

    from ctnode.api.app import create_app
    from ctnode.settings import Settings

    if host is not None or port is not None:
        # Re-validate so a non-loopback --host is refused outside development mode too.
        overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
        try:
            settings = Settings(**{**node.settings.model_dump(), **overrides})
        except ValueError as exc:
            console.print(f"[red]configuration error:[/red] {exc}")
            raise typer.Exit(2) from None
        node.settings = settings
    node.prepare_to_serve()
    console.print(
        f"ctnode listening on http://{node.settings.host}:{node.settings.port} "
        f"(store: {node.store.dialect}; {node.store.count_entities(status='listed')} "
        "listed entities)"
    )
    uvicorn.run(
        create_app(node), host=node.settings.host, port=node.settings.port, log_level="info"
    )


@db_app.command("upgrade")
@handle_errors
def db_upgrade() -> None:
    """Apply all database migrations (also done at every start)."""
    node = make_node()
    console.print(f"store at the newest schema ({node.store.dialect})")


# -- imports and exports --------------------------------------------------------------


def _print_report(report: Any, as_json: bool) -> None:
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
    out.print(
        f"imported [bold]{summary['dataset']}[/] version {summary['version']} from "
        f"{summary['source']} in {summary['seconds']} s"
    )
    out.print(
        f"  added {summary['added']}, changed {summary['changed']} "
        f"({summary['changed_identifying']} in names, dates or documents), removed (delisted) "
        f"{summary['removed']}, relisted {summary['relisted']}, unchanged {summary['unchanged']}"
    )
    for label, ids in (("removed", report.removed), ("added", report.added)):
        if ids and len(ids) <= 50:
            out.print(f"  {label}: {', '.join(i.split('-', 1)[-1] for i in ids)}")
    if report.warnings:
        out.print(f"  {len(report.warnings)} warnings:")
        for w in report.warnings[:20]:
            out.print(f"    - {w}")


@import_app.command("un-sc")
@handle_errors
def import_un_sc(
    source: Annotated[
        str, typer.Argument(help="File path or URL of the UN SC Consolidated List XML")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Import the UN Security Council Consolidated List (official XML); re-import applies a delta."""
    node = make_node()
    with progress_bar(f"importing {source}") as update:
        report = node.import_source("un-sc", source, operator(), progress=update)
    _print_report(report, as_json)


@import_app.command("ofac-sdn")
@handle_errors
def import_ofac_sdn(
    source: Annotated[
        Path, typer.Argument(help="Folder holding OFAC's sdn.csv, alt.csv, add.csv (or sdn.csv)")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Import the US OFAC SDN list (legacy CSV files joined; wallets become CryptoWallets)."""
    node = make_node()
    with progress_bar(f"importing {source}") as update:
        report = node.import_source("ofac-sdn", str(source), operator(), progress=update)
    _print_report(report, as_json)


@import_app.command("ftm")
@handle_errors
def import_ftm(
    file: Annotated[Path, typer.Argument(help="FollowTheMoney entities, JSON lines")],
    dataset: Annotated[str | None, typer.Option(help="List name (default: the file name)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import FollowTheMoney entities (JSON lines) as a list."""
    node = make_node()
    with progress_bar(f"importing {file}") as update:
        report = node.import_source("ftm", str(file), operator(), dataset=dataset, progress=update)
    _print_report(report, as_json)


@import_app.command("csv")
@handle_errors
def import_csv(
    file: Annotated[Path, typer.Argument(help="CSV file of a national list")],
    mapping: Annotated[
        Path, typer.Option("--mapping", "-m", help="Mapping file (see docs/formats.md)")
    ],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import a national list from CSV with a declarative column mapping."""
    node = make_node()
    with progress_bar(f"importing {file}") as update:
        report = node.import_source("csv", str(file), operator(), mapping=mapping, progress=update)
    _print_report(report, as_json)


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
    node = make_node()
    fh = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        n = 0
        for item in node.export_ftm(operator(), dataset=dataset, include_delisted=include_delisted):
            fh.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
            n += 1
    finally:
        if output:
            fh.close()
    console.print(f"exported {n} entities")


# -- screening ------------------------------------------------------------------------


def _query(
    name: str, schema: str, birth_date: list[str], nationality: list[str], document: list[str]
) -> ScreenQuery:
    try:
        dates = [normalise_birth_date(d) for d in birth_date]
    except ValueError as exc:
        raise InvalidInput(f"--birth-date: {exc}") from None
    return ScreenQuery(
        names=[name],
        schema=schema,
        birth_dates=dates,
        nationalities=nationality,
        documents=document,
    )


@screen_app.command("name")
@handle_errors
def screen_name(
    name: Annotated[str | None, typer.Argument(help="The name to screen, in any script")] = None,
    birth_date: Annotated[
        list[str] | None, typer.Option("--birth-date", help="YYYY-MM-DD, YYYY-MM or YYYY")
    ] = None,
    nationality: Annotated[list[str] | None, typer.Option(help="Country code or name")] = None,
    document: Annotated[list[str] | None, typer.Option(help="Passport or ID number")] = None,
    schema: Annotated[str, typer.Option(help="Person or Organization")] = "Person",
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
    purpose: PurposeOpt = None,
    legal_basis: LegalOpt = None,
    case: CaseOpt = None,
    # -- federation hook (owner: ctnode.cli.federation) --
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
    # -- end federation hook --
) -> None:
    """Screen NAME (with optional date of birth, nationality, document) and print ranked, explained hits."""
    if schema not in {"Person", "Organization", "LegalEntity", "Thing"}:
        raise InvalidInput("--schema must be Person, Organization, LegalEntity or Thing")
    p = Purpose(purpose=purpose, legal_basis=legal_basis, case_ref=case)
    node = make_node()
    if batch is not None:
        if name is not None:
            raise InvalidInput("give either NAME or --batch FILE, not both")
        _screen_batch(node, batch, output, limit, p)
        return
    if not name:
        raise InvalidInput("missing NAME (or --batch FILE); see ctnode screen --help")
    query = _query(name, schema, birth_date or [], nationality or [], document or [])
    # -- federation hook (owner: ctnode.cli.federation) --
    if network:
        from ctnode.cli.federation import screen_network

        screen_network(node, query, p, as_json=as_json, limit=limit, peers=peer, deadline=deadline)
        return
    # -- end federation hook --
    result = node.screen(query, operator(), p, limit=limit, include_below=show_all, source="cli")
    if as_json:
        print_json(
            {
                "query": name,
                "screening_id": result.screening_id,
                "hits": [hit_dict(h) for h in result.hits],
                "suppressed": [h.entity_id for h in result.suppressed],
            }
        )
        return
    print_hits(result.hits, f"screening {name!r}")
    if result.screening_id:
        out.print(f"screening id {result.screening_id} (for `ctnode decide`)")
    if result.suppressed:
        out.print(
            f"{len(result.suppressed)} hit(s) hidden by earlier false-positive decisions: "
            + ", ".join(h.entity_id for h in result.suppressed)
        )


BATCH_FIELDS = {"id", "schema", "name", "birthDate", "nationality", "document"}


def _parse_batch_line(lineno: int, raw: str) -> tuple[Any, ScreenQuery]:
    try:
        item = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"line {lineno}: not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(item, dict):
        raise InvalidInput(f"line {lineno}: expected a JSON object")
    unknown = set(item) - BATCH_FIELDS
    if unknown:
        raise InvalidInput(f"line {lineno}: unknown field(s) {', '.join(sorted(unknown))}")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"line {lineno}: field 'name' must be a non-empty string")
    schema = item.get("schema", "Person")
    if schema not in {"Person", "Organization"}:
        raise InvalidInput(f"line {lineno}: field 'schema' must be Person or Organization")

    def opt(field: str) -> list[str]:
        v = item.get(field)
        if v is None:
            return []
        if not isinstance(v, str):
            raise InvalidInput(f"line {lineno}: field {field!r} must be a string")
        return [v] if v.strip() else []

    try:
        dates = [normalise_birth_date(d) for d in opt("birthDate")]
    except ValueError as exc:
        raise InvalidInput(f"line {lineno}: field 'birthDate': {exc}") from None
    return item.get("id"), ScreenQuery(
        names=[name],
        schema=schema,
        birth_dates=dates,
        nationalities=opt("nationality"),
        documents=opt("document"),
    )


def _screen_batch(node: Any, path: Path, output: Path | None, limit: int, purpose: Purpose) -> None:
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    items: list[tuple[Any, ScreenQuery]] = []
    bad = 0
    for lineno, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            items.append(_parse_batch_line(lineno, raw))
        except InvalidInput as exc:
            bad += 1
            console.print(f"[yellow]skipped[/yellow] {path}:{exc.message}")
    fh = output.open("w", encoding="utf-8") if output else sys.stdout
    hits_total = 0
    try:
        with progress_bar(f"screening {len(items)} subjects") as update:
            results = node.screen_many(
                [q for _, q in items],
                operator(),
                purpose,
                limit=limit,
                source="batch",
                progress=lambda n: update(n, len(items)),
            )
            for (item_id, _), result in zip(items, results, strict=True):
                hits_total += len(result.hits)
                row = {
                    "id": item_id,
                    "hits": [
                        {
                            k: v
                            for k, v in hit_dict(h).items()
                            if k
                            in {
                                "entity_id",
                                "list",
                                "reference",
                                "name",
                                "score",
                                "band",
                                "explanation",
                            }
                        }
                        for h in result.hits
                    ],
                }
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if output:
            fh.close()
    console.print(f"screened {len(items)} subjects, {hits_total} hits, {bad} bad line(s) skipped")


# -- review ---------------------------------------------------------------------------------


@app.command()
@handle_errors
def decide(
    entity_id: Annotated[str, typer.Argument(help="The hit's entity id (e.g. un_sc-QDi.006)")],
    decision: Annotated[str, typer.Option(help="confirmed, false_positive or unsure")],
    comment: Annotated[str, typer.Option(help="Why (required)")],
    screening: Annotated[str | None, typer.Option(help="Screening id the hit came from")] = None,
    name: Annotated[
        str | None, typer.Option(help="Or: the screened name (with the same details)")
    ] = None,
    birth_date: Annotated[list[str] | None, typer.Option("--birth-date")] = None,
    nationality: Annotated[list[str] | None, typer.Option()] = None,
    document: Annotated[list[str] | None, typer.Option()] = None,
    schema: Annotated[str, typer.Option()] = "Person",
) -> None:
    """Record an analyst decision on a hit. A false positive is not raised again for that subject."""
    node = make_node()
    query = (
        _query(name, schema, birth_date or [], nationality or [], document or []) if name else None
    )
    did = node.decide(
        operator(),
        entity_id=entity_id,
        decision=decision,
        comment=comment,
        screening_id=screening,
        query=query,
    )
    out.print(f"decision {did} recorded: {entity_id} {decision}")


@app.command()
@handle_errors
def review(
    show_reviewed: Annotated[
        bool, typer.Option("--reviewed", help="Show reviewed ones instead")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The review queue: screenings with reportable hits that no analyst has decided yet."""
    node = make_node()
    rows = node.review_queue(operator(), reviewed=show_reviewed, limit=limit)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        hits = ", ".join(f"{h['entity_id']} ({h['band']} {h['score']:.2f})" for h in r["hits"])
        out.print(f"{r['at']:%Y-%m-%d %H:%M} {r['id']} {r['source']} by {r['actor']}: {hits}")
    if not rows:
        out.print("review queue empty")


@app.command()
@handle_errors
def entity(
    entity_id: Annotated[
        str, typer.Argument(help="Entity id, or a list reference such as QDi.006")
    ],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show an entity with the provenance of every value, its history and decisions."""
    node = make_node()
    from ctnode.errors import NotFound

    try:
        view = node.view_entity(entity_id, operator())
    except NotFound:
        view = node.view_entity(node.store.find_by_reference(entity_id).id, operator())
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


@app.command()
@handle_errors
def datasets() -> None:
    """The lists this node holds."""
    node = make_node()
    for d in node.store.list_datasets():
        out.print(
            f"{d['name']}: {d['title']} — version {d['version']}, {d['entities']} listed, "
            f"imported {d['imported_at']:%Y-%m-%d %H:%M} from {d['source']}"
        )


# -- keys -------------------------------------------------------------------------------------


@keys_app.command("create")
@handle_errors
def keys_create(
    name: Annotated[str, typer.Argument(help="Who or what the key is for")],
    role: Annotated[str, typer.Option(help="admin, analyst or screener")] = "screener",
    biometric: Annotated[bool, typer.Option(help="May use biometric data")] = False,
) -> None:
    """Create an API key; the token is printed once."""
    node = make_node()
    token = node.create_key(operator(), name=name, role=role, biometric=biometric)
    console.print("new API key (shown once; store it safely):")
    out.print(token)


@keys_app.command("list")
@handle_errors
def keys_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List API keys (never their secrets)."""
    node = make_node()
    keys = node.list_keys(operator())
    if as_json:
        print_json(keys)
        return
    for k in keys:
        state = f"revoked {k['revoked_at']:%Y-%m-%d}" if k["revoked_at"] else "active"
        out.print(f"{k['id']}  {k['name']:<24} {k['role']:<9} {state}")


@keys_app.command("revoke")
@handle_errors
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id (from `keys list`)")],
) -> None:
    """Revoke an API key at once."""
    node = make_node()
    node.revoke_key(operator(), key_id)
    out.print(f"revoked {key_id}")


# -- audit ------------------------------------------------------------------------------------


@audit_app.command("list")
@handle_errors
def audit_list(
    event: Annotated[str | None, typer.Option(help="Only this event type")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The newest audit entries."""
    node = make_node()
    node.require(operator(), "audit")
    entries = list(node.audit_log.entries(event=event))[-limit:]
    if as_json:
        print_json([e.to_dict() for e in entries])
        return
    for e in entries:
        extra = f" purpose={e.purpose}" if e.purpose else ""
        out.print(
            f"{e.seq:>6} {e.at:%Y-%m-%d %H:%M:%S} {e.event:<14} {e.actor:<20} "
            f"results={len(e.result_ids)}{extra} {e.hash[:12]}"
        )


@audit_app.command("export")
@handle_errors
def audit_export(
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="JSONL file (default stdout)")
    ] = None,
) -> None:
    """Export the whole audit log as JSON lines (with hashes, for verification elsewhere)."""
    node = make_node()
    node.require(operator(), "audit")
    fh = output.open("w", encoding="utf-8") if output else sys.stdout
    n = 0
    try:
        for e in node.audit_log.entries():
            fh.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
            n += 1
    finally:
        if output:
            fh.close()
    console.print(f"exported {n} audit entries")


@audit_app.command("verify")
@handle_errors
def audit_verify() -> None:
    """Verify the audit hash chain; exit 1 naming the first edited, dropped or inserted entry."""
    from ctnode.audit.log import ChainBroken

    node = make_node()
    try:
        n = node.audit_log.verify()
    except ChainBroken as exc:
        console.print(f"[red]FAILED:[/red] {exc}")
        raise typer.Exit(1) from None
    seq, head = node.audit_log.head()
    out.print(f"audit chain OK: {n} entries, head {seq} {head}")


def _register_features() -> None:
    """Commands of the feature areas (federation, biometrics, travel, payments)."""
    import importlib

    for name in ("federation", "biometrics", "travel"):
        try:
            module = importlib.import_module(f"ctnode.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"ctnode.cli.{name}":
                raise
            continue
        register = getattr(module, "register", None)
        if register is not None:
            register(app, import_app=import_app, export_app=export_app, screen_app=screen_app)


_register_features()
