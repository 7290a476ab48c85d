"""The schema stamp: a store whose ``alembic_version`` names every head of the code's
migrations is not migrated again (Alembic is not even loaded); any other store is."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import create_engine, text

from ctnode.store.database import Database, migration_heads
from ctnode.store.migrate import current_heads


def test_heads_read_from_the_files_are_alembics() -> None:
    assert migration_heads() == current_heads()


def test_a_current_store_is_not_migrated_again(store_url: str) -> None:
    db = Database(store_url)
    try:
        assert db.schema_current()
    finally:
        db.close()
    code = textwrap.dedent(f"""
        import sys
        from ctnode.store.database import Database
        db = Database({store_url!r})
        db.upgrade()
        db.close()
        print("alembic" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_a_new_or_older_store_is_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    db = Database(url)
    assert not db.schema_current()  # no stamp table at all
    db.upgrade()
    assert db.schema_current()
    head = sorted(migration_heads())[0]
    with db.engine.begin() as conn:  # an older store: one branch behind
        conn.execute(text("DELETE FROM alembic_version WHERE version_num = :v"), {"v": head})
    assert not db.schema_current()
    db.close()
    engine = create_engine(url)
    engine.dispose()
