"""yente's ``/match``: FtM entity examples in, scored entities out (yente's own shapes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ctnode.api.schemas.common import CoverageOut, ExplanationOut, SuppressionOut


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
    suppressed: SuppressionOut | None = Field(
        default=None, description="Set when a false-positive decision suppresses this result")

    model_config = ConfigDict(populate_by_name=True)


class TotalSpec(BaseModel):
    value: int
    relation: str = "eq"


class EntityMatches(BaseModel):
    status: int = 200
    results: list[ScoredEntityResponse]
    total: TotalSpec
    query: EntityExample
    coverage: CoverageOut | None = Field(
        default=None, description="The lists screened; warnings when the answer may miss someone")
    warnings: list[str] = Field(
        default_factory=list, description="What of the query was left out of matching")


class FeatureDoc(BaseModel):
    description: str | None
    coefficient: float
    url: str


class EntityMatchResponse(BaseModel):
    responses: dict[str, EntityMatches]
    matcher: dict[str, FeatureDoc]
    limit: int
