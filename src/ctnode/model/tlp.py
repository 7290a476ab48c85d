"""Traffic Light Protocol 2.0: the levels, their STIX marking definitions, and the sharing rule.

Pure data and pure functions over the standard library only, so the module can move
to ``ctnode.model`` unchanged when the library and federation layers both need it.

The STIX 2.1 marking-definition ids are the official TLP 2.0 ones (OASIS
cti-stix-common-objects, extension ``extension-definition--60a3c5c5-...``). The four
TLP 1.0 ids printed in the STIX 2.1 specification are read too, mapped the way FIRST's
TLP 2.0 guidance says (WHITE became CLEAR), so bundles from older producers keep
their marking. MISP tags (``tlp:amber+strict``, ``tlp:white``) map the same way.

The sharing rule, :func:`may_share`, is what federation and the TAXII routes call
before an object leaves the node:

========================  =====  ===========  =============================  ==========
level                      local  own org.     peer node                      other tool
========================  =====  ===========  =============================  ==========
TLP:RED                    yes    no           no                             no
TLP:AMBER+STRICT           yes    yes          no                             no
TLP:AMBER                  yes    yes          only if the agreement names    no
                                               the peer and covers AMBER
TLP:GREEN                  yes    yes          if the agreement covers GREEN  no
TLP:CLEAR                  yes    yes          if the agreement covers CLEAR  yes
========================  =====  ===========  =============================  ==========

"local" is a person using this node's own console or API; "own organisation" a
system of the node's organisation (its SIEM, its TAXII client); "peer node" another
node of the network under a sharing agreement; "other tool" any other TAXII client.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal


class TLP(StrEnum):
    """A TLP 2.0 level. Ordered: a higher ``rank`` is more restrictive."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def label(self) -> str:
        """The form people read: ``TLP:AMBER+STRICT``."""
        return f"TLP:{self.value.upper()}"

    @property
    def marking_id(self) -> str:
        """The official TLP 2.0 STIX marking-definition id of this level."""
        return TLP2_MARKING_IDS[self]

    @property
    def misp_tag(self) -> str:
        """The MISP taxonomy tag of this level (``tlp:amber+strict``)."""
        return f"tlp:{self.value}"

    @classmethod
    def parse(cls, text: str) -> TLP:
        """Read ``TLP:AMBER+STRICT``, ``amber+strict``, ``tlp:white`` (-> CLEAR), any case."""
        key = text.strip().casefold()
        for prefix in ("tlp:", "tlp "):
            if key.startswith(prefix):
                key = key[len(prefix) :].strip()
        key = key.replace("_", "+").replace(" ", "")
        if key == "white":
            return cls.CLEAR
        if key in ("amberstrict", "amber-strict"):
            return cls.AMBER_STRICT
        try:
            return cls(key)
        except ValueError:
            raise ValueError(
                f"unknown TLP level {text!r} (expected CLEAR, GREEN, AMBER, AMBER+STRICT or RED)"
            ) from None


_RANK = {TLP.CLEAR: 0, TLP.GREEN: 1, TLP.AMBER: 2, TLP.AMBER_STRICT: 3, TLP.RED: 4}

# The STIX extension that TLP 2.0 marking definitions carry.
TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
# When FIRST and OASIS published the TLP 2.0 marking definitions.
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
TLP2_MARKING_IDS: Mapping[TLP, str] = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# TLP 1.0 marking definitions of the STIX 2.1 specification (section 7.2.1.4), read as TLP 2.0.
TLP1_MARKING_IDS: Mapping[str, TLP] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLP.CLEAR,  # TLP:WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLP.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLP.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLP.RED,
}
MARKING_TO_TLP: Mapping[str, TLP] = {
    **{mid: level for level, mid in TLP2_MARKING_IDS.items()},
    **TLP1_MARKING_IDS,
}


def marking_definition(level: TLP) -> dict[str, Any]:
    """The STIX 2.1 marking-definition object of a TLP 2.0 level, as JSON data."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": level.marking_id,
        "created": TLP2_CREATED,
        "name": level.label,
        "extensions": {
            TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": level.value}
        },
    }


def tlp_of_marking(marking_id: str) -> TLP | None:
    """The TLP level a marking-definition id stands for, or None for non-TLP markings."""
    return MARKING_TO_TLP.get(marking_id)


def object_tlp(obj: Mapping[str, Any]) -> TLP | None:
    """The most restrictive TLP level marked on a STIX object (object and granular markings).

    A granular marking on one property makes the whole object at least that
    restrictive: an object leaves the node whole or not at all.
    """
    found: list[TLP] = []
    for ref in obj.get("object_marking_refs") or ():
        level = tlp_of_marking(str(ref))
        if level is not None:
            found.append(level)
    for granular in obj.get("granular_markings") or ():
        ref = granular.get("marking_ref") if isinstance(granular, Mapping) else None
        level = tlp_of_marking(str(ref)) if ref else None
        if level is not None:
            found.append(level)
    if obj.get("type") == "marking-definition":
        own = tlp_of_marking(str(obj.get("id", "")))
        if own is not None:
            return TLP.CLEAR  # the definitions themselves are public
    return max(found, key=lambda lv: lv.rank) if found else None


def effective_tlp(obj: Mapping[str, Any], default: TLP = TLP.AMBER_STRICT) -> TLP:
    """``object_tlp`` with a default for unmarked objects (ctnode's default: AMBER+STRICT,
    so unmarked data stays inside the organisation until someone marks it)."""
    level = object_tlp(obj)
    return default if level is None else level


RecipientKind = Literal["local", "organisation", "peer", "external"]
RECIPIENT_KINDS: tuple[str, ...] = ("local", "organisation", "peer", "external")


@dataclass(frozen=True, slots=True)
class SharingTerms:
    """What one agreement with one peer allows for threat intelligence.

    ``levels``: the TLP levels the agreement covers. ``named``: the peer is named in
    the agreement (as opposed to reached through a community-wide agreement); TLP:AMBER
    needs a named peer.
    """

    agreement_id: str
    peer_id: str
    levels: frozenset[TLP]
    named: bool = True


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who would receive an object. ``terms`` only for a peer: the agreement in force, if any."""

    kind: RecipientKind
    peer_id: str | None = None
    terms: SharingTerms | None = None

    def __post_init__(self) -> None:
        if self.kind not in RECIPIENT_KINDS:
            raise ValueError(f"unknown recipient kind {self.kind!r}")
        if self.kind == "peer" and not self.peer_id:
            raise ValueError("a peer recipient needs its peer_id")


@dataclass(frozen=True, slots=True)
class SharingDecision:
    """The answer of :func:`may_share`, with the reason a person or an audit entry reads."""

    allowed: bool
    level: TLP
    reason: str


def may_share(level: TLP, recipient: Recipient) -> SharingDecision:
    """May an object marked ``level`` go to ``recipient``? Pure: no I/O, no clock.

    The agreement's own validity (expiry, revocation) is the caller's to check before
    it builds ``SharingTerms``; this function only applies TLP to the terms given.
    """

    def no(reason: str) -> SharingDecision:
        return SharingDecision(False, level, reason)

    def yes(reason: str) -> SharingDecision:
        return SharingDecision(True, level, reason)

    if recipient.kind == "local":
        return yes(f"{level.label}: readable inside this node")
    if level is TLP.RED:
        return no("TLP:RED never leaves the node")
    if recipient.kind == "organisation":
        return yes(f"{level.label}: may be shared within the organisation")
    if level is TLP.AMBER_STRICT:
        return no("TLP:AMBER+STRICT stays within the organisation")
    if recipient.kind == "external":
        if level is TLP.CLEAR:
            return yes("TLP:CLEAR: no limit on disclosure")
        return no(f"{level.label} needs an agreement; other tools receive TLP:CLEAR only")
    terms = recipient.terms
    if terms is None:
        return no(f"{level.label}: no agreement with peer {recipient.peer_id}")
    if terms.peer_id != recipient.peer_id:
        return no(
            f"agreement {terms.agreement_id} is with {terms.peer_id}, not {recipient.peer_id}"
        )
    if level is TLP.AMBER and not terms.named:
        return no(
            f"TLP:AMBER only to peers named in an agreement; {recipient.peer_id} is not named"
        )
    if level not in terms.levels:
        return no(f"agreement {terms.agreement_id} does not cover {level.label}")
    return yes(f"{level.label}: covered by agreement {terms.agreement_id}")


def allowed_levels(recipient: Recipient) -> frozenset[TLP]:
    """Every TLP level :func:`may_share` lets go to ``recipient`` (what a store query filters on)."""
    return frozenset(level for level in TLP if may_share(level, recipient).allowed)


@dataclass(slots=True)
class SharedSubset:
    """Which objects of a set may go to a recipient, and why the others may not."""

    shared: list[dict[str, Any]] = field(default_factory=list)
    withheld: dict[str, str] = field(default_factory=dict)  # object id -> reason


_REF_KEYS = (
    "source_ref",
    "target_ref",
    "sighting_of_ref",
    "where_sighted_refs",
    "observed_data_refs",
)


def filter_for_recipient(
    objects: Iterable[Mapping[str, Any]],
    recipient: Recipient,
    default: TLP = TLP.AMBER_STRICT,
) -> SharedSubset:
    """Apply :func:`may_share` to each object; also withhold relationships and sightings
    that point at a withheld object, so the link does not reveal what it links to."""
    out = SharedSubset()
    kept: list[Mapping[str, Any]] = []
    for obj in objects:
        decision = may_share(effective_tlp(obj, default), recipient)
        if decision.allowed:
            kept.append(obj)
        else:
            out.withheld[str(obj.get("id"))] = decision.reason
    for obj in kept:
        refs: list[str] = []
        for key in _REF_KEYS:
            value = obj.get(key)
            if isinstance(value, str):
                refs.append(value)
            elif isinstance(value, list):
                refs.extend(str(v) for v in value)
        hidden = next((ref for ref in refs if ref in out.withheld), None)
        if hidden is not None and obj.get("type") in ("relationship", "sighting"):
            out.withheld[str(obj.get("id"))] = f"points at withheld object {hidden}"
            continue
        out.shared.append(dict(obj))
    return out
