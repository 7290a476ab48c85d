"""Entities (with provenance) and free-text search."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from ctnode.api.deps import ActorDep, NodeDep
from ctnode.api.schemas.common import HitOut
from ctnode.api.schemas.entities import EntityOut, SearchResponse
from ctnode.model.screening import SubjectSchema

router = APIRouter(tags=["entities"])


@router.get("/search", response_model=SearchResponse, response_model_by_alias=True)
def search(
    node: NodeDep,
    actor: ActorDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Name or part of a name")],
    schema: Annotated[SubjectSchema | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchResponse:
    """Search the lists by name, in any script; looser than screening."""
    hits = node.screening.search(q, actor, schema=schema, limit=limit)
    return SearchResponse(
        limit=limit,
        total={"value": len(hits), "relation": "eq"},
        results=[HitOut.from_hit(h) for h in hits],
    )


@router.get("/entities/{entity_id}", response_model=EntityOut, response_model_by_alias=True)
def get_entity(
    node: NodeDep, actor: ActorDep, entity_id: Annotated[str, Path(max_length=255)]
) -> EntityOut:
    """One entity: every value with its source list, first and last seen, and original string;
    its history (listed, changed, delisted) and analysts' decisions."""
    return EntityOut.from_view(node.screening.view_entity(entity_id, actor))


@router.get("/datasets")
def datasets(node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    """The lists this node holds, with version, size and format, and the coverage a screen
    would state now (warnings when it may miss a listed person)."""
    return {"datasets": node.screening.datasets(actor),
            "coverage": node.screening.coverage().as_dict()}
