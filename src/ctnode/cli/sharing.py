"""``ctnode disclosures ...``, ``ctnode inbox``, ``ctnode alerts ...`` and ``ctnode updates ...``:
staged disclosure, alerts and list updates with peers."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ctnode.cli.common import make_node, operator, out, print_json, print_lines
from ctnode.cli.options import with_purpose
from ctnode.model.access import NO_PURPOSE, Purpose
from ctnode.textsafe import printable

disclosures_app = typer.Typer(
    help="Staged disclosure: requests, approvals, refusals.", invoke_without_command=True
)
alerts_app = typer.Typer(help="Alerts to subscribed peers.", no_args_is_help=True)
updates_app = typer.Typer(
    help="List deltas sent to peers and their signed receipts.", invoke_without_command=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON output")]


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} d"



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
    _disclosures_list(outgoing, status, as_json)


def _disclosures_list(outgoing: bool, status: str | None, as_json: bool) -> None:
    node = make_node()
    rows = node.federation.disclosure.list_disclosures(
        operator(), direction="outgoing" if outgoing else "incoming", status=status
    )
    if as_json:
        print_json(rows)
        return
    for r in rows:
        out.print(
            printable(
                f"{r['id']} {r['status']:<8} age {_age(r['age_seconds']):>6}  "
                f"{'to' if outgoing else 'from'} {r['peer_id']}  ref {r['ref']}  "
                f"purpose {r['purpose']}  case {r['case_ref']}  “{r['justification'][:60]}”"
            ),
            markup=False,
        )
        if r.get("fields"):  # a peer's released values: never interpreted by the terminal
            for f in r["fields"]:
                out.print(printable(f"    {f['prop']}: {f['value']}  ({f['dataset']})"),
                          markup=False)
    if not rows:
        out.print("no disclosure requests")


@disclosures_app.command("request")
@with_purpose
def disclosures_request(
    peer_id: Annotated[str, typer.Argument(help="The holder")],
    ref: Annotated[str, typer.Argument(help="The hit reference it answered")],
    justification: Annotated[str, typer.Option(help="Why the record is needed")],
    purpose: Purpose = NO_PURPOSE,
) -> None:
    """Ask a peer for the record behind a hit reference (needs --purpose, --legal-basis and
    --case); a person there decides."""
    node = make_node()
    row = node.federation.disclosure.request_disclosure(
        operator(), peer_id=peer_id, ref=ref, justification=justification, purpose=purpose)
    out.print(f"disclosure request {row['id']} sent to {peer_id}: {row['status']}")


@disclosures_app.command("approve")
def disclosures_approve(
    disclosure_id: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option(help="Why (required)")],
    ttl: Annotated[float | None, typer.Option(help="Seconds the release is valid")] = None,
) -> None:
    """Approve a peer's request: release the agreement's fields, signed, expiring."""
    node = make_node()
    row = node.federation.disclosure.decide_disclosure(
        operator(), disclosure_id, approve=True, reason=reason, ttl_seconds=ttl
    )
    out.print(
        f"approved {disclosure_id}; expires {row['expires_at']:%Y-%m-%d %H:%M:%S}; "
        f"{'delivered' if row['delivered'] else 'NOT delivered (peer can fetch)'}"
    )


@disclosures_app.command("refuse")
def disclosures_refuse(
    disclosure_id: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option(help="Why (required; the requester reads it)")],
) -> None:
    """Refuse a peer's request, with a reason."""
    node = make_node()
    node.federation.disclosure.decide_disclosure(operator(), disclosure_id, approve=False, reason=reason)
    out.print(f"refused {disclosure_id}")


@disclosures_app.command("show")
def disclosures_show(
    disclosure_id: Annotated[str, typer.Argument()],
    fetch: Annotated[bool, typer.Option(help="Ask the holder first")] = False,
) -> None:
    """One request (ours or a peer's), with released fields while valid."""
    node = make_node()
    row = (
        node.federation.disclosure.fetch_disclosure(operator(), disclosure_id)
        if fetch
        else node.federation.disclosure.get_disclosure(operator(), disclosure_id)
    )
    print_json({k: v for k, v in row.items() if k != "decision"})


# -- inbox, alerts, updates --------------------------------------------------------------


def inbox(
    unread: Annotated[bool, typer.Option(help="Only unread")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Alerts and list updates from peers (marked read once shown)."""
    node = make_node()
    rows = node.federation.updates.inbox(operator(), unread=unread, mark_read=True)
    if as_json:
        print_json(rows)
        return
    print_lines((_alert_line(r) for r in rows), empty="inbox empty")


def _alert_line(r: dict[str, Any]) -> str:
    """One inbox item; the peer's kind, title and body are shown, never interpreted (escape
    sequences and control characters in them are printed as ``\\xNN``)."""
    new = "" if r["read_at"] else "NEW "
    affected = r["detail"].get("affected_screenings") or []
    extra = f" — {len(affected)} earlier screening(s) to re-review" if affected else ""
    body = printable(str(r["body"]), limit=300).replace("\n", "\n    ")
    return (f"{new}{r['at']:%Y-%m-%d %H:%M} {printable(str(r['kind']), limit=40):<12} from "
            f"{r['peer_id']}: {printable(str(r['title']), limit=200)}{extra}\n    {body}")


@alerts_app.command("send")
def alerts_send(
    kind: Annotated[str, typer.Option(help="new_listing, delisting or urgent")],
    title: Annotated[str, typer.Option()],
    body: Annotated[str, typer.Option()] = "",
    peers: Annotated[list[str] | None, typer.Option("--peer", help="Only these peers")] = None,
) -> None:
    """Send an alert to every subscribed peer (or the named ones)."""
    node = make_node()
    outcome = node.federation.updates.send_alert(operator(), kind=kind, title=title, body=body, peers=peers)
    for peer, status in outcome.items():
        out.print(printable(f"{peer}: {status}"), markup=False)
    if not outcome:
        out.print("no subscribed peers")
    failed = [peer for peer, status in outcome.items() if status != "delivered"]
    if failed:  # a refused or undelivered alert is a failure for scripts too
        raise typer.Exit(1)


@updates_app.callback()
def updates_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Deltas sent, and which peers have (and have not) returned a signed receipt."""
    if ctx.invoked_subcommand is not None:
        return
    _updates_list(as_json)


def _updates_list(as_json: bool) -> None:
    node = make_node()
    rows = node.federation.updates.deltas(operator())
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
def updates_retry() -> None:
    """Re-send every delta some peer has not yet receipted."""
    node = make_node()
    out.print(f"re-sent {node.federation.updates.retry_deltas(operator())} delta(s)")
