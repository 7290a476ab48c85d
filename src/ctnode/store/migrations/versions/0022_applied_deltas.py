"""the deltas a node applied, per sender, with the receipt it answered (issue 13)

Revision ID: 0022_applied_deltas
Revises: 0020_hit_notice_outbox

A publisher re-sends a delta whose receipt it did not get in time (``ctnode updates retry``,
or its next contact with the peer). The receiver had often applied it already; it now answers
such a delta (same id, same body) with the receipt it gave the first time
(``fed_applied_deltas``) instead of applying it again, which used to answer that nothing was
delisted or withdrawn.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_applied_deltas"
down_revision = "0020_hit_notice_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fed_applied_deltas",
        sa.Column("sender", sa.String(128), primary_key=True),
        sa.Column("msg_type", sa.String(64), primary_key=True),
        sa.Column("delta_id", sa.String(64), primary_key=True),
        sa.Column("body_sha256", sa.String(64), primary_key=True),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_fed_applied_deltas_applied_at", "fed_applied_deltas", ["applied_at"])


def downgrade() -> None:
    op.drop_index("ix_fed_applied_deltas_applied_at", table_name="fed_applied_deltas")
    op.drop_table("fed_applied_deltas")
