"""``POST /match/{dataset}``: the OpenSanctions yente matching API, request and response alike."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ctnode.api.deps import ActorDep, NodeDep, PurposeDep
from ctnode.api.schemas.common import CoverageOut, ExplanationOut, SuppressionOut
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
from ctnode.services.screening.service import MatchedEntity

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
        properties=m.properties,
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
    limit: Annotated[int, Query(ge=1, le=500)] = 5,
    threshold: Annotated[float | None, Query(ge=0, le=1)] = None,
    cutoff: Annotated[float, Query(ge=0, le=1)] = 0.0,
    algorithm: Annotated[str, Query(max_length=64)] = "ctnode",
) -> EntityMatchResponse:
    """Match entity examples against a list, as yente's ``/match`` does.

    A yente client works unchanged: ``queries`` of FtM entity examples in,
    ``responses`` of scored entities (``score``, ``features``, ``match``) out.
    ``algorithm`` is accepted for compatibility; ctnode always uses its own matcher.
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
    found = node.screening.match(queries, actor, purpose, limit=limit, cutoff=cutoff)
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
