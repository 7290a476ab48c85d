"""the most restrictive TLP level an agreement lets threat intelligence, the library and
hash banks carry to the peer

Revision ID: 0018_agreement_max_tlp
Revises: 0007_copy_fields
Create Date: 2026-12-05 22:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_agreement_max_tlp"
down_revision = "0007_copy_fields"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # clear | green | amber | amber+strict; NULL (every older agreement): no ceiling below TLP
    op.add_column("fed_agreements", sa.Column("max_tlp", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fed_agreements") as batch:
        batch.drop_column("max_tlp")
