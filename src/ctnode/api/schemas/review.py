"""The review queue and analysts' decisions."""

from __future__ import annotations

from datetime import datetime

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


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=5000, description="Why the decision is revoked")


class DecisionRecord(BaseModel):
    """A decision as it stands: who decided what, and whether (by whom, why) it was revoked."""

    id: str
    entity_id: str
    decision: str
    comment: str
    actor: str
    at: datetime
    screening_id: str | None
    revoked_at: datetime | None
    revoked_by: str | None
    revoke_reason: str | None
