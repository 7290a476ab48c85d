"""Analysts' review queue and decisions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from ctnode.api.deps import ActorDep, NodeDep
from ctnode.api.schemas.review import DecisionIn, DecisionOut, DecisionRecord, RevokeIn

router = APIRouter(tags=["review"])


@router.get("/review")
def review_queue(
    node: NodeDep,
    actor: ActorDep,
    reviewed: Annotated[bool | None, Query()] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Screenings with reportable hits, newest first (unreviewed by default)."""
    return {"screenings": node.review.queue(actor, reviewed=reviewed, limit=limit)}


@router.post("/decisions", response_model=DecisionOut, status_code=201)
def decide(body: DecisionIn, node: NodeDep, actor: ActorDep) -> DecisionOut:
    """Mark a hit confirmed, false positive or unsure. A false positive suppresses the hit for
    the same subject identified beyond the name (birth date, document or ``subjectId``; a
    decision on a name alone is refused); a suppressed hit is still returned, marked with
    the decision, until it expires or is revoked. The decision shows in the entity's history."""
    did = node.review.decide(
        actor,
        entity_id=body.entity_id,
        decision=body.decision,
        comment=body.comment,
        screening_id=body.screening_id,
        query=body.subject.to_query() if body.subject else None,
    )
    return DecisionOut(id=did)


@router.post("/decisions/{decision_id}/revoke", response_model=DecisionRecord)
def revoke_decision(
    decision_id: Annotated[str, Path(max_length=36)], body: RevokeIn, node: NodeDep,
    actor: ActorDep,
) -> DecisionRecord:
    """Revoke a decision: it stays on record with who revoked it and why, and suppresses
    nothing from now on (audited as ``decision.revoke``)."""
    return DecisionRecord.model_validate(node.review.revoke(actor, decision_id, reason=body.reason))
