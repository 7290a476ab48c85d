"""``POST /match/{dataset}``: the OpenSanctions yente matching API, request and response alike."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from ctnode.api.deps import ActorDep, NodeDep, PurposeDep
from ctnode.api.schemas import (
    EntityExample,
    EntityMatches,
    EntityMatchQuery,
    EntityMatchResponse,
    ExplanationOut,
    FeatureDoc,
    ScoredEntityResponse,
    TotalSpec,
)
from ctnode.errors import InvalidInput, NotFound
from ctnode.model.dates import normalise_birth_date
from ctnode.model.screening import ScreenQuery

router = APIRouter(tags=["yente compatible"])

NAME_PROPS = ("name", "alias", "previousName", "weakAlias")
DOC_PROPS = ("passportNumber", "idNumber", "registrationNumber", "taxNumber")
COUNTRY_PROPS = ("nationality", "citizenship", "country", "jurisdiction")
FEATURES: dict[str, str] = {
    "name": "Alignment of the query's name tokens with the candidate's, weighted by rarity",
    "birth_date": "Agreement or contradiction of dates of birth (exact, year, range)",
    "nationality": "Agreement or contradiction of nationalities",
    "document": "Identity-document numbers equal or different",
    "schema": "Kind of subject (person, organisation)",
}


def _values(props: dict[str, str | list[Any]], names: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for prop in names:
        raw = props.get(prop)
        if raw is None:
            continue
        for v in [raw] if isinstance(raw, str) else raw:
            if isinstance(v, str) and v.strip():
                out.append(v.strip())
    return out


def example_to_query(example: EntityExample, datasets: list[str] | None) -> ScreenQuery:
    props = example.properties
    names = _values(props, NAME_PROPS)
    parts = [
        " ".join(_values(props, (p,)))
        for p in ("firstName", "secondName", "middleName", "fatherName", "lastName")
    ]
    combined = " ".join(p for p in parts if p)
    if combined:
        names.append(combined)
    birth_dates = []
    for d in _values(props, ("birthDate",)):
        try:
            birth_dates.append(normalise_birth_date(d))
        except ValueError as exc:
            raise InvalidInput(f"properties.birthDate: {exc}") from None
    schema = (
        example.schema_
        if example.schema_
        in {"Person", "Organization", "LegalEntity", "Company", "Vessel", "Airplane"}
        else "Thing"
    )
    if schema == "Company":
        schema = "Organization"
    return ScreenQuery(
        names=names,
        schema=schema,
        birth_dates=birth_dates,
        nationalities=_values(props, COUNTRY_PROPS),
        documents=_values(props, DOC_PROPS),
        datasets=datasets,
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
    Each result also carries ``explanations`` (one per contributing feature).
    """
    if not body.queries:
        raise InvalidInput("queries must hold at least one entity example")
    if len(body.queries) > node.settings.max_batch:
        raise InvalidInput(f"at most {node.settings.max_batch} queries per request")
    known = {d["name"] for d in node.store.list_datasets()}
    if dataset != "default" and dataset not in known:
        raise NotFound(f"unknown dataset {dataset!r}; known: default, {', '.join(sorted(known))}")
    datasets = None if dataset == "default" else [dataset]
    match_threshold = node.settings.match_threshold if threshold is None else threshold
    responses: dict[str, EntityMatches] = {}
    for key, example in body.queries.items():
        query = example_to_query(example, datasets)
        if not query.names:
            raise InvalidInput(f"queries.{key}: needs a name (properties.name or name parts)")
        result = node.screen(
            query,
            actor,
            purpose,
            limit=limit,
            include_below=cutoff < node.settings.report_threshold,
            source="match",
        )
        scored = []
        for hit in result.hits:
            if hit.score < cutoff:
                continue
            entity = node.get_entity(hit.entity_id)
            features: dict[str, float] = {}
            for e in hit.explanation:
                features[e.feature] = round(features.get(e.feature, 0.0) + e.contribution, 4)
            scored.append(
                ScoredEntityResponse(
                    id=entity.id,
                    caption=entity.caption,
                    schema=entity.schema,
                    properties=entity.properties,
                    datasets=[entity.dataset],
                    first_seen=entity.first_seen,
                    last_seen=entity.last_seen,
                    last_change=entity.last_seen,
                    score=round(hit.score, 4),
                    features=features,
                    match=hit.score >= match_threshold,
                    explanations=[
                        ExplanationOut(
                            feature=e.feature,
                            query_value=e.query_value,
                            candidate_value=e.candidate_value,
                            contribution=round(e.contribution, 4),
                            detail=e.detail,
                        )
                        for e in hit.explanation
                    ],
                )
            )
        responses[key] = EntityMatches(
            results=scored, total=TotalSpec(value=len(scored)), query=example
        )
    matcher = {
        name: FeatureDoc(description=desc, coefficient=1.0, url="/docs/matching")
        for name, desc in FEATURES.items()
    }
    return EntityMatchResponse(responses=responses, matcher=matcher, limit=limit)
