"""federation tables

Revision ID: 0003_federation
Revises: 0001_core
Create Date: 2026-11-27 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_federation"
down_revision = "0001_core"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fed_peers",
        sa.Column("node_id", sa.String(length=128), nullable=False),
        sa.Column("organisation", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("descriptor", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("added_at", TS, nullable=False),
        sa.Column("added_by", sa.String(length=128), nullable=False),
        sa.Column("removed_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("node_id", name=op.f("pk_fed_peers")),
    )
    op.create_table(
        "fed_agreements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("peer_id", sa.String(length=128), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("lists", sa.JSON(), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("rate_per_minute", sa.Integer(), nullable=False),
        sa.Column("max_disclosure", sa.String(length=16), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("subscribed", sa.Boolean(), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_agreements")),
    )
    op.create_index(op.f("ix_fed_agreements_peer_id"), "fed_agreements", ["peer_id"], unique=False)
    op.create_table(
        "fed_nonces",
        sa.Column("sender", sa.String(length=128), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("msg_type", sa.String(length=64), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("sender", "nonce", name=op.f("pk_fed_nonces")),
    )
    op.create_index(op.f("ix_fed_nonces_received_at"), "fed_nonces", ["received_at"], unique=False)
    op.create_table(
        "fed_hit_refs",
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("peer_id", sa.String(length=128), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("band", sa.String(length=16), nullable=False),
        sa.Column("query_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_fed_hit_refs")),
    )
    op.create_index(op.f("ix_fed_hit_refs_peer_id"), "fed_hit_refs", ["peer_id"], unique=False)
    op.create_table(
        "fed_disclosures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("peer_id", sa.String(length=128), nullable=False),
        sa.Column("remote_id", sa.String(length=36), nullable=True),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("case_ref", sa.Text(), nullable=True),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("expires_at", TS, nullable=True),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_disclosures")),
    )
    op.create_index(
        op.f("ix_fed_disclosures_peer_id"), "fed_disclosures", ["peer_id"], unique=False
    )
    op.create_table(
        "fed_deltas",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=128), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_deltas")),
    )
    op.create_table(
        "fed_receipts",
        sa.Column("delta_id", sa.String(length=36), nullable=False),
        sa.Column("peer_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("receipt", sa.JSON(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("delta_id", "peer_id", name=op.f("pk_fed_receipts")),
    )
    op.create_table(
        "fed_alerts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("peer_id", sa.String(length=128), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("read_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_alerts")),
    )
    op.create_index(op.f("ix_fed_alerts_at"), "fed_alerts", ["at"], unique=False)
    op.create_table(
        "fed_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("node_id", sa.String(length=128), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_checkpoints")),
    )
    op.create_index(
        op.f("ix_fed_checkpoints_node_id"), "fed_checkpoints", ["node_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_fed_checkpoints_node_id"), table_name="fed_checkpoints")
    op.drop_table("fed_checkpoints")
    op.drop_index(op.f("ix_fed_alerts_at"), table_name="fed_alerts")
    op.drop_table("fed_alerts")
    op.drop_table("fed_receipts")
    op.drop_table("fed_deltas")
    op.drop_index(op.f("ix_fed_disclosures_peer_id"), table_name="fed_disclosures")
    op.drop_table("fed_disclosures")
    op.drop_index(op.f("ix_fed_hit_refs_peer_id"), table_name="fed_hit_refs")
    op.drop_table("fed_hit_refs")
    op.drop_index(op.f("ix_fed_nonces_received_at"), table_name="fed_nonces")
    op.drop_table("fed_nonces")
    op.drop_index(op.f("ix_fed_agreements_peer_id"), table_name="fed_agreements")
    op.drop_table("fed_agreements")
    op.drop_table("fed_peers")
