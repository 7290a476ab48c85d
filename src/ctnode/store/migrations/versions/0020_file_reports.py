"""the console's file reports kept in the store, sealed, with their own retention (issue 14)

Revision ID: 0020_file_reports
Revises: 0018_console_totp

Before this revision a file's report lived in the server's memory only: there is nothing to
carry over.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_file_reports"
down_revision = "0018_console_totp"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_file_reports",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("to_review", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(32), nullable=True),
        sa.Column("error_status", sa.Integer(), nullable=False),
        sa.Column("report_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_console_file_reports_owner", "console_file_reports", ["owner"])
    op.create_index("ix_console_file_reports_expires_at", "console_file_reports",
                    ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_console_file_reports_expires_at", table_name="console_file_reports")
    op.drop_index("ix_console_file_reports_owner", table_name="console_file_reports")
    op.drop_table("console_file_reports")
