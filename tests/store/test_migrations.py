"""The Alembic migrations create exactly the tables the code declares, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from ctnode.store.migrate import current_heads, metadata
from ctnode.store.schema_library import FTS_TABLES


def _declared(_obj: object, name: str | None, type_: str, _reflected: bool,
              _compare_to: object) -> bool:
    """SQLite's FTS5 table of the library (and its shadow tables) is made by the migration
    alone: SQLAlchemy cannot declare a virtual table."""
    return not (type_ == "table" and name in FTS_TABLES)


def test_migrations_match_the_declared_schema(store_url: str) -> None:
    engine = create_engine(store_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False, "include_object": _declared})
        diff = compare_metadata(ctx, metadata)
        heads = set(ctx.get_current_heads())
    engine.dispose()
    assert diff == [], f"migrations and schema differ: {diff}"
    assert heads == current_heads()
