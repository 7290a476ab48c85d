"""``ctnode audit ...``: read, export and verify the audit log; sign and check checkpoints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ctnode.audit.chain import ChainBroken
from ctnode.cli.common import (
    console,
    error_line,
    node_session,
    operator,
    out,
    print_json,
    writing,
)

audit_app = typer.Typer(help="Read, export and verify the audit log.", no_args_is_help=True)


def _json_lines(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


@audit_app.command("list")
def audit_list(
    event: Annotated[str | None, typer.Option(help="Only this event type")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The newest audit entries."""
    with node_session() as node:
        entries = list(node.audit_trail.entries(operator(), event=event))[-limit:]
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
def audit_export(
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="JSONL file (default stdout)")
    ] = None,
) -> None:
    """Export the whole audit log as JSON lines (with hashes, for verification elsewhere)."""
    n = 0
    with writing(output) as fh, node_session() as node:
        for e in node.audit_trail.entries(operator()):
            fh.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
            n += 1
    console.print(f"exported {n} audit entries")


def _failed(exc: ChainBroken, who: str = "") -> typer.Exit:
    error_line("FAILED", f"{who}{exc}")
    return typer.Exit(1)


@audit_app.command("verify")
def audit_verify() -> None:
    """Verify the audit hash chain; exit 1 naming the first edited, dropped or inserted entry."""
    with node_session() as node:
        try:
            n, seq, head = node.audit_trail.verify(operator())
        except ChainBroken as exc:
            raise _failed(exc) from None
    out.print(f"audit chain OK: {n} entries, head {seq} {head}")


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the audit chain's head now (give it to partners or an oversight body)."""
    with node_session() as node:
        print_json(node.federation.checkpoints.checkpoint(operator()))


@audit_app.command("checkpoints")
def audit_checkpoints(
    node_id: Annotated[str | None, typer.Option("--peer", help="A peer's, not ours")] = None,
) -> None:
    """Signed checkpoints kept here (JSON lines)."""
    with node_session() as node:
        for cp in node.federation.checkpoints.checkpoints(operator(), node_id):
            out.print(json.dumps(cp), soft_wrap=True, highlight=False)


@audit_app.command("verify-checkpoints")
def audit_verify_checkpoints(
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", help="Checkpoints (JSON lines) to hold the log to; default: those stored here"
        ),
    ] = None,
    local: Annotated[
        bool, typer.Option("--local", help="Only the checkpoints stored here, not the peers' copies")
    ] = False,
) -> None:
    """Verify the audit chain against every signed checkpoint, this node's and the copies its
    peers keep (asked over the network unless --local or --file): exit 1 naming the first
    entry at fault when the history was rewritten, re-chained or truncated, when there are
    entries but no checkpoint, or when a peer holds a newer checkpoint than this node."""
    cps = _json_lines(file) if file is not None else None
    with node_session() as node:
        try:
            if cps is not None:
                n, used = node.federation.checkpoints.verify_audit(operator(), cps)
                report: dict[str, Any] = {}
            else:
                report = node.federation.checkpoints.verify_anchored(
                    operator(), use_peers=not local)
                n, used = report["entries"], report["checkpoints"]
        except ChainBroken as exc:
            raise _failed(exc) from None
    for peer_id, outcome in sorted(report.get("peers", {}).items()):
        state = (f"{outcome['held']} copies, newest seq {outcome['newest']}"
                 if outcome["status"] == "ok" else f"{outcome['status']} ({outcome['reason']})")
        console.print(f"  {peer_id}: {state}")
    out.print(f"audit chain OK: {n} entries, {used} signed checkpoint(s) matched")


@audit_app.command("verify-export")
def audit_verify_export(
    log: Annotated[Path, typer.Argument(help="The node's log from `ctnode audit export`")],
    checkpoints: Annotated[Path, typer.Option(help="Its signed checkpoints (JSON lines)")],
    descriptor_file: Annotated[Path, typer.Option("--descriptor", help="Its signed descriptor")],
) -> None:
    """Verify another node's exported audit log against its signed checkpoints, away from
    that node (for partners and oversight bodies); exit 1 naming the first entry at fault."""
    from ctnode.federation.checkpoints import check_signatures, verify_export
    from ctnode.federation.identity import Descriptor

    desc = Descriptor.parse(descriptor_file.read_text(encoding="utf-8"), development=True)
    pairs = check_signatures(_json_lines(checkpoints), node_id=desc.node_id,
                             public_key=desc.public_key)
    try:
        with log.open(encoding="utf-8") as fh:
            n = verify_export(fh, pairs)
    except ChainBroken as exc:
        raise _failed(exc, f"{desc.node_id}: ") from None
    out.print(
        f"{desc.node_id}: exported audit log OK: {n} entries, {len(pairs)} signed "
        "checkpoint(s) matched"
    )
