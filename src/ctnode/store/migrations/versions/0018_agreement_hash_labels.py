"""the hash labels an agreement lets out (issue 16)

Revision ID: 0018_agreement_hash_labels
Revises: 0007_copy_fields
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_agreement_hash_labels"
down_revision = "0007_copy_fields"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Labels a hash must carry to be sent under the agreement; NULL (every older one): all.
    op.add_column("fed_agreements", sa.Column("hash_labels", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fed_agreements") as batch:
        batch.drop_column("hash_labels")
