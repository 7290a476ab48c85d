"""The TLP 2.0 sharing rule as a table of cases, and how markings are read."""

from __future__ import annotations

import pytest

from ctnode.model.tlp import (
    TLP,
    TLP2_MARKING_IDS,
    Recipient,
    SharingTerms,
    allowed_levels,
    effective_tlp,
    filter_for_recipient,
    marking_definition,
    may_share,
    object_tlp,
)

ALL = frozenset(TLP)
NAMED = SharingTerms("agr-1", "node-b", ALL, named=True)
COMMUNITY = SharingTerms(
    "agr-2", "node-c", frozenset({TLP.GREEN, TLP.CLEAR, TLP.AMBER}), named=False
)
GREEN_ONLY = SharingTerms("agr-3", "node-d", frozenset({TLP.GREEN}), named=True)

local = Recipient("local")
org = Recipient("organisation")
external = Recipient("external")
peer_named = Recipient("peer", "node-b", NAMED)
peer_community = Recipient("peer", "node-c", COMMUNITY)
peer_green_only = Recipient("peer", "node-d", GREEN_ONLY)
peer_no_agreement = Recipient("peer", "node-e", None)
peer_wrong_terms = Recipient("peer", "node-e", NAMED)  # terms of another peer

CASES = [
    # level, recipient, allowed
    (TLP.RED, local, True),
    (TLP.RED, org, False),
    (TLP.RED, peer_named, False),
    (TLP.RED, external, False),
    (TLP.AMBER_STRICT, org, True),
    (TLP.AMBER_STRICT, peer_named, False),
    (TLP.AMBER_STRICT, external, False),
    (TLP.AMBER, org, True),
    (TLP.AMBER, peer_named, True),
    (TLP.AMBER, peer_community, False),  # not named in the agreement
    (TLP.AMBER, peer_green_only, False),  # named, but AMBER not covered
    (TLP.AMBER, peer_no_agreement, False),
    (TLP.AMBER, external, False),
    (TLP.GREEN, peer_community, True),
    (TLP.GREEN, peer_green_only, True),
    (TLP.GREEN, peer_no_agreement, False),
    (TLP.GREEN, peer_wrong_terms, False),
    (TLP.GREEN, external, False),
    (TLP.CLEAR, peer_community, True),
    (TLP.CLEAR, peer_green_only, False),  # per agreement: this one covers GREEN only
    (TLP.CLEAR, external, True),
]


@pytest.mark.parametrize(("level", "recipient", "allowed"), CASES)
def test_sharing_rule(level: TLP, recipient: Recipient, allowed: bool) -> None:
    decision = may_share(level, recipient)
    assert decision.allowed is allowed
    assert decision.level is level
    assert decision.reason  # every answer says why


def test_red_reason_is_explicit() -> None:
    assert may_share(TLP.RED, peer_named).reason == "TLP:RED never leaves the node"


def test_allowed_levels_for_store_queries() -> None:
    assert allowed_levels(org) == {TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT}
    assert allowed_levels(peer_named) == {TLP.CLEAR, TLP.GREEN, TLP.AMBER}
    assert allowed_levels(external) == {TLP.CLEAR}


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("TLP:AMBER+STRICT", TLP.AMBER_STRICT),
        ("tlp:white", TLP.CLEAR),
        ("Red", TLP.RED),
        ("tlp:amber", TLP.AMBER),
        ("TLP: GREEN", TLP.GREEN),
        ("amber_strict", TLP.AMBER_STRICT),
    ],
)
def test_parse_levels(text: str, level: TLP) -> None:
    assert TLP.parse(text) is level


def test_parse_rejects_unknown_level() -> None:
    with pytest.raises(ValueError, match="unknown TLP level 'purple'"):
        TLP.parse("purple")


def test_official_tlp2_ids_and_definitions() -> None:
    assert TLP.AMBER_STRICT.marking_id == "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
    assert TLP.CLEAR.marking_id == "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
    assert len(set(TLP2_MARKING_IDS.values())) == 5
    md = marking_definition(TLP.RED)
    assert md["name"] == "TLP:RED"
    ext = md["extensions"]["extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"]
    assert ext == {"extension_type": "property-extension", "tlp_2_0": "red"}


def test_object_tlp_reads_tlp1_and_granular_markings() -> None:
    tlp1_amber = {
        "type": "indicator",
        "object_marking_refs": ["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"],
    }
    assert object_tlp(tlp1_amber) is TLP.AMBER
    mixed = {
        "type": "report",
        "object_marking_refs": [TLP.GREEN.marking_id],
        "granular_markings": [{"marking_ref": TLP.RED.marking_id, "selectors": ["description"]}],
    }
    assert object_tlp(mixed) is TLP.RED  # the object leaves whole or not at all
    assert object_tlp({"type": "malware"}) is None
    assert effective_tlp({"type": "malware"}) is TLP.AMBER_STRICT


def test_filter_withholds_links_to_withheld_objects(bundle: dict) -> None:
    shared = filter_for_recipient(bundle["objects"], peer_named)
    red_indicator = next(o["id"] for o in bundle["objects"] if o.get("name") == "C2 domain")
    assert red_indicator in shared.withheld
    # the relationship "indicates" from the RED indicator would reveal it: withheld too
    rel = next(
        o
        for o in bundle["objects"]
        if o["type"] == "relationship" and o["source_ref"] == red_indicator
    )
    assert shared.withheld[rel["id"]] == f"points at withheld object {red_indicator}"
    assert all(o["id"] not in shared.withheld for o in shared.shared)
    assert any(o["type"] == "threat-actor" for o in shared.shared)  # AMBER to a named peer
    community = filter_for_recipient(bundle["objects"], peer_community)
    assert {o["type"] for o in community.shared} <= {"identity", "report", "marking-definition"}
