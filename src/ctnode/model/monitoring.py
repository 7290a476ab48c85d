"""Monitoring: subjects kept under watch, what they hit, and the alerts their owners get.

A watched subject carries what a screen carries (names in any script, birth dates,
nationalities, documents, schema) plus why it is watched (purpose, legal basis, case),
who owns it and until when. The identifying fields are stored sealed with the node's
data key; what the store keeps in clear is in :class:`WatchedSubject` minus
:class:`SubjectFields`.

An alert is raised when a list change (or the first screen of a new subject) gives a
subject a new hit, moves a hit to another band, or takes a hit away (delisting, a name
removed). A hit an analyst decided was a false positive for that subject never alerts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

from ctnode.model.screening import Band

AlertKind = Literal["new", "band", "gone", "expiry"]
ALERT_KINDS: tuple[str, ...] = get_args(AlertKind)
# Where a subject came from.
WatchSource = Literal["cli", "api", "import", "manifest", "payments"]


@dataclass(slots=True)
class SubjectFields:
    """What identifies a watched subject: the fields of a screen (sealed at rest)."""

    names: list[str]
    schema: str = "Person"
    birth_dates: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    label: str | None = None  # the caller's own reference for the subject (customer id ...)

    def as_dict(self) -> dict[str, Any]:
        return {
            "names": list(self.names), "schema": self.schema,
            "birth_dates": list(self.birth_dates), "nationalities": list(self.nationalities),
            "documents": list(self.documents), "label": self.label,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubjectFields:
        return cls(
            names=[str(n) for n in data.get("names") or []],
            schema=str(data.get("schema") or "Person"),
            birth_dates=[str(v) for v in data.get("birth_dates") or []],
            nationalities=[str(v) for v in data.get("nationalities") or []],
            documents=[str(v) for v in data.get("documents") or []],
            label=data.get("label"),
        )


@dataclass(slots=True)
class WatchedSubject:
    """One subject under watch."""

    id: str
    fields: SubjectFields
    subject_key: str  # the keyed hash a screen of the same subject gets (decisions use it)
    owner: str
    purpose: str
    legal_basis: str
    case_ref: str | None
    source: str
    created_at: datetime
    expires_at: datetime
    created_by: str = ""
    reminded_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, **self.fields.as_dict(), "owner": self.owner,
            "purpose": self.purpose, "legal_basis": self.legal_basis, "case": self.case_ref,
            "source": self.source, "created_at": self.created_at.isoformat(),
            "created_by": self.created_by, "expires_at": self.expires_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class HitState:
    """A reportable hit a subject has now: what a later change is compared with."""

    entity_id: str
    band: Band
    score: float


@dataclass(frozen=True, slots=True)
class HitChange:
    """One change of one subject's hits: a new hit, another band, or a hit gone.

    ``before``/``after`` are the states (None: no reportable hit). ``suppressed``: an
    analyst decided the hit is a false positive for this subject, so no alert is raised
    (the state is still kept, so the decision keeps holding)."""

    subject_id: str
    entity_id: str
    before: HitState | None
    after: HitState | None
    suppressed: bool = False

    @property
    def kind(self) -> AlertKind | None:
        """``new``, ``band`` or ``gone`` when the change alerts; None for a score move
        inside one band."""
        if self.before is None and self.after is not None:
            return "new"
        if self.before is not None and self.after is None:
            return "gone"
        if self.before is not None and self.after is not None and (
                self.before.band != self.after.band):
            return "band"
        return None

    def key(self) -> tuple[str, str, str | None, str | None]:
        """What two ways of finding the changes must agree on (subject, entity, kind, band)."""
        return (self.subject_id, self.entity_id, self.kind,
                self.after.band if self.after else None)
