"""threat intelligence: STIX objects in TAXII collections, watchlist links, POST status,
pull sources (issue 17)

Revision ID: 0007_intel
Revises: 0005_travel (a head when this was written; upgrades run every head)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_intel"
down_revision = "0005_travel"
branch_labels = None
depends_on = None



def upgrade() -> None:
    op.create_table(
        "intel_collections",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("alias", sa.String(64), nullable=True),
        sa.Column("writable", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intel_collections")),
        sa.UniqueConstraint("alias", name=op.f("uq_intel_collections_alias")),
    )
    op.create_table(
        "intel_objects",
        sa.Column("collection_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("object_id", sa.String(300), nullable=False),
        sa.Column("type", sa.String(250), nullable=False),
        sa.Column("spec_version", sa.String(8), nullable=False),
        sa.Column("version", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tlp", sa.String(16), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"], ["intel_collections.id"],
            name=op.f("fk_intel_objects_collection_id_intel_collections"),
        ),
        sa.PrimaryKeyConstraint("collection_id", "seq", name=op.f("pk_intel_objects")),
        sa.UniqueConstraint(
            "collection_id", "object_id", "version", "spec_version",
            name=op.f("uq_intel_objects_collection_id_object_id_version_spec_version"),
        ),
    )
    op.create_index("ix_intel_objects_added", "intel_objects",
                    ["collection_id", "date_added", "seq"])
    op.create_index("ix_intel_objects_type", "intel_objects",
                    ["collection_id", "type", "date_added", "seq"])
    op.create_index("ix_intel_objects_object", "intel_objects", ["collection_id", "object_id"])
    op.create_table(
        "intel_links",
        sa.Column("collection_id", sa.String(64), nullable=False),
        sa.Column("object_id", sa.String(300), nullable=False),
        sa.Column("entity_id", sa.String(128), nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(250), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["collection_id"], ["intel_collections.id"],
            name=op.f("fk_intel_links_collection_id_intel_collections"),
        ),
        sa.PrimaryKeyConstraint("collection_id", "object_id", "entity_id",
                                name=op.f("pk_intel_links")),
    )
    op.create_index("ix_intel_links_entity_id", "intel_links", ["entity_id"])
    op.create_table(
        "intel_status",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("collection_id", sa.String(64), nullable=False),
        sa.Column("request_timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("successes", sa.JSON(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intel_status")),
    )
    op.create_table(
        "intel_sources",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("collection_url", sa.Text(), nullable=False),
        sa.Column("collection_id", sa.String(64), nullable=False),
        sa.Column("types", sa.JSON(), nullable=False),
        sa.Column("user", sa.String(256), nullable=True),
        sa.Column("secret_env", sa.String(128), nullable=True),
        sa.Column("auth", sa.String(16), nullable=False),
        sa.Column("checkpoint", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_pull_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_result", sa.JSON(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"], ["intel_collections.id"],
            name=op.f("fk_intel_sources_collection_id_intel_collections"),
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_intel_sources")),
    )


def downgrade() -> None:
    op.drop_table("intel_sources")
    op.drop_table("intel_status")
    op.drop_index("ix_intel_links_entity_id", table_name="intel_links")
    op.drop_table("intel_links")
    for name in ("ix_intel_objects_object", "ix_intel_objects_type", "ix_intel_objects_added"):
        op.drop_index(name, table_name="intel_objects")
    op.drop_table("intel_objects")
    op.drop_table("intel_collections")
