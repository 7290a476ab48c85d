"""Screening queries, hits and their explanations: the screening result contract.

This module holds the one set of schema names a screening query may carry and the
one serialisation of a hit (:meth:`Hit.as_dict`) that every edge and report uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Band = Literal["match", "possible", "no match"]

# What a person screens by name: people, organisations, either, or anything.
SubjectSchema = Literal["Person", "Organization", "LegalEntity", "Thing"]
SUBJECT_SCHEMAS: tuple[str, ...] = get_args(SubjectSchema)
# Every schema a query may carry: the subjects, and the objects yente clients ask about.
Schema = Literal["Person", "Organization", "LegalEntity", "Thing", "Vessel", "Airplane"]
SCHEMAS: tuple[str, ...] = get_args(Schema)
# FollowTheMoney schemata a yente example may name that are read as one of ours.
SCHEMA_ALIASES: dict[str, str] = {"Company": "Organization"}


def screening_schema(ftm_schema: str) -> str:
    """The schema a query is screened as, for an FtM schema name (unknown ones: ``Thing``)."""
    name = SCHEMA_ALIASES.get(ftm_schema, ftm_schema)
    return name if name in SCHEMAS else "Thing"


@dataclass(slots=True)
class ScreenQuery:
    """What is screened: a subject's names and optional identifying details.

    ``birth_dates`` are ISO prefixes (``1970``, ``1970-05``, ``1970-05-12``);
    ``nationalities`` are ISO 3166 alpha-2 codes in lower case or country names;
    ``documents`` are identity-document numbers in any spacing. ``truncated_at`` is the
    length of the field the names were read from when it cuts what it holds (35 characters
    in SWIFT and ISO 20022 party fields, 39 in a passport MRZ name line, airline name
    fields): a name that long may be cut mid-word, and is matched knowing that. Build one
    with ``ctnode.services.screening.query.build_query``, which checks every field.
    """

    names: list[str]
    schema: str = "Person"
    birth_dates: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    datasets: list[str] | None = None  # None: every list the node holds
    include_delisted: bool = False
    truncated_at: int | None = None  # the source field's length limit, when it has one

    def key(self) -> tuple[Any, ...]:
        """Equal for two queries that screen exactly the same subject."""
        return (self.schema, tuple(self.names), tuple(self.birth_dates),
                tuple(self.nationalities), tuple(self.documents), self.truncated_at)


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "query_value": self.query_value,
            "candidate_value": self.candidate_value,
            "contribution": round(self.contribution, 4),
            "detail": self.detail,
        }


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

    def as_dict(self) -> dict[str, Any]:
        """The one wire form of a hit (API, CLI ``--json``, reports, network screens)."""
        return {
            "entity_id": self.entity_id,
            "list": self.dataset,
            "reference": self.reference,
            "name": self.matched_name,
            "caption": self.caption,
            "schema": self.schema,
            "score": round(self.score, 4),
            "band": self.band,
            "status": self.status,
            "explanation": [e.as_dict() for e in self.explanation],
        }

    def why(self, sep: str = "; ") -> str:
        """The explanation as text (one line by default), for tables and CSV."""
        return sep.join(f"{e.contribution:+.2f} {e.feature}: {e.detail}" for e in self.explanation)

    @property
    def reportable(self) -> bool:
        return self.band != "no match"


@dataclass(slots=True)
class ScreenResult:
    """The hits for one screened subject, after analyst decisions were applied."""

    screening_id: str | None
    query_hash: str
    subject_key: str
    hits: list[Hit]
    suppressed: list[Hit] = field(default_factory=list)
