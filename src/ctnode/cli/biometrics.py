"""``ctnode biometrics ...`` and ``ctnode import/export ansi-nist``.

Thin edge: read files, call the biometric services (``ctnode.services.biometrics``),
print a table or JSON. ``ctnode.cli.main`` adds ``biometrics_app`` as ``biometrics``,
``import_ansi_nist`` as ``import ansi-nist`` and ``export_ansi_nist`` as
``export ansi-nist``. The command is ``enrol``; ``enroll`` (its spelling before 0.2)
still works for one release, hidden from ``--help``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from rich.table import Table

from ctnode.cli.common import (
    check_output,
    console,
    make_node,
    operator,
    out,
    print_json,
    read_file,
    write_output,
)
from ctnode.cli.options import LegalBasisOpt, with_purpose
from ctnode.errors import InvalidInput
from ctnode.model.access import NO_PURPOSE, Purpose
from ctnode.node import Node

if TYPE_CHECKING:  # the image libraries load only for a biometric command
    from ctnode.services.biometrics.search import ProbeFaces
    from ctnode.services.biometrics.types import Modality, SearchResult

biometrics_app = typer.Typer(
    help="Biometric records: enrol faces and fingerprints, 1:N search, retention.",
    no_args_is_help=True,
)

EntityArg = Annotated[str, typer.Argument(help="Watchlist entity id.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _one_image(face: Path | None, fingerprint: Path | None) -> Path:
    """The one image given, as ``--face`` or as ``--fingerprint``."""
    if face is not None and fingerprint is None:
        return face
    if fingerprint is not None and face is None:
        return fingerprint
    raise InvalidInput("give exactly one of --face IMAGE or --fingerprint IMAGE")


def _print_json(data: Any) -> None:
    print_json(data)  # valid JSON whatever the terminal (was cut at 80 columns when piped)


def enrol(
    entity: EntityArg,
    face: Annotated[Path | None, typer.Option("--face", help="Face image (JPEG, PNG ...).")] = None,
    fingerprint: Annotated[
        Path | None, typer.Option("--fingerprint", help="Fingerprint image (PNG, WSQ ...).")
    ] = None,
    finger: Annotated[
        int | None,
        typer.Option("--finger", min=0, max=12, help="Finger position 1-10 (0 unknown)."),
    ] = None,
    legal_basis: LegalBasisOpt = None,
    source: Annotated[str, typer.Option(help="Who captured or sent the image.")] = "",
    captured: Annotated[str | None, typer.Option(help="Capture date YYYY-MM-DD.")] = None,
    retain_until: Annotated[str | None, typer.Option(help="Delete after YYYY-MM-DD.")] = None,
    refuse_multiple: Annotated[
        bool, typer.Option("--refuse-multiple-faces", help="Refuse images with several faces.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Attach a face (--face) or a fingerprint (--fingerprint --finger N) to a watchlist entity."""
    path = _one_image(face, fingerprint)
    if not legal_basis:
        raise InvalidInput("--legal-basis is required to hold biometric data")
    node = make_node()
    try:
        svc = node.biometrics.enrolment
        from ctnode.services.biometrics.types import EnrolRequest

        req = EnrolRequest(
            entity,
            read_file(path, node.settings.max_upload_bytes),
            legal_basis,
            source or str(path.name),
            date.fromisoformat(captured) if captured else None,
            date.fromisoformat(retain_until) if retain_until else None,
            position=finger,
            multiple_faces="refuse" if refuse_multiple else None,
        )
        result = (
            svc.enrol_face(operator(), req) if face else svc.enrol_fingerprint(operator(), req)
        )
    finally:
        node.close()
    if as_json:
        _print_json(result.as_dict())
        return
    quality = "" if result.quality is None else f"; quality {result.quality:.0f}/100"
    console.print(
        f"enrolled {result.kind} sample {result.sample_id} on {result.entity_id} "
        f"(model {result.model_id}; kept until {result.retain_until}{quality})"
    )
    if result.note:
        console.print(f"[yellow]note:[/yellow] {result.note}")


def _render(result: SearchResult) -> None:
    table = Table(
        title=f"{result.modality} search: {len(result.candidates)} candidate(s) "
        f"of {result.searched}"
    )
    columns = ("face", "entity", "list ref", "name", "sample", "score", "decision")
    for col in columns if result.faces else columns[1:]:
        table.add_column(col)
    for c in result.candidates:
        row = [c.entity_id, c.list_reference or "", c.caption, c.sample_id[:8],
               f"{c.score:.3f}", c.decision]
        table.add_row(*([str(c.face or "")] if result.faces else []), *row)
    out.print(table)
    for f in result.faces:
        box, quality = f.face.get("box"), f.face.get("quality")
        where = f"at x={box['x']}, y={box['y']}, {box['w']}×{box['h']} px" if box else ""
        q = f"quality {quality['score']:.0f}/100" if quality else ""
        console.print(f"face {f.number} {where} {q}: {len(f.candidates)} candidate(s)")
    if result.probe_note:
        console.print(f"[yellow]probe:[/yellow] {result.probe_note}")
    cal = result.calibration
    if cal:
        console.print(
            f"decisions calibrated for {cal['gallery_size']:,} templates: match ≥ {cal['match']}, "
            f"possible ≥ {cal['possible']}"
        )
    console.print("candidates are leads for a trained person to verify, not identifications")


@biometrics_app.command("search")
@with_purpose
def search(
    face: Annotated[Path | None, typer.Option("--face", help="Probe face image.")] = None,
    fingerprint: Annotated[
        Path | None, typer.Option("--fingerprint", help="Probe fingerprint image.")
    ] = None,
    finger: Annotated[
        int | None, typer.Option("--finger", min=0, max=12, help="Probe finger position.")
    ] = None,
    purpose: Purpose = NO_PURPOSE,
    k: Annotated[int | None, typer.Option("--limit", "-k", min=1, help="Most candidates.")] = None,
    faces: Annotated[
        str,
        typer.Option(
            "--faces",
            help="Faces of the probe to search: all (each answer says which), largest, refuse.",
        ),
    ] = "all",
    network: Annotated[
        bool,
        typer.Option("--network", help="Also ask peers whose agreement allows it (template only)."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """1:N search of the node's biometric records with a face or fingerprint image."""
    path = _one_image(face, fingerprint)
    node = make_node()
    try:
        search = node.biometrics.search
        data = read_file(path, node.settings.max_upload_bytes)
        if face:
            if faces not in ("all", "largest", "refuse"):
                raise InvalidInput(f"--faces {faces!r}: use all, largest or refuse")
            result = search.face(operator(), data, purpose, k=k,
                                 probe_faces=cast("ProbeFaces", faces))
        else:
            result = search.fingerprint(operator(), data, purpose, position=finger, k=k)
        peers: list[dict[str, Any]] = []
        if network:
            peers = _network_search(node, data, "face" if face else "fingerprint", purpose, finger)
    finally:
        node.close()
    if as_json:
        _print_json(result.as_dict() | ({"peers": peers} if network else {}))
        return
    _render(result)
    if network:
        _render_peers(peers)


def _render_peers(peers: list[dict[str, Any]]) -> None:
    table = Table(title=f"network: {len(peers)} peer(s)")
    for col in ("peer", "country", "answer", "reference", "band", "reason", "ms"):
        table.add_column(col)
    for a in peers:
        hits = a.get("hits") or [{}]
        table.add_row(
            str(a["peer_id"]),
            str(a["country"]),
            str(a["status"]).upper() if a["status"] == "hit" else str(a["status"]),
            str(hits[0].get("ref") or ""),
            str(hits[0].get("band") or ""),
            " ".join(x for x in (a.get("reason"), a.get("detail")) if x)[:120],
            f"{a['ms']:.0f}",
        )
    out.print(table)
    console.print(
        "a hit is a reference only: ask for the record with "
        "`ctnode disclosures request PEER REF` (a person at the holder decides)"
    )


def _network_search(
    node: Node, data: bytes, modality: Modality, purpose: Purpose, finger: int | None
) -> list[dict[str, Any]]:
    """Send the template (never the image) to peers, through the federation."""
    probe = node.biometrics.exchange.make_probe(operator(), data, modality, purpose,
                                                position=finger)
    result = node.federation.biometric.query(probe, operator(), purpose)
    return [p.to_dict() for p in result.peers]


@biometrics_app.command("list")
def list_records(entity: EntityArg, as_json: JsonOpt = False) -> None:
    """The biometric records of an entity (metadata only; audited)."""
    node = make_node()
    try:
        rows = node.biometrics.enrolment.list_samples(operator(), entity)
    finally:
        node.close()
    if as_json:
        _print_json(rows)
        return
    table = Table(title=f"biometric records of {entity}")
    for col in ("sample", "kind", "finger", "source", "quality", "retain until", "note"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["sample_id"][:8],
            r["kind"],
            str(r["position"] or ""),
            r["source"],
            "" if r["quality"] is None else f"{r['quality']:.0f}",
            r["retain_until"],
            r["note"],
        )
    out.print(table)


@biometrics_app.command("image")
@with_purpose
def image(
    sample: Annotated[str, typer.Argument(help="Sample id.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write the image to.")],
    purpose: Purpose = NO_PURPOSE,
) -> None:
    """Write one sample's image (decrypted) to a file; needs a purpose and legal basis (audited)."""
    check_output(output)
    node = make_node()
    try:
        data, fmt = node.biometrics.enrolment.get_image(
            operator(), sample, purpose
        )
    finally:
        node.close()
    write_output(output, data)
    console.print(f"{fmt} image written to {output}")


@biometrics_app.command("purge")
def purge() -> None:
    """Delete every biometric record past its retention date."""
    node = make_node()
    try:
        n = node.biometrics.enrolment.purge_expired(operator())
    finally:
        node.close()
    console.print(f"{n} biometric record(s) past their retention date deleted")


def import_ansi_nist(
    file: Annotated[
        Path,
        typer.Argument(
            help="ANSI/NIST-ITL transaction file (.an2, .nst, .eft).", show_default=False
        ),
    ],
    entity: Annotated[
        str | None, typer.Option("--entity", help="Entity to attach the records to.")
    ] = None,
    legal_basis: LegalBasisOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and list the records; store nothing.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import an ANSI/NIST-ITL transaction (Type-1, 2, 4, 9, 10, 13, 14), whole or refused."""
    node = make_node()
    try:
        svc = node.biometrics.enrolment
        data = read_file(file, node.settings.max_upload_bytes)
        if dry_run or entity is None:
            tx, prepared, skipped = svc.inspect_ansi_nist(operator(), data)
            records: list[dict[str, Any]] = [
                {
                    "record": p.provenance.get("record"),
                    "kind": p.kind,
                    "position": p.position,
                    "searchable": p.template is not None,
                    "note": p.note,
                }
                for p in prepared
            ]
            skips = [
                {"record": s.record, "type": s.record_type, "reason": s.reason} for s in skipped
            ]
            if as_json:
                _print_json(
                    {"version": tx.version, "tcn": tx.tcn, "records": records, "skipped": skips}
                )
            else:
                for r in records:
                    console.print(f"record {r['record']}: {r['kind']} {r['note']}")
                for sk in skipped:
                    console.print(
                        f"[yellow]skipped[/yellow] record {sk.record} (Type-{sk.record_type}): "
                        f"{sk.reason}"
                    )
            if entity is None and not dry_run:
                raise InvalidInput(
                    "the transaction is valid; name the watchlist entity with --entity ID"
                )
            return
        if not legal_basis:
            raise InvalidInput("--legal-basis is required to hold biometric data")
        result = svc.import_ansi_nist(operator(), data, entity_id=entity, legal_basis=legal_basis)
    finally:
        node.close()
    if as_json:
        _print_json(result.as_dict())
        return
    searchable = sum(1 for e in result.enrolled if e.template_id)
    if not result.enrolled:
        console.print(
            f"[yellow]nothing kept:[/yellow] the transaction holds no record this node keeps; "
            f"recorded with its notes as {result.transaction_id}"
        )
    else:
        console.print(
            f"imported {len(result.enrolled)} record(s) onto {entity} ({searchable} searchable); "
            f"transaction {result.transaction_id}"
        )
    for e in result.enrolled:
        if e.note:
            console.print(f"  {e.kind} (finger {e.position}): {e.note}")
    for sk in result.skipped:
        console.print(
            f"[yellow]skipped[/yellow] record {sk.record} (Type-{sk.record_type}): {sk.reason}"
        )


@with_purpose
def export_ansi_nist(
    entity: EntityArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write (.an2).")],
    purpose: Purpose = NO_PURPOSE,
    ori: Annotated[
        str, typer.Option(help="Originating agency identifier for Type-1 (1.008).")
    ] = "CTNODE",
) -> None:
    """Write an entity's faces and fingerprints as an ANSI/NIST-ITL 2011 transaction."""
    check_output(output)
    node = make_node()
    try:
        data = node.biometrics.enrolment.export_ansi_nist(
            operator(), entity, purpose, ori=ori
        )
    finally:
        node.close()
    write_output(output, data)
    console.print(f"ANSI/NIST-ITL transaction ({len(data):,} bytes) written to {output}")


index_app = typer.Typer(
    help="The 1:N face index kept under the data folder (updated in place; rebuilt when stale).",
    no_args_is_help=True,
)
biometrics_app.add_typer(index_app, name="index")


@index_app.command("status")
def index_status(as_json: JsonOpt = False) -> None:
    """Where the face index files are, their size, and whether they match the store."""
    node = make_node()
    try:
        status = node.biometrics.search.index_status(operator())
    finally:
        node.close()
    if as_json:
        _print_json(status)
        return
    state = "current" if status["current"] else "stale or missing (rebuilt at the next search)"
    size = cast(int, status["bytes"]) / 2**20
    out.print(
        f"face index for {status['model_id']}: {state}; {status['store_templates']:,} templates "
        f"in the store; {size:,.0f} MB in {status['folder']}",
        soft_wrap=True,
    )


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Rebuild the face index from the store now (a large gallery takes a while)."""
    node = make_node()
    try:
        done = node.biometrics.search.rebuild_index(operator())
    finally:
        node.close()
    out.print(str(done["message"]), soft_wrap=True)


biometrics_app.command("enrol")(enrol)
biometrics_app.command("enroll", hidden=True)(enrol)  # old spelling, for one release
