"""The forensics store over a real store (SQLite and PostgreSQL): off by default (content is
never kept); enabled by an admin's setting, each kept item sealed with the node's data key,
listed and opened with an audit entry, and deleted by the node's scheduled job when its
retention ends."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, update

from ctnode.clock import utcnow
from ctnode.errors import Forbidden, InvalidInput, NotFound
from ctnode.model.access import SYSTEM
from ctnode.node import Node
from ctnode.settings import Settings
from ctnode.store import schema_hashes as tables
from tests.conftest import ADMIN, ANALYST
from tests.hashes.conftest import picture


def _png(seed: int) -> bytes:
    buf = io.BytesIO()
    picture(seed).save(buf, "PNG")
    return buf.getvalue()


def events(node: Node, prefix: str) -> list[str]:
    return [e.event for e in node.audit.entries() if e.event.startswith(prefix)]


@pytest.fixture
def kept_node(store_url: str, tmp_path: Path) -> Iterator[Node]:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=store_url, mode="development",
        hash_forensics_days=30,
    )
    node = Node(settings)
    yield node
    node.close()


def test_content_is_never_kept_while_the_store_is_off(empty_node: Node) -> None:
    data = _png(3)
    done = empty_node.hashes.matching.hash_bytes(ADMIN, data, "still.png")
    with pytest.raises(InvalidInput, match="forensics store is off"):
        empty_node.hashes.forensics.keep(ADMIN, data, done, "case 7")
    assert empty_node.hashes.forensics.list(ADMIN) == []
    assert "hashes.forensics.keep" not in events(empty_node, "hashes.forensics")


def test_kept_content_is_sealed_audited_and_purged_when_it_expires(kept_node: Node) -> None:
    node = kept_node
    data = _png(4)
    done = node.hashes.matching.hash_bytes(ADMIN, data, "still.png")
    with pytest.raises(Forbidden):
        node.hashes.forensics.keep(ANALYST, data, done, "case 7")
    with pytest.raises(InvalidInput, match="reason"):
        node.hashes.forensics.keep(ADMIN, data, done, "  ")
    item = node.hashes.forensics.keep(ADMIN, data, done, "case 7: evidence for the prosecutor")
    assert item["sha256"] == done.sha256 and item["size"] == len(data)
    assert "sealed" not in item
    # sealed at rest: the stored bytes are not the content, and do not contain it
    engine = create_engine(node.settings.store_url)
    f = tables.hash_forensics
    try:
        with engine.connect() as conn:
            sealed = conn.execute(select(f.c.sealed).where(f.c.id == item["id"])).scalar_one()
        assert data[:64] not in bytes(sealed) and len(sealed) > len(data)
        [listed] = node.hashes.forensics.list(ADMIN)
        assert listed["id"] == item["id"] and "sealed" not in listed
        with pytest.raises(Forbidden):
            node.hashes.forensics.open(ANALYST, item["id"])
        meta, content = node.hashes.forensics.open(ADMIN, item["id"])
        assert content == data and meta["reason"].startswith("case 7")
        # nothing is due yet: the job deletes nothing
        assert node.jobs.run("hash-forensics", SYSTEM) == 0
        assert node.hashes.forensics.list(ADMIN)
        # the retention ends: the node's scheduled job deletes it
        with engine.begin() as conn:
            conn.execute(
                update(f).where(f.c.id == item["id"]).values(expires_at=utcnow() - timedelta(1))
            )
    finally:
        engine.dispose()
    assert node.jobs.run("hash-forensics", SYSTEM) == 1
    with pytest.raises(NotFound):
        node.hashes.forensics.open(ADMIN, item["id"])
    # the idle scheduled run wrote nothing; everything else is one entry each
    assert Counter(events(node, "hashes.forensics")) == {
        "hashes.forensics.keep": 1,
        "hashes.forensics.list": 2,
        "hashes.forensics.open": 1,
        "hashes.forensics.purge": 1,
    }
