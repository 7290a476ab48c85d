"""MISP event JSON <-> STIX 2.1 through PyMISP and misp-stix, and the round-trip reports."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ctnode.errors import InvalidInput
from ctnode.intel.misp import (
    misp_round_trip,
    misp_to_stix,
    read_misp_event,
    stix_round_trip,
    stix_to_misp,
)
from ctnode.model.tlp import TLP, TLP1_MARKING_IDS, object_tlp


def test_read_event_with_pymisp(misp_event_bytes: bytes) -> None:
    event = read_misp_event(misp_event_bytes)
    assert event.info.startswith("Phishing campaign")
    assert len(event.attributes) == 3 and len(event.objects) == 1
    assert [t.name for t in event.tags] == ["tlp:amber"]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (b"{nope", "MISP event: not JSON"),
        ({"Event": {"uuid": "x"}}, "field 'Event.info' is required"),
        (
            {"Event": {"info": "x", "Attribute": [{"type": "domain"}]}},
            "field 'Event.Attribute[0].value' is required",
        ),
        (
            {"Event": {"info": "x", "Object": [{"Attribute": []}]}},
            "field 'Event.Object[0].name' is required",
        ),
    ],
)
def test_bad_events_are_refused_with_the_field(doc: Any, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_misp_event(doc if isinstance(doc, bytes) else json.dumps(doc))


def test_event_to_stix_with_tlp2_markings(misp_event_bytes: bytes) -> None:
    imported = misp_to_stix(misp_event_bytes)
    objects = imported.content.objects
    counts = imported.content.counts()
    assert counts["report"] == 1 and counts["indicator"] == 3 and counts["file"] == 1
    assert counts["threat-actor"] == 1  # the galaxy cluster
    assert counts["sighting"] == 1
    report = next(o for o in objects if o["type"] == "report")
    assert report["id"] == "report--5e1b2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"  # the event's uuid
    assert object_tlp(report) is TLP.AMBER
    # every TLP 1.0 marking MISP's converter wrote is replaced by the TLP 2.0 one
    assert not any(
        ref in TLP1_MARKING_IDS for o in objects for ref in o.get("object_marking_refs", [])
    )
    levels = {
        o["id"].split("--")[0]: object_tlp(o) for o in objects if o.get("object_marking_refs")
    }
    assert levels["x-misp-attribute"] is TLP.AMBER_STRICT
    ip_indicator = next(
        o for o in objects if o["type"] == "indicator" and "198.51.100.23" in o["pattern"]
    )
    assert object_tlp(ip_indicator) is TLP.RED
    file_indicator = next(
        o for o in objects if o["type"] == "indicator" and "file:hashes" in o["pattern"]
    )
    assert (
        "3f786850e387550fdab836ed7e6dc881de23001b3f786850e387550fdab836ed"
        in file_indicator["pattern"]
    )
    assert any("text not mapped" in n for n in imported.notes)


def test_stix_back_to_misp_event_json(misp_event_bytes: bytes) -> None:
    exported = stix_to_misp(misp_to_stix(misp_event_bytes).content)
    event = exported.event["Event"]
    assert event["uuid"] == "5e1b2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
    values = {a["value"] for a in event["Attribute"]}
    assert {"update-check.example.net", "198.51.100.23"} <= values
    assert {t["name"] for t in event["Tag"]} >= {"tlp:amber"}
    assert (
        read_misp_event(json.dumps(exported.event)).info == event["info"]
    )  # MISP can read what we write


def test_misp_round_trip_report_names_what_is_lost(misp_event_bytes: bytes) -> None:
    report = misp_round_trip(misp_event_bytes)
    lost = {str(loss) for loss in report.losses}
    assert "Event.threat_level_id: dropped (was '2')" in lost
    assert "Event.Orgc.name: dropped (was 'CERT-X')" in lost
    assert (
        "Attribute[6f2a3b4c-5d6e-4f7a-8b9c-0d1e2f3a4b5c].comment: dropped (was 'C2 domain')" in lost
    )
    assert report.kept >= 1
    # values, types and TLP tags of the indicators survive
    assert not any(loss.path.endswith((".value", ".type", ".Tag")) for loss in report.losses)


def test_stix_round_trip_report(bundle: dict[str, Any]) -> None:
    report = stix_round_trip(bundle)
    paths = {loss.path: loss for loss in report.losses}
    assert paths["infrastructure[update-check C2]"].kind == "dropped"
    assert paths["indicator[C2 domain].valid_until"].kind == "dropped"
    assert any(p.startswith("sighting[") for p in paths)
    assert paths["threat-actor[Al-Qaida in Iraq].TLP"].before == "TLP:AMBER"
    # MISP's galaxy mapping keeps the reference number but renames its source
    # (to 'mitre-attack'): the watchlist link does not survive, and the report says so
    link = paths["threat-actor[Al-Qaida in Iraq].external_references"]
    assert link.before[0]["source_name"] == "un-sc-consolidated-list"
    assert (
        link.after[0]["external_id"] == "QDe.115"
        and link.after[0]["source_name"] != "un-sc-consolidated-list"
    )
