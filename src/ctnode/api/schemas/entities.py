"""Entities with provenance, and free-text search."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ctnode.api.schemas.common import HitOut
from ctnode.model.entities import EntityView


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
    def from_view(cls, view: EntityView) -> EntityOut:
        entity = view.entity
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
                StatementOut(prop=s.prop, value=s.value, original=s.original, dataset=s.dataset,
                             lang=s.lang, first_seen=s.first_seen, last_seen=s.last_seen)
                for s in entity.statements
            ],
            history=view.events,
            decisions=view.decisions,
        )


class SearchResponse(BaseModel):
    limit: int
    total: dict[str, Any]
    results: list[HitOut]
