"""Tables of monitoring: subjects under watch (identifying fields sealed), the hits each has
now, and the alerts raised to their owners.

They live on the shared ``metadata``; Alembic revision ``0007_monitoring`` creates them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Integer, String, Table, Text

from ctnode.store.columns import actor, at, band, entity_ref, part_of, sealed, subject_key, uuid_key
from ctnode.store.schema import metadata

# One row per watched subject. ``sealed`` holds names, dates, nationalities, documents and
# the caller's label, encrypted with the node's data key (bound to the row id); the rest is
# what listing, expiry and alerts need in clear (no personal data of the subject).
watch_subjects = Table(
    "watch_subjects",
    metadata,
    uuid_key(),
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), nullable=False, unique=True),
    sealed(),
    subject_key(),
    Column("schema", String(32), nullable=False),
    actor("owner", index=True),
    Column("purpose", Text, nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("case_ref", String(200), nullable=True),
    Column("source", String(16), nullable=False),  # cli | api | import | manifest | payments
    actor("created_by"),
    at("created_at"),
    at("expires_at", index=True),
    at("reminded_at", nullable=True),
)

# The reportable hits each subject has now (false positives included: the decision is
# applied when alerting, so it keeps holding); what a list change is compared with.
watch_hits = Table(
    "watch_hits",
    metadata,
    part_of("subject_id", "watch_subjects.id", String(36), primary_key=True),
    entity_ref(primary_key=True, index=True),
    band(),
    Column("score", Float, nullable=False),
)

# Alerts to a subject's owner: a new hit, another band, a hit gone, an expiry coming.
watch_alerts = Table(
    "watch_alerts",
    metadata,
    uuid_key(),
    Column("subject_id", String(36), nullable=False, index=True),
    actor("owner", index=True),
    Column("kind", String(16), nullable=False),  # new | band | gone | expiry
    entity_ref(nullable=True),
    band(nullable=True),
    band("previous_band", nullable=True),
    Column("score", Float, nullable=True),
    Column("screening_id", String(36), nullable=True),  # the review-queue row it went to
    Column("cause", Text, nullable=False),  # what changed: "import un_sc 2026-05-08 ...", "added"
    at(index=True),
    at("read_at", nullable=True),
)
