"""separate biometric permissions on API keys

Revision ID: 0007_key_scopes
Revises: 0006_fed_biometrics
Create Date: 2026-12-05 01:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_key_scopes"
down_revision = "0006_fed_biometrics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The biometric permissions a key holds when it was made with only some of them
    # (enrol, search, view, export, delete); NULL: none, or all when ``biometric`` is true.
    op.add_column("api_keys", sa.Column("biometric_scopes", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("biometric_scopes")
