"""Alembic environment: the engine comes from ``ctnode.store.migrate`` (never from a file)."""

from __future__ import annotations

from alembic import context

from ctnode.store.migrate import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
