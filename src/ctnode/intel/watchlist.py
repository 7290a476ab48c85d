"""Threat actors and intrusion sets that point at a listed group.

A STIX ``threat-actor`` or ``intrusion-set`` names the watchlist record it is about
with an ordinary STIX external reference: ``source_name`` names the list and
``external_id`` is the list's own reference number, e.g.::

    {"source_name": "un-sc-consolidated-list", "external_id": "QDe.115"}

so any STIX tool keeps the link, and ctnode resolves it to its entity id
(``un_sc-QDe.115``, the id ``ingest/un_sc.py`` gives the record). National lists use
``source_name`` ``ctnode-list:<dataset>``. Whether the record exists is the service
layer's check (it holds the store); this module only reads and writes the references.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ctnode.intel.issues import StixIssue

# STIX object types whose external references may point at a listed group.
LINKABLE_TYPES: frozenset[str] = frozenset({"threat-actor", "intrusion-set"})
# The source_name ctnode writes for the UN Security Council Consolidated List.
UN_SC_SOURCE = "un-sc-consolidated-list"
UN_SC_DATASET = "un_sc"
# Other spellings producers use for the UN list, compared case-insensitively.
UN_SC_SOURCE_ALIASES: frozenset[str] = frozenset(
    {
        UN_SC_SOURCE,
        "un_sc",
        "unsc",
        "un security council consolidated list",
        "un security council consolidated sanctions list",
        "united nations security council consolidated list",
    }
)
# UN reference numbers: regime (two letters), i(ndividual) or e(ntity), a number: QDe.115, TAi.004.
UN_SC_REFERENCE = re.compile(r"^[A-Z]{2}[ie]\.\d{3,4}$")
# Prefix of source_name for any other list the node holds: ctnode-list:<dataset>.
LIST_SOURCE_PREFIX = "ctnode-list:"
_DATASET = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
# The longest list reference a record can have (``entities.reference``, ``intel_links.reference``).
MAX_REFERENCE = 128


@dataclass(frozen=True, slots=True)
class ListReference:
    """A link from a STIX object to one watchlist record."""

    object_id: str
    dataset: str
    reference: str
    index: int  # position in the object's external_references

    @property
    def entity_id(self) -> str:
        """The ctnode entity id of the record (``un_sc-QDe.115``)."""
        return f"{self.dataset}-{self.reference}"


def list_reference(dataset: str, reference: str, description: str | None = None) -> dict[str, str]:
    """The STIX external reference that links an object to a listed record."""
    if dataset == UN_SC_DATASET:
        if not UN_SC_REFERENCE.match(reference):
            raise ValueError(f"{reference!r} is not a UN list reference number (e.g. QDe.115)")
        ref = {"source_name": UN_SC_SOURCE, "external_id": reference}
    else:
        if not _DATASET.match(dataset):
            raise ValueError(f"{dataset!r} is not a dataset name")
        ref = {"source_name": LIST_SOURCE_PREFIX + dataset, "external_id": reference}
    if description:
        ref["description"] = description
    return ref


def _dataset_of(source_name: str) -> str | None:
    key = source_name.strip().casefold()
    if key in UN_SC_SOURCE_ALIASES:
        return UN_SC_DATASET
    if key.startswith(LIST_SOURCE_PREFIX):
        return key[len(LIST_SOURCE_PREFIX) :] or None
    return None


def _scan(obj: Mapping[str, Any]) -> tuple[list[ListReference], list[StixIssue]]:
    refs: list[ListReference] = []
    issues: list[StixIssue] = []
    object_id = str(obj.get("id", ""))
    for i, ext in enumerate(obj.get("external_references") or ()):
        if not isinstance(ext, Mapping):
            continue
        dataset = _dataset_of(str(ext.get("source_name", "")))
        if dataset is None:
            continue
        prop = f"external_references[{i}].external_id"
        if obj.get("type") not in LINKABLE_TYPES:
            issues.append(
                StixIssue(
                    f"a watchlist reference belongs on a threat-actor or intrusion-set, not a {obj.get('type')}",
                    object_id or None,
                    property=f"external_references[{i}]",
                    severity="warning",
                )
            )
            continue
        reference = str(ext.get("external_id", "")).strip()
        if not reference:
            issues.append(
                StixIssue(
                    "a watchlist reference needs external_id", object_id or None, property=prop
                )
            )
            continue
        if len(reference) > MAX_REFERENCE:
            issues.append(
                StixIssue(
                    f"a watchlist reference of {len(reference)} characters: a list reference "
                    f"has at most {MAX_REFERENCE}",
                    object_id or None,
                    property=prop,
                )
            )
            continue
        if dataset == UN_SC_DATASET and not UN_SC_REFERENCE.match(reference):
            issues.append(
                StixIssue(
                    f"{reference!r} is not a UN list reference number (e.g. QDe.115)",
                    object_id or None,
                    property=prop,
                )
            )
            continue
        if dataset != UN_SC_DATASET and not _DATASET.match(dataset):
            issues.append(
                StixIssue(f"{dataset!r} is not a dataset name", object_id or None, property=prop)
            )
            continue
        refs.append(ListReference(object_id, dataset, reference, i))
    return refs, issues


def extract_list_references(obj: Mapping[str, Any]) -> list[ListReference]:
    """The watchlist records a threat actor or intrusion set points at (well-formed ones only)."""
    return _scan(obj)[0]


def check_list_references(obj: Mapping[str, Any]) -> list[StixIssue]:
    """Findings on an object's watchlist references: malformed numbers, wrong object type."""
    return _scan(obj)[1]
