"""Federation routes.

``POST /federation/v1/messages`` is the node-to-node endpoint: it takes a signed
envelope and authenticates the sender by its signature (no API key). Every other
route here is for this node's operators and needs an API key with the right role.
"""

from __future__ import annotations

import html
from datetime import datetime
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from ctnode.api.deps import ActorDep, NodeDep, PurposeDep, read_limited
from ctnode.api.guard import client_address
from ctnode.api.schemas.federation import (
    AgreementCreate,
    AlertCreate,
    DisclosureCreate,
    DisclosureDecision,
    KeyRotate,
    NetworkScreenRequest,
    RestrictionCreate,
)
from ctnode.audit.chain import ChainBroken
from ctnode.errors import Conflict, Refused, TooLarge
from ctnode.federation.identity import PROFILE_FIELDS
from ctnode.services.screening.query import build_query

router = APIRouter(prefix="/federation", tags=["federation"])
# A node's id (this node's or a peer's): the records of a list route that are that node's.
OfNode = Annotated[str | None, Query(description="Only the records of this node (an id)")]


# -- node to node ------------------------------------------------------------------------


@router.post("/v1/messages", summary="Receive a signed envelope from a peer (no API key)")
async def receive_message(
    request: Request,
    node: NodeDep,
    x_ctnode_sender: Annotated[
        str | None,
        Header(description="The sending node's id: checked before the body is read (optional)"),
    ] = None,
) -> JSONResponse:
    """The peer-to-peer endpoint. The body is one signed envelope; the answer is a signed
    envelope, or a refusal with a machine-readable ``reason`` (see docs/federation.md).

    Bounded before anything is parsed: a sender header naming no active peer is refused
    before the body is read; the body is counted while it streams in and refused (413) as
    soon as it passes ``CTNODE_FEDERATION_MAX_MESSAGE_BYTES``; the JSON is depth- and
    text-checked (``malformed``) before the envelope is looked at."""
    inbound = node.federation.inbound
    source = client_address(request.scope)
    if x_ctnode_sender is not None:
        refused = await run_in_threadpool(inbound.check_sender_header, x_ctnode_sender, source)
        if refused is not None:
            return JSONResponse(status_code=refused[0], content=refused[1],
                                headers={"Connection": "close"})
    limit = node.settings.federation_max_message_bytes
    try:
        raw = await read_limited(request, limit)
    except TooLarge as exc:
        refusal = Refused(f"message larger than {limit} bytes: {exc.message}", "too_large")
        refusal.status_code = 413
        status, body = await run_in_threadpool(
            inbound.refuse_unread, refusal, source, x_ctnode_sender
        )
        return JSONResponse(status_code=status, content=body, headers={"Connection": "close"})
    status, body = await run_in_threadpool(
        partial(inbound.receive_bytes, raw, source=source, claimed=x_ctnode_sender)
    )
    return JSONResponse(status_code=status, content=body)


# -- identity and directory --------------------------------------------------------------------


@router.get("/descriptor", summary="This node's signed descriptor")
def get_descriptor(node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    return node.federation.directory.descriptor(actor).to_dict()


@router.post("/key/rotate", summary="Rotate (or revoke) this node's key and tell every peer (admin)")
def rotate_key(node: NodeDep, actor: ActorDep, body: KeyRotate) -> dict[str, Any]:
    return node.federation.keys.rotate(actor, revoke=body.revoke, reason=body.reason)


@router.get("/key/changes", summary="Key changes (rotations, revocations) of this node and peers")
def key_changes(node: NodeDep, actor: ActorDep, node_id: OfNode = None) -> list[dict[str, Any]]:
    return node.federation.keys.key_changes(actor, node_id)


@router.get("/peers", summary="The coordinators' directory")
def list_peers(
    node: NodeDep, actor: ActorDep, include_removed: bool = False
) -> list[dict[str, Any]]:
    return [_peer_public(p) for p in node.federation.directory.list_peers(actor, include_removed)]


@router.post("/peers", status_code=201, summary="Add a peer by its signed descriptor (admin)")
def add_peer(
    node: NodeDep, actor: ActorDep, descriptor: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    return _peer_public(node.federation.directory.add_peer(actor, descriptor))


@router.get("/peers/{node_id}", summary="One peer with its agreements")
def get_peer(node: NodeDep, actor: ActorDep, node_id: str) -> dict[str, Any]:
    peer = node.federation.directory.get_peer(actor, node_id)
    return {**_peer_public(peer), "agreements": peer["agreements"]}


@router.delete("/peers/{node_id}", status_code=204, summary="Remove a peer (admin)")
def remove_peer(node: NodeDep, actor: ActorDep, node_id: str) -> None:
    node.federation.directory.remove_peer(actor, node_id)


@router.post("/peers/{node_id}/ping", summary="Signed round trip to a peer")
def ping_peer(node: NodeDep, actor: ActorDep, node_id: str) -> dict[str, Any]:
    return {"peer_id": node_id, "ms": round(node.federation.directory.ping(actor, node_id), 1)}


@router.get("/directory", response_class=HTMLResponse, summary="The directory as a page")
def directory_page(node: NodeDep, actor: ActorDep) -> str:
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(p.get(k) or ''))}</td>"
            for k in ("node_id", "organisation", "country", "contact", "endpoint", "status")
        )
        + "</tr>"
        for p in node.federation.directory.list_peers(actor)
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>ctnode: coordinators"
        "</title></head><body><h1>Coordinators' directory</h1><table border='1'><tr>"
        "<th>node</th><th>organisation</th><th>country</th><th>contact</th>"
        f"<th>endpoint</th><th>status</th></tr>{rows}</table></body></html>"
    )


# What the directory shows of a peer: its descriptor's fields and who trusted it when.
PEER_FIELDS = {*PROFILE_FIELDS, "public_key", "status", "added_at", "added_by", "removed_at"}


def _peer_public(p: dict[str, Any]) -> dict[str, Any]:
    return _jsonable({k: v for k, v in p.items() if k in PEER_FIELDS})


# -- agreements ------------------------------------------------------------------------------------



@router.get("/agreements", summary="Sharing agreements in force")
def list_agreements(
    node: NodeDep, actor: ActorDep, peer_id: str | None = None, include_revoked: bool = False
) -> list[dict[str, Any]]:
    return [
        a.to_dict()
        for a in node.federation.directory.list_agreements(
            actor, peer_id=peer_id, include_revoked=include_revoked
        )
    ]


@router.post("/agreements", status_code=201, summary="Make an agreement (admin)")
def add_agreement(node: NodeDep, actor: ActorDep, body: AgreementCreate) -> dict[str, Any]:
    return node.federation.directory.add_agreement(actor, **body.model_dump()).to_dict()


@router.delete("/agreements/{agreement_id}", status_code=204, summary="Revoke (admin)")
def revoke_agreement(node: NodeDep, actor: ActorDep, agreement_id: str) -> None:
    node.federation.directory.revoke_agreement(actor, agreement_id)


# -- network screening -----------------------------------------------------------------------------



@router.post("/screen", summary="Screen locally and across the network (hit/no-hit)")
def screen_network(
    node: NodeDep, actor: ActorDep, purpose: PurposeDep, body: NetworkScreenRequest
) -> dict[str, Any]:
    query = build_query(
        [body.name],
        schema=body.schema_,
        birth_dates=body.birth_date,
        nationalities=body.nationality,
        documents=body.document,
        dates_field="birth_date",
    )
    result = node.federation.network.screen(
        query, actor, body.over(purpose), peers=body.peers, deadline=body.deadline,
        limit=body.limit, lists=body.lists,
    )
    return result.to_dict()


# -- disclosures ---------------------------------------------------------------------------------




def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


@router.get("/disclosures", summary="Disclosure requests (with their age)")
def list_disclosures(
    node: NodeDep,
    actor: ActorDep,
    direction: Annotated[str | None, Query(pattern="^(incoming|outgoing)$")] = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    return [
        _jsonable(r)
        for r in node.federation.disclosure.list_disclosures(actor, direction=direction, status=status)
    ]


@router.post("/disclosures", status_code=201, summary="Ask a peer to disclose a hit reference")
def request_disclosure(
    node: NodeDep, actor: ActorDep, purpose: PurposeDep, body: DisclosureCreate
) -> dict[str, Any]:
    return _jsonable(
        node.federation.disclosure.request_disclosure(
            actor, peer_id=body.peer_id, ref=body.ref, justification=body.justification,
            purpose=body.over(purpose),
        )
    )


@router.get("/disclosures/{disclosure_id}", summary="One disclosure request")
def get_disclosure(node: NodeDep, actor: ActorDep, disclosure_id: str) -> dict[str, Any]:
    return _jsonable(node.federation.disclosure.get_disclosure(actor, disclosure_id))


@router.post("/disclosures/{disclosure_id}/approve", summary="Approve: release the agreed fields")
def approve_disclosure(
    node: NodeDep, actor: ActorDep, disclosure_id: str, body: DisclosureDecision
) -> dict[str, Any]:
    return _jsonable(
        node.federation.disclosure.decide_disclosure(
            actor, disclosure_id, approve=True, reason=body.reason, ttl_seconds=body.ttl_seconds,
            fields=body.fields,
        )
    )


@router.post("/disclosures/{disclosure_id}/refuse", summary="Refuse, with a reason")
def refuse_disclosure(
    node: NodeDep, actor: ActorDep, disclosure_id: str, body: DisclosureDecision
) -> dict[str, Any]:
    return _jsonable(
        node.federation.disclosure.decide_disclosure(actor, disclosure_id, approve=False, reason=body.reason)
    )


@router.post("/disclosures/{disclosure_id}/fetch", summary="Fetch the holder's decision")
def fetch_disclosure(node: NodeDep, actor: ActorDep, disclosure_id: str) -> dict[str, Any]:
    return _jsonable(node.federation.disclosure.fetch_disclosure(actor, disclosure_id))


# -- updates, alerts, inbox --------------------------------------------------------------



@router.get("/inbox", summary="Alerts and list updates received from peers")
def inbox(
    node: NodeDep, actor: ActorDep, unread: bool = False, mark_read: bool = False
) -> list[dict[str, Any]]:
    return [_jsonable(r) for r in node.federation.updates.inbox(actor, unread=unread, mark_read=mark_read)]


@router.post("/alerts", summary="Send an alert to subscribed peers (admin)")
def send_alert(node: NodeDep, actor: ActorDep, body: AlertCreate) -> dict[str, str]:
    return node.federation.updates.send_alert(
        actor, kind=body.kind, title=body.title, body=body.body, peers=body.peers
    )


@router.get("/updates", summary="List deltas sent, with each peer's receipt")
def list_updates(node: NodeDep, actor: ActorDep) -> list[dict[str, Any]]:
    return [
        {**_jsonable(d), "receipts": [_jsonable(r) for r in d["receipts"]]}
        for d in node.federation.updates.deltas(actor)
    ]


@router.post("/updates/retry", summary="Re-send deltas not yet receipted")
def retry_updates(node: NodeDep, actor: ActorDep) -> dict[str, int]:
    return {"deltas": node.federation.updates.retry_deltas(actor)}


@router.get("/restrictions", summary="Records kept from copies (query only)")
def list_restrictions(node: NodeDep, actor: ActorDep) -> list[dict[str, Any]]:
    return [_jsonable(r) for r in node.federation.restrictions.list(actor)]


@router.post("/restrictions", status_code=201,
             summary="Restrict a record: no copies, query only (admin)")
def restrict_record(node: NodeDep, actor: ActorDep, body: RestrictionCreate) -> dict[str, Any]:
    """Subscribers no longer receive the record as a copy; those that hold one get a signed
    ``withdrawn`` delta (their receipts are in the answer). Peers can still query it."""
    out = node.federation.restrictions.restrict(actor, body.entity_id, body.reason)
    return {**_jsonable(out), "receipts": [_jsonable(r) for r in out["receipts"]]}


@router.delete("/restrictions/{entity_id}", summary="Lift a record's restriction (admin)")
def unrestrict_record(node: NodeDep, actor: ActorDep, entity_id: str) -> dict[str, Any]:
    out = node.federation.restrictions.unrestrict(actor, entity_id)
    return {**_jsonable(out), "receipts": [_jsonable(r) for r in out["receipts"]]}


# -- audit checkpoints -------------------------------------------------------------------


@router.post("/checkpoints", status_code=201, summary="Sign the audit chain head now (admin)")
def make_checkpoint(node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    return node.federation.checkpoints.checkpoint(actor)


@router.get("/checkpoints/verify", summary="Verify the audit chain against this node's "
            "checkpoints and the copies its peers keep")
def verify_checkpoints(node: NodeDep, actor: ActorDep, peers: bool = True) -> dict[str, Any]:
    """409 naming the first entry at fault when the chain or a checkpoint does not hold."""
    try:
        return node.federation.checkpoints.verify_anchored(actor, use_peers=peers)
    except ChainBroken as exc:
        raise Conflict(str(exc)) from None


@router.get("/checkpoints", summary="Signed checkpoints (this node's, or a peer's)")
def list_checkpoints(node: NodeDep, actor: ActorDep,
                     node_id: OfNode = None) -> list[dict[str, Any]]:
    return node.federation.checkpoints.checkpoints(actor, node_id)


@router.post("/peers/{node_id}/checkpoint", summary="Fetch and keep a peer's signed checkpoint")
def fetch_checkpoint(node: NodeDep, actor: ActorDep, node_id: str) -> dict[str, Any]:
    return node.federation.checkpoints.fetch_checkpoint(actor, node_id)
