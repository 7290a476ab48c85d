"""Content-hash requests: banks, hashes to add or remove, a hash to match, a decision."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ctnode.hashes.model import (
    DEFAULT_PDQ_THRESHOLD,
    MAX_PDQ_THRESHOLD,
    Bank,
    BankKind,
    HashDecision,
    Label,
    SignalType,
    parse_tlp,
)
from ctnode.services.hashes.banks import BankChange, NewHashes

BankName = Field(min_length=1, max_length=64, pattern=r"^[A-Z_][A-Z0-9_]*$")
TlpText = Field(default=None, max_length=20, description="CLEAR, GREEN, AMBER, AMBER+STRICT or RED")


class BankIn(BaseModel):
    """A new bank (HMA's naming rule: A-Z, 0-9, _, not starting with a digit)."""

    model_config = ConfigDict(extra="forbid")
    name: str = BankName
    kind: Literal["content", "benign"] = "content"
    enabled: bool = True
    pdq_threshold: int = Field(default=DEFAULT_PDQ_THRESHOLD, ge=0, le=MAX_PDQ_THRESHOLD)
    vpdq_query_match_percent: float = Field(default=80.0, ge=0, le=100)
    description: str = Field(default="", max_length=2000)
    default_tlp: str = Field(default="AMBER", max_length=20)

    def to_bank(self) -> Bank:
        return Bank(
            name=self.name,
            enabled=self.enabled,
            kind=BankKind(self.kind),
            pdq_threshold=self.pdq_threshold,
            vpdq_query_match_percent=self.vpdq_query_match_percent,
            description=self.description,
            default_tlp=parse_tlp(self.default_tlp, field="default_tlp"),
        )


class BankChangeIn(BaseModel):
    """What to change on a bank; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool | None = None
    pdq_threshold: int | None = Field(default=None, ge=0, le=MAX_PDQ_THRESHOLD)
    vpdq_query_match_percent: float | None = Field(default=None, ge=0, le=100)
    description: str | None = Field(default=None, max_length=2000)
    default_tlp: str | None = TlpText

    def to_change(self) -> BankChange:
        return BankChange(**self.model_dump())


class HashesIn(BaseModel):
    """Hashes to add to a bank, all of one signal type."""

    model_config = ConfigDict(extra="forbid")
    signal_type: SignalType
    values: list[str] = Field(min_length=1, max_length=10_000)
    labels: list[Label] = Field(default_factory=list, max_length=20)
    tlp: str | None = TlpText
    note: str = Field(default="", max_length=2000)
    source: str = Field(default="", max_length=200, description="Who reported them")

    def to_new(self) -> NewHashes:
        return NewHashes(
            self.signal_type,
            tuple(v[:100_000] for v in self.values),
            frozenset(self.labels),
            self.tlp,
            self.note,
            self.source,
        )


class RemovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    record_ids: list[str] = Field(min_length=1, max_length=100_000)


class MatchIn(BaseModel):
    """One hash to match (a partner's, or one ``POST /hashes/hash`` gave)."""

    model_config = ConfigDict(extra="forbid")
    signal_type: SignalType
    value: str = Field(min_length=1, max_length=200_000)
    banks: list[str] | None = Field(default=None, max_length=100, description="Default: all")


class HashDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: HashDecision
    comment: str = Field(min_length=1, max_length=5000)
