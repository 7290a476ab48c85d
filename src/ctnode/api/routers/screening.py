"""Screening routes: one subject, or a batch."""

from __future__ import annotations

from fastapi import APIRouter

from ctnode.api.deps import ActorDep, NodeDep, PurposeDep
from ctnode.api.schemas.screening import BatchRequest, BatchResponse, ScreenRequest, ScreenResponse
from ctnode.errors import TooLarge

router = APIRouter(tags=["screening"])


@router.post("/screen", response_model=ScreenResponse, response_model_by_alias=True)
def screen(
    body: ScreenRequest, node: NodeDep, actor: ActorDep, purpose: PurposeDep
) -> ScreenResponse:
    """Screen one person or organisation against the node's lists.

    Purpose, legal basis and case reference travel in the ``X-Purpose``,
    ``X-Legal-Basis`` and ``X-Case-Ref`` headers and are written to the audit log.
    """
    result = node.screening.screen(
        body.to_query(), actor, purpose, limit=body.limit, include_below=body.include_below,
        source="api",
    )
    return ScreenResponse.of(body.id, result)


@router.post("/screen/batch", response_model=BatchResponse, response_model_by_alias=True)
def screen_batch(
    body: BatchRequest, node: NodeDep, actor: ActorDep, purpose: PurposeDep
) -> BatchResponse:
    """Screen many subjects in one call; hits below the reporting threshold are left out."""
    if len(body.subjects) > node.settings.max_batch:
        raise TooLarge(
            f"batch of {len(body.subjects)} subjects exceeds the limit of {node.settings.max_batch}"
        )
    queries = [s.to_query() for s in body.subjects]
    results = node.screening.screen_many(queries, actor, purpose, limit=body.limit,
                                         source="batch")
    return BatchResponse(
        results=[ScreenResponse.of(s.id, r) for s, r in zip(body.subjects, results, strict=True)]
    )
