"""The messages screened (manifests and payment files), kept only as long as allowed.

A row is written per screened manifest or payment file. ``raw`` holds the message
as received until the masking deadline (``CTNODE_MESSAGES_RAW_MASK_HOURS``), then it
is replaced by ``masked`` (structure kept, every value blanked); the row is deleted
at ``delete_after`` (``CTNODE_MESSAGES_RAW_DELETE_DAYS``). The screening results
themselves live in the core ``screenings`` table and the audit log. The table keeps
its first name, ``travel_messages`` (revision ``0005_travel``), though it holds both.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, LargeBinary, String, Table, Text

from ctnode.store.columns import actor, at, uuid_key
from ctnode.store.schema import metadata

travel_messages = Table(
    "travel_messages",
    metadata,
    uuid_key(),
    Column("kind", String(16), nullable=False),  # manifest | payment
    Column("format", String(64), nullable=False),  # PAXLST D:05B, PNRGOV 13:1, pacs.008.001.08
    at("received_at", index=True),
    actor(),
    Column("source", String(32), nullable=False),  # cli | api
    Column("sha256", String(64), nullable=False),
    Column("raw", LargeBinary, nullable=True),  # the message as received; NULL once masked
    Column("masked", Text, nullable=True),  # the message with every value blanked
    at("masked_at", nullable=True),
    at("delete_after", index=True),
    Column("summary", JSON, nullable=False),  # counts, screening ids, flights; no personal data
)
