"""Monitoring: subjects under watch, their hits and the alerts to their owners."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ctnode.api.schemas.screening import Subject
from ctnode.model.monitoring import SubjectFields, WatchedSubject
from ctnode.services.monitoring.files import check_birth_dates, fields_of


class WatchSubject(Subject):
    """A subject to keep under watch (the fields of a screen; ``id`` is your own label)."""

    def to_fields(self) -> SubjectFields:
        dates = self.birthDate
        check_birth_dates("birthDate", [dates] if isinstance(dates, str) else dates or [])
        return fields_of(self.to_query(), None if self.id is None else str(self.id)[:200])


class WatchIn(BaseModel):
    """Subjects to put under watch, with their owner and expiry. Purpose, legal basis and
    case come in the ``X-Purpose``, ``X-Legal-Basis`` and ``X-Case-Ref`` headers."""

    model_config = ConfigDict(extra="forbid")
    subjects: list[WatchSubject] = Field(min_length=1, max_length=10_000)
    owner: str | None = Field(default=None, min_length=1, max_length=128,
                              description="Who gets the alerts (default: the caller)")
    expires: date | None = Field(default=None, description="Last day under watch")
    days: int | None = Field(default=None, ge=1, le=36_500,
                             description="Or: days under watch from now")


class SubjectOut(BaseModel):
    id: str
    label: str | None
    schema_: str = Field(alias="schema")
    names: list[str]
    birth_dates: list[str]
    nationalities: list[str]
    documents: list[str]
    owner: str
    purpose: str
    legal_basis: str
    case: str | None
    source: str
    created_by: str
    created_at: datetime
    expires_at: datetime

    model_config = ConfigDict(populate_by_name=True)

    @classmethod
    def of(cls, s: WatchedSubject) -> SubjectOut:
        return cls.model_validate(s.as_dict())


class AlertOut(BaseModel):
    """An alert to a subject's owner: ``new`` hit, hit in another ``band``, hit ``gone``,
    or an ``expiry`` coming."""

    id: str
    subject_id: str
    owner: str
    kind: Literal["new", "band", "gone", "expiry"]
    entity_id: str | None
    band: str | None
    previous_band: str | None
    score: float | None
    screening_id: str | None = Field(description="The review-queue row it went to")
    cause: str
    at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> AlertOut:
        return cls.model_validate(row)


class WatchOut(BaseModel):
    subjects: list[SubjectOut]
    capped: bool = Field(description="The expiry asked for was cut to the policy's longest")
    alerts: list[AlertOut] = Field(description="What the first screen of the subjects raised")


class HeldHit(BaseModel):
    entity_id: str
    band: str
    score: float


class SubjectWithHits(BaseModel):
    subject: SubjectOut
    hits: list[HeldHit]


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[str] = Field(min_length=1, max_length=10_000)


class RescreenOut(BaseModel):
    cause: str
    records: int
    pairs: int
    subjects: int
    alerts: int
    by_kind: dict[str, int]
    suppressed: int
    seconds: float
