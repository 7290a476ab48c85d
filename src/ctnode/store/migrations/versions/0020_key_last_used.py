"""when each API key was last used (issue 14: the admin page and ``ctnode keys list``)

Revision ID: 0020_key_last_used
Revises: 0007_key_scopes

Written at most once a minute per key (``services/access``), not on every request. Keys
made before this revision show "never" until their next use.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_key_last_used"
down_revision = "0007_key_scopes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_keys",
                  sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("last_used_at")
