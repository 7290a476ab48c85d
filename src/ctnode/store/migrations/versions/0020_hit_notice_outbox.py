"""hit notices waiting for their publisher (issue 13): an outbox every screen path fills

Revision ID: 0020_hit_notice_outbox
Revises: 0019_fed_restrictions

A screen (API, console, network, CLI, batch, manifest, payments) that hits a record of a
list held as a copy queues a notice per publisher; the server sends it at once and its job
``hit-notices`` again while the publisher cannot be reached (``ctnode jobs run
hit-notices`` on a node without a server).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_hit_notice_outbox"
down_revision = "0019_fed_restrictions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fed_hit_notices",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("publisher", sa.String(128), nullable=False),
        sa.Column("hits", sa.JSON(), nullable=False),
        sa.Column("requester", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("case_ref", sa.Text(), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_by", sa.String(128), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
    )
    op.create_index("ix_fed_hit_notices_publisher", "fed_hit_notices", ["publisher"])
    op.create_index("ix_fed_hit_notices_sent_at", "fed_hit_notices", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_fed_hit_notices_sent_at", table_name="fed_hit_notices")
    op.drop_index("ix_fed_hit_notices_publisher", table_name="fed_hit_notices")
    op.drop_table("fed_hit_notices")
