"""Screening queries, hits and their explanations: the screening result contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Band = Literal["match", "possible", "no match"]
Schema = Literal["Person", "Organization", "LegalEntity", "Vessel", "Airplane", "Thing"]


@dataclass(slots=True)
class ScreenQuery:
    """What is screened: a subject's names and optional identifying details.

    ``birth_dates`` are ISO prefixes (``1970``, ``1970-05``, ``1970-05-12``);
    ``nationalities`` are ISO 3166 alpha-2 codes in lower case or country names;
    ``documents`` are identity-document numbers in any spacing. ``truncated_at`` is the
    length of the field the names were read from when it cuts what it holds (35 characters
    in SWIFT and ISO 20022 party fields, 39 in a passport MRZ name line, airline name
    fields): a name that long may be cut mid-word, and is matched knowing that.
    """

    names: list[str]
    schema: str = "Person"
    birth_dates: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    datasets: list[str] | None = None  # None: every list the node holds
    include_delisted: bool = False
    truncated_at: int | None = None  # the source field's length limit, when it has one


@dataclass(frozen=True, slots=True)
class FeatureExplanation:
    """One feature that contributed to a score.

    ``contribution`` is what the feature added to (or, when negative, took from)
    the score; ``detail`` says in words what was compared and how.
    """

    feature: str
    query_value: str | None
    candidate_value: str | None
    contribution: float
    detail: str


@dataclass(slots=True)
class Hit:
    """One listed entity a query resembles, with the score and its explanation."""

    entity_id: str
    dataset: str
    reference: str | None
    schema: str
    caption: str
    matched_name: str
    score: float
    band: Band
    explanation: list[FeatureExplanation] = field(default_factory=list)
    status: str = "listed"
    suppressed_by: str | None = None  # decision id when an analyst marked it a false positive
