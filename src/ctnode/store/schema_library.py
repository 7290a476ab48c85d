"""Tables of the best-practice library (issue 17).

``library_documents`` holds each document's metadata, its original bytes and provenance;
``library_topics`` its taxonomy topics (for the topic filter); ``library_texts`` one row
per (document, language version) with the plain text snippets are cut from. The full-text
index over those rows is the backend's own: on SQLite an FTS5 table ``library_fts``
(created by the migration, not declared here: SQLAlchemy cannot declare a virtual table),
on PostgreSQL the ``tsv`` column with a GIN index. Both hold the terms the engine's
analysis computes (``ctnode.library.analysis``), so both find what the reference finds.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, LargeBinary, String, Table, Text
from sqlalchemy.dialects.postgresql import TSVECTOR

from ctnode.store.columns import stamp, tlp
from ctnode.store.schema import metadata

# The SQLite FTS5 table and its shadow tables (made by the migration on SQLite only).
FTS_TABLES = ("library_fts", "library_fts_data", "library_fts_idx", "library_fts_content",
              "library_fts_docsize", "library_fts_config")

library_documents = Table(
    "library_documents",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("languages", JSON, nullable=False),
    Column("source", Text, nullable=False),
    Column("date", Date, nullable=False),
    tlp(),
    Column("summary", Text, nullable=False),
    Column("valid_until", Date, nullable=True),
    Column("format", String(16), nullable=False),
    Column("keywords", JSON, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("original", LargeBinary, nullable=True),  # NULL once withdrawn
    *stamp("added"),
    *stamp("withdrawn", nullable=True),
    # the publishing peer of a copy shared under an agreement; NULL: this node's own document
    Column("owner", String(128), nullable=True),
)

library_topics = Table(
    "library_topics",
    metadata,
    Column("document_id", String(64), ForeignKey("library_documents.id"), primary_key=True),
    Column("topic", String(64), primary_key=True),
    Index("ix_library_topics_topic", "topic"),
)

library_texts = Table(
    "library_texts",
    metadata,
    Column("document_id", String(64), ForeignKey("library_documents.id"), primary_key=True),
    Column("lang", String(16), primary_key=True),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("tsv", Text().with_variant(TSVECTOR(), "postgresql"), nullable=True),
    Index("ix_library_texts_tsv", "tsv", postgresql_using="gin"),
    Index("ix_library_texts_lang", "lang"),  # the languages present, one probe each
)
