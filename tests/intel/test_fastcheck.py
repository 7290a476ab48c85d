"""The fast acceptance check (``intel/fastcheck``) against ``stix2.parse``: it accepts only
what the library accepts, it decides the common objects of a feed, and it reads the same
object constraints as the library version installed."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
import stix2
from bench.intel.generate import generate
from stix2.registry import class_for_type

from ctnode.intel import fastcheck
from ctnode.intel.issues import StixValidationError
from ctnode.intel.stix import parse_stix

SDO_SRO = set(fastcheck.CONSTRAINTS)


def stix2_accepts(obj: dict[str, Any]) -> bool:
    try:
        stix2.parse(copy.deepcopy(obj), allow_custom=False, version="2.1")
    except Exception:  # noqa: BLE001  (every refusal of the library counts)
        return False
    return True


@pytest.fixture(scope="module")
def mix() -> list[dict[str, Any]]:
    return generate(1500)


def test_the_generated_mix_is_decided_here_and_accepted_by_stix2(mix: list[dict[str, Any]]) -> None:
    decided = [o for o in mix if fastcheck.accepts(o)]
    # every domain and relationship object of the mix is plain: the fast path takes them all
    assert len(decided) == sum(1 for o in mix if o["type"] in SDO_SRO)
    assert {o["type"] for o in decided} >= {
        "indicator", "malware", "threat-actor", "intrusion-set", "campaign", "infrastructure",
        "identity", "report", "relationship", "sighting", "file",
    }
    assert all(stix2_accepts(o) for o in decided)
    # marking definitions are left to stix2
    assert not any(fastcheck.accepts(o) for o in mix if o["type"] == "marking-definition")


UUID = "0d1b1a9c-4b53-4c2f-9a3e-5f6a7b8c9d0e"
BASE: dict[str, Any] = {
    "type": "indicator",
    "spec_version": "2.1",
    "id": f"indicator--{UUID}",
    "created": "2026-01-02T03:04:05.678Z",
    "modified": "2026-01-02T03:04:05.678Z",
    "name": "C2 domain",
    "indicator_types": ["malicious-activity"],
    "pattern": "[domain-name:value = 'c2.example.net']",
    "pattern_type": "stix",
    "valid_from": "2026-01-02T00:00:00Z",
    "valid_until": "2026-06-01T00:00:00Z",
    "kill_chain_phases": [{"kill_chain_name": "lockheed", "phase_name": "c2"}],
    "confidence": 80,
    "external_references": [{"source_name": "cert", "external_id": "X-1"}],
    "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
    "created_by_ref": f"identity--{UUID}",
}


def test_an_empty_relationship_type_is_missing_to_stix2_and_not_accepted_here(
    mix: list[dict[str, Any]],
) -> None:
    # found by the random mutations: Relationship.__init__ drops a falsy relationship_type
    rel = next(o for o in mix if o["type"] == "relationship")
    assert fastcheck.accepts(rel)
    assert not stix2_accepts({**rel, "relationship_type": ""})
    assert not fastcheck.accepts({**rel, "relationship_type": ""})


def test_a_plain_indicator_is_accepted_by_both() -> None:
    assert fastcheck.accepts(BASE)
    assert stix2_accepts(BASE)


FILE = {"type": "file", "spec_version": "2.1", "id": f"file--{UUID}", "name": "a.exe",
        "hashes": {"SHA-256": "a" * 64, "MD5": "b" * 32}, "size": 10}


@pytest.mark.parametrize(("prop", "value", "accepted"), [
    ("size", 10, True),
    ("hashes", {"SHA-256": "a" * 63}, False),  # not of the algorithm's form
    ("hashes", {"sha-256": "a" * 64}, True),  # stix2 reads it as SHA-256 (the object is kept as written)
    ("hashes", {"x-hash": "abc"}, False),  # custom algorithm
    ("hashes", {}, False),
    ("size", -1, False),
    ("name", None, False),
    ("parent_directory_ref", f"directory--{UUID}", True),
    ("parent_directory_ref", f"indicator--{UUID}", False),
    ("contains_refs", [f"ipv4-addr--{UUID}"], True),
    ("contains_refs", [f"malware--{UUID}"], False),
])
def test_a_file_is_decided_with_the_librarys_hash_rules(prop: str, value: Any,
                                                        accepted: bool) -> None:
    obj = {**FILE, prop: value}
    assert fastcheck.accepts(obj) == accepted
    if accepted:
        assert stix2_accepts(obj)
    assert not fastcheck.accepts({k: v for k, v in FILE.items() if k not in {"name", "hashes"}})


# (property, value) changes, each refused by stix2 or merely unusual; the fast path must not
# accept any that stix2 refuses
MUTATIONS: list[tuple[str, Any]] = [
    ("id", f"indicator--{UUID.upper()}"),
    ("id", "indicator--0d1b1a9c-4b53-4c2f-1a3e-5f6a7b8c9d0e"),  # not the RFC 4122 variant
    ("id", f"malware--{UUID}"),
    ("id", "indicator--not-a-uuid"),
    ("id", 7),
    ("type", "indicatorx"),
    ("spec_version", "2.0"),
    ("created", "2026-02-30T00:00:00Z"),
    ("created", "2026-01-02 03:04:05Z"),
    ("created", "2026-01-02T03:04:05"),
    ("created", "2026-01-02T03:04:05.1234567Z"),
    ("created", "2026-01-02T03:04:60Z"),
    ("created", "2026-1-2T03:04:05Z"),
    ("created", 20260102),
    ("modified", None),
    ("valid_until", "2026-01-02T00:00:00Z"),  # equal to valid_from
    ("valid_until", "2025-01-01T00:00:00Z"),  # before valid_from
    ("pattern", "[domain-name:value = ]"),
    ("pattern", "[file:hashes.'SHA-256' = 'not-a-hash']"),
    ("pattern", 5),
    ("pattern_version", "2.0"),
    ("pattern_type", None),
    ("indicator_types", []),
    ("indicator_types", "malicious-activity"),
    ("indicator_types", [1, 2]),
    ("kill_chain_phases", [{"kill_chain_name": "lockheed"}]),
    ("kill_chain_phases", [{"kill_chain_name": "lockheed", "phase_name": "c2", "x": "y"}]),
    ("kill_chain_phases", ["c2"]),
    ("confidence", "80"),
    ("confidence", True),
    ("confidence", 80.5),
    ("external_references", [{"source_name": "cert"}]),
    ("external_references", [{"external_id": "X-1"}]),
    ("external_references", [{"source_name": "cert", "url": "https://x", "hashes": {"MD5": "a"}}]),
    ("object_marking_refs", [f"indicator--{UUID}"]),
    ("object_marking_refs", [f"x-custom--{UUID}"]),
    ("object_marking_refs", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"),
    ("created_by_ref", f"malware--{UUID}"),
    ("created_by_ref", f"identity--{UUID}x"),
    ("revoked", "true"),
    ("revoked", 1),
    ("x_custom", "value"),
    ("custom_properties", {"x_a": 1}),
    ("extensions", {"extension-definition--" + UUID: {"extension_type": "property-extension"}}),
    ("granular_markings", [{"marking_ref": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
                            "selectors": ["name"]}]),
    ("labels", [""]),
    ("lang", ["en"]),
    ("name", None),
    ("name", 12),
    ("description", {"a": 1}),
]


@pytest.mark.parametrize(("prop", "value"), MUTATIONS)
def test_a_mutated_indicator_is_accepted_only_where_stix2_accepts_it(prop: str,
                                                                      value: Any) -> None:
    obj = {**BASE, prop: value}
    if fastcheck.accepts(obj):
        assert stix2_accepts(obj), f"fast path accepted what stix2 refuses: {prop}={value!r}"


def test_mutations_that_stix2_refuses_are_not_accepted_here() -> None:
    refused = [(k, v) for k, v in MUTATIONS if not stix2_accepts({**BASE, k: v})]
    # the table is a real test: most of its changes are faults stix2 finds
    assert len(refused) >= 25
    assert not [(k, v) for k, v in refused if fastcheck.accepts({**BASE, k: v})]


def test_dropping_a_required_property_is_left_to_stix2(mix: list[dict[str, Any]]) -> None:
    for obj in mix[:300]:
        if obj["type"] not in SDO_SRO:
            continue
        cls = class_for_type(obj["type"], "2.1")
        for key, prop in cls._properties.items():
            if prop.required and key in obj:
                cut = {k: v for k, v in obj.items() if k != key}
                assert not fastcheck.accepts(cut)
                assert not stix2_accepts(cut)


VALUES: list[Any] = [
    None, [], {}, "", "x", 0, -1, 10**10, True, False, 1.5, ["x"], [None], [{}],
    "2026-01-01T00:00:00Z", "2027-12-31T23:59:59.999999Z", "1999-01-01T00:00:00Z",
    f"identity--{UUID}", f"indicator--{UUID}", f"malware--{UUID}", f"x-thing--{UUID}",
    [f"identity--{UUID}"], [f"indicator--{UUID}", f"report--{UUID}"],
    [{"source_name": "s", "url": "u"}], [{"kill_chain_name": "k", "phase_name": "p"}],
    "[ipv4-addr:value = '198.51.100.1']", "[file:size > 3] AND [file:name = 'a']",
    {"SHA-256": "a" * 64}, {"SHA-256": "a" * 63}, {"MD5": "x" * 32}, {"sha256": "b" * 64},
    {"x-mine": "v"}, {"SHA-256": 5}, {"": "a"}, f"file--{UUID}", [f"file--{UUID}"],
    [f"directory--{UUID}"], f"directory--{UUID}", f"artifact--{UUID}",
]


def test_random_mutations_of_the_mix_never_accept_what_stix2_refuses(
    mix: list[dict[str, Any]],
) -> None:
    rng = random.Random(17)
    objs = [o for o in mix if o["type"] in SDO_SRO]
    checked = accepted = refused_by_stix2 = 0
    for _ in range(2500):
        obj = copy.deepcopy(rng.choice(objs))
        props = list(class_for_type(obj["type"], "2.1")._properties)
        for _ in range(rng.randint(1, 3)):
            key = rng.choice([*props, *obj.keys(), "x_extra"])
            if rng.random() < 0.2:
                obj.pop(key, None)
            else:
                obj[key] = copy.deepcopy(rng.choice(VALUES))
        checked += 1
        ok = stix2_accepts(obj)
        refused_by_stix2 += not ok
        if fastcheck.accepts(obj):
            accepted += 1
            assert ok, f"fast path accepted what stix2 refuses: {obj}"
    # both branches are exercised
    assert accepted >= 100 and refused_by_stix2 >= 1000, (checked, accepted, refused_by_stix2)


# The owner of each decided class's constraint method and constructor in the stix2 version
# the fast path was written against: a library upgrade that adds a constraint fails here.
PINNED = {
    "indicator": ("Indicator", "Indicator"),
    "malware": ("Malware", "_STIXBase"),
    "threat-actor": ("ThreatActor", "_STIXBase"),
    "intrusion-set": ("IntrusionSet", "_STIXBase"),
    "campaign": ("Campaign", "_STIXBase"),
    "infrastructure": ("Infrastructure", "_STIXBase"),
    "identity": ("_STIXBase", "_STIXBase"),
    "report": ("_STIXBase", "_STIXBase"),
    "relationship": ("Relationship", "Relationship"),
    "sighting": ("Sighting", "Sighting"),
    "attack-pattern": ("_STIXBase", "_STIXBase"),
    "tool": ("_STIXBase", "_STIXBase"),
    "vulnerability": ("_STIXBase", "_STIXBase"),
    "course-of-action": ("_STIXBase", "_STIXBase"),
    "file": ("File", "_Observable"),
}


def test_the_constraints_read_here_are_the_installed_librarys() -> None:
    assert set(PINNED) == set(fastcheck.CONSTRAINTS)
    for stix_type, (constraints, init) in PINNED.items():
        cls = class_for_type(stix_type, "2.1")
        assert cls._check_object_constraints.__qualname__.split(".")[0] == constraints
        assert cls.__init__.__qualname__.split(".")[0] == init
        # an observable's extra property check reads only 2.0 object references
        if init == "_Observable":
            assert not any(isinstance(getattr(prop, "contained", prop),
                                      stix2.properties.ObjectReferenceProperty)
                           for prop in cls._properties.values())
    assert stix2.__version__ == "3.0.2"


def test_parse_stix_still_reports_the_librarys_own_findings() -> None:
    bad = {**BASE, "valid_until": "2025-01-01T00:00:00Z", "confidence": "high"}
    with pytest.raises(StixValidationError) as caught:
        parse_stix([bad])
    [issue] = caught.value.issues
    assert issue.object_id == BASE["id"]
    assert issue.property == "confidence"
    assert "integer" in issue.message
    assert parse_stix([BASE]).objects == [BASE]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-02T03:04:05Z", (2026, 1, 2, 3, 4, 5, 0)),
        ("2026-01-02T03:04:05.5Z", (2026, 1, 2, 3, 4, 5, 500000)),
        ("2026-01-02T03:04:05.000123Z", (2026, 1, 2, 3, 4, 5, 123)),
        ("2026-02-29T00:00:00Z", None),
        ("2026-01-02T24:00:00Z", None),
        ("2026-01-02T03:04:05+00:00", None),
        (None, None),
    ],
)
def test_timestamps_are_read_as_stix2_reads_the_canonical_form(value: Any, expected: Any) -> None:
    got = fastcheck.timestamp(value)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert (got.year, got.month, got.day, got.hour, got.minute, got.second,
                got.microsecond) == expected
        assert got == stix2.utils.parse_into_datetime(value)


def test_an_empty_pattern_is_a_finding_not_a_crash() -> None:
    # stix2-patterns' bracket helper fails with UnboundLocalError on "": it was a crash of the
    # import (and a 500 on a TAXII POST) before parse_stix caught every library failure
    with pytest.raises(StixValidationError) as caught:
        parse_stix([{**BASE, "pattern": ""}])
    [issue] = caught.value.issues
    assert issue.object_id == BASE["id"]
    assert issue.message.startswith("invalid:")
