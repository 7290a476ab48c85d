"""federation security (issue 13): key changes of this node and its peers; message weights
for rate limits counted in names and probes

Revision ID: 0018_fed_security
Revises: 0007_copy_fields
Create Date: 2026-12-05 21:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_fed_security"
down_revision = "0007_copy_fields"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fed_key_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("node_id", sa.String(128), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("old_key", sa.String(64), nullable=False, index=True),
        sa.Column("new_key", sa.String(64), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("certificate", sa.JSON(), nullable=False),
        sa.Column("received_at", TS, nullable=False),
    )
    # How much a received message counts against its sender's rate (names, probes); 1 before.
    op.add_column("fed_nonces", sa.Column("units", sa.Integer(), nullable=False,
                                          server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("fed_nonces") as batch:
        batch.drop_column("units")
    op.drop_table("fed_key_changes")
