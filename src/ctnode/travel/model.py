"""Typed results of the manifest parsers: flights, travellers, documents, and what was skipped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ctnode.model.messages import Issue

ManifestKind = Literal["PAXLST", "PNRGOV", "MRZ"]


@dataclass(slots=True)
class Leg:
    """One flight leg: carrier, number, airports (IATA codes) and local times (ISO 8601)."""

    flight: str
    carrier: str | None = None
    departure_airport: str | None = None
    arrival_airport: str | None = None
    departure: str | None = None
    arrival: str | None = None
    where: str = ""

    @property
    def label(self) -> str:
        route = f"{self.departure_airport or '?'}→{self.arrival_airport or '?'}"
        when = f" {self.departure}" if self.departure else ""
        return f"{self.flight} {route}{when}"


@dataclass(slots=True)
class TravelDocument:
    """An identity or travel document as declared (``type``: P passport, I id card, V visa...)."""

    number: str
    type: str | None = None
    issuing_state: str | None = None  # as sent: ICAO/ISO alpha-3 (GBR, D, UTO)
    expiry: str | None = None  # ISO date


@dataclass(slots=True)
class Traveller:
    """One passenger or crew member, with every name form to screen.

    ``names`` are the forms sent to the matcher, the declared one first
    ("GIVEN SURNAME"); further entries are variants (glued title removed, ICAO
    digraphs rewritten, a name line joined across a break). ``raw_name`` is
    the name exactly as in the message.
    """

    ref: str
    role: str  # passenger | crew | in-transit passenger | in-transit crew
    surname: str
    given_names: str
    raw_name: str
    names: list[str] = field(default_factory=list)
    title: str | None = None
    birth_date: str | None = None  # ISO date (a 2-digit year resolved, see names.expand_year)
    birth_date_raw: str | None = None
    sex: str | None = None
    nationalities: list[str] = field(default_factory=list)  # as sent (alpha-3)
    residence: str | None = None
    birth_place: str | None = None
    documents: list[TravelDocument] = field(default_factory=list)
    embarkation: str | None = None
    debarkation: str | None = None
    booking_refs: list[str] = field(default_factory=list)
    pnr: str | None = None
    where: str = ""


@dataclass(slots=True)
class Manifest:
    """One parsed manifest (PAXLST) or PNR push (PNRGOV)."""

    kind: ManifestKind
    version: str | None = None  # D:05B, D:02B, 10:1, 13:1
    list_type: str | None = None  # passenger list | crew list | pnr
    sender: str | None = None
    recipient: str | None = None
    message_ref: str | None = None
    legs: list[Leg] = field(default_factory=list)
    travellers: list[Traveller] = field(default_factory=list)
    pnrs: list[str] = field(default_factory=list)
    declared_count: int | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def skipped(self) -> list[Issue]:
        return [i for i in self.issues if i.skipped]
