"""Administration: API keys and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from ctnode.api.deps import MAX_AUDIT_SEQ, ActorDep, NodeDep
from ctnode.api.schemas.admin import KeyCreated, KeyIn
from ctnode.audit.chain import ChainBroken
from ctnode.errors import Conflict

router = APIRouter(tags=["admin"])


@router.post("/keys", response_model=KeyCreated, status_code=201)
def create_key(body: KeyIn, node: NodeDep, actor: ActorDep) -> KeyCreated:
    """Create an API key with a role; the token is returned once."""
    token = node.access.create_key(actor, name=body.name, role=body.role,
                                   biometric=body.biometric,
                                   biometric_scopes=list(body.biometric_scopes))
    return KeyCreated(id=token.split("_")[1], token=token)


@router.get("/keys")
def list_keys(node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    return {"keys": node.access.list_keys(actor)}


@router.delete("/keys/{key_id}", status_code=204)
def revoke_key(node: NodeDep, actor: ActorDep, key_id: Annotated[str, Path(max_length=16)]) -> None:
    node.access.revoke_key(actor, key_id)


@router.get("/audit")
def audit(
    node: NodeDep,
    actor: ActorDep,
    event: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[datetime | None, Query()] = None,
    after_seq: Annotated[int, Query(ge=0, le=MAX_AUDIT_SEQ)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> dict[str, Any]:
    """Audit entries in order (hash-chained); page with ``after_seq``."""
    trail = node.audit_trail
    entries = trail.entries(actor, event=event, since=since, after_seq=after_seq, limit=limit)
    return {"entries": [e.to_dict() for e in entries], "head": list(trail.head(actor))}


@router.get("/audit/verify")
def audit_verify(node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    """Verify the whole hash chain; 409 with the first broken entry if it fails."""
    try:
        n, seq, head = node.audit_trail.verify(actor)
    except ChainBroken as exc:
        raise Conflict(str(exc)) from None
    return {"ok": True, "entries": n, "head_seq": seq, "head_hash": head}
