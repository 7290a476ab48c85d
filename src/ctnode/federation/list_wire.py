"""A list's records as deltas carry them: an entity with every statement's provenance, read
back as the copy this node keeps (its id namespaced by the publisher), and a delta cut to
what one peer's agreement lets it receive."""

from __future__ import annotations

from typing import Any

from ctnode.errors import Refused
from ctnode.federation.agreements import Agreement, filter_copy
from ctnode.model.entities import Entity, Statement
from ctnode.model.lists import copy_id


def entity_to_wire(entity: Entity) -> dict[str, Any]:
    """An entity with every statement's provenance (list, original form, language)."""
    return {
        **{k: getattr(entity, k) for k in ("id", "schema", "dataset", "reference")},
        "statements": [
            {"prop": s.prop, "value": s.value, "original": s.original, "lang": s.lang}
            for s in entity.statements
        ],
    }


def entity_from_wire(data: Any, dataset: str, publisher: str | None = None) -> Entity:
    """An entity of a delta; with ``publisher``, its id (the publisher's own) becomes the id
    of its copy here (``copy_id``: ``<publisher>:<id>``)."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise Refused("delta entity must be an object with an id", "malformed")
    if data.get("dataset") != dataset:
        raise Refused(f"delta entity {data['id']} is not of list {dataset}", "malformed")
    stmts = data.get("statements")
    if not isinstance(stmts, list):
        raise Refused(f"delta entity {data['id']}: statements must be a list", "malformed")
    entity = Entity(
        id=copy_id(publisher, data["id"]) if publisher else data["id"],
        schema=str(data.get("schema") or "Thing"),
        dataset=dataset,
        reference=data.get("reference"),
    )
    for s in stmts:
        if (
            not isinstance(s, dict)
            or not isinstance(s.get("prop"), str)
            or not isinstance(s.get("value"), str)
        ):
            raise Refused(f"delta entity {data['id']}: bad statement", "malformed")
        entity.statements.append(
            Statement(
                prop=s["prop"],
                value=s["value"],
                original=str(s.get("original") or s["value"]),
                dataset=dataset,
                lang=s.get("lang"),
            )
        )
    return entity


def copies_for(
    payload: dict[str, Any], agr: Agreement, restricted: set[str] | None = None
) -> dict[str, Any]:
    """A delta as one peer receives it: every record cut to the fields its agreement says
    copies carry (``Agreement.copies_carry``; names only when it does not say), and none of
    the records their owner has restricted by the time it is sent (query only)."""
    carry = agr.copies_carry()
    kept = restricted or set()
    out = dict(payload)
    for kind in ("added", "changed", "relisted"):
        out[kind] = [filter_copy(e, carry) for e in payload.get(kind) or []
                     if e.get("id") not in kept]
    out["delisted"] = [i for i in payload.get("delisted") or [] if i not in kept]
    return out
