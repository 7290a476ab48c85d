"""publisher ids (issue 13): the records of a peer's list held here as a copy are named
``<publisher node id>:<its id>``; every row that names them follows

Revision ID: 0020_publisher_ids
Revises: 0019_fed_restrictions
Create Date: 2026-12-06 01:00:00

A copy is a list whose ``datasets.source`` is ``peer:<node id>``. For each, in one
transaction per list: its entities are re-inserted under the new id (values and history
follow), then every table naming an entity id is pointed at the new one (statements,
entity events, decisions, the review queue's hits, monitoring hits and alerts, biometric
rows, federation hit references, disclosures and restrictions, intelligence links), then
the old rows go. The audit log is never rewritten (its hash chain is the point of it): its
entries keep the ids they were written with. Two entity events per record tell every name
index that follows the store's change marks to drop the old id and take the new one.

Locally held lists (the UN list, national lists) keep their ids. ``downgrade`` names the
records of copies by their publisher's ids again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0020_publisher_ids"
down_revision = "0019_fed_restrictions"
branch_labels = None
# Its own head, on the federation branch; other areas' tables naming entity ids (monitoring,
# biometrics, intelligence) may come later on a fresh store (branches run in any order):
# a table not there yet holds nothing to rename and is skipped.
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

MAX_ID = 255  # entities.id
CHUNK = 400

# (table, column) naming an entity id, besides entities.id itself
REFERENCES = (
    ("statements", "entity_id"),
    ("entity_events", "entity_id"),
    ("decisions", "entity_id"),
    ("watch_hits", "entity_id"),
    ("watch_alerts", "entity_id"),
    ("biometric_transactions", "entity_id"),
    ("biometric_samples", "entity_id"),
    ("biometric_templates", "entity_id"),
    ("biometric_hits", "entity_id"),
    ("fed_hit_refs", "entity_id"),
    ("fed_disclosures", "entity_id"),
    ("fed_restrictions", "entity_id"),
    ("intel_links", "entity_id"),
)
ENTITY_COLUMNS = ("id", "dataset", "schema", "reference", "caption", "status", "fingerprint",
                  "first_seen", "last_seen", "delisted_at")


TYPES: dict[str, Any] = {"at": sa.DateTime(timezone=True), "detail": sa.JSON(),
                         "hits": sa.JSON()}


def _table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c, TYPES.get(c)) for c in columns))


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]


def _rename(conn: sa.Connection, dataset: str, renamed: Callable[[str], str | None],
            existing: set[str], references: list[tuple[str, str]]) -> dict[str, str]:
    """Give the records of ``dataset`` their new ids; returns old id -> new id."""
    entities = _table("entities", *ENTITY_COLUMNS)
    ids = sorted(conn.execute(sa.select(entities.c.id).where(
        entities.c.dataset == dataset)).scalars().all())
    mapping: dict[str, str] = {}
    for old in ids:
        new = renamed(old)
        if new is None or new == old:
            continue
        if len(new) > MAX_ID or new in existing:
            log.warning("0020_publisher_ids: record %r of list %r keeps its id (%s)", old,
                        dataset, "too long" if len(new) > MAX_ID else f"{new!r} is taken")
            continue
        mapping[old] = new
    if not mapping:
        return mapping
    old_ids = sorted(mapping)
    for chunk in _chunks(old_ids):
        rows = conn.execute(sa.select(*(entities.c[c] for c in ENTITY_COLUMNS)).where(
            entities.c.id.in_(chunk))).mappings().all()
        conn.execute(entities.insert(), [{**dict(r), "id": mapping[r["id"]]} for r in rows])
        for table, column in references:
            t = _table(table, column)
            conn.execute(sa.update(t).where(t.c[column].in_(chunk)).values(
                {column: sa.case({o: mapping[o] for o in chunk}, value=t.c[column])}))
        conn.execute(sa.delete(entities).where(entities.c.id.in_(chunk)))
    # the name index follows entity events: the old id is gone, the new one is there
    now = datetime.now(UTC)
    events = _table("entity_events", "entity_id", "at", "kind", "import_id", "detail")
    for chunk in _chunks(old_ids):
        conn.execute(events.insert(), [
            row for old in chunk for row in (
                {"entity_id": old, "at": now, "kind": "removed", "import_id": None,
                 "detail": {"renamed_to": mapping[old], "by": revision}},
                {"entity_id": mapping[old], "at": now, "kind": "renamed", "import_id": None,
                 "detail": {"from": old, "by": revision}})])
    return mapping


def _rewrite_hits(conn: sa.Connection, mapping: dict[str, str]) -> None:
    """The review queue's screenings keep their hits as JSON: ``[{entity_id, ...}]``."""
    screenings = _table("screenings", "id", "hits")
    rows = conn.execute(sa.select(screenings.c.id, screenings.c.hits)).all()
    for sid, raw in rows:
        hits: Any = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(hits, list):
            continue
        changed = False
        for h in hits:
            if isinstance(h, dict) and h.get("entity_id") in mapping:
                h["entity_id"] = mapping[h["entity_id"]]
                changed = True
        if changed:
            conn.execute(sa.update(screenings).where(screenings.c.id == sid).values(hits=hits))


def _migrate(direction: str) -> None:
    conn = op.get_bind()
    datasets = _table("datasets", "name", "source")
    copies = [(name, str(source)[5:]) for name, source in conn.execute(
        sa.select(datasets.c.name, datasets.c.source)).all()
        if str(source or "").startswith("peer:")]
    if not copies:
        return
    entities = _table("entities", "id")
    existing = set(conn.execute(sa.select(entities.c.id)).scalars().all())
    present = set(sa.inspect(conn).get_table_names())
    references = [(t, c) for t, c in REFERENCES if t in present]
    mapping: dict[str, str] = {}
    for name, publisher in copies:
        prefix = f"{publisher}:"

        def renamed(old: str, prefix: str = prefix) -> str | None:
            if direction == "up":
                return prefix + old
            return old[len(prefix):] if old.startswith(prefix) else None

        mapping.update(_rename(conn, name, renamed, existing, references))
    if mapping:
        _rewrite_hits(conn, mapping)


def upgrade() -> None:
    _migrate("up")


def downgrade() -> None:
    _migrate("down")
