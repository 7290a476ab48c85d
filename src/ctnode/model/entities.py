"""Watchlist entities as bundles of statements (one value each, with provenance).

Property names follow FollowTheMoney (``name``, ``alias``, ``weakAlias``,
``birthDate``, ``nationality``, ``passportNumber``, ...), so an entity converts
to and from FtM without a mapping table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

EntityStatus = Literal["listed", "delisted"]

# Properties that hold names a person or group is known by, strongest first.
NAME_PROPS: tuple[str, ...] = ("name", "alias", "previousName", "weakAlias")
# Properties that hold identity-document numbers.
DOCUMENT_PROPS: tuple[str, ...] = ("passportNumber", "idNumber", "taxNumber", "registrationNumber")
# Properties that hold parts of a person's name.
NAME_PART_PROPS: tuple[str, ...] = ("firstName", "secondName", "middleName", "fatherName", "lastName")
# The properties the match index reads (names, name parts, dates, countries, documents).
MATCH_PROPS: tuple[str, ...] = (
    *NAME_PROPS, *NAME_PART_PROPS, "birthDate", "nationality", "citizenship", "passportNumber",
    "idNumber",
)
# Properties that identify a person or group: a change in them can change screening results.
IDENTIFYING_PROPS = frozenset(
    {*NAME_PROPS, *NAME_PART_PROPS, *DOCUMENT_PROPS, "birthDate", "birthPlace", "nationality",
     "citizenship", "gender", "publicKey"}
)


@dataclass(frozen=True, slots=True)
class Statement:
    """One value of one property of one entity, and where it came from.

    ``value`` is the cleaned form used by ctnode (e.g. an ISO country code, an
    ISO date prefix); ``original`` is the string exactly as the source wrote it.
    """

    prop: str
    value: str
    original: str
    dataset: str
    lang: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None


@dataclass(slots=True)
class Entity:
    """A listed person, organisation or other subject, as a set of statements."""

    id: str
    schema: str
    dataset: str
    reference: str | None = None
    statements: list[Statement] = field(default_factory=list)
    status: EntityStatus = "listed"
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    delisted_at: datetime | None = None

    def get(self, prop: str) -> list[str]:
        """All distinct values of ``prop``, in statement order."""
        seen: dict[str, None] = {}
        for stmt in self.statements:
            if stmt.prop == prop:
                seen.setdefault(stmt.value, None)
        return list(seen)

    def first(self, prop: str) -> str | None:
        values = self.get(prop)
        return values[0] if values else None

    def add(
        self, prop: str, value: str | None, original: str | None = None, lang: str | None = None
    ) -> None:
        """Add a statement unless the value is empty or already present for ``prop``."""
        if value is None:
            return
        value = value.strip()
        if not value:
            return
        for stmt in self.statements:
            if stmt.prop == prop and stmt.value == value:
                return
        self.statements.append(
            Statement(
                prop=prop,
                value=value,
                original=(original or value),
                dataset=self.dataset,
                lang=lang,
            )
        )

    @property
    def caption(self) -> str:
        return self.first("name") or self.reference or self.id

    @property
    def properties(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for stmt in self.statements:
            values = out.setdefault(stmt.prop, [])
            if stmt.value not in values:
                values.append(stmt.value)
        return out

    def fingerprint(self) -> tuple[tuple[str, str, str], ...]:
        """What an import compares to decide whether a record changed."""
        return tuple(sorted({(s.prop, s.value, s.original) for s in self.statements}))


@dataclass(slots=True)
class EntityView:
    """An entity as an analyst reads it: every value with provenance, its history, decisions."""

    entity: Entity
    events: list[dict[str, Any]]
    decisions: list[dict[str, Any]]


# ctnode properties that FollowTheMoney names otherwise, for answers in FtM's own shape
# (yente's clients read them as statements): a record's listing date is FtM's ``createdAt``
# (as OpenSanctions publishes it), a wallet's ``holderId`` is FtM's entity-typed ``holder``
# (ctnode keeps the holder's name in ``holder``, which that shape leaves out).
FTM_EXPORT_PROPS: dict[str, str] = {"listingDate": "createdAt", "holderId": "holder"}


def ftm_prop(entity: Entity, prop: str) -> str | None:
    """The FtM property a ctnode property is written as in FtM's shape; None to leave it out."""
    if prop == "holder" and "holderId" in entity.properties:
        return None  # the holder's name; the id goes out as ``holder``
    return FTM_EXPORT_PROPS.get(prop, prop)
