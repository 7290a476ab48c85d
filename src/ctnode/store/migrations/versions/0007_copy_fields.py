"""fields a subscribed peer receives as copies, separate from what it may query

Revision ID: 0007_copy_fields
Revises: 0006_fed_biometrics
Create Date: 2026-12-05 01:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_copy_fields"
down_revision = "0006_fed_biometrics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Properties copies carry under a subscription; NULL (every older agreement): names only.
    op.add_column("fed_agreements", sa.Column("copy_fields", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fed_agreements") as batch:
        batch.drop_column("copy_fields")
