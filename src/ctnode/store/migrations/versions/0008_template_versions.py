"""a version counter per biometric model (the face index files are stamped with it)

Revision ID: 0008_template_versions
Revises: 0007_key_scopes
Create Date: 2026-12-05 01:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_template_versions"
down_revision = "0007_key_scopes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "biometric_template_versions",
        sa.Column("modality", sa.String(16), primary_key=True),
        sa.Column("model_id", sa.String(128), primary_key=True),
        sa.Column("engine", sa.String(128), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("biometric_template_versions")
