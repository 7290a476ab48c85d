"""``ctnode init``, ``ctnode descriptor``, ``ctnode peers ...`` and ``ctnode agreements ...``:
this node's identity, the coordinators' directory and the sharing agreements."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from ctnode.cli.common import (
    check_output,
    console,
    make_node,
    node_session,
    operator,
    out,
    print_json,
    print_lines,
    write_output,
)
from ctnode.errors import InvalidInput
from ctnode.textsafe import printable

peers_app = typer.Typer(
    help="The coordinators' directory: peers trusted by an admin.", no_args_is_help=True
)
agreements_app = typer.Typer(
    help="Sharing agreements, one per peer and direction.", no_args_is_help=True
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
    with node_session(create=True) as node:
        desc = node.federation.directory.init(
            operator(), node_id=node_id, organisation=organisation, country=country,
            contact=contact, endpoint=endpoint, force=force)
    console.print(
        f"node {desc.node_id} initialised; private key in "
        f"{node.federation.context.folder / 'node.key'} (mode 600). Its descriptor:"
    )
    print_json(desc.to_dict())


def descriptor(
    output: Annotated[Path | None, typer.Option("--out", "-o", help="Write to a file")] = None,
) -> None:
    """Print this node's signed descriptor, to give to a partner."""
    if output:
        check_output(output)
    node = make_node()
    desc = node.federation.directory.descriptor(operator()).to_dict()
    if output:
        write_output(output, json.dumps(desc, indent=2, ensure_ascii=False) + "\n")
        console.print(f"descriptor written to {output}")
    else:
        print_json(desc)


def rotate_key(
    revoke: Annotated[
        bool, typer.Option(help="The old key is compromised: peers refuse it from now on")
    ] = False,
    reason: Annotated[str, typer.Option(help="Why (required with --revoke); audited")] = "",
) -> None:
    """Replace this node's key: the new descriptor is signed by the old key and the new one and
    pushed to every peer, which updates its directory (a peer that is down follows on the next
    signed contact). Exit 1 when a peer could not be told."""
    with node_session() as node:
        result = node.federation.keys.rotate(operator(), revoke=revoke, reason=reason)
    cert = result["certificate"]
    console.print(f"key {'revoked' if revoke else 'rotated'}: {cert['old_key']} -> "
                  f"{cert['new_key']}")
    for peer_id, outcome in sorted(result["peers"].items()):
        out.print(f"{peer_id}: {outcome}")
    if any(v != "notified" for v in result["peers"].values()):
        console.print("some peers were not told; they follow the change on the next signed "
                      "contact (ctnode peers ping NODE)")
        raise typer.Exit(1)


# -- peers -------------------------------------------------------------------------------------


@peers_app.command("add")
def peers_add(
    source: Annotated[str, typer.Argument(help="Descriptor: a JSON file, '-' for stdin, or JSON")],
) -> None:
    """Trust a peer: check its descriptor's signature and add it to the directory."""
    node = make_node()
    peer = node.federation.directory.add_peer(operator(), _read_json_arg(source))
    out.print(
        f"added peer {peer['node_id']} ({peer['organisation']}, {peer['country']}) at "
        f"{peer['endpoint']}; key {peer['public_key'][:16]}…"
    )


@peers_app.command("list")
def peers_list(
    include_removed: Annotated[bool, typer.Option("--all", help="Also removed peers")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The coordinators' directory."""
    node = make_node()
    peers = node.federation.directory.list_peers(operator(), include_removed)
    if as_json:
        print_json([{k: v for k, v in p.items() if k != "descriptor"} for p in peers])
        return
    print_lines((f"{p['node_id']:<16} {p['country']:<4} {p['organisation']:<32} "
                 f"{p['contact']:<28} {p['endpoint']} ({p['status']})" for p in peers),
                empty="no peers yet (ctnode peers add DESCRIPTOR)")


@peers_app.command("show")
def peers_show(node_id: Annotated[str, typer.Argument()], as_json: JsonOpt = False) -> None:
    """One peer, its key and its agreements."""
    node = make_node()
    peer = node.federation.directory.get_peer(operator(), node_id)
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
    print_lines(f"  agreement {a['id']} {a['direction']}: lists {','.join(a['lists'])}; "
                f"purposes {','.join(a['purposes'])}; {a['rate_per_minute']}/min; up to "
                f"{a['max_disclosure']}; until {a['expires_at'][:16]}" for a in peer["agreements"])


@peers_app.command("remove")
def peers_remove(node_id: Annotated[str, typer.Argument()]) -> None:
    """Stop trusting a peer: its messages are refused from now on."""
    make_node().federation.directory.remove_peer(operator(), node_id)
    out.print(f"removed peer {node_id}")


@peers_app.command("ping")
def peers_ping(node_id: Annotated[str, typer.Argument()]) -> None:
    """A signed round trip to a peer (checks its endpoint and key)."""
    node = make_node()
    out.print(f"{node_id}: answered in {node.federation.directory.ping(operator(), node_id):.1f} ms")


@peers_app.command("checkpoint")
def peers_checkpoint(node_id: Annotated[str, typer.Argument()]) -> None:
    """Fetch and keep a peer's signed audit checkpoint."""
    node = make_node()
    print_json(node.federation.checkpoints.fetch_checkpoint(operator(), node_id))


def _receipt_lines(receipts: list[dict[str, Any]]) -> bool:
    """Print each subscriber's receipt; True when one refused or failed the delta."""
    bad = False
    for r in receipts:
        note = ""
        if r["status"] == "pending":
            note = " (re-sent when the peer is next in contact)"
        elif r["status"] != "applied":
            bad = True
            note = f" ({r['detail'].get('reason') or r['detail'].get('error') or ''}: " \
                   f"{r['detail'].get('message') or ''})"
        out.print(printable(f"  {r['peer_id']}: {r['status']}{note}"), markup=False)  # peer text
    return bad


@peers_app.command("restrict")
def peers_restrict(
    entity_id: Annotated[str, typer.Argument(help="A record of a list this node publishes")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is kept from copies")],
) -> None:
    """Restrict a record: no copies, query only. Subscribers that hold a copy are sent a
    signed ``withdrawn`` delta that deletes it; peers can still query it (hit/no-hit under
    their agreements). Exits 1 when a subscriber refuses the withdrawal."""
    node = make_node()
    done = node.federation.restrictions.restrict(operator(), entity_id, reason)
    out.print(f"restricted {entity_id} (list {done['dataset']}): no copies, query only",
              markup=False)
    if _receipt_lines(done["receipts"]):
        raise typer.Exit(1)


@peers_app.command("unrestrict")
def peers_unrestrict(entity_id: Annotated[str, typer.Argument()]) -> None:
    """Lift a restriction: subscribers receive the record again (if it is still listed)."""
    node = make_node()
    done = node.federation.restrictions.unrestrict(operator(), entity_id)
    out.print(f"lifted the restriction on {entity_id} (list {done['dataset']})", markup=False)
    if _receipt_lines(done["receipts"]):
        raise typer.Exit(1)


@peers_app.command("restrictions")
def peers_restrictions(as_json: JsonOpt = False) -> None:
    """Records kept from copies (query only), with who restricted them and why."""
    rows = make_node().federation.restrictions.list(operator())
    if as_json:
        print_json([{**r, "restricted_at": r["restricted_at"].isoformat()} for r in rows])
        return
    print_lines((f"{r['entity_id']:<24} {r['dataset']:<16} {r['restricted_at']:%Y-%m-%d %H:%M} "
                 f"{r['restricted_by']:<20} {r['reason']}" for r in rows),
                empty="no restricted records (ctnode peers restrict ID --reason ...)")


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
    copy_fields: Annotated[
        list[str] | None,
        typer.Option(
            "--copy-field",
            help="With --subscribed: a property copies of the lists carry (repeat; default: "
            "name only). What the peer may query is --list; what it may see after approval "
            "is --field.",
        ),
    ] = None,
    max_tlp: Annotated[
        str | None,
        typer.Option(
            "--max-tlp",
            help="The most restrictive TLP level shared threat intelligence, library documents "
            "and hashes may carry to the peer: clear, green, amber or amber+strict (default: "
            "AMBER; AMBER+STRICT to a node of this organisation). RED never leaves.",
        ),
    ] = None,
    hash_labels: Annotated[
        list[str] | None,
        typer.Option(
            "--hash-label",
            help="With a --list hashes:<BANK>: a taxonomy label (e.g. imminent_credible_threat) "
            "hashes must carry to be sent; every label of a hash must be named (repeat; "
            "default: every label).",
        ),
    ] = None,
) -> None:
    """Make the agreement for (peer, direction); it replaces the one in force. A new outbound
    subscription starts with a signed full sync of the lists this node publishes."""
    node = make_node()
    agr = node.federation.directory.add_agreement(
        operator(), peer_id=peer_id, direction=direction, lists=lists, purposes=purposes,
        expires_at=_expiry(expires), rate_per_minute=rate,
        max_disclosure=disclosure,
        fields=fields or [],
        subscribed=subscribed,
        biometrics=biometrics or [],
        copy_fields=copy_fields,
        max_tlp=max_tlp,
        hash_labels=hash_labels,
    )
    out.print(f"agreement {agr.id}: {direction} with {peer_id} until {agr.expires_at:%Y-%m-%d}")


@agreements_app.command("list")
def agreements_list(
    peer_id: Annotated[str | None, typer.Option("--peer")] = None,
    include_revoked: Annotated[bool, typer.Option("--all")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Agreements in force (with --all, revoked ones too)."""
    node = make_node()
    rows = node.federation.directory.list_agreements(
        operator(), peer_id=peer_id, include_revoked=include_revoked
    )
    if as_json:
        print_json([a.to_dict() for a in rows])
        return
    now = datetime.now(UTC)
    print_lines(
        f"{a.id} {a.peer_id:<16} {a.direction:<8} lists={','.join(a.lists)} "
        f"purposes={','.join(a.purposes)} rate={a.rate_per_minute}/min "
        f"level={a.max_disclosure} fields={','.join(a.fields) or '-'} "
        f"subscribed={a.subscribed} until {a.expires_at:%Y-%m-%d %H:%M} "
        f"({'revoked' if a.revoked_at else ('EXPIRED' if a.expires_at <= now else 'active')})"
        for a in rows
    )


@agreements_app.command("revoke")
def agreements_revoke(agreement_id: Annotated[str, typer.Argument()]) -> None:
    """Revoke an agreement at once."""
    make_node().federation.directory.revoke_agreement(operator(), agreement_id)
    out.print(f"revoked {agreement_id}")
