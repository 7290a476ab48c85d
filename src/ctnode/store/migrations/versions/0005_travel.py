"""travel and payment messages (retention-limited)

Revision ID: 0005_travel
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_travel"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "travel_messages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=True),
        sa.Column("masked", sa.Text(), nullable=True),
        sa.Column("masked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delete_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_travel_messages")),
    )
    op.create_index(op.f("ix_travel_messages_received_at"), "travel_messages", ["received_at"])
    op.create_index(op.f("ix_travel_messages_delete_after"), "travel_messages", ["delete_after"])


def downgrade() -> None:
    op.drop_index(op.f("ix_travel_messages_delete_after"), table_name="travel_messages")
    op.drop_index(op.f("ix_travel_messages_received_at"), table_name="travel_messages")
    op.drop_table("travel_messages")
