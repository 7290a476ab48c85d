"""content-hash banks, hashes with provenance, match hits (issue 16)

Revision ID: 0016_hashes
Revises: 0001_core
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0016_hashes"
down_revision = "0001_core"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _columns(spec: str) -> list[sa.Column[Any]]:
    """Columns from compact ``name:type[?]`` words (``?``: nullable), in table order."""
    types: dict[str, Any] = {
        "s16": sa.String(16), "s32": sa.String(32), "s36": sa.String(36), "s64": sa.String(64),
        "s8": sa.String(8), "s128": sa.String(128), "text": sa.Text(), "int": sa.Integer(),
        "float": sa.Float(), "bool": sa.Boolean(), "json": sa.JSON(), "ts": TS,
    }
    out: list[sa.Column[Any]] = []
    for word in spec.split():
        name, _, kind = word.partition(":")
        out.append(sa.Column(name, types[kind.rstrip("?")], nullable=kind.endswith("?")))
    return out


def _cascade(table: str, column: str, target: str, key: str) -> sa.ForeignKeyConstraint:
    """A foreign key deleting with its target, named by the metadata's convention."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.{key}"], ondelete="CASCADE",
        name=op.f(f"fk_{table}_{column}_{target}"),
    )


def upgrade() -> None:
    op.create_table(
        "hash_banks",
        *_columns(
            "name:s64 enabled:bool kind:s16 pdq_threshold:int vpdq_query_match_percent:float "
            "vpdq_compared_match_percent:float description:text owner:s128 default_tlp:s16 "
            "created_at:ts created_by:s128 changed_at:ts"
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_hash_banks")),
    )
    op.create_table(
        "hash_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_columns(
            "record_id:s32 bank:s64 signal_type:s16 value:text labels:json tags:json tlp:s16 "
            "quality:int? status:s16 note:text source_kind:s8 source:text added_at:ts "
            "original_id:text source_format:s32 stored_at:ts changed_at:ts changed_by:s128 "
            "benign_matches:int"
        ),
        _cascade("hash_records", "bank", "hash_banks", "name"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_records")),
        sa.UniqueConstraint("record_id", name=op.f("uq_hash_records_record_id")),
    )
    op.create_index(op.f("ix_hash_records_bank"), "hash_records", ["bank"])
    op.create_index(op.f("ix_hash_records_changed_at"), "hash_records", ["changed_at"])
    op.create_table(
        "hash_hits",
        *_columns(
            "id:s36 record_key:int record_id:s32 bank:s64 query_signal:s16 query_hash:text "
            "distance:int threshold:int variant:s32 explanation:text actor:s128 at:ts "
            "decision:s32? comment:text? decided_by:s128? decided_at:ts?"
        ),
        _cascade("hash_hits", "record_key", "hash_records", "id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_hits")),
    )
    op.create_index(op.f("ix_hash_hits_record_key"), "hash_hits", ["record_key"])
    op.create_index("ix_hash_hits_decision_at", "hash_hits", ["decision", "at"])


def downgrade() -> None:
    op.drop_table("hash_hits")
    op.drop_table("hash_records")
    op.drop_table("hash_banks")
