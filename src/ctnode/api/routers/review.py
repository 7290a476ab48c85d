"""Analysts' review queue and decisions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ctnode.api.deps import ActorDep, NodeDep
from ctnode.api.schemas.review import DecisionIn, DecisionOut

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
    """Mark a hit confirmed, false positive or unsure. A false positive for the same subject
    is not raised again; the decision shows in the entity's history."""
    did = node.review.decide(
        actor,
        entity_id=body.entity_id,
        decision=body.decision,
        comment=body.comment,
        screening_id=body.screening_id,
        query=body.subject.to_query() if body.subject else None,
    )
    return DecisionOut(id=did)
