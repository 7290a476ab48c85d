"""intelligence links as wide as the records they name (issue 17): ``intel_links.entity_id``
255 characters (every other entity-id column is; copies of a peer's list are named
``<publisher>:<id>``, revision 0020_publisher_ids), ``intel_links.reference`` 128 (as
``entities.reference``)

Revision ID: 0021_intel_link_ids
Revises: 0018_intel_sharing
Create Date: 2026-12-06 04:40:00

PostgreSQL widens a ``varchar`` in place (no rewrite of the table); SQLite does not enforce
the length, and its table is rebuilt by Alembic's batch mode so the declared type says the
same. ``downgrade`` narrows them again, and refuses (naming how many rows) while any link
holds a longer value: narrowing would cut the id or fail half-way.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_intel_link_ids"
down_revision = "0018_intel_sharing"
branch_labels = None
depends_on = None

# (column, width before, width after)
WIDENED = (("entity_id", 128, 255), ("reference", 64, 128))


def upgrade() -> None:
    with op.batch_alter_table("intel_links") as batch:
        for column, before, after in WIDENED:
            batch.alter_column(column, existing_type=sa.String(before), type_=sa.String(after),
                               existing_nullable=False)


def downgrade() -> None:
    links = sa.table("intel_links", *(sa.column(c, sa.String()) for c, _, _ in WIDENED))
    conn = op.get_bind()
    for column, before, _ in WIDENED:
        longer = conn.execute(sa.select(sa.func.count()).select_from(links).where(
            sa.func.length(links.c[column]) > before)).scalar_one()
        if longer:
            raise RuntimeError(
                f"0021_intel_link_ids: {longer} intel_links row(s) whose {column} has more "
                f"than {before} characters; delete those objects (or their links) before "
                "downgrading")
    with op.batch_alter_table("intel_links") as batch:
        for column, before, after in WIDENED:
            batch.alter_column(column, existing_type=sa.String(after), type_=sa.String(before),
                               existing_nullable=False)
