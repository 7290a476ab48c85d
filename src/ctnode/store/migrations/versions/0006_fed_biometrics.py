"""biometric permission on sharing agreements

Revision ID: 0006_fed_biometrics
Revises: 0003_federation
Create Date: 2026-11-27 20:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_fed_biometrics"
down_revision = "0003_federation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Modalities a peer may probe with templates; NULL (every older agreement) means none.
    op.add_column("fed_agreements", sa.Column("biometrics", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fed_agreements") as batch:
        batch.drop_column("biometrics")
