"""``POST /match/{dataset}``: the OpenSanctions yente matching API, request and response alike."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from ctnode.api.deps import ActorDep, NodeDep, PurposeDep
from ctnode.api.schemas.common import CoverageOut, ExplanationOut, SuppressionOut
from ctnode.api.schemas.entities import ftm_properties
from ctnode.api.schemas.match import (
    EntityMatches,
    EntityMatchQuery,
    EntityMatchResponse,
    FeatureDoc,
    ScoredEntityResponse,
    TotalSpec,
)
from ctnode.errors import InvalidInput
from ctnode.services.screening.query import query_from_example
from ctnode.services.screening.service import MATCH_LIMIT_MAX, MatchedEntity, MatchFilter

router = APIRouter(tags=["yente compatible"])

FEATURES: dict[str, str] = {
    "name": "Alignment of the query's name tokens with the candidate's, weighted by rarity",
    "birth_date": "Agreement or contradiction of dates of birth (exact, year, range)",
    "nationality": "Agreement or contradiction of nationalities",
    "document": "Identity-document numbers equal or different",
    "schema": "Kind of subject (person, organisation)",
}


def _scored(m: MatchedEntity, match_threshold: float) -> ScoredEntityResponse:
    features: dict[str, float] = {}
    for e in m.hit.explanation:
        features[e.feature] = round(features.get(e.feature, 0.0) + e.contribution, 4)
    entity = m.entity
    return ScoredEntityResponse(
        id=entity.id,
        caption=entity.caption,
        schema=entity.schema,
        properties=ftm_properties(entity) if m.full else m.properties,
        datasets=[entity.dataset],
        first_seen=entity.first_seen,
        last_seen=entity.last_seen,
        last_change=entity.last_seen,
        score=round(m.hit.score, 4),
        features=features,
        match=m.hit.score >= match_threshold and m.hit.suppressed is None,
        explanations=[ExplanationOut(**e.as_dict()) for e in m.hit.explanation],
        suppressed=SuppressionOut(**m.hit.suppressed.as_dict()) if m.hit.suppressed else None,
    )


@router.post("/match/{dataset}", response_model=EntityMatchResponse, response_model_by_alias=True)
def match(
    body: EntityMatchQuery,
    node: NodeDep,
    actor: ActorDep,
    purpose: PurposeDep,
    dataset: Annotated[str, Path(max_length=64, description="A list name, or 'default' for all")],
    limit: Annotated[int, Query(ge=1, le=MATCH_LIMIT_MAX)] = 5,
    threshold: Annotated[float | None, Query(ge=0, le=1)] = None,
    cutoff: Annotated[float | None, Query(ge=0, le=1)] = None,
    algorithm: Annotated[str, Query(max_length=64)] = "ctnode",
    exclude_entity_ids: Annotated[list[str] | None, Query(max_length=500)] = None,
    exclude_schema: Annotated[list[str] | None, Query(max_length=50)] = None,
    exclude_dataset: Annotated[list[str] | None, Query(max_length=50)] = None,
    topics: Annotated[list[str] | None, Query(max_length=50)] = None,
    fuzzy: Annotated[bool, Query()] = False,
) -> EntityMatchResponse:
    """Match entity examples against a list, as yente's ``/match`` does.

    A yente client works unchanged: ``queries`` of FtM entity examples in,
    ``responses`` of scored entities (``score``, ``features``, ``match``) out.
    ``cutoff`` (results scoring lower are left out) defaults to the node's reporting
    threshold (``CTNODE_REPORT_THRESHOLD``, the "possible" band), so a client that sends
    none gets no noise; ``threshold`` (``match: true``) to the "match" band.
    ``exclude_entity_ids``, ``exclude_schema``, ``exclude_dataset`` and ``topics`` filter
    the results as in yente. ``algorithm`` and ``fuzzy`` are accepted for compatibility;
    ctnode always uses its own matcher. An unknown or non-matchable schema is refused.
    Each result also carries ``explanations`` (one per contributing feature); a result an
    analyst's false-positive decision suppresses for this subject is still listed, with
    ``match: false`` and ``suppressed`` naming the decision. Each response carries
    ``coverage`` (the lists screened and any warning that the answer may miss someone) and
    ``warnings`` (a malformed ``birthDate`` left out of matching).
    Analysts and admins get each entity's properties (audited as an entity view);
    screeners get only the names that identify the hit.
    """
    if not body.queries:
        raise InvalidInput("queries must hold at least one entity example")
    datasets = node.screening.known_datasets(dataset)
    queries = {
        key: query_from_example(ex.schema_, ex.properties, datasets, where=f"queries.{key}")
        for key, ex in body.queries.items()
    }
    exclude = MatchFilter(
        entity_ids=frozenset(exclude_entity_ids or ()), schemata=frozenset(exclude_schema or ()),
        datasets=frozenset(exclude_dataset or ()), topics=frozenset(topics or ()))
    floor = node.settings.report_threshold if cutoff is None else cutoff
    found = node.screening.match(queries, actor, purpose, limit=limit, cutoff=floor,
                                 exclude=exclude)
    match_threshold = node.settings.match_threshold if threshold is None else threshold
    responses = {
        key: EntityMatches(
            results=[_scored(m, match_threshold) for m in found[key].matches],
            total=TotalSpec(value=len(found[key].matches)),
            query=body.queries[key],
            coverage=CoverageOut.of(cov) if (cov := found[key].coverage) else None,
            warnings=found[key].warnings,
        )
        for key in body.queries
    }
    matcher = {
        name: FeatureDoc(description=desc, coefficient=1.0, url="/docs/matching")
        for name, desc in FEATURES.items()
    }
    return EntityMatchResponse(responses=responses, matcher=matcher, limit=limit)


@router.get("/catalog")
def catalog(node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    """The lists this node holds, in yente's ``/catalog`` shape (``default`` is all of them)."""
    return node.screening.catalog(actor)


@router.get("/algorithms")
def algorithms(actor: ActorDep) -> dict[str, Any]:
    """The matching algorithms ``/match`` offers, in yente's shape: one, ctnode's own."""
    del actor  # a credential is needed; what it says does not change the answer
    features = {name: {"description": desc, "coefficient": 1.0, "url": "/docs/matching"}
                for name, desc in FEATURES.items()}
    return {"algorithms": [{
        "name": "ctnode", "description": "ctnode's matcher: names in any script aligned by "
        "rarity-weighted parts, with birth date, nationality and document features; every "
        "score explained (docs/matching.md)", "docs": features,
    }], "default": "ctnode", "best": "ctnode"}
