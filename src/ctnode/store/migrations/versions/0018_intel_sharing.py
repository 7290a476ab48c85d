"""who publishes a threat intelligence collection or a library document a peer shared; the
library's languages by index

Revision ID: 0018_intel_sharing
Revises: 0008_library
Create Date: 2026-12-05 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_intel_sharing"
down_revision = "0008_library"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The publishing peer's node id of a copy received under an agreement; NULL: this node's own.
    op.add_column("intel_collections", sa.Column("owner", sa.String(128), nullable=True))
    op.add_column("library_documents", sa.Column("owner", sa.String(128), nullable=True))
    # the languages present are read by one index probe each (a loose index scan)
    op.create_index("ix_library_texts_lang", "library_texts", ["lang"])


def downgrade() -> None:
    op.drop_index("ix_library_texts_lang", table_name="library_texts")
    for table in ("intel_collections", "library_documents"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("owner")
