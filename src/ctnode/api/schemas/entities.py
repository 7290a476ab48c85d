"""Entities with provenance, and free-text search."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ctnode.api.schemas.common import HitOut
from ctnode.model.entities import Entity, EntityView, ftm_prop
from ctnode.model.records import attrs_of


class StatementOut(BaseModel):
    """A value with its provenance, in FollowTheMoney's statement shape (``entity_id``,
    ``schema``, ``prop``, ``value``, ``original_value``, ``dataset``, ``lang``, first and
    last seen), so a FtM client reads it as statements; ``original`` is ctnode's older name
    of ``original_value``."""

    entity_id: str
    schema_: str = Field(alias="schema")
    prop: str
    value: str
    original: str
    dataset: str
    lang: str | None
    original_value: str
    first_seen: datetime | None
    last_seen: datetime | None

    model_config = ConfigDict(populate_by_name=True)


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
    last_change: datetime | None = None
    referents: list[str] = Field(default_factory=list)
    target: bool = True
    # FtM values; with ``nested``, an entity-typed value is the entity it names (yente's shape)
    properties: dict[str, list[Any]]
    statements: list[StatementOut]
    history: list[dict[str, Any]] = Field(default_factory=list)
    decisions: list[dict[str, Any]] = Field(default_factory=list)

    model_config = ConfigDict(populate_by_name=True)

    @classmethod
    def from_view(cls, view: EntityView,
                  adjacent: dict[str, list[Entity]] | None = None) -> EntityOut:
        entity = view.entity
        properties = _nested(entity, adjacent or {})
        return cls(
            **attrs_of(entity, "id", "schema", "caption"),
            datasets=[entity.dataset],
            **attrs_of(entity, "reference", "status", "first_seen", "last_seen", "delisted_at"),
            last_change=entity.last_seen,
            target=entity.status == "listed",
            properties=properties,
            statements=[
                StatementOut(entity_id=entity.id, schema=entity.schema, prop=prop,
                             value=s.value, original=s.original, original_value=s.original,
                             dataset=s.dataset, lang=s.lang, first_seen=s.first_seen,
                             last_seen=s.last_seen)
                for s in entity.statements if (prop := ftm_prop(entity, s.prop)) is not None
            ],
            history=view.events,
            decisions=view.decisions,
        )


class SearchResponse(BaseModel):
    limit: int
    offset: int = 0
    total: dict[str, Any]
    results: list[HitOut]
    facets: dict[str, Any] = Field(default_factory=dict)


def ftm_properties(entity: Entity) -> dict[str, list[str]]:
    """An entity's properties under FollowTheMoney's names (``ftm_prop``)."""
    out: dict[str, list[str]] = {}
    for prop, values in entity.properties.items():
        name = ftm_prop(entity, prop)
        if name is not None:
            out.setdefault(name, []).extend(values)
    return out


def ftm_entity(entity: Entity) -> dict[str, Any]:
    """An entity in the FollowTheMoney shape yente returns (a nested value of ``nested``)."""
    return {
        "id": entity.id, "schema": entity.schema, "caption": entity.caption,
        "properties": ftm_properties(entity), "datasets": [entity.dataset], "referents": [],
        "target": entity.status == "listed", "first_seen": entity.first_seen,
        "last_seen": entity.last_seen, "last_change": entity.last_seen,
    }


def _nested(entity: Entity, adjacent: dict[str, list[Entity]]) -> dict[str, list[Any]]:
    """The entity's properties with each entity-typed value replaced by the entity it names,
    and the entities naming it under their reverse property; the named entity itself is left
    out of a nested one's properties (yente's client adds it back)."""
    own = ftm_properties(entity)
    out: dict[str, list[Any]] = {}
    for prop, values in own.items():
        found = {e.id: e for e in adjacent.get(prop, [])}
        out[prop] = [ftm_entity(found[v]) if v in found else v for v in values]
    for prop, others in adjacent.items():
        if prop in own:
            continue
        nested = []
        for other in others:
            props = {k: kept for k, vs in ftm_properties(other).items()
                     if (kept := [v for v in vs if v != entity.id])}
            nested.append({**ftm_entity(other), "properties": props})
        out[prop] = nested
    return out
