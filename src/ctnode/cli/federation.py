"""Federation commands: ``init``, ``descriptor``, ``peers``, ``agreements``, ``disclosures``,
``inbox``, ``alerts``, ``updates``, ``audit checkpoint(s)`` and ``screen --network``.

``ctnode.cli.main`` calls :func:`register` at start; the edges parse, call the
federation service (``node.federation``) and render.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ctnode.cli.common import console, handle_errors, make_node, operator, out, print_json
from ctnode.errors import InvalidInput
from ctnode.model.screening import ScreenQuery
from ctnode.node import Node, Purpose

peers_app = typer.Typer(
    help="The coordinators' directory: peers trusted by an admin.", no_args_is_help=True
)
agreements_app = typer.Typer(
    help="Sharing agreements, one per peer and direction.", no_args_is_help=True
)
disclosures_app = typer.Typer(
    help="Staged disclosure: requests, approvals, refusals.", invoke_without_command=True
)
alerts_app = typer.Typer(help="Alerts to subscribed peers.", no_args_is_help=True)
updates_app = typer.Typer(
    help="List deltas sent to peers and their signed receipts.", invoke_without_command=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON output")]


def _read_json_arg(source: str) -> Any:
    text = (
        sys.stdin.read()
        if source == "-"
        else (Path(source).read_text(encoding="utf-8") if Path(source).is_file() else source)
    )
    try:
        return json.loads(text)
    except ValueError:
        raise InvalidInput(
            f"{source}: not JSON (a file, '-' for stdin, or the JSON itself)"
        ) from None


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} d"


# -- identity ------------------------------------------------------------------------------


def init(
    node_id: Annotated[str, typer.Option("--node-id", help="Short id, e.g. nl-nctv")],
    organisation: Annotated[str, typer.Option(help="The coordinator's organisation")],
    country: Annotated[str, typer.Option(help="ISO 3166 code, or e.g. UN for a body")],
    contact: Annotated[str, typer.Option(help="Coordinator contact (e-mail, phone)")],
    endpoint: Annotated[
        str | None,
        typer.Option(help="URL peers reach this node at (default http://HOST:PORT from settings)"),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Replace an existing key (peers must re-add)")
    ] = False,
) -> None:
    """Give this node an Ed25519 key pair (owner-only file) and a signed descriptor."""
    node = make_node()
    desc = node.federation.init(
        operator(),
        node_id=node_id,
        organisation=organisation,
        country=country,
        contact=contact,
        endpoint=endpoint,
        force=force,
    )
    console.print(
        f"node {desc.node_id} initialised; private key in "
        f"{node.federation.folder / 'node.key'} (mode 600). Its descriptor:"
    )
    print_json(desc.to_dict())


def descriptor(
    output: Annotated[Path | None, typer.Option("--out", "-o", help="Write to a file")] = None,
) -> None:
    """Print this node's signed descriptor, to give to a partner."""
    node = make_node()
    desc = node.federation.descriptor().to_dict()
    if output:
        output.write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        console.print(f"descriptor written to {output}")
    else:
        print_json(desc)


# -- peers -------------------------------------------------------------------------------------


@peers_app.command("add")
@handle_errors
def peers_add(
    source: Annotated[str, typer.Argument(help="Descriptor: a JSON file, '-' for stdin, or JSON")],
) -> None:
    """Trust a peer: check its descriptor's signature and add it to the directory."""
    node = make_node()
    peer = node.federation.add_peer(operator(), _read_json_arg(source))
    out.print(
        f"added peer {peer['node_id']} ({peer['organisation']}, {peer['country']}) at "
        f"{peer['endpoint']}; key {peer['public_key'][:16]}…"
    )


@peers_app.command("list")
@handle_errors
def peers_list(
    include_removed: Annotated[bool, typer.Option("--all", help="Also removed peers")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The coordinators' directory."""
    node = make_node()
    peers = node.federation.list_peers(operator(), include_removed)
    if as_json:
        print_json([{k: v for k, v in p.items() if k != "descriptor"} for p in peers])
        return
    for p in peers:
        out.print(
            f"{p['node_id']:<16} {p['country']:<4} {p['organisation']:<32} "
            f"{p['contact']:<28} {p['endpoint']} ({p['status']})",
            markup=False,
        )
    if not peers:
        out.print("no peers yet (ctnode peers add DESCRIPTOR)")


@peers_app.command("show")
@handle_errors
def peers_show(node_id: Annotated[str, typer.Argument()], as_json: JsonOpt = False) -> None:
    """One peer, its key and its agreements."""
    node = make_node()
    peer = node.federation.get_peer(operator(), node_id)
    if as_json:
        print_json({k: v for k, v in peer.items() if k != "descriptor"})
        return
    out.print(
        f"{peer['node_id']} {peer['organisation']} ({peer['country']}) "
        f"({peer['status']})\n  contact {peer['contact']}\n  endpoint {peer['endpoint']}\n"
        f"  public key {peer['public_key']}\n  added {peer['added_at']:%Y-%m-%d %H:%M} by "
        f"{peer['added_by']}",
        markup=False,
    )
    for a in peer["agreements"]:
        out.print(
            f"  agreement {a['id']} {a['direction']}: lists {','.join(a['lists'])}; "
            f"purposes {','.join(a['purposes'])}; {a['rate_per_minute']}/min; up to "
            f"{a['max_disclosure']}; until {a['expires_at'][:16]}",
            markup=False,
        )


@peers_app.command("remove")
@handle_errors
def peers_remove(node_id: Annotated[str, typer.Argument()]) -> None:
    """Stop trusting a peer: its messages are refused from now on."""
    node = make_node()
    node.federation.remove_peer(operator(), node_id)
    out.print(f"removed peer {node_id}")


@peers_app.command("ping")
@handle_errors
def peers_ping(node_id: Annotated[str, typer.Argument()]) -> None:
    """A signed round trip to a peer (checks its endpoint and key)."""
    node = make_node()
    out.print(f"{node_id}: answered in {node.federation.ping(operator(), node_id):.1f} ms")


@peers_app.command("checkpoint")
@handle_errors
def peers_checkpoint(node_id: Annotated[str, typer.Argument()]) -> None:
    """Fetch and keep a peer's signed audit checkpoint."""
    node = make_node()
    print_json(node.federation.fetch_checkpoint(operator(), node_id))


# -- agreements ------------------------------------------------------------------------------------


def _expiry(text: str) -> datetime:
    text = text.strip()
    if text.endswith("d") and text[:-1].isdigit():
        return datetime.now(UTC) + timedelta(days=int(text[:-1]))
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "--expires must be an ISO date/time or a number of days like 90d"
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@agreements_app.command("add")
@handle_errors
def agreements_add(
    peer_id: Annotated[str, typer.Argument(help="The peer's node id")],
    direction: Annotated[
        str,
        typer.Option(
            help="outbound: what I share with the peer; inbound: what the peer shares with me"
        ),
    ],
    lists: Annotated[list[str], typer.Option("--list", help="A list name, or '*' (repeat)")],
    purposes: Annotated[list[str], typer.Option("--purpose", help="Allowed purpose (repeat)")],
    expires: Annotated[str, typer.Option(help="ISO date/time, or e.g. 365d")],
    rate: Annotated[int, typer.Option(help="Queries per minute")] = 60,
    disclosure: Annotated[str, typer.Option(help="hit, reference or fields")] = "reference",
    fields: Annotated[
        list[str] | None, typer.Option("--field", help="Field released after approval (repeat)")
    ] = None,
    subscribed: Annotated[bool, typer.Option(help="List updates and alerts flow")] = False,
    biometrics: Annotated[
        list[str] | None,
        typer.Option(
            "--biometric", help="Allow biometric template queries: face or fingerprint (repeat)"
        ),
    ] = None,
) -> None:
    """Make the agreement for (peer, direction); it replaces the one in force."""
    node = make_node()
    agr = node.federation.add_agreement(
        operator(),
        peer_id=peer_id,
        direction=direction,
        lists=lists,
        purposes=purposes,
        expires_at=_expiry(expires),
        rate_per_minute=rate,
        max_disclosure=disclosure,
        fields=fields or [],
        subscribed=subscribed,
        biometrics=biometrics or [],
    )
    out.print(f"agreement {agr.id}: {direction} with {peer_id} until {agr.expires_at:%Y-%m-%d}")


@agreements_app.command("list")
@handle_errors
def agreements_list(
    peer_id: Annotated[str | None, typer.Option("--peer")] = None,
    include_revoked: Annotated[bool, typer.Option("--all")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Agreements in force (with --all, revoked ones too)."""
    node = make_node()
    rows = node.federation.list_agreements(
        operator(), peer_id=peer_id, include_revoked=include_revoked
    )
    if as_json:
        print_json([a.to_dict() for a in rows])
        return
    now = datetime.now(UTC)
    for a in rows:
        state = "revoked" if a.revoked_at else ("EXPIRED" if a.expires_at <= now else "active")
        out.print(
            f"{a.id} {a.peer_id:<16} {a.direction:<8} lists={','.join(a.lists)} "
            f"purposes={','.join(a.purposes)} rate={a.rate_per_minute}/min "
            f"level={a.max_disclosure} fields={','.join(a.fields) or '-'} "
            f"subscribed={a.subscribed} until {a.expires_at:%Y-%m-%d %H:%M} ({state})",
            markup=False,
        )


@agreements_app.command("revoke")
@handle_errors
def agreements_revoke(agreement_id: Annotated[str, typer.Argument()]) -> None:
    """Revoke an agreement at once."""
    node = make_node()
    node.federation.revoke_agreement(operator(), agreement_id)
    out.print(f"revoked {agreement_id}")


# -- disclosures -------------------------------------------------------------------------


@disclosures_app.callback()
def disclosures_list(
    ctx: typer.Context,
    outgoing: Annotated[bool, typer.Option("--outgoing", help="Our requests to peers")] = False,
    status: Annotated[str | None, typer.Option(help="pending, approved, refused, expired")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Disclosure requests: peers' requests to us (default) with their age, or ours."""
    if ctx.invoked_subcommand is not None:
        return
    handle_errors(_disclosures_list)(outgoing, status, as_json)


def _disclosures_list(outgoing: bool, status: str | None, as_json: bool) -> None:
    node = make_node()
    rows = node.federation.list_disclosures(
        operator(), direction="outgoing" if outgoing else "incoming", status=status
    )
    if as_json:
        print_json(rows)
        return
    for r in rows:
        out.print(
            f"{r['id']} {r['status']:<8} age {_age(r['age_seconds']):>6}  "
            f"{'to' if outgoing else 'from'} {r['peer_id']}  ref {r['ref']}  "
            f"purpose {r['purpose']}  case {r['case_ref']}  “{r['justification'][:60]}”",
            markup=False,
        )
        if r.get("fields"):
            for f in r["fields"]:
                out.print(f"    {f['prop']}: {f['value']}  ({f['dataset']})", markup=False)
    if not rows:
        out.print("no disclosure requests")


@disclosures_app.command("request")
@handle_errors
def disclosures_request(
    peer_id: Annotated[str, typer.Argument(help="The holder")],
    ref: Annotated[str, typer.Argument(help="The hit reference it answered")],
    justification: Annotated[str, typer.Option(help="Why the record is needed")],
    purpose: Annotated[str, typer.Option("--purpose")],
    legal_basis: Annotated[str, typer.Option("--legal-basis")],
    case: Annotated[str, typer.Option("--case")],
) -> None:
    """Ask a peer for the record behind a hit reference; a person there decides."""
    node = make_node()
    row = node.federation.request_disclosure(
        operator(),
        peer_id=peer_id,
        ref=ref,
        justification=justification,
        purpose=Purpose(purpose=purpose, legal_basis=legal_basis, case_ref=case),
    )
    out.print(f"disclosure request {row['id']} sent to {peer_id}: {row['status']}")


@disclosures_app.command("approve")
@handle_errors
def disclosures_approve(
    disclosure_id: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option(help="Why (required)")],
    ttl: Annotated[float | None, typer.Option(help="Seconds the release is valid")] = None,
) -> None:
    """Approve a peer's request: release the agreement's fields, signed, expiring."""
    node = make_node()
    row = node.federation.decide_disclosure(
        operator(), disclosure_id, approve=True, reason=reason, ttl_seconds=ttl
    )
    out.print(
        f"approved {disclosure_id}; expires {row['expires_at']:%Y-%m-%d %H:%M:%S}; "
        f"{'delivered' if row['delivered'] else 'NOT delivered (peer can fetch)'}"
    )


@disclosures_app.command("refuse")
@handle_errors
def disclosures_refuse(
    disclosure_id: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option(help="Why (required; the requester reads it)")],
) -> None:
    """Refuse a peer's request, with a reason."""
    node = make_node()
    node.federation.decide_disclosure(operator(), disclosure_id, approve=False, reason=reason)
    out.print(f"refused {disclosure_id}")


@disclosures_app.command("show")
@handle_errors
def disclosures_show(
    disclosure_id: Annotated[str, typer.Argument()],
    fetch: Annotated[bool, typer.Option(help="Ask the holder first")] = False,
) -> None:
    """One request (ours or a peer's), with released fields while valid."""
    node = make_node()
    row = (
        node.federation.fetch_disclosure(operator(), disclosure_id)
        if fetch
        else node.federation.get_disclosure(operator(), disclosure_id)
    )
    print_json({k: v for k, v in row.items() if k != "decision"})


# -- inbox, alerts, updates --------------------------------------------------------------


def inbox(
    unread: Annotated[bool, typer.Option(help="Only unread")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Alerts and list updates from peers (marked read once shown)."""
    node = make_node()
    rows = node.federation.inbox(operator(), unread=unread, mark_read=True)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        new = "" if r["read_at"] else "NEW "
        affected = r["detail"].get("affected_screenings") or []
        extra = f" — {len(affected)} earlier screening(s) to re-review" if affected else ""
        out.print(
            f"{new}{r['at']:%Y-%m-%d %H:%M} {r['kind']:<12} from {r['peer_id']}: "
            f"{r['title']}{extra}\n    {r['body'][:300]}",
            markup=False,
        )
    if not rows:
        out.print("inbox empty")


@alerts_app.command("send")
@handle_errors
def alerts_send(
    kind: Annotated[str, typer.Option(help="new_listing, delisting or urgent")],
    title: Annotated[str, typer.Option()],
    body: Annotated[str, typer.Option()] = "",
    peers: Annotated[list[str] | None, typer.Option("--peer", help="Only these peers")] = None,
) -> None:
    """Send an alert to every subscribed peer (or the named ones)."""
    node = make_node()
    outcome = node.federation.send_alert(operator(), kind=kind, title=title, body=body, peers=peers)
    for peer, status in outcome.items():
        out.print(f"{peer}: {status}", markup=False)
    if not outcome:
        out.print("no subscribed peers")


@updates_app.callback()
def updates_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Deltas sent, and which peers have (and have not) returned a signed receipt."""
    if ctx.invoked_subcommand is not None:
        return
    handle_errors(_updates_list)(as_json)


def _updates_list(as_json: bool) -> None:
    node = make_node()
    rows = node.federation.deltas(operator())
    if as_json:
        print_json(rows)
        return
    for d in rows:
        s = d["summary"]
        out.print(
            f"{d['created_at']:%Y-%m-%d %H:%M} delta {d['id']} {d['dataset']}: "
            f"+{s['added']} ~{s['changed']} -{len(s['delisted'])}"
        )
        for r in d["receipts"]:
            out.print(f"    {r['peer_id']:<16} {r['status']}")


@updates_app.command("retry")
@handle_errors
def updates_retry() -> None:
    """Re-send every delta some peer has not yet receipted."""
    node = make_node()
    out.print(f"re-sent {node.federation.retry_deltas(operator())} delta(s)")


# -- audit checkpoints -------------------------------------------------------------------


def audit_checkpoint() -> None:
    """Sign the audit chain's head now (give it to partners or an oversight body)."""
    node = make_node()
    print_json(node.federation.checkpoint(operator()))


def audit_checkpoints(
    node_id: Annotated[str | None, typer.Option("--peer", help="A peer's, not ours")] = None,
) -> None:
    """Signed checkpoints kept here (JSON lines)."""
    node = make_node()
    for cp in node.federation.checkpoints(operator(), node_id):
        out.print(json.dumps(cp), soft_wrap=True, highlight=False)


def audit_verify_checkpoints(
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", help="Checkpoints (JSON lines) to hold the log to; default: those stored here"
        ),
    ] = None,
) -> None:
    """Verify the audit chain and every signed checkpoint: a rewritten, re-chained or
    truncated history fails, naming the first entry at fault (exit 1)."""
    from ctnode.audit.log import ChainBroken

    node = make_node()
    cps = None
    if file is not None:
        cps = [
            json.loads(line)
            for line in file.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    try:
        n, used = node.federation.verify_audit(operator(), cps)
    except ChainBroken as exc:
        console.print(f"[red]FAILED:[/red] {exc}")
        raise typer.Exit(1) from None
    out.print(f"audit chain OK: {n} entries, {used} signed checkpoint(s) matched")


def audit_verify_export(
    log: Annotated[Path, typer.Argument(help="The node's log from `ctnode audit export`")],
    checkpoints: Annotated[Path, typer.Option(help="Its signed checkpoints (JSON lines)")],
    descriptor_file: Annotated[Path, typer.Option("--descriptor", help="Its signed descriptor")],
) -> None:
    """Verify another node's exported audit log against its signed checkpoints, away from
    that node (for partners and oversight bodies); exit 1 naming the first entry at fault."""
    from ctnode.audit.log import ChainBroken
    from ctnode.federation.checkpoints import check_signatures, verify_export
    from ctnode.federation.identity import Descriptor

    desc = Descriptor.parse(descriptor_file.read_text(encoding="utf-8"), development=True)
    cps = [
        json.loads(line)
        for line in checkpoints.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    pairs = check_signatures(cps, node_id=desc.node_id, public_key=desc.public_key)
    try:
        with log.open(encoding="utf-8") as fh:
            n = verify_export(fh, pairs)
    except ChainBroken as exc:
        console.print(f"[red]FAILED:[/red] {desc.node_id}: {exc}")
        raise typer.Exit(1) from None
    out.print(
        f"{desc.node_id}: exported audit log OK: {n} entries, {len(pairs)} signed "
        "checkpoint(s) matched"
    )


# -- screen --network (called from the hook in ctnode.cli.main.screen_name) --------------


def screen_network(
    node: Node,
    query: ScreenQuery,
    purpose: Purpose,
    *,
    as_json: bool,
    limit: int,
    peers: list[str] | None = None,
    deadline: float | None = None,
) -> None:
    from ctnode.api.routers.federation import network_result_dict
    from ctnode.cli.common import print_hits

    result = node.federation.screen_network(
        query, operator(), purpose, peers=peers, deadline=deadline, limit=limit
    )
    if as_json:
        print_json({"query": query.names[0], **network_result_dict(result)})
        return
    print_hits(result.local.hits, f"this node: {query.names[0]!r}")
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


def _find_group(app: typer.Typer, name: str) -> typer.Typer | None:
    for group in app.registered_groups:
        if group.name == name and group.typer_instance is not None:
            return group.typer_instance
    return None


def register(app: typer.Typer, **_groups: typer.Typer) -> None:
    """Add the federation commands to the ``ctnode`` app."""
    app.command("init")(handle_errors(init))
    app.command("descriptor")(handle_errors(descriptor))
    app.command("inbox")(handle_errors(inbox))
    app.add_typer(peers_app, name="peers")
    app.add_typer(agreements_app, name="agreements")
    app.add_typer(disclosures_app, name="disclosures")
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(updates_app, name="updates")
    audit_app = _find_group(app, "audit")
    if audit_app is not None:
        audit_app.command("checkpoint")(handle_errors(audit_checkpoint))
        audit_app.command("checkpoints")(handle_errors(audit_checkpoints))
        audit_app.command("verify-checkpoints")(handle_errors(audit_verify_checkpoints))
        audit_app.command("verify-export")(handle_errors(audit_verify_export))
