"""New versions, revocation and sightings of STIX objects, as STIX 2.1 versioning defines them.

What federation sends when an object changes: a new version of the same id with a
later ``modified`` (never an edit in place), ``revoked: true`` to withdraw an object
from every copy, and a ``sighting`` that goes back to the producer of an indicator.
All functions are pure: the caller gives the clock reading and the node's identity.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from ctnode.errors import Conflict, InvalidInput
from ctnode.intel.stix import SCO_TYPES
from ctnode.intel.timestamps import parse_timestamp

# Properties a new version may not change (STIX 2.1 section 3.6).
_FIXED = frozenset({"id", "type", "created", "created_by_ref", "spec_version"})


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _later_than(previous: str, now: datetime) -> str:
    """``now`` in STIX form, moved to 1 ms after ``previous`` if the clock is not past it."""
    prev = parse_timestamp(previous, "modified")
    stamp = now if now > prev else prev
    text = _stamp(stamp)
    if parse_timestamp(text) <= prev:  # millisecond rounding ate the difference
        text = _stamp(prev + timedelta(milliseconds=1))
    return text


def new_version(
    obj: Mapping[str, Any], changes: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """The next version of a domain or relationship object with ``changes`` applied.

    ``None`` in ``changes`` removes a property. Refuses revoked objects and changes to
    the properties that identify the object.
    """
    if obj.get("type") in SCO_TYPES or "modified" not in obj:
        raise InvalidInput(f"{obj.get('id')}: only objects with 'modified' are versioned")
    if obj.get("revoked"):
        raise Conflict(f"{obj['id']} is revoked; a revoked object gets no new version")
    fixed = sorted(set(changes) & _FIXED)
    if fixed:
        raise InvalidInput(f"{obj['id']}: a new version may not change {', '.join(fixed)}")
    out = {k: v for k, v in obj.items()}
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    out["modified"] = _later_than(str(obj["modified"]), now)
    return out


def revoke(obj: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The final version of an object: ``revoked: true``; every copy should show it withdrawn."""
    return new_version(obj, {"revoked": True}, now)


def sighting(
    indicator: Mapping[str, Any],
    *,
    where_sighted: str,
    created_by: str,
    now: datetime,
    count: int = 1,
    first_seen: datetime | None = None,
    last_seen: datetime | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """A sighting of a producer's indicator by this node (``where_sighted`` and
    ``created_by`` are identity ids), marked like the indicator so it may go back to
    the producer under the same terms."""
    if indicator.get("type") != "indicator":
        raise InvalidInput(f"{indicator.get('id')}: sightings are reported for indicators")
    if count < 1:
        raise InvalidInput("sighting count must be at least 1")
    if first_seen and last_seen and last_seen < first_seen:
        raise InvalidInput("sighting last_seen is before first_seen")
    stamp = _stamp(now)
    out: dict[str, Any] = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": f"sighting--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        "created_by_ref": created_by,
        "sighting_of_ref": indicator["id"],
        "where_sighted_refs": [where_sighted],
        "count": count,
    }
    if first_seen:
        out["first_seen"] = _stamp(first_seen)
    if last_seen:
        out["last_seen"] = _stamp(last_seen)
    if description:
        out["description"] = description
    if indicator.get("object_marking_refs"):
        out["object_marking_refs"] = list(indicator["object_marking_refs"])
    return out


def producer_of(obj: Mapping[str, Any]) -> str | None:
    """The identity that created an object (where its sightings go back to)."""
    ref = obj.get("created_by_ref")
    return str(ref) if ref else None
