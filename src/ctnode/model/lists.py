"""Lists: what a parser hands over (``ParsedList``) and what applying it did (``ImportReport``).

A parser reads one source (UN XML, FtM JSON lines, a mapped CSV, a peer's delta) and
returns a :class:`ParsedList`: entities made of statements, each keeping the exact
source string in ``original``. Parsers never write to the store; the lists service
applies the list and gets an :class:`ImportReport` back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ctnode.model.entities import Entity

# A full import delisting more than this share of a list's records needs confirmation
# (``services.lists``; the console's import preview shows it without importing the parsers).
DELIST_LIMIT = 0.05

# A peer's list is kept here as a *copy* whose records are namespaced by their publisher:
# the record ``fx-001`` of node ``fr-uclat``'s list is ``fr-uclat:fx-001`` here. Node ids
# never hold a colon (``federation.identity.NODE_ID``), so the first colon of a copy's id
# ends the publisher's name; locally held lists (the UN list, national lists) keep their ids.
COPY_ID_SEPARATOR = ":"


def copy_id(publisher: str, entity_id: str) -> str:
    """The id the record ``entity_id`` of ``publisher``'s list has in a copy here."""
    return f"{publisher}{COPY_ID_SEPARATOR}{entity_id}"


def publisher_id(publisher: str, entity_id: str) -> str:
    """The publisher's own id of a record of its list held here as a copy (the inverse of
    :func:`copy_id`; an id without the publisher's prefix is returned as it is)."""
    return entity_id.removeprefix(f"{publisher}{COPY_ID_SEPARATOR}")


@dataclass
class ParsedList:
    """One parsed list: its identity, its entities and the non-fatal oddities met."""

    dataset: str  # e.g. "un_sc"
    title: str
    version: str | None  # e.g. the UN list's dateGenerated
    source: str  # file path or URL as given; "peer:<node id>" for a peer's delta
    entities: list[Entity]
    warnings: list[str] = field(default_factory=list)
    kind: str | None = None  # the format it was read from: un-sc, ofac-sdn, ftm, csv
    # who publishes the list, as the file states it (or ``--source`` says): recorded at a
    # dataset's first import; a later import stating another is refused. None: not stated.
    publisher: str | None = None

    @property
    def references(self) -> set[str]:
        """The set of reference numbers (the unit a list update adds or removes)."""
        return {e.reference for e in self.entities if e.reference is not None}

    def by_reference(self) -> dict[str, Entity]:
        return {e.reference: e for e in self.entities if e.reference is not None}


@dataclass
class ImportReport:
    """What one import did to a dataset."""

    dataset: str
    source: str
    version: str | None
    import_id: int
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    relisted: list[str] = field(default_factory=list)
    changed_identifying: list[str] = field(default_factory=list)  # subset of changed
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    held_before: int = 0  # listed records of the dataset before the import
    dry_run: bool = False  # computed and rolled back: nothing was changed
    # The list's entities exactly as this import stored them, when they are every record of
    # the dataset (a first import): handed to the listeners, of which the name index takes
    # them (and sets this back to None) to build from them instead of reading them back.
    entities: list[Entity] | None = field(default=None, repr=False, compare=False)

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.relisted)

    def summary(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "source": self.source,
            "version": self.version,
            "import_id": self.import_id,
            "added": len(self.added),
            "changed": len(self.changed),
            "changed_identifying": len(self.changed_identifying),
            "removed": len(self.removed),
            "relisted": len(self.relisted),
            "unchanged": self.unchanged,
            "warnings": len(self.warnings),
            "seconds": round(self.seconds, 3),
            "held_before": self.held_before,
            "dry_run": self.dry_run,
        }


def version_time(version: str | None) -> datetime | None:
    """A list version that is a date or a timestamp (the UN file's ``dateGenerated``,
    ``2026-05-13``), as a comparable UTC time; None for any other version (``v3``)."""
    text = (version or "").strip()
    if len(text) < 10 or not text[:4].isdigit():
        return None
    for candidate in (text.replace("Z", "+00:00"), text[:10]):
        try:
            at = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return at if at.tzinfo else at.replace(tzinfo=UTC)
    return None


def is_older(version: str | None, than: str | None) -> bool:
    """``version`` is a date earlier than ``than`` (both must be dates to be compared)."""
    new, held = version_time(version), version_time(than)
    return new is not None and held is not None and new < held
