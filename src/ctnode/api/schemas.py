"""Request and response models of the HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ctnode.model.entities import Entity
from ctnode.model.screening import Hit, ScreenQuery

SchemaName = Literal["Person", "Organization", "LegalEntity", "Thing"]


class FieldError(BaseModel):
    """One invalid field of a request: where it is, what is wrong."""

    loc: list[str | int]
    msg: str
    type: str | None


class ErrorOut(BaseModel):
    """The body of every 4xx (and 503) answer: ``detail`` for people, ``code`` for programs."""

    detail: str = Field(min_length=1, description="What was wrong, naming the field or rule")
    code: str = Field(description="Machine-readable kind: invalid_input, not_found, refused ...")
    reason: str | None = Field(
        default=None, description="For refusals under the sharing rules: which rule"
    )
    errors: list[FieldError] | None = Field(
        default=None, description="For invalid input: every invalid field"
    )


class ExplanationOut(BaseModel):
    feature: str
    query_value: str | None
    candidate_value: str | None
    contribution: float
    detail: str


class HitOut(BaseModel):
    """One screening hit: the listed record, the name that matched, score, band and why."""

    entity_id: str
    list_: str = Field(alias="list")
    reference: str | None
    schema_: str = Field(alias="schema")
    caption: str
    name: str
    score: float
    band: str
    status: str
    explanation: list[ExplanationOut]

    model_config = ConfigDict(populate_by_name=True)

    @classmethod
    def from_hit(cls, hit: Hit) -> HitOut:
        return cls(
            entity_id=hit.entity_id,
            list=hit.dataset,
            reference=hit.reference,
            schema=hit.schema,
            caption=hit.caption,
            name=hit.matched_name,
            score=round(hit.score, 4),
            band=hit.band,
            status=hit.status,
            explanation=[
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


class Subject(BaseModel):
    """A subject to screen (the same shape as one line of a batch JSONL file)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str | int | None = Field(default=None, description="Caller's id, echoed back")
    schema_: SchemaName = Field(default="Person", alias="schema")
    name: str | None = Field(default=None, max_length=500)
    names: list[str] = Field(default_factory=list, max_length=50)
    birthDate: str | list[str] | None = None
    nationality: str | list[str] | None = None
    document: str | list[str] | None = None

    @field_validator("names")
    @classmethod
    def _names_short(cls, v: list[str]) -> list[str]:
        if any(len(n) > 500 for n in v):
            raise ValueError("each name must be at most 500 characters")
        return v

    def to_query(self) -> ScreenQuery:
        from ctnode.model.dates import normalise_birth_date

        names = ([self.name] if self.name else []) + list(self.names)
        return ScreenQuery(
            names=names,
            schema=self.schema_,
            birth_dates=[normalise_birth_date(d) for d in _listify(self.birthDate)],
            nationalities=_listify(self.nationality),
            documents=_listify(self.document),
        )


def _listify(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    values = [value] if isinstance(value, str) else value
    return [v.strip() for v in values if v and v.strip()]


class ScreenRequest(Subject):
    limit: int = Field(default=10, ge=1, le=100)
    include_below: bool = Field(
        default=False, description="Also return hits below the reporting threshold"
    )


class ScreenResponse(BaseModel):
    id: str | int | None = None
    screening_id: str | None
    hits: list[HitOut]
    suppressed: list[str] = Field(
        default_factory=list,
        description="Entity ids hidden by an analyst's false-positive decision",
    )


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subjects: list[Subject] = Field(min_length=1)
    limit: int = Field(default=10, ge=1, le=100)


class BatchResponse(BaseModel):
    results: list[ScreenResponse]


class StatementOut(BaseModel):
    prop: str
    value: str
    original: str
    dataset: str
    lang: str | None
    first_seen: datetime | None
    last_seen: datetime | None


class EntityOut(BaseModel):
    """An entity with FtM properties and the provenance of every value."""

    id: str
    schema_: str = Field(alias="schema")
    caption: str
    datasets: list[str]
    reference: str | None
    status: str
    first_seen: datetime | None
    last_seen: datetime | None
    delisted_at: datetime | None
    properties: dict[str, list[str]]
    statements: list[StatementOut]
    history: list[dict[str, Any]] = Field(default_factory=list)
    decisions: list[dict[str, Any]] = Field(default_factory=list)

    model_config = ConfigDict(populate_by_name=True)

    @classmethod
    def from_entity(
        cls,
        entity: Entity,
        history: list[dict[str, Any]] | None = None,
        decisions: list[dict[str, Any]] | None = None,
    ) -> EntityOut:
        return cls(
            id=entity.id,
            schema=entity.schema,
            caption=entity.caption,
            datasets=[entity.dataset],
            reference=entity.reference,
            status=entity.status,
            first_seen=entity.first_seen,
            last_seen=entity.last_seen,
            delisted_at=entity.delisted_at,
            properties=entity.properties,
            statements=[
                StatementOut(
                    prop=s.prop,
                    value=s.value,
                    original=s.original,
                    dataset=s.dataset,
                    lang=s.lang,
                    first_seen=s.first_seen,
                    last_seen=s.last_seen,
                )
                for s in entity.statements
            ],
            history=history or [],
            decisions=decisions or [],
        )


class SearchResponse(BaseModel):
    limit: int
    total: dict[str, Any]
    results: list[HitOut]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity_id: str = Field(min_length=1, max_length=255)
    decision: Literal["confirmed", "false_positive", "unsure"]
    comment: str = Field(min_length=1, max_length=5000)
    screening_id: str | None = Field(default=None, max_length=36)
    subject: Subject | None = Field(
        default=None, description="The screened subject, when there is no screening id"
    )


class DecisionOut(BaseModel):
    id: str


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128)
    role: Literal["admin", "analyst", "screener"]
    biometric: bool = False


class KeyCreated(BaseModel):
    id: str
    token: str = Field(description="Shown once; store it safely")


# -- yente-compatible /match --------------------------------------------------------


class EntityExample(BaseModel):
    id: str | None = None
    schema_: str = Field(alias="schema", max_length=64)
    properties: dict[str, str | list[Any]] = Field(default_factory=dict)

    model_config = ConfigDict(populate_by_name=True)


class EntityMatchQuery(BaseModel):
    weights: dict[str, float] = Field(default_factory=dict)
    config: dict[str, Any] = Field(default_factory=dict)
    queries: dict[str, EntityExample]


class ScoredEntityResponse(BaseModel):
    id: str
    caption: str
    schema_: str = Field(alias="schema")
    properties: dict[str, list[str]]
    datasets: list[str]
    referents: list[str] = Field(default_factory=list)
    target: bool = True
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    last_change: datetime | None = None
    score: float
    features: dict[str, float]
    match: bool
    explanations: list[ExplanationOut] = Field(default_factory=list)

    model_config = ConfigDict(populate_by_name=True)


class TotalSpec(BaseModel):
    value: int
    relation: str = "eq"


class EntityMatches(BaseModel):
    status: int = 200
    results: list[ScoredEntityResponse]
    total: TotalSpec
    query: EntityExample


class FeatureDoc(BaseModel):
    description: str | None
    coefficient: float
    url: str


class EntityMatchResponse(BaseModel):
    responses: dict[str, EntityMatches]
    matcher: dict[str, FeatureDoc]
    limit: int
