"""best-practice library: documents, topics, language versions, full-text index
(SQLite FTS5 or PostgreSQL tsvector) (issue 17)

Revision ID: 0008_library
Revises: 0007_intel
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "0008_library"
down_revision = "0007_intel"
branch_labels = None
depends_on = None

# FTS5 splits exactly on the spaces between the terms the engine computed (see
# ctnode.library.analysis.index_text); nothing of a request ever reaches this DDL.
FTS5 = (
    "CREATE VIRTUAL TABLE library_fts USING fts5(doc_id UNINDEXED, lang UNINDEXED, title, "
    "summary, body, tokenize = \"unicode61 remove_diacritics 0 categories 'L* N* M*'\")"
)


def upgrade() -> None:
    op.create_table(
        "library_documents",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("tlp", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("original", sa.LargeBinary(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_documents")),
    )
    op.create_table(
        "library_topics",
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["library_documents.id"],
                                name=op.f("fk_library_topics_document_id_library_documents")),
        sa.PrimaryKeyConstraint("document_id", "topic", name=op.f("pk_library_topics")),
    )
    op.create_index("ix_library_topics_topic", "library_topics", ["topic"])
    op.create_table(
        "library_texts",
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tsv", sa.Text().with_variant(TSVECTOR(), "postgresql"), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["library_documents.id"],
                                name=op.f("fk_library_texts_document_id_library_documents")),
        sa.PrimaryKeyConstraint("document_id", "lang", name=op.f("pk_library_texts")),
    )
    op.create_index("ix_library_texts_tsv", "library_texts", ["tsv"], postgresql_using="gin")
    if op.get_bind().dialect.name == "sqlite":
        op.execute(FTS5)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE library_fts")
    op.drop_index("ix_library_texts_tsv", table_name="library_texts")
    op.drop_table("library_texts")
    op.drop_index("ix_library_topics_topic", table_name="library_topics")
    op.drop_table("library_topics")
    op.drop_table("library_documents")
