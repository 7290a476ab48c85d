"""Retention of screened manifests and payment files (personal data of mostly innocent people).

Default policy (settings ``CTNODE_TRAVEL_*``): the screening results are kept
(review queue, audit); the raw message is kept for 24 hours, then replaced by
a masked copy in which every value is blanked and only the structure (segment
tags, XML element names, MT field tags) remains; 30 days after receipt the
row is deleted. ``travel_store_raw=false`` keeps no raw message at all.

``sweep`` applies the policy; it runs at the start of every manifest or
payment screening, so no scheduler is needed, and ``ctnode`` operators can
run it on demand.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select, update

from ctnode.settings import Settings
from ctnode.store.schema_travel import travel_messages

_XML_TEXT = re.compile(r">([^<]+)<")
_XML_ATTR = re.compile(r'(\s([A-Za-z_:][\w:.-]*)=)"([^"]*)"')
_KEEP_ATTRS = {"version", "encoding", "standalone", "Ccy"}
_WORD = re.compile(r"[^\W_]", re.UNICODE)


def mask_message(raw: bytes) -> str:
    """The message with every value blanked: letters → ``X``, digits → ``9``; structure kept.

    EDIFACT keeps each segment tag and its first qualifier (``NAD+FL+++XXXXX:XXXXX``);
    XML keeps element names and namespaces; MT keeps block and field tags.
    """
    text = raw.decode("utf-8", errors="replace")
    stripped = text.lstrip("\ufeff \r\n\t")
    if stripped.startswith("<"):
        masked = _XML_TEXT.sub(lambda m: ">" + _blank(m.group(1)) + "<", text)
        return _XML_ATTR.sub(_mask_attr, masked)
    if stripped.startswith(("{1:", ":20:")):
        out = []
        for line in text.splitlines(keepends=True):
            m = re.match(r"^(\{[^{}]*?:|:\d{2}[A-Z]?:|-\})", line)
            keep = m.group(0) if m else ""
            out.append(keep + _blank(line[len(keep) :]))
        return "".join(out)
    return _mask_edifact(text)


def _mask_attr(m: re.Match[str]) -> str:
    name = m.group(2)
    if name.startswith("xmlns") or name.split(":")[-1] in _KEEP_ATTRS:
        return m.group(0)
    return f'{m.group(1)}"{_blank(m.group(3))}"'


def _blank(value: str) -> str:
    return _WORD.sub(lambda m: "9" if m.group(0).isdigit() else "X", value)


def _mask_edifact(text: str) -> str:
    # Keep tag and first data element of each segment (qualifiers), blank the rest.
    out = []
    for seg in re.split(r"(['$~\n])", text):
        m = re.match(r"^(\s*UNA.{0,6}|\s*[A-Z]{3}(?:[ ]?[+*][A-Z0-9]{0,3}(?![^+*:]))?)", seg)
        keep = m.group(0) if m else ""
        out.append(keep + _blank(seg[len(keep) :]))
    return "".join(out)


@dataclass(frozen=True, slots=True)
class SweepReport:
    masked: int
    deleted: int


def record(
    engine: Engine,
    settings: Settings,
    *,
    kind: str,
    fmt: str,
    raw: bytes,
    actor: str,
    source: str,
    summary: dict[str, Any],
    now: datetime | None = None,
) -> str:
    """Store one screened message under the retention policy; returns its id."""
    now = now or datetime.now(UTC)
    keep_raw = settings.travel_store_raw and settings.travel_raw_mask_hours > 0
    row = {
        "id": str(uuid.uuid4()),
        "kind": kind,
        "format": fmt[:64],
        "received_at": now,
        "actor": actor[:128],
        "source": source[:32],
        "sha256": hashlib.sha256(raw).hexdigest(),
        "raw": raw if keep_raw else None,
        "masked": None if keep_raw else (mask_message(raw) if settings.travel_store_raw else None),
        "masked_at": None if keep_raw else now,
        "delete_after": now + timedelta(days=settings.travel_raw_delete_days),
        "summary": summary,
    }
    with engine.begin() as conn:
        conn.execute(travel_messages.insert().values(**row))
    return str(row["id"])


def sweep(engine: Engine, settings: Settings, now: datetime | None = None) -> SweepReport:
    """Mask raw messages older than the masking period; delete rows past their deletion date."""
    now = now or datetime.now(UTC)
    mask_before = now - timedelta(hours=settings.travel_raw_mask_hours)
    masked = 0
    with engine.begin() as conn:
        deleted = (
            conn.execute(
                delete(travel_messages).where(travel_messages.c.delete_after <= now)
            ).rowcount
            or 0
        )
        rows = conn.execute(
            select(travel_messages.c.id, travel_messages.c.raw)
            .where(travel_messages.c.raw.is_not(None))
            .where(travel_messages.c.received_at <= mask_before)
        ).all()
        for row_id, raw in rows:
            conn.execute(
                update(travel_messages)
                .where(travel_messages.c.id == row_id)
                .values(raw=None, masked=mask_message(bytes(raw)), masked_at=now)
            )
            masked += 1
    return SweepReport(masked=masked, deleted=int(deleted))


def get_message(engine: Engine, message_id: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(travel_messages).where(travel_messages.c.id == message_id)
        ).first()
    return dict(row._mapping) if row is not None else None
