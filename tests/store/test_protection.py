"""A protected store (issue 13 item 6): owner-only folder and files checked at every start,
keys outside the data folder, no copy of deleted data in the WAL or free pages, access logs
without query strings."""

from __future__ import annotations

import logging
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from ctnode.cli.server import StripQueryString, access_log_config
from ctnode.clock import utcnow
from ctnode.model.access import Actor
from ctnode.node import Node
from ctnode.settings import Settings

ADMIN = Actor(name="test-admin", role="admin")


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_folder_and_sqlite_files_are_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    node = Node(Settings(data_dir=data, mode="development", database_url=""))
    try:
        node.access.create_key(ADMIN, name="k", role="admin")  # a write: WAL and SHM exist
        db = data / "ctnode.db"
        assert mode(data) == 0o700
        for f in (db, db.with_name("ctnode.db-wal"), db.with_name("ctnode.db-shm")):
            assert f.exists() and mode(f) == 0o600, (f, oct(mode(f)))
        assert any("was 755, now 700" in t for t in node.tightened)
    finally:
        node.close()
    # loosened behind the node's back: tightened again at the next start, and said so
    db.chmod(0o644)
    data.chmod(0o755)
    node = Node(Settings(data_dir=data, mode="development", database_url=""))
    try:
        assert mode(db) == 0o600 and mode(data) == 0o700
        assert {t.split(" ")[0] for t in node.tightened} >= {str(data), "ctnode.db"}
    finally:
        node.close()


def test_keys_can_live_outside_the_data_folder(tmp_path: Path) -> None:
    data, keys = tmp_path / "data", tmp_path / "keys"
    node = Node(Settings(data_dir=data, keys_dir=keys, mode="development", database_url=""))
    try:
        node.federation.directory.init(
            ADMIN, node_id="key-test", organisation="K", country="FR",
            contact="k@k.invalid", endpoint="http://127.0.0.1:9",
        )
        assert (keys / "audit-hash.key").exists() and (keys / "federation" / "node.key").exists()
        assert mode(keys) == 0o700
        assert not list(data.rglob("*.key")), "a copy of the data folder carries no key"
    finally:
        node.close()


def test_deleted_messages_leave_no_copy_in_wal_or_free_pages(tmp_path: Path) -> None:
    data = tmp_path / "data"
    node = Node(Settings(data_dir=data, mode="development", database_url=""))
    marker = b"QXZ-PASSENGER-MARKER-4711"
    try:
        with node.store.db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        node.retention.record(kind="manifest", fmt="PAXLST", raw=b"UNH+1+PAXLST'" + marker * 50,
                              actor="t", source="cli", summary={},
                              now=utcnow() - timedelta(days=400))
        files = [data / "ctnode.db", data / "ctnode.db-wal"]
        assert any(marker in f.read_bytes() for f in files if f.exists())
        assert node.retention.run(ADMIN).deleted == 1
        for f in files:
            if f.exists():
                assert marker not in f.read_bytes(), f"{f.name} still holds the deleted message"
    finally:
        node.close()


def test_access_log_has_no_query_strings() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/search?q=Ali+Hassan", "1.1", 200), None)
    assert StripQueryString().filter(record)
    assert "Hassan" not in record.getMessage() and "/search?" in record.getMessage()
    config = access_log_config()
    assert config["handlers"]["access"]["filters"] == ["no_query"]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_vacuums_after_a_purge(empty_node: Node) -> None:
    """On PostgreSQL the purged rows are deleted and the tables vacuumed at once (the dead
    row versions do not wait for autovacuum); encryption at rest there is the database's."""
    node = empty_node

    def stats() -> tuple[int, Any]:
        with node.store.db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
            row = conn.execute(text(
                "SELECT n_dead_tup, last_vacuum FROM pg_stat_user_tables "
                "WHERE relname = 'travel_messages'")).one()
            return int(row[0]), row[1]

    before = stats()[1]
    node.retention.record(kind="manifest", fmt="PAXLST", raw=b"UNH+1+PAXLST'" + b"X" * 500,
                          actor="t", source="cli", summary={},
                          now=utcnow() - timedelta(days=400))
    assert node.retention.run(ADMIN).deleted == 1
    dead, last_vacuum = stats()
    assert last_vacuum is not None and last_vacuum != before
    assert dead == 0
