"""The review queue and analysts' decisions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ctnode.api.schemas.screening import Subject
from ctnode.model.decisions import Decision


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity_id: str = Field(min_length=1, max_length=255)
    decision: Decision
    comment: str = Field(min_length=1, max_length=5000)
    screening_id: str | None = Field(default=None, max_length=36)
    subject: Subject | None = Field(
        default=None, description="The screened subject, when there is no screening id"
    )


class DecisionOut(BaseModel):
    id: str
