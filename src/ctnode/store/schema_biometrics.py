"""Biometric tables: samples (encrypted images), templates (encrypted), imports, hit references.

Images and templates are stored only as ciphertext (``ctnode.biometrics.crypto``);
every sample carries its legal basis, provenance and a retention date after which
``ctnode biometrics purge`` deletes it (search ignores it from that day on).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Float, Index, Integer, String, Table, Text

from ctnode.store.columns import (
    actor,
    at,
    band,
    entity_ref,
    part_of,
    purpose_columns,
    sealed,
    stamp,
    uuid_key,
)
from ctnode.store.schema import metadata


def _entity() -> Column[str]:
    """The watchlist entity a record belongs to (deleted with it)."""
    return entity_ref(index=True, cascade_from="entities.id")


def _sample(*, index: bool | None = None) -> Column[str]:
    """The sample a row was made from (deleted with it)."""
    return part_of("sample_id", "biometric_samples.id", String(36), index=index)


biometric_transactions = Table(
    "biometric_transactions",
    metadata,
    uuid_key(),
    _entity(),
    Column("tcn", Text, nullable=True),  # transaction control number (1.009) as sent
    Column("tot", String(32), nullable=True),  # type of transaction (1.004)
    Column("version", String(8), nullable=True),  # ANSI/NIST-ITL version (1.002)
    Column("origin", Text, nullable=True),  # originating agency (1.008)
    Column("file_digest", String(64), nullable=False),  # keyed hash of the file bytes
    Column("summary", JSON, nullable=False),  # records kept and skipped, with reasons
    *stamp("imported"),
)

biometric_samples = Table(
    "biometric_samples",
    metadata,
    uuid_key(),
    _entity(),
    Column("kind", String(16), nullable=False),  # face | fingerprint | latent | mark | minutiae
    Column("position", Integer, nullable=True),  # ANSI/NIST finger position code
    Column("capture_date", Date, nullable=True),
    Column("source", Text, nullable=False),  # who captured or sent it
    Column("quality", Float, nullable=True),  # 0-100
    Column("legal_basis", Text, nullable=False),
    Column("provenance", JSON, nullable=False),  # upload / ansi-nist record, original format, ...
    Column("note", Text, nullable=False),  # e.g. "2 faces found; used the largest"
    Column("image_format", String(16), nullable=True),  # format of the stored (decrypted) bytes
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    sealed("image_ct", nullable=True),  # the image (or minutiae record)
    part_of("transaction_id", "biometric_transactions.id", String(36), nullable=True),
    *stamp("created"),
    Column("retain_until", Date, nullable=False, index=True),
)

biometric_templates = Table(
    "biometric_templates",
    metadata,
    uuid_key(),
    _sample(index=True),
    entity_ref(),
    Column("modality", String(16), nullable=False),  # face | fingerprint
    Column("model_id", String(128), nullable=False),
    Column("engine", String(128), nullable=False),
    Column("dim", Integer, nullable=False),
    sealed("template_ct"),  # the vector or minutiae
    Column("retain_until", Date, nullable=False),
    at("created_at"),
    Index("ix_biometric_templates_model", "modality", "model_id", "engine"),
)

biometric_hits = Table(
    "biometric_hits",
    metadata,
    Column("reference", String(64), primary_key=True),  # opaque reference given to a peer on a hit
    _sample(),
    entity_ref(),
    actor("requester"),  # peer node id or actor name
    *purpose_columns(),
    band(),
    at("created_at"),
)

# One row per face/fingerprint model: a counter every template insert or delete of that model
# bumps in the same transaction. The 1:N index files are stamped with it, so a process opening
# them knows in one primary-key lookup whether they are current (never a scan of the templates).
biometric_template_versions = Table(
    "biometric_template_versions",
    metadata,
    Column("modality", String(16), primary_key=True),
    Column("model_id", String(128), primary_key=True),
    Column("engine", String(128), primary_key=True),
    Column("version", Integer, nullable=False),
)
