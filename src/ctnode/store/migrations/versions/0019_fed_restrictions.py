"""record restrictions (issue 13): records of a published list kept from copies (query only)

Revision ID: 0019_fed_restrictions
Revises: 0018_fed_security
Create Date: 2026-12-05 23:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_fed_restrictions"
down_revision = "0018_fed_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fed_restrictions",
        sa.Column("entity_id", sa.String(255), primary_key=True),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("restricted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restricted_by", sa.String(128), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("fed_restrictions")
