"""API keys."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ctnode.model.access import Role


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128)
    role: Role
    biometric: bool = False


class KeyCreated(BaseModel):
    id: str
    token: str = Field(description="Shown once; store it safely")
