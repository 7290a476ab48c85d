"""which peer holds a copy of which hash (issue 16: removals reach every copy sent)

Revision ID: 0018_hash_copies
Revises: 0016_hashes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_hash_copies"
down_revision = "0016_hashes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hash_copies",
        sa.Column("record_id", sa.String(32), nullable=False),
        sa.Column("peer_id", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("record_id", "peer_id", name=op.f("pk_hash_copies")),
    )


def downgrade() -> None:
    op.drop_table("hash_copies")
