"""Screening one subject or a batch."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ctnode.api.schemas.common import HitOut
from ctnode.model.screening import ScreenQuery, ScreenResult, SubjectSchema
from ctnode.services.screening.query import MAX_NAME, build_query


class Subject(BaseModel):
    """A subject to screen (the same shape as one line of a batch JSONL file)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str | int | None = Field(default=None, description="Caller's id, echoed back")
    schema_: SubjectSchema = Field(default="Person", alias="schema")
    name: str | None = Field(default=None, max_length=MAX_NAME)
    names: list[str] = Field(default_factory=list, max_length=50)
    birthDate: str | list[str] | None = None
    nationality: str | list[str] | None = None
    document: str | list[str] | None = None

    def to_query(self) -> ScreenQuery:
        return build_query(
            [self.name, *self.names],
            schema=self.schema_,
            birth_dates=_listify(self.birthDate),
            nationalities=_listify(self.nationality),
            documents=_listify(self.document),
            dates_field="birthDate",
        )


def _listify(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else value


class ScreenRequest(Subject):
    limit: int = Field(default=10, ge=1, le=100)
    include_below: bool = Field(
        default=False, description="Also return hits below the reporting threshold"
    )


class ScreenResponse(BaseModel):
    id: str | int | None = None
    screening_id: str | None
    hits: list[HitOut]
    suppressed: list[str] = Field(
        default_factory=list,
        description="Entity ids hidden by an analyst's false-positive decision",
    )

    @classmethod
    def of(cls, subject_id: str | int | None, result: ScreenResult) -> ScreenResponse:
        return cls(id=subject_id, screening_id=result.screening_id,
                   hits=[HitOut.from_hit(h) for h in result.hits],
                   suppressed=[h.entity_id for h in result.suppressed])


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subjects: list[Subject] = Field(min_length=1)
    limit: int = Field(default=10, ge=1, le=100)


class BatchResponse(BaseModel):
    results: list[ScreenResponse]
