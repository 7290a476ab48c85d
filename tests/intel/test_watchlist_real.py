"""Watchlist links against the real UN Security Council Consolidated List (shared data).

Every reference number a STIX threat actor can carry for the UN list resolves to the
entity id the UN list parser gives the record, for all 272 listed entities."""

from __future__ import annotations

from pathlib import Path

from ctnode.ingest.un_sc import parse_un_sc
from ctnode.intel.stix import parse_stix
from ctnode.intel.watchlist import UN_SC_REFERENCE, extract_list_references, list_reference


def test_every_un_entity_reference_links_and_resolves(shared_data: Path) -> None:
    parsed = parse_un_sc(shared_data / "un-sc-consolidated.xml")
    entities = [e for e in parsed.entities if e.schema != "Person"]
    ids = {e.id for e in parsed.entities}
    assert len(entities) >= 250
    actors = []
    for i, entity in enumerate(entities):
        assert entity.reference and UN_SC_REFERENCE.match(entity.reference), entity.reference
        actors.append(
            {
                "type": "intrusion-set" if i % 2 else "threat-actor",
                "spec_version": "2.1",
                "id": f"{'intrusion-set' if i % 2 else 'threat-actor'}--00000000-0000-4000-8000-{i:012d}",
                "created": "2026-01-01T00:00:00Z",
                "modified": "2026-01-01T00:00:00Z",
                "name": entity.first("name") or entity.reference,
                "external_references": [list_reference("un_sc", entity.reference)],
            }
        )
    content = parse_stix(actors)
    linked = [ref.entity_id for obj in content.objects for ref in extract_list_references(obj)]
    assert len(linked) == len(entities)
    assert set(linked) <= ids  # each link names a record the UN parser produced
