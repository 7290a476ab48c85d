"""the console's TOTP secrets sealed with the node's data key (issue 14)

Revision ID: 0018_console_totp
Revises: 0017_console_users

A clear secret of before this revision stays in ``totp_secret`` until its owner next signs
in, when it is sealed into ``totp_sealed`` and cleared (a migration has no data key).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_console_totp"
down_revision = "0017_console_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("console_users", sa.Column("totp_sealed", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("console_users") as batch:
        batch.drop_column("totp_sealed")
