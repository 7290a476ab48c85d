"""the screened subject of a screening with hits, sealed for its reviewers (issue 14)

Revision ID: 0018_review_subjects
Revises: 0007_safe_decisions

Screenings made before this revision keep no subject (NULL): their review shows hashes only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_review_subjects"
down_revision = "0007_safe_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # sealed with the node's data key (a migration has none: nothing to seal here)
    op.add_column("screenings", sa.Column("subject_sealed", sa.LargeBinary(), nullable=True))
    op.add_column("screenings",
                  sa.Column("subject_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_screenings_subject_expires_at", "screenings", ["subject_expires_at"])


def downgrade() -> None:
    op.drop_index("ix_screenings_subject_expires_at", table_name="screenings")
    with op.batch_alter_table("screenings") as batch:
        batch.drop_column("subject_expires_at")
        batch.drop_column("subject_sealed")
