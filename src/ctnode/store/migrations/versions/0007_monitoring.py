"""monitoring: watched subjects, their hits, alerts to owners

Revision ID: 0007_monitoring
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_monitoring"
down_revision = "0001_core"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "watch_subjects",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("schema", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("case_ref", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("reminded_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_subjects")),
        sa.UniqueConstraint("seq", name=op.f("uq_watch_subjects_seq")),
    )
    op.create_index(op.f("ix_watch_subjects_subject_key"), "watch_subjects", ["subject_key"])
    op.create_index(op.f("ix_watch_subjects_owner"), "watch_subjects", ["owner"])
    op.create_index(op.f("ix_watch_subjects_expires_at"), "watch_subjects", ["expires_at"])
    op.create_table(
        "watch_hits",
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("band", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["subject_id"], ["watch_subjects.id"], ondelete="CASCADE",
                                name=op.f("fk_watch_hits_subject_id_watch_subjects")),
        sa.PrimaryKeyConstraint("subject_id", "entity_id", name=op.f("pk_watch_hits")),
    )
    op.create_index("ix_watch_hits_entity_id", "watch_hits", ["entity_id"])
    op.create_table(
        "watch_alerts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=True),
        sa.Column("band", sa.String(length=16), nullable=True),
        sa.Column("previous_band", sa.String(length=16), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("screening_id", sa.String(length=36), nullable=True),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("read_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_alerts")),
    )
    op.create_index(op.f("ix_watch_alerts_subject_id"), "watch_alerts", ["subject_id"])
    op.create_index(op.f("ix_watch_alerts_owner"), "watch_alerts", ["owner"])
    op.create_index(op.f("ix_watch_alerts_at"), "watch_alerts", ["at"])


def downgrade() -> None:
    op.drop_table("watch_alerts")
    op.drop_table("watch_hits")
    op.drop_table("watch_subjects")
