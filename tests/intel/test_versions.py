"""New versions, revocation and sightings: valid STIX, later timestamps, identity kept."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ctnode.errors import Conflict, InvalidInput
from ctnode.intel.stix import parse_stix
from ctnode.intel.versions import new_version, producer_of, revoke, sighting
from ctnode.model.tlp import TLP, object_tlp

NOW = datetime(2026, 4, 1, 12, 0, 0, tzinfo=UTC)


def _obj(bundle: dict[str, Any], name: str) -> dict[str, Any]:
    return next(o for o in bundle["objects"] if o.get("name") == name)


def test_new_version_is_valid_and_later(bundle: dict[str, Any]) -> None:
    actor = _obj(bundle, "Al-Qaida in Iraq")
    v2 = new_version(actor, {"aliases": ["AQI"], "sophistication": None}, NOW)
    assert v2["id"] == actor["id"] and v2["created"] == actor["created"]
    assert v2["modified"] == "2026-04-01T12:00:00.000Z" and "sophistication" not in v2
    parse_stix([actor, v2])  # both versions validate together
    early = new_version(actor, {"aliases": ["AQI"]}, datetime(2020, 1, 1, tzinfo=UTC))
    assert early["modified"] == "2026-03-14T09:30:00.001Z"  # a slow clock still moves forward


def test_revoked_objects_are_final(bundle: dict[str, Any]) -> None:
    actor = _obj(bundle, "Al-Qaida in Iraq")
    gone = revoke(actor, NOW)
    assert gone["revoked"] is True
    parse_stix([gone])
    with pytest.raises(Conflict, match="revoked"):
        new_version(gone, {"name": "x"}, NOW)
    with pytest.raises(InvalidInput, match="may not change created, id"):
        new_version(actor, {"id": "threat-actor--x", "created": "x"}, NOW)
    with pytest.raises(InvalidInput, match="only objects with 'modified'"):
        new_version(_obj(bundle, "circular_2026.docm"), {"size": 1}, NOW)


def test_sighting_goes_back_marked_like_the_indicator(bundle: dict[str, Any]) -> None:
    indicator = _obj(bundle, "CircularLoader sample")
    me = "identity--0b6c4a2e-3f1d-4e5a-9b8c-7d6e5f4a3b2c"
    s = sighting(
        indicator,
        where_sighted=me,
        created_by=me,
        now=NOW,
        count=4,
        first_seen=datetime(2026, 3, 30, tzinfo=UTC),
        last_seen=NOW,
    )
    assert s["sighting_of_ref"] == indicator["id"]
    assert object_tlp(s) is TLP.AMBER
    assert producer_of(indicator) == indicator["created_by_ref"]
    parse_stix([s])
    with pytest.raises(InvalidInput, match="before first_seen"):
        sighting(
            indicator,
            where_sighted=me,
            created_by=me,
            now=NOW,
            first_seen=NOW,
            last_seen=datetime(2026, 1, 1, tzinfo=UTC),
        )
    with pytest.raises(InvalidInput, match="reported for indicators"):
        sighting(_obj(bundle, "CircularLoader"), where_sighted=me, created_by=me, now=NOW)
