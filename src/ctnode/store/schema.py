"""Tables of the core store. Each area's ``schema_*.py`` adds its own to the same ``metadata``;
``ctnode.store.migrate.metadata`` is the whole set.

Alembic migrations in ``migrations/versions`` create these tables; a test checks
that the migrations and this metadata agree. The column kinds every area shares are made in
``columns.py``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from ctnode.store.columns import (
    actor,
    at,
    dataset_ref,
    entity_ref,
    purpose_columns,
    query_hash,
    sealed,
    stamp,
    subject_key,
    uuid_key,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

datasets = Table(
    "datasets",
    metadata,
    dataset_ref("name", primary_key=True),
    Column("title", Text, nullable=False),
    Column("source", Text, nullable=True),
    Column("version", String(128), nullable=True),
    at("imported_at", nullable=True),
    # The format it was imported from (un-sc, ofac-sdn, ftm, csv, peer): another is refused.
    Column("kind", String(32), nullable=True),
    # Who publishes the list, as its first import stated it (the file, or --source): an
    # import stating another publisher is refused. NULL: not stated (or imported before
    # revision 0020_list_sources); the next import that states one records it.
    Column("publisher", Text, nullable=True),
)

entities = Table(
    "entities",
    metadata,
    Column("id", String(255), primary_key=True),
    dataset_ref(index=True),
    Column("schema", String(64), nullable=False),
    Column("reference", String(128), nullable=True, index=True),
    Column("caption", Text, nullable=False),
    Column("status", String(16), nullable=False),  # listed | delisted
    Column("fingerprint", String(64), nullable=False),
    at("first_seen"),
    at("last_seen"),
    at("delisted_at", nullable=True),
)

statements = Table(
    "statements",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    entity_ref(cascade_from="entities.id"),
    dataset_ref(),
    Column("prop", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("original", Text, nullable=False),
    Column("lang", String(16), nullable=True),
    at("first_seen"),
    at("last_seen"),
    Index("ix_statements_entity_id", "entity_id"),
)

imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    dataset_ref(index=True),
    Column("source", Text, nullable=False),
    Column("version", String(128), nullable=True),
    actor(),
    at("started_at"),
    at("finished_at"),
    # How many records the import added, changed, removed, relisted and left unchanged.
    *(Column(count, Integer, nullable=False)
      for count in ("added", "changed", "removed", "relisted", "unchanged")),
    Column("partial", Boolean, nullable=False, default=False),
)

# What happened to an entity over time: listed, changed, delisted, relisted, decision.
entity_events = Table(
    "entity_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    entity_ref(index=True),
    at(),
    Column("kind", String(32), nullable=False),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=True),
    Column("detail", JSON, nullable=False),
)

# One row per screening that produced reportable hits: the analysts' review queue.
screenings = Table(
    "screenings",
    metadata,
    uuid_key(),
    at(index=True),
    actor(),
    Column("source", String(32), nullable=False),  # cli | api | batch | match | manifest | payment | peer
    subject_key(),
    query_hash(),
    Column("purpose", Text, nullable=True),
    Column("case_ref", Text, nullable=True),
    Column("hits", JSON, nullable=False),  # [{entity_id, score, band, list}]
    # The bands and the lists of the hits, each between bars (|match|possible|, |un-sc|):
    # what the review queue is filtered by (written with the row; 0021_review_filters).
    Column("hit_bands", String(64), nullable=True),
    Column("hit_lists", Text, nullable=True),
    Column("reviewed", Boolean, nullable=False, default=False),
    # The subject was identified beyond the name (birth date, document, subject id): only
    # then may a false-positive decision on it suppress a hit. NULL: screened before 0007.
    Column("identified", Boolean, nullable=True),
    # The screened subject (names, dates, documents ...) sealed with the node's data key, only
    # for a screening with hits, so its reviewers see who was screened; erased (NULL) after
    # ``subject_expires_at`` (CTNODE_REVIEW_SUBJECT_DAYS). NULL: screened before 0018.
    sealed("subject_sealed", nullable=True),
    at("subject_expires_at", nullable=True, index=True),
)

decisions = Table(
    "decisions",
    metadata,
    uuid_key(),
    entity_ref(index=True),
    subject_key(),
    Column("screening_id", String(36), nullable=True),
    Column("decision", String(16), nullable=False),  # confirmed | false_positive | unsure
    Column("comment", Text, nullable=False),
    actor(),
    at(),
    # A revoked decision no longer suppresses anything; it stays, with who revoked it and why.
    *stamp("revoked", nullable=True),
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
    *stamp("created"),
    at("revoked_at", nullable=True),
    # the last request made with the key, to the minute (written at most once a minute a key)
    at("last_used_at", nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    at(),
    actor(),
    Column("event", String(64), nullable=False, index=True),
    *purpose_columns(),
    query_hash(nullable=True),
    Column("result_ids", JSON, nullable=False),
    Column("detail", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
