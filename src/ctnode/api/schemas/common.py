"""What every area's answers share: the error body, a hit and its explanation."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ctnode.model.screening import Hit


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

    model_config = ConfigDict(populate_by_name=True)

    @classmethod
    def from_hit(cls, hit: Hit) -> HitOut:
        return cls.model_validate(hit.as_dict())
