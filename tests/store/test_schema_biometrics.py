"""The biometric migrations (0004, 0008) create exactly the tables ``schema_biometrics`` declares."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from ctnode.node import Node
from ctnode.settings import Settings
from ctnode.store.migrate import metadata


def test_migration_matches_the_biometric_tables(tmp_path: Path) -> None:
    node = Node(Settings(data_dir=tmp_path, mode="development"))
    try:
        engine = create_engine(node.settings.store_url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        ours = {t.name for t in metadata.sorted_tables if t.name.startswith("biometric_")}
        assert len(ours) == 5
        assert [d for d in diff if any(name in repr(d) for name in ours)] == []
        engine.dispose()
    finally:
        node.close()
