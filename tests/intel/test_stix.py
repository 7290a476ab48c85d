"""STIX 2.1 parsing and validation: what is accepted, and errors that name object and property."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from ctnode.errors import InvalidInput
from ctnode.intel.issues import StixValidationError
from ctnode.intel.stix import CORE_TYPES, make_bundle, object_version, parse_stix
from ctnode.intel.watchlist import extract_list_references, list_reference


def _find(bundle: dict[str, Any], stix_type: str) -> dict[str, Any]:
    return next(o for o in bundle["objects"] if o["type"] == stix_type)


def test_fixture_bundle_parses_with_every_core_type(bundle: dict[str, Any]) -> None:
    content = parse_stix(json.dumps(bundle).encode())
    assert content.bundle_id == bundle["id"]
    counts = content.counts()
    assert set(CORE_TYPES) <= set(counts)
    assert counts["malware"] == 2  # two versions of one object
    assert content.warnings == []
    assert content.objects[3] == bundle["objects"][3]  # kept exactly as the producer wrote it


def test_envelope_list_and_single_object_are_read(bundle: dict[str, Any]) -> None:
    assert len(parse_stix({"objects": bundle["objects"][:3]}).objects) == 3
    assert len(parse_stix(bundle["objects"][:2]).objects) == 2
    assert parse_stix(_find(bundle, "malware")).objects[0]["name"] == "CircularLoader"


def test_all_errors_are_reported_with_object_and_property(bundle: dict[str, Any]) -> None:
    bad = copy.deepcopy(bundle)
    indicator = _find(bad, "indicator")
    indicator["pattern"] = "[file:hashes.'SHA-256' = "
    del _find(bad, "threat-actor")["name"]
    file_obj = _find(bad, "file")
    file_obj["hashes"]["MD5"] = "not-a-hash"
    with pytest.raises(StixValidationError) as info:
        parse_stix(bad, source="upload.json")
    issues = {(i.object_id, i.property) for i in info.value.issues}
    assert (indicator["id"], "pattern") in issues
    assert (_find(bad, "threat-actor")["id"], "name") in issues
    assert (file_obj["id"], "hashes") in issues
    assert len(info.value.issues) == 3
    assert info.value.message.startswith("upload.json: 3 STIX validation errors: ")
    assert isinstance(info.value, InvalidInput) and info.value.status_code == 422


@pytest.mark.parametrize(
    ("change", "prop", "fragment"),
    [
        ({"spec_version": "2.0"}, "spec_version", "ctnode reads STIX 2.1"),
        ({"x_internal_score": 7}, "x_internal_score", "custom content is not allowed"),
        ({"id": "malware--not-a-uuid"}, "id", "valid STIX identifier"),
        ({"id": "tool--6d0b9ec8-0d6c-4b5c-9a33-2a6b0e3c1f10"}, "id", "must start with 'malware--'"),
        ({"modified": "2020-01-01T00:00:00Z"}, None, "modified"),
        ({"is_family": "often"}, "is_family", "invalid value"),
    ],
)
def test_single_property_errors(
    bundle: dict[str, Any], change: dict[str, Any], prop: str | None, fragment: str
) -> None:
    obj = {**_find(bundle, "malware"), **change}
    with pytest.raises(StixValidationError) as info:
        parse_stix([obj])
    issue = info.value.issues[0]
    assert issue.index == 0
    if prop is not None:
        assert issue.property == prop
    assert fragment in str(issue)


def test_missing_spec_version_on_sdo_is_refused_but_sco_may_omit_it(bundle: dict[str, Any]) -> None:
    sdo = {k: v for k, v in _find(bundle, "malware").items() if k != "spec_version"}
    with pytest.raises(StixValidationError, match="spec_version"):
        parse_stix([sdo])
    sco = {k: v for k, v in _find(bundle, "file").items() if k != "spec_version"}
    assert parse_stix([sco]).objects[0]["name"] == "circular_2026.docm"


def test_custom_objects_only_when_allowed() -> None:
    custom = {
        "type": "x-example-note",
        "spec_version": "2.1",
        "id": "x-example-note--4b1bd0d4-5d9f-4f7c-9a33-2a6b0e3c1f10",
        "created": "2026-01-01T00:00:00Z",
        "modified": "2026-01-01T00:00:00Z",
        "x_example_text": "lure text",
    }
    with pytest.raises(StixValidationError, match="custom content is not allowed"):
        parse_stix([custom])
    assert parse_stix([custom], allow_custom=True).counts() == {"x-example-note": 1}


def test_not_json_and_not_stix() -> None:
    with pytest.raises(StixValidationError, match=r"not JSON: .* line 1"):
        parse_stix(b'{"type": "bundle",')
    with pytest.raises(StixValidationError, match="required property missing"):
        parse_stix([{"id": "malware--4b1bd0d4-5d9f-4f7c-9a33-2a6b0e3c1f10"}])
    with pytest.raises(StixValidationError, match="at most 1 are accepted"):
        parse_stix([{}, {}], max_objects=1)


def test_warnings_for_unknown_markings_and_repeated_versions(bundle: dict[str, Any]) -> None:
    malware = _find(bundle, "malware")
    marked = {
        **malware,
        "object_marking_refs": ["marking-definition--4b1bd0d4-5d9f-4f7c-9a33-2a6b0e3c1f10"],
    }
    content = parse_stix([malware, malware, marked])
    messages = [str(w) for w in content.warnings]
    assert any("neither TLP nor defined" in m for m in messages)
    assert any("appears twice" in m for m in messages)


def test_watchlist_reference_round_trip(bundle: dict[str, Any]) -> None:
    actor = _find(bundle, "threat-actor")
    refs = extract_list_references(actor)
    assert [(r.dataset, r.reference, r.entity_id) for r in refs] == [
        ("un_sc", "QDe.115", "un_sc-QDe.115")
    ]
    intrusion = _find(bundle, "intrusion-set")
    assert [r.entity_id for r in extract_list_references(intrusion)] == ["national_xx-XX-2026-014"]
    assert list_reference("un_sc", "QDi.430") == {
        "source_name": "un-sc-consolidated-list",
        "external_id": "QDi.430",
    }
    with pytest.raises(ValueError, match="not a UN list reference"):
        list_reference("un_sc", "430")


def test_malformed_watchlist_reference_is_an_error(bundle: dict[str, Any]) -> None:
    actor = copy.deepcopy(_find(bundle, "threat-actor"))
    actor["external_references"][0]["external_id"] = "QDe115"
    with pytest.raises(StixValidationError) as info:
        parse_stix([actor])
    issue = info.value.issues[0]
    assert issue.object_id == actor["id"]
    assert issue.property == "external_references[0].external_id"
    assert "not a UN list reference number" in issue.message
    # a reference longer than any list's (128 characters) names no record
    actor["external_references"][0] = {"source_name": "ctnode-list:national_xx",
                                       "external_id": "X" * 129}
    with pytest.raises(StixValidationError) as info:
        parse_stix([actor])
    assert info.value.issues[0].property == "external_references[0].external_id"
    assert "129 characters: a list reference has at most 128" in info.value.issues[0].message
    actor["external_references"][0]["external_id"] = "X" * 128
    assert parse_stix([actor]).objects == [actor]
    malware = {
        **_find(bundle, "malware"),
        "external_references": [{"source_name": "UNSC", "external_id": "QDe.115"}],
    }
    content = parse_stix([malware])
    assert content.warnings and "threat-actor or intrusion-set" in content.warnings[0].message


def test_object_version_and_bundle() -> None:
    assert object_version({"created": "a", "modified": "b"}) == "b"
    assert object_version({"type": "file"}) is None
    b = make_bundle([{"type": "x"}])
    assert (
        b["type"] == "bundle" and b["id"].startswith("bundle--") and b["objects"] == [{"type": "x"}]
    )


def test_parallel_validation_reports_the_same_findings(bundle: dict[str, Any]) -> None:
    from ctnode.intel import stix as stix_module

    objects = [o for o in bundle["objects"] if o["type"] == "threat-actor"] * 6000
    objects = [dict(o) for o in objects]
    objects[5432] = {**objects[5432], "name": ""}  # one bad object deep in a later chunk
    objects[5432].pop("name")
    assert len(objects) >= stix_module.PARALLEL_MIN_OBJECTS
    with pytest.raises(StixValidationError) as one:
        parse_stix(objects)
    with pytest.raises(StixValidationError) as two:
        parse_stix(objects, workers=2)
    assert [(i.index, i.property) for i in one.value.issues] == [(5432, "name")]
    assert [(i.index, i.property) for i in two.value.issues] == [(5432, "name")]
    good = parse_stix(objects[:5000] * 2, workers=2)
    assert len(good.objects) == 10000
