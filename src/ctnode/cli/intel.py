"""``ctnode intel ...``: threat intelligence (STIX 2.1, TAXII 2.1, MISP) on this node."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ctnode.cli.common import (
    node_session,
    operator,
    out,
    print_json,
    read_file,
)
from ctnode.services.intel.service import ImportResult

intel_app = typer.Typer(
    help="Threat intelligence: STIX 2.1 collections (served over TAXII 2.1 at /taxii2/), "
    "MISP event import and export, pulls from other TAXII servers.",
    no_args_is_help=True,
)
misp_app = typer.Typer(help="MISP event JSON in and out (converted by misp-stix).",
                       no_args_is_help=True)
sources_app = typer.Typer(help="Other TAXII 2.1 servers' collections this node pulls from.",
                          no_args_is_help=True)
intel_app.add_typer(misp_app, name="misp")
intel_app.add_typer(sources_app, name="sources")

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]
CollectionOpt = Annotated[str, typer.Option("--collection", "-c",
                                            help="Collection id or alias")]
MAX_FILE = 1024 * 1024 * 1024


def _print_import(result: ImportResult, as_json: bool) -> None:
    if as_json:
        print_json(result.as_dict())
        return
    counts = ", ".join(f"{n} {t}" for t, n in sorted(result.counts.items()))
    out.print(f"[bold]{result.source}[/]: {counts}", markup=True)
    out.print(f"  added {result.added} object versions, already present {result.present}")
    if result.links:
        out.print(f"  watchlist records named: {', '.join(result.links)}", markup=False)
    for line in result.warnings[:20] + result.notes[:20]:
        out.print(f"  - {line}", markup=False)


@intel_app.command("collections")
def collections(as_json: AsJson = False) -> None:
    """List the collections (id, alias, title, objects held)."""
    with node_session() as node:
        rows = node.intel.list_collections(operator())
    if as_json:
        print_json(rows)
        return
    table = Table(title="TAXII collections")
    for col in ("id", "alias", "title", "writable", "objects", "publisher"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["id"], r["alias"] or "", r["title"], "yes" if r["writable"] else "no",
                      str(r["objects"]), r.get("owner") or "this node")
    out.print(table)


@intel_app.command("publish")
def publish(collection: Annotated[str, typer.Argument(help="Collection id or alias")]) -> None:
    """Send this node's collection whole (newest versions, cut by TLP) to the peers subscribed
    to it (agreements naming intel:<ALIAS or ID>); later additions, revocations and deletions
    are sent as they happen. Prints each peer's receipt."""
    with node_session() as node:
        receipts = node.federation.intel.publish(operator(), collection)
    for r in receipts:
        out.print(f"{r['peer_id']}: {r['status']}")


@intel_app.command("create")
def create(
    title: Annotated[str, typer.Argument(help="Title shown to TAXII clients")],
    alias: Annotated[str | None, typer.Option(help="Short name used in URLs and commands")]
    = None,
    description: Annotated[str | None, typer.Option(help="What the collection holds")] = None,
    read_only: Annotated[bool, typer.Option("--read-only",
                                            help="TAXII clients may not POST to it")] = False,
) -> None:
    """Make a collection (its id is a UUID, as TAXII clients expect)."""
    with node_session() as node:
        row = node.intel.create_collection(operator(), title=title, alias=alias,
                                           description=description, writable=not read_only)
    out.print(f"collection {row['id']} ({alias or 'no alias'}) made", markup=False)


@intel_app.command("import")
def import_stix(
    file: Annotated[Path, typer.Argument(help="STIX 2.1 JSON: a bundle, a TAXII envelope, a list "
                                         "or one object")],
    collection: CollectionOpt,
    allow_custom: Annotated[bool, typer.Option(help="Accept x- custom objects and properties")]
    = False,
    as_json: AsJson = False,
) -> None:
    """Validate a STIX 2.1 file and add it to a collection; an invalid file is refused whole,
    naming every object and property at fault, and nothing is kept."""
    data = read_file(file, MAX_FILE)
    with node_session() as node:
        result = node.intel.import_stix(operator(), data, collection=collection,
                                        source=file.name, allow_custom=allow_custom)
    _print_import(result, as_json)


@intel_app.command("export")
def export_stix(
    collection: CollectionOpt,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="File to write (default: stdout)")] = None,
    type: Annotated[list[str] | None, typer.Option("--type", help="Only these STIX types")]
    = None,
    all_versions: Annotated[bool, typer.Option(help="Every version, not only the newest")]
    = False,
) -> None:
    """Write a collection as a STIX 2.1 bundle."""
    with node_session() as node:
        bundle = node.intel.export_stix(operator(), collection, types=type or (),
                                        all_versions=all_versions)
    _write_json(bundle, output)


def _write_json(value: Any, output: Path | None) -> None:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        out.print(f"written to {output}", markup=False)


@intel_app.command("show")
def show(
    object_id: Annotated[str, typer.Argument(help="STIX id, e.g. threat-actor--...")],
    collection: CollectionOpt,
    as_json: AsJson = False,
) -> None:
    """An object's newest version, its versions, and the watchlist records it names."""
    with node_session() as node:
        shown = node.intel.show(operator(), object_id, collection)
    if as_json:
        print_json(shown)
        return
    obj = shown["object"]
    out.print(f"[bold]{obj.get('name') or obj['id']}[/] ({obj['type']}, TLP:{shown['tlp'].upper()})")
    out.print(f"  versions: {', '.join(shown['versions'])}", markup=False)
    for link in shown["watchlist"]:
        out.print(f"  names watchlist record {link['entity_id']}: {link['caption'] or '-'} "
                  f"({link['status']})", markup=False)


@intel_app.command("linked")
def linked(
    entity_id: Annotated[str, typer.Argument(help="Watchlist entity id, e.g. un_sc-QDe.115")],
    as_json: AsJson = False,
) -> None:
    """The threat actors and intrusion sets that name a watchlist record."""
    with node_session() as node:
        rows = node.intel.linked_to(operator(), entity_id)
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print(f"no threat intelligence names {entity_id}", markup=False)
    for r in rows:
        out.print(f"{r['object_id']}  {r['name'] or ''}  (collection {r['collection_id']})",
                  markup=False)


@intel_app.command("round-trip")
def round_trip(
    file: Annotated[Path, typer.Argument(help="A MISP event JSON or a STIX 2.1 bundle")],
    as_json: AsJson = False,
) -> None:
    """What converting through the other format and back loses (MISP -> STIX -> MISP, or
    STIX -> MISP -> STIX), difference by difference. Stores nothing."""
    data = read_file(file, MAX_FILE)
    doc = json.loads(data)
    misp = isinstance(doc, dict) and ("Event" in doc or "Attribute" in doc or "info" in doc)
    from ctnode.intel.misp import misp_round_trip, stix_round_trip  # on first use

    report = misp_round_trip(data) if misp else stix_round_trip(doc)
    if as_json:
        print_json({"summary": report.summary(), "losses": [str(loss) for loss in report.losses]})
        return
    out.print(f"{'MISP -> STIX 2.1 -> MISP' if misp else 'STIX 2.1 -> MISP -> STIX 2.1'}: "
              f"{report.summary()}", markup=False)
    for loss in report.losses:
        out.print(f"  - {loss}", markup=False)


@misp_app.command("import")
def misp_import(
    file: Annotated[Path, typer.Argument(help="A MISP event in MISP's JSON export form")],
    collection: CollectionOpt,
    as_json: AsJson = False,
) -> None:
    """Convert a MISP event to STIX 2.1 (misp-stix) and add it to a collection."""
    data = read_file(file, MAX_FILE)
    with node_session() as node:
        result = node.intel.import_misp(operator(), data, collection=collection,
                                        source=file.name)
    _print_import(result, as_json)


@misp_app.command("export")
def misp_export(
    collection: CollectionOpt,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="File to write (default: stdout)")] = None,
    type: Annotated[list[str] | None, typer.Option("--type", help="Only these STIX types")]
    = None,
) -> None:
    """Write a collection's newest versions as one MISP event (``{"Event": ...}``)."""
    with node_session() as node:
        event, _notes = node.intel.export_misp(operator(), collection, types=type or ())
    _write_json(event, output)


@sources_app.command("add")
def source_add(
    name: Annotated[str, typer.Argument(help="A short name for the source")],
    url: Annotated[str, typer.Argument(help="The remote collection's URL "
                                       "(.../collections/<id>/)")],
    collection: CollectionOpt,
    auth: Annotated[str, typer.Option(help="basic, bearer or none")] = "basic",
    user: Annotated[str | None, typer.Option(help="HTTP Basic user")] = None,
    secret_env: Annotated[str | None, typer.Option(
        help="Environment variable holding the password or token (never stored)")] = None,
    type: Annotated[list[str] | None, typer.Option("--type", help="Only these STIX types")]
    = None,
) -> None:
    """Pull a TAXII 2.1 server's collection into a local one (job intel-pull)."""
    with node_session() as node:
        node.pulls.add_source(operator(), name=name, collection_url=url, collection=collection,
                              types=type or (), auth=auth, user=user, secret_env=secret_env)
    out.print(f"source {name} added; pull now with `ctnode intel pull {name}`", markup=False)


@sources_app.command("list")
def source_list(as_json: AsJson = False) -> None:
    """The sources, their checkpoints and last results."""
    with node_session() as node:
        rows = node.pulls.list_sources(operator())
    if as_json:
        print_json(rows)
        return
    for r in rows:
        out.print(f"{r['name']}: {r['collection_url']} -> {r['collection_id']} "
                  f"(checkpoint {r['checkpoint'] or 'none'}, last {r['last_result'] or '-'})",
                  markup=False)


@sources_app.command("remove")
def source_remove(name: Annotated[str, typer.Argument(help="The source's name")]) -> None:
    """Stop pulling from a source (objects already pulled stay)."""
    with node_session() as node:
        node.pulls.remove_source(operator(), name)
    out.print(f"source {name} removed", markup=False)


@intel_app.command("pull")
def pull(
    name: Annotated[str, typer.Argument(help="The source's name (ctnode intel sources list)")],
    as_json: AsJson = False,
) -> None:
    """Pull what a source added since its checkpoint, now."""
    with node_session() as node:
        report = node.pulls.pull(operator(), name)
    if as_json:
        print_json(report.as_dict())
        return
    out.print(f"{name}: {report.pages} pages, added {report.added}, already present "
              f"{report.present}, rejected {report.rejected}; checkpoint {report.checkpoint}",
              markup=False)
    for line in report.rejections:
        out.print(f"  - {line}", markup=False)
