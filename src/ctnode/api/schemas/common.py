"""What every area's answers share: the error body, a hit and its explanation."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ctnode.model.screening import Coverage, Hit


class FieldError(BaseModel):
    """One invalid field of a request: where it is, what is wrong."""

    loc: list[str | int]
    msg: str
    type: str | None


class ErrorOut(BaseModel):
    """The body of every 4xx (and 503) answer: ``detail`` for people, ``code`` for programs."""

    detail: str = Field(min_length=1, description="What was wrong, naming the field or rule")
    code: str = Field(description="Machine-readable kind: invalid_input, not_found, refused ...")
    reason: str | None = Field(
        default=None, description="For refusals under the sharing rules: which rule"
    )
    errors: list[FieldError] | None = Field(
        default=None, description="For invalid input: every invalid field"
    )


class ExplanationOut(BaseModel):
    feature: str
    query_value: str | None
    candidate_value: str | None
    contribution: float
    detail: str


class SuppressionOut(BaseModel):
    """The analyst's false-positive decision that suppresses a hit for this subject."""

    decision_id: str
    by: str = Field(description="The analyst who decided")
    at: str
    expires: str | None


class HitOut(BaseModel):
    """One screening hit: the listed record, the name that matched, score, band and why
    (the shape of ``Hit.as_dict``)."""

    entity_id: str
    list_: str = Field(alias="list")
    reference: str | None
    schema_: str = Field(alias="schema")
    caption: str
    name: str
    score: float
    band: str
    status: str
    explanation: list[ExplanationOut]
    suppressed: SuppressionOut | None = Field(
        default=None, description="Set when a false-positive decision suppresses this hit")

    model_config = ConfigDict(populate_by_name=True)

    @classmethod
    def from_hit(cls, hit: Hit) -> HitOut:
        return cls.model_validate(hit.as_dict())


class ListCoverageOut(BaseModel):
    """One list a screen looked at."""

    list_: str = Field(alias="list")
    title: str
    version: str | None
    list_date: str | None = Field(description="The list's own date (UN: dateGenerated)")
    age_days: int | None = Field(description="Days from the list's own date to now")
    imported_at: str | None
    entities: int = Field(description="Listed records")
    demo: bool = Field(description="The fictional demo list")
    stale: bool = Field(description="Older than CTNODE_LIST_MAX_AGE_DAYS")

    model_config = ConfigDict(populate_by_name=True)


class CoverageWarningOut(BaseModel):
    code: str = Field(description="no_lists, demo_only, demo_list, stale_list, unknown_list")
    message: str


class CoverageOut(BaseModel):
    """What a screen could see; ``complete`` is false when it may miss a listed person."""

    complete: bool
    max_age_days: int
    lists: list[ListCoverageOut]
    warnings: list[CoverageWarningOut]

    @classmethod
    def of(cls, coverage: Coverage) -> CoverageOut:
        return cls.model_validate(coverage.as_dict())
