"""biometric samples, templates, ANSI/NIST imports and hit references (encrypted at rest)

Revision ID: 0004_biometrics
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_biometrics"
down_revision = "0001_core"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "biometric_transactions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("tcn", sa.Text(), nullable=True),
        sa.Column("tot", sa.String(length=32), nullable=True),
        sa.Column("version", sa.String(length=8), nullable=True),
        sa.Column("origin", sa.Text(), nullable=True),
        sa.Column("file_digest", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("imported_at", TS, nullable=False),
        sa.Column("imported_by", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            ondelete="CASCADE",
            name=op.f("fk_biometric_transactions_entity_id_entities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_biometric_transactions")),
    )
    op.create_index(
        op.f("ix_biometric_transactions_entity_id"), "biometric_transactions", ["entity_id"]
    )
    op.create_table(
        "biometric_samples",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("capture_date", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("quality", sa.Float(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("image_format", sa.String(length=16), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("image_ct", sa.LargeBinary(), nullable=True),
        sa.Column("transaction_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("retain_until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            ondelete="CASCADE",
            name=op.f("fk_biometric_samples_entity_id_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["biometric_transactions.id"],
            ondelete="CASCADE",
            name=op.f("fk_biometric_samples_transaction_id_biometric_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_biometric_samples")),
    )
    op.create_index(op.f("ix_biometric_samples_entity_id"), "biometric_samples", ["entity_id"])
    op.create_index(
        op.f("ix_biometric_samples_retain_until"), "biometric_samples", ["retain_until"]
    )
    op.create_table(
        "biometric_templates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sample_id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("modality", sa.String(length=16), nullable=False),
        sa.Column("model_id", sa.String(length=128), nullable=False),
        sa.Column("engine", sa.String(length=128), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("template_ct", sa.LargeBinary(), nullable=False),
        sa.Column("retain_until", sa.Date(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["biometric_samples.id"],
            ondelete="CASCADE",
            name=op.f("fk_biometric_templates_sample_id_biometric_samples"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_biometric_templates")),
    )
    op.create_index(op.f("ix_biometric_templates_sample_id"), "biometric_templates", ["sample_id"])
    op.create_index(
        "ix_biometric_templates_model", "biometric_templates", ["modality", "model_id", "engine"]
    )
    op.create_table(
        "biometric_hits",
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("sample_id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("requester", sa.String(length=128), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("case_ref", sa.Text(), nullable=True),
        sa.Column("band", sa.String(length=16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["biometric_samples.id"],
            ondelete="CASCADE",
            name=op.f("fk_biometric_hits_sample_id_biometric_samples"),
        ),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_biometric_hits")),
    )


def downgrade() -> None:
    op.drop_table("biometric_hits")
    op.drop_index("ix_biometric_templates_model", table_name="biometric_templates")
    op.drop_index(op.f("ix_biometric_templates_sample_id"), table_name="biometric_templates")
    op.drop_table("biometric_templates")
    op.drop_index(op.f("ix_biometric_samples_retain_until"), table_name="biometric_samples")
    op.drop_index(op.f("ix_biometric_samples_entity_id"), table_name="biometric_samples")
    op.drop_table("biometric_samples")
    op.drop_index(op.f("ix_biometric_transactions_entity_id"), table_name="biometric_transactions")
    op.drop_table("biometric_transactions")
