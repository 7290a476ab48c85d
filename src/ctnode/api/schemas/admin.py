"""API keys."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ctnode.model.access import Role


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128)
    role: Role
    biometric: bool = Field(default=False, description="Every biometric permission")
    biometric_scopes: list[Literal["enrol", "search", "view", "export", "delete"]] = Field(
        default_factory=list, max_length=5,
        description="Only these biometric permissions (enrol, search, view, export, delete)",
    )


class KeyCreated(BaseModel):
    id: str
    token: str = Field(description="Shown once; store it safely")
