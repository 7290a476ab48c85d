"""Entities (with provenance) and free-text search."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from ctnode.api.deps import ActorDep, NodeDep
from ctnode.api.schemas.common import HitOut
from ctnode.api.schemas.entities import EntityOut, SearchResponse
from ctnode.model.access import Actor
from ctnode.model.screening import SubjectSchema
from ctnode.node import Node

router = APIRouter(tags=["entities"])


SEARCH_WINDOW = 500  # the deepest result a search pages to (offset + limit)


Q = Annotated[str, Query(min_length=1, max_length=500, description="Name or part of a name")]
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=SEARCH_WINDOW - 1)]
Facets = Annotated[bool, Query(description="Count results by dataset, schema, country, topic")]


@router.get("/search/{dataset}", response_model=SearchResponse, response_model_by_alias=True)
def search_dataset(
    node: NodeDep, actor: ActorDep, q: Q,
    dataset: Annotated[str, Path(max_length=64, description="A list, or 'default' for all")],
    schema: Annotated[SubjectSchema | None, Query()] = None,
    limit: Limit = 20, offset: Offset = 0, facets: Facets = True,
) -> SearchResponse:
    """Search the lists by name, in any script; looser than screening. As yente's
    ``/search/{dataset}``: ``limit`` and ``offset`` page through at most 500 results,
    ``total`` counts them and ``facets`` counts them by dataset, schema, country and topic."""
    return _search(node, actor, q, dataset, schema, limit, offset, facets)


@router.get("/search", response_model=SearchResponse, response_model_by_alias=True)
def search(
    node: NodeDep, actor: ActorDep, q: Q,
    schema: Annotated[SubjectSchema | None, Query()] = None,
    limit: Limit = 20, offset: Offset = 0, facets: Facets = True,
) -> SearchResponse:
    """``/search/default``: every list this node holds."""
    return _search(node, actor, q, "default", schema, limit, offset, facets)


def _search(node: Node, actor: Actor, q: str, dataset: str, schema: str | None, limit: int,
            offset: int, facets: bool) -> SearchResponse:
    datasets = node.screening.known_datasets(dataset)
    window = min(SEARCH_WINDOW, offset + limit) if not facets else SEARCH_WINDOW
    hits = node.screening.search(q, actor, schema=schema, limit=window, datasets=datasets)
    return SearchResponse(
        limit=limit,
        offset=offset,
        total={"value": len(hits), "relation": "eq" if len(hits) < window else "gte"},
        results=[HitOut.from_hit(h) for h in hits[offset:offset + limit]],
        facets=_facets(node.screening.facets(hits, actor)) if facets else {},
    )


def _facets(counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    return {
        name: {"label": name.title(), "values": [
            {"name": value, "label": value, "count": count}
            for value, count in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))]}
        for name, found in counts.items()
    }


@router.get("/entities/{entity_id}", response_model=EntityOut, response_model_by_alias=True)
def get_entity(
    node: NodeDep, actor: ActorDep, entity_id: Annotated[str, Path(max_length=255)],
    nested: Annotated[bool, Query(description="Embed the entities next to this one")] = False,
) -> EntityOut:
    """One entity: every value with its source list, first and last seen, and original string;
    its history (listed, changed, delisted) and analysts' decisions. In the FollowTheMoney
    shape yente returns, so yente's clients read it; with ``nested``, an entity-typed value
    (a wallet's ``holder``) is the entity it names, and entities naming this one appear under
    the reverse property (``cryptoWallets``), as yente nests them."""
    view = node.screening.view_entity(entity_id, actor)
    adjacent = node.screening.adjacent(view.entity, actor) if nested else None
    return EntityOut.from_view(view, adjacent)


@router.get("/datasets")
def datasets(node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    """The lists this node holds, with version, size and format, and the coverage a screen
    would state now (warnings when it may miss a listed person)."""
    return {"datasets": node.screening.datasets(actor),
            "coverage": node.screening.coverage().as_dict()}
