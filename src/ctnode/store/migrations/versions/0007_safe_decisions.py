"""revocable decisions; identified screenings; the format each list was imported from

Revision ID: 0007_safe_decisions
Revises: 0001_core
Create Date: 2026-12-05 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_safe_decisions"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An analyst's decision can be revoked (audited): it then suppresses nothing.
    op.add_column("decisions", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("decisions", sa.Column("revoked_by", sa.String(128), nullable=True))
    op.add_column("decisions", sa.Column("revoke_reason", sa.Text(), nullable=True))
    # The format a list came from; an import of another format into it is refused. NULL for
    # lists imported before this revision (their format is not checked).
    op.add_column("datasets", sa.Column("kind", sa.String(32), nullable=True))
    # Whether a screened subject was identified beyond the name (only then may a false
    # positive on it suppress a hit); NULL for screenings made before this revision.
    op.add_column("screenings", sa.Column("identified", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.drop_column("identified")
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("revoke_reason")
        batch.drop_column("revoked_by")
        batch.drop_column("revoked_at")
