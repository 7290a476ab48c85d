"""The SQL store of threat intelligence, on SQLite and PostgreSQL: its TAXII selection is the
naive reference's (``select_records``) page by page, adding is idempotent per version,
deleting picks versions, and watchlist links follow an object's newest version."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from bench.intel.generate import generate
from sqlalchemy import create_engine, inspect, text

from ctnode.intel.taxii import protocol
from ctnode.intel.taxii.collection import ObjectRecord, select_records
from ctnode.intel.taxii.query import Cursor, ObjectQuery, VersionMatch
from ctnode.intel.taxii.resources import Collection
from ctnode.model.tlp import TLP
from ctnode.store.migrate import alembic_config
from ctnode.store.schema_intel import intel_links
from ctnode.store.sql import SqlStore
from tests.intel.test_taxii import _random_query, _random_records

FIXTURES = Path(__file__).parents[1] / "intel" / "fixtures"
T0 = datetime(2026, 3, 1, tzinfo=UTC)
EVERYTHING = ObjectQuery(limit=100_000, versions=VersionMatch(last=False, all=True),
                         spec_versions=frozenset({"2.0", "2.1"}))


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    s = SqlStore(store_url)
    with s.begin() as conn:
        s.intel.add_collection(conn, {"id": "c1", "title": "Test", "description": None,
                                      "alias": "test", "writable": True, "created_at": T0,
                                      "created_by": "test"})
    yield s
    s.close()


def _add(store: SqlStore, objects: list[dict[str, Any]], when: datetime) -> list[Any]:
    with store.begin() as conn:
        return store.intel.add_objects(conn, "c1", objects, when, source="test", actor="test",
                                       default_tlp=TLP.AMBER_STRICT)


def _all(store: SqlStore) -> list[ObjectRecord]:
    return store.intel.select("c1", EVERYTHING).records


def test_sql_selection_matches_the_naive_reference_page_by_page(store: SqlStore) -> None:
    rng = random.Random(17)
    for when, group in groupby(_random_records(rng, 150), key=lambda pair: pair[1]):
        _add(store, [obj for obj, _ in group], when)
    records = _all(store)
    assert len(records) > 200 and [r.key for r in records] == sorted(r.key for r in records)
    for _ in range(120):
        query = _random_query(rng, records)
        for _page in range(3):
            got = store.intel.select("c1", query)
            want = select_records(records, query)
            assert [r.seq for r in got.records] == [r.seq for r in want.records], query
            assert (got.more, got.next) == (want.more, want.next)
            if not got.more:
                break
            query = replace(query, next=Cursor.decode(got.next or ""))


def test_the_same_version_is_kept_once_and_date_added_never_goes_back(store: SqlStore) -> None:
    bundle = json.loads((FIXTURES / "ct-bundle.json").read_text())
    first = _add(store, bundle["objects"], T0)
    assert all(o.added and o.message is None for o in first)
    again = _add(store, bundle["objects"][:3], T0 - timedelta(days=1))
    assert [o.message for o in again] == ["already present"] * 3
    assert len(_all(store)) == len(bundle["objects"])
    malware = next(o for o in bundle["objects"] if o["type"] == "malware")
    newer = {**malware, "modified": "2027-01-01T00:00:00.000Z"}
    _add(store, [newer], T0 - timedelta(days=5))  # earlier clock: still after the latest
    last = _all(store)[-1]
    assert last.id == malware["id"] and last.date_added == T0
    assert store.intel.count_objects() == {"c1": len(bundle["objects"]) + 1}


def test_delete_picks_versions_and_links_follow_the_newest_version(store: SqlStore) -> None:
    actor = {
        "type": "threat-actor", "spec_version": "2.1",
        "id": "threat-actor--6a1f8b4e-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "name": "Example Front",
        "external_references": [{"source_name": "un-sc-consolidated-list",
                                  "external_id": "QDe.115"}],
    }
    _add(store, [actor], T0)
    assert [r["entity_id"] for r in store.intel.links(object_id=actor["id"])] == ["un_sc-QDe.115"]
    moved = {**actor, "modified": "2026-02-01T00:00:00.000Z",
             "external_references": [{"source_name": "un-sc-consolidated-list",
                                      "external_id": "QDe.004"}]}
    _add(store, [moved], T0 + timedelta(hours=1))
    assert [r["entity_id"] for r in store.intel.links(object_id=actor["id"])] == ["un_sc-QDe.004"]
    assert store.intel.links(entity_id="un_sc-QDe.115") == []
    last_only = ObjectQuery(versions=VersionMatch(last=True))
    with store.begin() as conn:
        assert store.intel.delete_object(conn, "c1", actor["id"], last_only) == 1
    assert [r["entity_id"] for r in store.intel.links(object_id=actor["id"])] == ["un_sc-QDe.115"]
    with store.begin() as conn:
        assert store.intel.delete_object(conn, "c1", actor["id"]) == 1
    assert _all(store) == [] and store.intel.links() == []


def test_the_default_query_newest_versions_matches_the_reference(store: SqlStore) -> None:
    # the default TAXII query (newest spec version, then the last version) runs as one
    # NOT EXISTS; held to the reference with mixed spec versions and TLP levels per version
    rng = random.Random(71)
    for when, group in groupby(_random_records(rng, 150), key=lambda pair: pair[1]):
        _add(store, [obj for obj, _ in group], when)
    records = _all(store)
    assert {r.spec_version for r in records} == {"2.0", "2.1"}
    withheld = frozenset({TLP.CLEAR, TLP.GREEN, TLP.AMBER})
    for levels in (None, withheld):
        for types in (frozenset(), frozenset({"indicator", "malware"})):
            query = ObjectQuery(limit=7, tlp_levels=levels, types=types)
            pages = 0
            while True:
                got = store.intel.select("c1", query)
                want = select_records(records, query)
                assert [r.seq for r in got.records] == [r.seq for r in want.records]
                assert (got.more, got.next) == (want.more, want.next)
                pages += 1
                if not got.more:
                    break
                query = replace(query, next=Cursor.decode(got.next or ""))
            assert pages >= 3


def test_a_page_serves_the_stored_text_and_reads_it_as_the_object(store: SqlStore) -> None:
    bundle = json.loads((FIXTURES / "ct-bundle.json").read_text())
    _add(store, bundle["objects"], T0)
    page = store.intel.select("c1", ObjectQuery(limit=1000))
    by_id = {o["id"]: o for o in bundle["objects"]}
    assert len(page.records) == len(by_id)
    for record in page.records:
        assert dict(record.obj) == by_id[record.id]  # decoded on first read
        assert record.obj.get("type") == record.type
        assert record.date_added == T0 and record.date_added.tzinfo is not None
    # the envelope carries each stored text unchanged (no decode and re-encode)
    req = protocol.TaxiiRequest(Collection("c1", "Test", can_read=True, can_write=False),
                                {"limit": "1000"})
    body = json.loads(protocol.get_objects(store.intel, req).json_bytes())
    assert sorted(body["objects"], key=lambda o: o["id"]) == sorted(by_id.values(),
                                                                    key=lambda o: o["id"])


def test_a_large_add_leaves_the_planner_statistics(store: SqlStore) -> None:
    # PostgreSQL without statistics (a table just filled by COPY) guessed two rows and
    # answered a page of a 100,000-object collection by reading all of it (3 s, not 80 ms)
    objects = generate(1200)
    _add(store, objects[:100], T0)  # small: no statistics yet
    if store.db.dialect == "postgresql":
        assert _reltuples(store) < 0  # never analysed
    _add(store, objects[100:], T0 + timedelta(seconds=1))
    if store.db.dialect == "postgresql":
        assert _reltuples(store) >= 1000
    assert len(_all(store)) == 1205


def _reltuples(store: SqlStore) -> float:
    with store.db.engine.connect() as conn:
        return float(conn.execute(text(
            "SELECT reltuples FROM pg_class WHERE relname = 'intel_objects'")).scalar_one())


def _widths(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        return {c["name"]: c["type"].length for c in inspect(engine).get_columns("intel_links")
                if c["name"] in ("entity_id", "reference")}
    finally:
        engine.dispose()


def test_links_name_records_with_ids_as_wide_as_every_other_entity_id(store: SqlStore,
                                                                      store_url: str) -> None:
    """Migration 0021_intel_link_ids: a link's entity id is 255 characters wide (a copy's
    record is ``<publisher>:<id>``) and its reference 128 (``entities.reference``); the
    downgrade refuses while a longer one is held."""
    assert _widths(store_url) == {"entity_id": 255, "reference": 128}
    dataset, reference = "n" * 64, "R" * 128  # the widest a reference can name: 193 characters
    actor = {
        "type": "threat-actor", "spec_version": "2.1",
        "id": "threat-actor--7b2e9c5f-3d4e-4f6a-9b0c-1d2e3f4a5b6c",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "name": "Wide Front",
        "external_references": [{"source_name": f"ctnode-list:{dataset}",
                                  "external_id": reference}],
    }
    _add(store, [actor], T0)
    [link] = store.intel.links(entity_id=f"{dataset}-{reference}")
    assert (link["object_id"], link["reference"]) == (actor["id"], reference)
    renamed = f"{'p' * 61}:{dataset}-{reference}"  # as 0020_publisher_ids names a copy's
    assert len(renamed) == 255
    with store.begin() as conn:
        conn.execute(intel_links.update().values(entity_id=renamed))
    assert [r["object_id"] for r in store.intel.links(entity_id=renamed)] == [actor["id"]]
    # the downgrade refuses while it would cut a link; once gone, it narrows, and back
    cfg = alembic_config(create_engine(store_url))
    with pytest.raises(RuntimeError, match=r"1 intel_links row\(s\) whose entity_id has more "
                                           r"than 128 characters"):
        command.downgrade(cfg, "0018_intel_sharing")
    with store.begin() as conn:
        conn.execute(intel_links.delete())
    command.downgrade(cfg, "0018_intel_sharing")
    assert _widths(store_url) == {"entity_id": 128, "reference": 64}
    command.upgrade(cfg, "heads")
    assert _widths(store_url) == {"entity_id": 255, "reference": 128}
    cfg.attributes["engine"].dispose()
