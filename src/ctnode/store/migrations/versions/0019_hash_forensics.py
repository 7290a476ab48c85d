"""the forensics store: content kept sealed, with its own retention (issue 16)

Revision ID: 0019_hash_forensics
Revises: 0018_hash_copies
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_hash_forensics"
down_revision = "0018_hash_copies"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "hash_forensics",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("kept_at", TS, nullable=False),
        sa.Column("kept_by", sa.String(128), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_forensics")),
    )
    op.create_index(op.f("ix_hash_forensics_sha256"), "hash_forensics", ["sha256"])
    op.create_index(op.f("ix_hash_forensics_expires_at"), "hash_forensics", ["expires_at"])


def downgrade() -> None:
    op.drop_table("hash_forensics")
