"""the publisher of each list, recorded at its first import (issue 10)

Revision ID: 0020_list_sources
Revises: 0018_review_subjects

A later import stating another publisher is refused (a second, unrelated list of the same
format would otherwise replace the one held). Lists imported before this revision have none
(NULL): the next import that states one records it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_list_sources"
down_revision = "0018_review_subjects"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("datasets", sa.Column("publisher", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("publisher")
