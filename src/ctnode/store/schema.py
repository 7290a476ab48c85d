"""Tables of the core store. Each area's ``schema_*.py`` adds its own to the same ``metadata``;
``ctnode.store.migrate.metadata`` is the whole set.

Alembic migrations in ``migrations/versions`` create these tables; a test checks
that the migrations and this metadata agree.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

TS = DateTime(timezone=True)

datasets = Table(
    "datasets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("source", Text, nullable=True),
    Column("version", String(128), nullable=True),
    Column("imported_at", TS, nullable=True),
    # The format it was imported from (un-sc, ofac-sdn, ftm, csv, peer): another is refused.
    Column("kind", String(32), nullable=True),
)

entities = Table(
    "entities",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("dataset", String(64), nullable=False, index=True),
    Column("schema", String(64), nullable=False),
    Column("reference", String(128), nullable=True, index=True),
    Column("caption", Text, nullable=False),
    Column("status", String(16), nullable=False),  # listed | delisted
    Column("fingerprint", String(64), nullable=False),
    Column("first_seen", TS, nullable=False),
    Column("last_seen", TS, nullable=False),
    Column("delisted_at", TS, nullable=True),
)

statements = Table(
    "statements",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("entity_id", String(255), ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("dataset", String(64), nullable=False),
    Column("prop", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("original", Text, nullable=False),
    Column("lang", String(16), nullable=True),
    Column("first_seen", TS, nullable=False),
    Column("last_seen", TS, nullable=False),
    Index("ix_statements_entity_id", "entity_id"),
)

imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset", String(64), nullable=False, index=True),
    Column("source", Text, nullable=False),
    Column("version", String(128), nullable=True),
    Column("actor", String(128), nullable=False),
    Column("started_at", TS, nullable=False),
    Column("finished_at", TS, nullable=False),
    Column("added", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("removed", Integer, nullable=False),
    Column("relisted", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("partial", Boolean, nullable=False, default=False),
)

# What happened to an entity over time: listed, changed, delisted, relisted, decision.
entity_events = Table(
    "entity_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity_id", String(255), nullable=False, index=True),
    Column("at", TS, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=True),
    Column("detail", JSON, nullable=False),
)

# One row per screening that produced reportable hits: the analysts' review queue.
screenings = Table(
    "screenings",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("at", TS, nullable=False, index=True),
    Column("actor", String(128), nullable=False),
    Column(
        "source", String(32), nullable=False
    ),  # cli | api | batch | match | manifest | payment | peer
    Column("subject_key", String(64), nullable=False, index=True),
    Column("query_hash", String(64), nullable=False),
    Column("purpose", Text, nullable=True),
    Column("case_ref", Text, nullable=True),
    Column("hits", JSON, nullable=False),  # [{entity_id, score, band}]
    Column("reviewed", Boolean, nullable=False, default=False),
    # The subject was identified beyond the name (birth date, document, subject id): only
    # then may a false-positive decision on it suppress a hit. NULL: screened before 0007.
    Column("identified", Boolean, nullable=True),
    # The screened subject (names, dates, documents ...) sealed with the node's data key, only
    # for a screening with hits, so its reviewers see who was screened; erased (NULL) after
    # ``subject_expires_at`` (CTNODE_REVIEW_SUBJECT_DAYS). NULL: screened before 0018.
    Column("subject_sealed", LargeBinary, nullable=True),
    Column("subject_expires_at", TS, nullable=True, index=True),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("entity_id", String(255), nullable=False, index=True),
    Column("subject_key", String(64), nullable=False, index=True),
    Column("screening_id", String(36), nullable=True),
    Column("decision", String(16), nullable=False),  # confirmed | false_positive | unsure
    Column("comment", Text, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("at", TS, nullable=False),
    # A revoked decision no longer suppresses anything; it stays, with who revoked it and why.
    Column("revoked_at", TS, nullable=True),
    Column("revoked_by", String(128), nullable=True),
    Column("revoke_reason", Text, nullable=True),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(16), primary_key=True),  # public key id (prefix of the token)
    Column("name", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("biometric", Boolean, nullable=False, default=False),  # every biometric permission
    Column("biometric_scopes", JSON, nullable=True),  # or only these: ["search", "view"] ...
    Column("secret_hash", String(128), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("revoked_at", TS, nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", TS, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("event", String(64), nullable=False, index=True),
    Column("purpose", Text, nullable=True),
    Column("legal_basis", Text, nullable=True),
    Column("case_ref", Text, nullable=True),
    Column("query_hash", String(64), nullable=True),
    Column("result_ids", JSON, nullable=False),
    Column("detail", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
