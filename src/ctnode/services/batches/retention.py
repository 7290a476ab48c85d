"""Retention of screened manifests and payment files (personal data of mostly innocent people).

Default policy (settings ``CTNODE_MESSAGES_*``): the screening results are kept
(review queue, audit); the raw message is kept for 24 hours, then replaced by a
masked copy in which every value is blanked and only the structure (segment tags,
XML element names, MT field tags) remains; 30 days after receipt the row is deleted.
``CTNODE_MESSAGES_STORE_RAW=false`` keeps no raw message at all.

``sweep`` applies the policy. The scheduler runs it inside the server (job
``retention``, every ``CTNODE_RETENTION_SWEEP_MINUTES``), every manifest or payment
screening runs it first, and ``ctnode jobs run retention`` runs it from cron or a
systemd timer on a node without a server.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ctnode.clock import utcnow
from ctnode.model.access import Actor
from ctnode.services.context import Context
from ctnode.settings import Settings
from ctnode.travel.masking import mask_message


@dataclass(frozen=True, slots=True)
class SweepReport:
    masked: int
    deleted: int

    def __str__(self) -> str:
        return f"masked {self.masked} raw messages, deleted {self.deleted}"


class Retention:
    """The retention policy over the stored messages of one node."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.messages = ctx.store.messages

    def record(self, *, kind: str, fmt: str, raw: bytes, actor: str, source: str,
               summary: dict[str, Any], now: datetime | None = None,
               settings: Settings | None = None) -> str:
        """Store one screened message under the retention policy; returns its id."""
        policy = settings or self.ctx.settings
        now = now or utcnow()
        keep_raw = policy.messages_store_raw and policy.messages_raw_mask_hours > 0
        row = {
            "id": str(uuid.uuid4()),
            "kind": kind,
            "format": fmt[:64],
            "received_at": now,
            "actor": actor[:128],
            "source": source[:32],
            "sha256": hashlib.sha256(raw).hexdigest(),
            "raw": raw if keep_raw else None,
            "masked": None if keep_raw else (mask_message(raw) if policy.messages_store_raw
                                             else None),
            "masked_at": None if keep_raw else now,
            "delete_after": now + timedelta(days=policy.messages_raw_delete_days),
            "summary": summary,
        }
        self.messages.add_message(row)
        return str(row["id"])

    def sweep(self, now: datetime | None = None, settings: Settings | None = None) -> SweepReport:
        """Mask raw messages older than the masking period; delete rows past their deletion date."""
        policy = settings or self.ctx.settings
        now = now or utcnow()
        masked, deleted = self.messages.sweep(
            now=now, mask_before=now - timedelta(hours=policy.messages_raw_mask_hours),
            mask=mask_message,
        )
        if masked or deleted:  # no copy of the raw messages left in the WAL or free pages
            self.ctx.store.scrub()
        return SweepReport(masked=masked, deleted=deleted)

    def run(self, actor: Actor, *, audit_idle: bool = True) -> SweepReport:
        """Apply the policy now and audit it (the job ``retention``; when the scheduler runs
        it, ``audit_idle=False``: a sweep that changed nothing is not audited)."""
        result = self.sweep()
        if result.masked or result.deleted or audit_idle:
            self.ctx.audit.record("travel.retention", actor,
                                  detail={"masked": result.masked, "deleted": result.deleted})
        return result

    def get_message(self, message_id: str) -> dict[str, Any] | None:
        return self.messages.get_message(message_id)
