"""``ctnode hashes ...``: hash files on the node, match them, manage banks, review hits.

Thin edge over ``ctnode.services.hashes``: parse, call, print a table or JSON. Files are
read and hashed, never stored. The local operator acts (``ctnode.services.access.local_actor``);
every action is audited.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ctnode.cli.common import console, node_session, operator, out
from ctnode.errors import InvalidInput
from ctnode.hashes.model import Bank, BankKind, Label, RecordStatus, SignalType, parse_tlp
from ctnode.hashes.signals import parse_signal_type
from ctnode.services.hashes.banks import EXPORTS, READERS, BankChange, NewFiles, NewHashes
from ctnode.services.hashes.matching import MatchResult, hashes_dict

hashes_app = typer.Typer(
    help="Terrorist-content hashes: hash files, match them against hash banks, manage banks "
    "(HMA / ThreatExchange / STIX import and export), review hits. Content is never stored.",
    no_args_is_help=True,
)
bank_app = typer.Typer(help="Hash banks and the hashes in them.", no_args_is_help=True)
hashes_app.add_typer(bank_app, name="bank")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
BankArg = Annotated[str, typer.Argument(help="Bank name (A-Z, 0-9, _).", show_default=False)]
Files = Annotated[list[Path], typer.Argument(help="Files to hash (images, videos, any file).")]


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))


@hashes_app.command("hash")
def hash_files(files: Files, as_json: JsonOpt = False) -> None:
    """Every hash of each file: MD5, SHA-256; PDQ (quality 0-100) for images; vPDQ for videos
    where installed. Nothing of the files is kept; prints one line per hash."""
    with node_session() as node:
        done = node.hashes.matching.hash_files(operator(), files)
    if as_json:
        _json([hashes_dict(fh) for fh in done])
        return
    for fh in done:
        out.print(f"[bold]{fh.name}[/bold] ({fh.content_type.value}, {fh.size:,} bytes)")
        for kind, value in fh.signals().items():
            shown = value if kind is not SignalType.VPDQ else f"{len(fh.vpdq or ())} frames"
            extra = f"  quality {fh.pdq.quality}" if kind is SignalType.PDQ and fh.pdq else ""
            out.print(f"  {kind.value:<7} {shown}{extra}", markup=False, highlight=False)
        for crop, value in fh.pdq.crops if fh.pdq else ():
            out.print(f"  pdq     {value}  ({crop})", markup=False, highlight=False)
        for note in fh.notes:
            out.print(f"  [dim]{note}[/dim]")


@hashes_app.command("match")
def match(
    files: Annotated[list[Path] | None, typer.Argument(help="Files to hash and match.")] = None,
    hash_: Annotated[
        list[str] | None,
        typer.Option(
            "--hash",
            help="A hash to match, as TYPE:VALUE (pdq:f8f8..., md5:..., sha256:...); repeatable.",
        ),
    ] = None,
    bank: Annotated[list[str] | None, typer.Option("--bank", help="Only these banks.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Match files (PDQ with its 8 rotations and flips) or hashes against the enabled banks.
    Each hit is stored for a person to decide on (`ctnode hashes decide`). Exit code 3 when
    anything matched."""
    if not files and not hash_:
        raise InvalidInput("give FILES to hash and match, or --hash TYPE:VALUE")
    results: list[tuple[str, MatchResult]] = []
    with node_session() as node:
        matching = node.hashes.matching
        for path in files or []:
            results.append((str(path), matching.match_file(operator(), path, bank)))
        for text in hash_ or []:
            kind, sep, value = text.partition(":")
            if not sep:
                raise InvalidInput(f"--hash {text[:40]!r}: expected TYPE:VALUE, e.g. pdq:f8f8...")
            signal = _signal(kind)
            results.append((text[:40], matching.match_value(operator(), signal, value, bank)))
    if as_json:
        _json({name: r.as_dict() for name, r in results})
    else:
        for name, result in results:
            _print_result(name, result)
    if any(r.hits for _, r in results):
        raise typer.Exit(3)


def _signal(kind: str) -> SignalType:
    return parse_signal_type(kind, field="--hash")


def _print_result(name: str, result: MatchResult) -> None:
    if not result.hits and not result.benign:
        out.print(f"{name}: [green]no match[/green]")
        return
    table = Table(title=name, show_lines=True)
    for col in ("hit", "bank", "type", "distance", "labels / TLP", "why"):
        table.add_column(col)
    for hit_id, hit in result.hits:
        labels = ", ".join(sorted(x.value for x in hit.record.labels)) or "-"
        table.add_row(
            hit_id,
            hit.bank.name,
            hit.record.signal_type.value,
            str(hit.distance),
            f"{labels}\n{hit.record.tlp.label}",
            hit.explanation,
        )
    for hit in result.benign:
        table.add_row(
            "(benign)",
            hit.bank.name,
            hit.record.signal_type.value,
            str(hit.distance),
            "-",
            hit.explanation,
        )
    out.print(table)
    if result.quarantined:
        out.print(
            f"[yellow]quarantined by flood protection:[/yellow] {', '.join(result.quarantined)}"
        )


@hashes_app.command("hits")
def hits(
    decided: Annotated[
        bool | None, typer.Option("--decided/--undecided", help="Default: undecided only.")
    ] = False,
    bank: Annotated[str | None, typer.Option("--bank")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Hash hits to review, newest first."""
    with node_session() as node:
        found = node.hashes.matching.list_hits(operator(), decided=decided, bank=bank, limit=limit)
    if as_json:
        _json(found)
        return
    if not found:
        out.print("no hits")
    for h in found:
        state = h["decision"] or "[yellow]undecided[/yellow]"
        out.print(f"{h['id']}  {h['at']:%Y-%m-%d %H:%M}  {h['bank']}  {h['record_id']}  {state}")
        out.print(f"  [dim]{h['explanation']}[/dim]")


@hashes_app.command("decide")
def decide(
    hit_id: Annotated[str, typer.Argument(help="The hit id (from `match` or `hits`).")],
    decision: Annotated[str, typer.Argument(help="confirmed, not_terrorist_content or unsure.")],
    comment: Annotated[str, typer.Option("--comment", "-m", help="Why (required).")],
) -> None:
    """Record a person's decision on a hit. "not_terrorist_content" counts towards the hash's
    flood protection (CTNODE_HASH_FLOOD_COUNT)."""
    with node_session() as node:
        done = node.hashes.matching.decide(operator(), hit_id, decision, comment)
    out.print(f"hit {hit_id}: {done['decision']}")
    if done["quarantined"]:
        out.print(f"[yellow]quarantined:[/yellow] {', '.join(done['quarantined'])}")


# -- banks ----------------------------------------------------------------------------------


@bank_app.command("list")
def bank_list(as_json: JsonOpt = False) -> None:
    """Every bank: kind, enabled, PDQ threshold, default TLP, hashes per status."""
    with node_session() as node:
        banks = node.hashes.banks.list_banks(operator())
    if as_json:
        _json(banks)
        return
    table = Table()
    for col in ("bank", "kind", "enabled", "PDQ threshold", "TLP", "hashes"):
        table.add_column(col)
    for b in banks:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(b["hashes"].items())) or "none"
        table.add_row(
            b["name"],
            b["kind"],
            "yes" if b["enabled"] else "[red]no[/red]",
            str(b["pdq_threshold"]),
            b["default_tlp"],
            counts,
        )
    out.print(table)


@bank_app.command("create")
def bank_create(
    name: BankArg,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="content, or benign (known-benign hashes whose matches count against the others).",
        ),
    ] = "content",
    threshold: Annotated[
        int,
        typer.Option("--pdq-threshold", min=0, max=63, help="PDQ bits of 256 that still match."),
    ] = 31,
    description: Annotated[str, typer.Option("--description")] = "",
    tlp: Annotated[str, typer.Option("--tlp", help="Default TLP of hashes added.")] = "AMBER",
) -> None:
    """Create a bank (admin)."""
    bank = Bank(
        name,
        kind=BankKind(kind),
        pdq_threshold=threshold,
        description=description,
        default_tlp=parse_tlp(tlp),
    )
    with node_session() as node:
        node.hashes.banks.create_bank(operator(), bank)
    out.print(f"bank {name} created")


@bank_app.command("set")
def bank_set(
    name: BankArg,
    enabled: Annotated[bool | None, typer.Option("--enable/--disable")] = None,
    threshold: Annotated[int | None, typer.Option("--pdq-threshold", min=0, max=63)] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    tlp: Annotated[str | None, typer.Option("--tlp")] = None,
) -> None:
    """Enable or disable a bank, change its PDQ threshold, description or default TLP."""
    change = BankChange(enabled, threshold, None, description, tlp)
    with node_session() as node:
        bank = node.hashes.banks.change_bank(operator(), name, change)
    out.print(
        f"bank {name}: enabled={bank['enabled']} pdq_threshold={bank['pdq_threshold']} "
        f"tlp={bank['default_tlp']}"
    )


@bank_app.command("delete")
def bank_delete(
    name: BankArg,
    yes: Annotated[
        bool, typer.Option("--yes", help="Really delete, with every hash and hit.")
    ] = False,
) -> None:
    """Delete a bank with its hashes and hits (to delist hashes everywhere, remove them)."""
    if not yes:
        raise InvalidInput(f"deleting bank {name} drops every hash and hit in it: add --yes")
    with node_session() as node:
        gone = node.hashes.banks.delete_bank(operator(), name)
    out.print(f"bank {name} deleted ({gone} hashes)")


@bank_app.command("show")
def bank_show(
    name: BankArg,
    status: Annotated[
        str | None, typer.Option("--status", help="active, quarantined, removed")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 100,
    as_json: JsonOpt = False,
) -> None:
    """The bank's hashes with labels, TLP and provenance."""
    with node_session() as node:
        records = node.hashes.banks.list_records(
            operator(), name, status=RecordStatus(status) if status else None, limit=limit
        )
    if as_json:
        _json(records)
        return
    for r in records:
        prov = r["provenance"]
        out.print(
            f"{r['record_id']}  {r['signal_type']:<6} {r['status']:<11} {r['tlp']}  "
            f"{','.join(r['labels']) or '-'}  from {prov['source_kind']}:{prov['source']}",
            markup=False,
            highlight=False,
        )
        if r["signal_type"] != "vpdq":
            out.print(f"  {r['value']}", markup=False, highlight=False)


@bank_app.command("add")
def bank_add(
    name: BankArg,
    values: Annotated[list[str], typer.Argument(help="Hash values.")],
    signal: Annotated[str, typer.Option("--type", help="pdq, md5, sha256 or vpdq.")] = "pdq",
    label: Annotated[
        list[str] | None, typer.Option("--label", help="Taxonomy label; repeatable.")
    ] = None,
    tlp: Annotated[str | None, typer.Option("--tlp")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    source: Annotated[str, typer.Option("--source", help="Who reported them.")] = "",
) -> None:
    """Add hashes to a bank (validated first; an existing one is refreshed)."""
    new = NewHashes(
        _signal(signal),
        tuple(values),
        frozenset(Label.parse(x) for x in label or ()),
        tlp,
        note,
        source,
    )
    with node_session() as node:
        report = node.hashes.banks.add(operator(), name, new)
    out.print(f"{name}: {report.added} added, {report.refreshed} already there (refreshed)")


@bank_app.command("add-file")
def bank_add_file(
    name: BankArg,
    files: Files,
    label: Annotated[
        list[str] | None, typer.Option("--label", help="Taxonomy label; repeatable.")
    ] = None,
    tlp: Annotated[str | None, typer.Option("--tlp")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    source: Annotated[str, typer.Option("--source", help="Who reported them.")] = "",
    derived: Annotated[
        bool,
        typer.Option(
            "--derived/--no-derived",
            help="Also bank the PDQ of each image's standard crops (centre 90%/80%, top and "
            "bottom tenth cut off) as derived hashes of the same item.",
        ),
    ] = True,
) -> None:
    """Hash files held on this node and bank every hash (the files are not kept)."""
    with node_session() as node:
        hashed = node.hashes.matching.hash_files(operator(), files)
        report = node.hashes.banks.add_files(
            operator(),
            name,
            hashed,
            NewFiles(frozenset(Label.parse(x) for x in label or ()), tlp, note, source, derived),
        )
    out.print(f"{name}: {report.added} added, {report.refreshed} already there (refreshed)")


@bank_app.command("remove")
def bank_remove(
    name: BankArg,
    record_ids: Annotated[list[str], typer.Argument(help="Record ids (h-...).")],
) -> None:
    """Remove (delist) hashes: they stop matching and stay as tombstones."""
    with node_session() as node:
        report = node.hashes.banks.remove(operator(), name, record_ids)
    out.print(f"{name}: {report.removed} removed")


@bank_app.command("import")
def bank_import(
    name: BankArg,
    file: Annotated[Path, typer.Argument(help="The file to import.")],
    fmt: Annotated[
        str, typer.Option("--format", help="; ".join(f"{k}: {v[1]}" for k, v in READERS.items()))
    ] = "hma2",
) -> None:
    """Import a hash file into a bank, all or nothing (errors name file, line and field)."""
    with node_session() as node:
        report = node.hashes.banks.import_file(operator(), name, file, fmt)
    out.print(
        f"{name}: {report.added} added, {report.refreshed} refreshed, {len(report.skipped)} skipped"
    )
    for why in report.skipped[:20]:
        console.print(f"  skipped: {why}", markup=False)


@bank_app.command("export")
def bank_export(
    name: BankArg,
    dest: Annotated[Path, typer.Argument(help="File (or folder for hma1 and te-simple).")],
    fmt: Annotated[
        str, typer.Option("--format", help="; ".join(f"{k}: {v}" for k, v in EXPORTS.items()))
    ] = "hma2",
) -> None:
    """Export a bank's active hashes; TLP:RED hashes never leave the node."""
    with node_session() as node:
        result = node.hashes.banks.export(operator(), name, fmt, dest)
    out.print(f"{name}: {result.written} written to {', '.join(str(p) for p in result.paths)}")
    for why, count in result.withheld.items():
        console.print(f"  withheld {count}: {why}", markup=False)


@bank_app.command("publish")
def bank_publish(name: BankArg) -> None:
    """Send this node's bank whole to the peers subscribed to it (agreements naming
    hashes:<BANK>); later changes are sent as they happen. Prints each peer's receipt."""
    with node_session() as node:
        receipts = node.federation.hashes.publish(operator(), name)
    for r in receipts:
        out.print(f"{r['peer_id']}: {r['status']}")
