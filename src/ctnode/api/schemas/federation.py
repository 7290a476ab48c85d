"""Federation: agreements, network screens, disclosures, alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ctnode.model.access import Purpose
from ctnode.model.screening import SubjectSchema
from ctnode.services.screening.query import MAX_NAME


class AgreementCreate(BaseModel):
    peer_id: str
    direction: str = Field(description="outbound (what I share with the peer) or inbound")
    lists: list[str] = Field(description="List names, or ['*'] for all")
    purposes: list[str]
    expires_at: datetime
    rate_per_minute: int = 60
    max_disclosure: str = Field(default="reference", description="hit, reference or fields")
    fields: list[str] = Field(default_factory=list)
    subscribed: bool = Field(default=False, description="List updates and alerts flow")
    biometrics: list[str] = Field(
        default_factory=list,
        description="Biometric modalities the peer may probe with templates: face, fingerprint",
    )
    copy_fields: list[str] | None = Field(
        default=None,
        description="With subscribed: the properties copies (list deltas, the first full sync) "
        "carry; separate from what the peer may query. Not given: names only.",
    )
    max_tlp: Literal["clear", "green", "amber", "amber+strict"] | None = Field(
        default=None,
        description="The most restrictive TLP level threat intelligence, library documents and "
        "hashes shared under this agreement may carry. Not given: AMBER (AMBER+STRICT to a "
        "node of this node's own organisation). RED never leaves.",
    )
    hash_labels: list[str] | None = Field(
        default=None,
        description="With a hash bank ('hashes:<BANK>') in lists: the taxonomy labels a hash "
        "must carry (all of its labels) to be sent; unlabelled hashes then stay. Not given: "
        "every label. Removals reach every peer that holds a copy.",
    )


class StatedPurpose(BaseModel):
    """Purpose fields in the body; each falls back to its ``X-Purpose`` / ``X-Legal-Basis`` /
    ``X-Case-Ref`` header."""

    purpose: str | None = None
    legal_basis: str | None = None
    case_ref: str | None = None

    def over(self, headers: Purpose) -> Purpose:
        return Purpose(
            purpose=self.purpose or headers.purpose,
            legal_basis=self.legal_basis or headers.legal_basis,
            case_ref=self.case_ref or headers.case_ref,
        )


class NetworkScreenRequest(StatedPurpose):
    name: str = Field(max_length=MAX_NAME)
    schema_: SubjectSchema = Field(default="Person", alias="schema")
    birth_date: list[str] = Field(default_factory=list)
    nationality: list[str] = Field(default_factory=list)
    document: list[str] = Field(default_factory=list)
    peers: list[str] | None = None
    lists: list[str] | None = Field(default=None, description="Ask only about these lists")
    deadline: float | None = Field(default=None, gt=0, le=120)
    limit: int = Field(default=10, ge=1, le=100)


class DisclosureCreate(StatedPurpose):
    peer_id: str
    ref: str = Field(max_length=64)
    justification: str = Field(max_length=2000)


class DisclosureDecision(BaseModel):
    reason: str = Field(max_length=2000)
    ttl_seconds: float | None = Field(default=None, gt=0)
    fields: list[str] | None = Field(
        default=None, max_length=50,
        description="approve: the agreed fields to release (default: every agreed field)")


class AlertCreate(BaseModel):
    kind: str = Field(description="new_listing, delisting or urgent")
    title: str = Field(max_length=500)
    body: str = Field(default="", max_length=10_000)
    peers: list[str] | None = None


class RestrictionCreate(BaseModel):
    """Restrict a record of a list this node publishes: no copies, query only."""

    entity_id: str = Field(min_length=1, max_length=255, description="The record's id")
    reason: str = Field(min_length=1, max_length=500,
                        description="Why the owner keeps it from copies (audited)")


class KeyRotate(BaseModel):
    """Rotate this node's key; ``revoke`` also declares the old key compromised."""

    revoke: bool = Field(default=False, description="The old key is compromised: peers refuse "
                         "it from now on (a reason is required)")
    reason: str = Field(default="", max_length=500, description="Why (kept in the audit log and "
                        "the signed key change certificate)")
