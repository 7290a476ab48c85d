"""the bands and lists of a screening's hits, for the review queue's filters (issue 14)

Revision ID: 0021_review_filters
Revises: 0020_list_sources

``hit_bands`` and ``hit_lists`` hold the bands (``|match|possible|``) and the lists
(``|un-sc|ofac-sdn|``) of a review-queue row's hits, written with the row
(``store/review.add_screenings``), so the console filters the queue by band and by list in
SQL. Rows written before this revision are filled in here: their bands from their hits, their
lists from the listed records the hits name (a record since removed from the store names no
list).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0021_review_filters"
down_revision = "0020_list_sources"
branch_labels = None
depends_on = None


def _marks(values: set[str]) -> str | None:
    return "|" + "|".join(sorted(values)) + "|" if values else None


def upgrade() -> None:
    op.add_column("screenings", sa.Column("hit_bands", sa.String(64), nullable=True))
    op.add_column("screenings", sa.Column("hit_lists", sa.Text(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, hits FROM screenings")).fetchall()
    if not rows:
        return
    datasets: dict[str, str] = dict(conn.execute(sa.text("SELECT id, dataset FROM entities")).fetchall())
    for row in rows:
        hits: list[dict[str, Any]] = (json.loads(row.hits) if isinstance(row.hits, str)
                                      else row.hits) or []
        bands = {str(h["band"]) for h in hits if h.get("band")}
        lists = {str(h.get("list") or datasets.get(str(h.get("entity_id")), "")) for h in hits}
        conn.execute(sa.text("UPDATE screenings SET hit_bands = :b, hit_lists = :l "
                             "WHERE id = :id"),
                     {"b": _marks(bands), "l": _marks(lists - {""}), "id": row.id})


def downgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.drop_column("hit_lists")
        batch.drop_column("hit_bands")
