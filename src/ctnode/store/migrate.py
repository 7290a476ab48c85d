"""Alembic migrations, run programmatically (``ctnode db upgrade`` and at node start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData

from ctnode.store import (
    schema,
    schema_biometrics,
    schema_federation,
    schema_hashes,
    schema_intel,
    schema_library,
    schema_messages,
    schema_monitoring,
    schema_users,
)

MIGRATIONS = Path(__file__).parent / "migrations"
# Every area's tables, named here once: what the migrations must create.
SCHEMAS = (schema, schema_federation, schema_biometrics, schema_messages, schema_monitoring,
           schema_hashes, schema_intel, schema_library, schema_users)
metadata: MetaData = schema.metadata


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Upgrade the store to ``revision`` (every branch head by default)."""
    command.upgrade(alembic_config(engine), revision)


def current_heads() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    return set(script.get_heads())
