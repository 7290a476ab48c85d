"""Screening queries, hits and their explanations: the screening result contract.

This module holds the one set of schema names a screening query may carry and the
one serialisation of a hit (:meth:`Hit.as_dict`) that every edge and report uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from ctnode.model.phrases import Phrase

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
    # The caller's own stable identifier of the subject (a case's person id): with a birth
    # date or a document, what lets a false-positive decision apply to this subject again.
    subject_id: str | None = None
    include_delisted: bool = False
    truncated_at: int | None = None  # the source field's length limit, when it has one
    # What was left out of matching and why (a malformed birth date): every answer says so.
    warnings: list[str] = field(default_factory=list)

    def key(self) -> tuple[Any, ...]:
        """Equal for two queries that screen exactly the same subject."""
        return (self.schema, tuple(self.names), tuple(self.birth_dates),
                tuple(self.nationalities), tuple(self.documents), self.truncated_at,
                self.subject_id)

    @property
    def identified(self) -> bool:
        """The subject is identified beyond the name (a birth date, a document or a subject
        id): only then may an analyst's false-positive decision hide a hit for it."""
        return bool(self.birth_dates or self.documents or self.subject_id)


@dataclass(frozen=True, slots=True)
class FeatureExplanation:
    """One feature that contributed to a score.

    ``contribution`` is what the feature added to (or, when negative, took from)
    the score; ``detail`` says in words what was compared and how (in English, for the API);
    ``phrases`` say the same as stable codes with values (``detail`` is their English joined
    by ``; ``), for an edge that shows it in another language.
    """

    feature: str
    query_value: str | None
    candidate_value: str | None
    contribution: float
    detail: str
    phrases: tuple[Phrase, ...] = field(default=(), compare=False)

    def __reduce__(self) -> tuple[type[FeatureExplanation], tuple[Any, ...]]:
        """Pickled as a call of the class (see ``Phrase.__reduce__``)."""
        return (FeatureExplanation, (self.feature, self.query_value, self.candidate_value,
                                     self.contribution, self.detail, self.phrases))

    def as_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "query_value": self.query_value,
            "candidate_value": self.candidate_value,
            "contribution": round(self.contribution, 4),
            "detail": self.detail,
        }

    def as_record(self) -> dict[str, Any]:
        """``as_dict`` and the phrases (kept with a report or a review subject, for the
        console to show the explanation in a person's language)."""
        return {**self.as_dict(), "phrases": [p.as_dict() for p in self.phrases]}


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a hit is suppressed: the analyst's false-positive decision for this subject."""

    decision_id: str
    by: str  # the analyst who decided
    at: str  # when, ISO 8601 UTC
    expires: str | None  # when the suppression lapses (ISO 8601 UTC); None: never

    def as_dict(self) -> dict[str, Any]:
        return {"decision_id": self.decision_id, "by": self.by, "at": self.at,
                "expires": self.expires}


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
    # Set when an analyst's false-positive decision suppresses this hit for the subject: the
    # hit is still returned (beside the others, marked), never dropped.
    suppressed: Suppression | None = None

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
            "suppressed": self.suppressed.as_dict() if self.suppressed else None,
        }

    def why(self, sep: str = "; ") -> str:
        """The explanation as text (one line by default), for tables and CSV."""
        return sep.join(f"{e.contribution:+.2f} {e.feature}: {e.detail}" for e in self.explanation)

    @property
    def reportable(self) -> bool:
        return self.band != "no match"


@dataclass(frozen=True, slots=True)
class ListCoverage:
    """One list a screen looked at: its version, its own date, how old it is, how big."""

    name: str
    title: str
    version: str | None
    list_date: str | None  # the list's own date (the UN file's dateGenerated), ISO date
    age_days: int | None  # days from the list's own date to now; None when it states none
    imported_at: str | None  # ISO 8601 UTC
    entities: int  # listed records
    demo: bool  # the fictional demo list
    stale: bool  # older than the configured age

    def as_dict(self) -> dict[str, Any]:
        return {"list": self.name, "title": self.title, "version": self.version,
                "list_date": self.list_date, "age_days": self.age_days,
                "imported_at": self.imported_at, "entities": self.entities,
                "demo": self.demo, "stale": self.stale}


@dataclass(frozen=True, slots=True)
class CoverageWarning:
    """A reason an answer may miss a listed person: ``no_lists``, ``demo_only``,
    ``demo_list``, ``stale_list``, ``unknown_list``."""

    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class Coverage:
    """What a screen could see: every list it looked at, and what makes it incomplete.

    ``complete`` is false whenever a warning stands: no real list loaded (empty store or
    only the fictional demo list), or a list older than ``max_age_days`` by its own date.
    """

    lists: tuple[ListCoverage, ...]
    warnings: tuple[CoverageWarning, ...]
    max_age_days: int

    @property
    def complete(self) -> bool:
        return not self.warnings

    def as_dict(self) -> dict[str, Any]:
        """The one wire form of coverage (API, CLI ``--json``, reports, network screens)."""
        return {"complete": self.complete, "max_age_days": self.max_age_days,
                "lists": [c.as_dict() for c in self.lists],
                "warnings": [w.as_dict() for w in self.warnings]}

    def banner(self) -> list[str]:
        """The warnings as loud lines for a person (empty when coverage is complete)."""
        return [f"WARNING ({w.code}): {w.message}" for w in self.warnings]


@dataclass(slots=True)
class ScreenResult:
    """The hits for one screened subject, after analyst decisions were applied.

    ``suppressed`` are the hits an analyst's false-positive decision suppresses for this
    subject (each marked with the decision); ``coverage`` what the screen could see;
    ``warnings`` what of the query was left out of matching (a malformed birth date)."""

    screening_id: str | None
    query_hash: str
    subject_key: str
    hits: list[Hit]
    suppressed: list[Hit] = field(default_factory=list)
    coverage: Coverage | None = None
    warnings: list[str] = field(default_factory=list)
