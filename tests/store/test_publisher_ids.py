"""Issue 13: the records of a peer's list held as a copy are named ``<publisher>:<id>``;
migration 0020_publisher_ids renames those a store already holds, with every row that names
them, on both backends, and the name index follows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import create_engine, select, text

from ctnode.model.access import Actor, Purpose
from ctnode.model.entities import Entity, Statement
from ctnode.model.lists import ParsedList, copy_id, publisher_id
from ctnode.model.screening import ScreenQuery
from ctnode.node import Node
from ctnode.settings import Settings
from ctnode.store import schema as tables
from ctnode.store.migrate import alembic_config, upgrade

ADMIN = Actor(name="test-admin", role="admin")
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _person(eid: str, dataset: str, name: str) -> Entity:
    e = Entity(id=eid, schema="Person", dataset=dataset, reference=eid.upper())
    e.statements.append(Statement(prop="name", value=name, original=name, dataset=dataset))
    return e


def test_copy_ids_read_well_and_go_back() -> None:
    assert copy_id("fr-uclat", "fx-001") == "fr-uclat:fx-001"
    assert publisher_id("fr-uclat", "fr-uclat:fx-001") == "fx-001"
    # an id of the publisher that holds a colon itself survives the round trip
    assert publisher_id("fr-uclat", copy_id("fr-uclat", "a:b")) == "a:b"
    assert publisher_id("fr-uclat", "QDi.001") == "QDi.001"


def _legacy_store(node: Node) -> None:
    """What a store held before 0020: a copy of node-a's list under node-a's own ids, next
    to a local list, with a screening, a decision, a watch hit, a hit reference, a
    restriction row and a disclosure naming the copy's record."""
    node.lists.import_list(ParsedList("nat", "National", "1", "nat.csv",
                                      [_person("nat-1", "nat", "Local Person")]), ADMIN)
    node.lists.import_list(ParsedList("fx", "fx (updates from node-a)", "1", "peer:node-a",
                                      [_person("fx-001", "fx", "Ingrid Haraldsdottir"),
                                       _person("fx-002", "fx", "Marisol Quintanilla")]), ADMIN)
    with node.store.engine.begin() as conn:
        hits = [{"entity_id": "fx-001", "score": 0.99, "band": "match"},
                {"entity_id": "nat-1", "score": 0.9, "band": "match"}]
        conn.execute(tables.screenings.insert().values(
            id="s-1", at=NOW, actor="a", source="api", subject_key="k" * 64,
            query_hash="q" * 64, hits=hits, reviewed=False))
        conn.execute(tables.decisions.insert().values(
            id="d-1", entity_id="fx-001", subject_key="k" * 64, screening_id="s-1",
            decision="confirmed", comment="", actor="a", at=NOW))
        conn.execute(text("insert into watch_subjects (id, seq, sealed, subject_key, schema, "
                          "owner, purpose, legal_basis, source, created_by, created_at, "
                          "expires_at) values ('w-1', 1, :b, :k, 'Person', 'a', 'p', 'l', "
                          "'api', 'a', :t, :t)"), {"b": b"x", "k": "k" * 64, "t": NOW})
        conn.execute(text("insert into watch_hits (subject_id, entity_id, band, score) "
                          "values ('w-1', 'fx-002', 'match', 0.95)"))
        conn.execute(text("insert into fed_hit_refs (ref, peer_id, entity_id, band, "
                          "query_hash, created_at, expires_at) values ('r_1', 'node-c', "
                          "'fx-001', 'match', :q, :t, :t)"), {"q": "q" * 64, "t": NOW})


def _screen(node: Node) -> list[str]:
    res = node.screening.screen(ScreenQuery(names=["Ingrid Haraldsdottir"], schema="Person"),
                                ADMIN, Purpose("investigation"))
    return [h.entity_id for h in res.hits]


def _select(node: Node, sql: str) -> list[Any]:
    with node.store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql)).all()]


def test_migration_renames_a_copy_and_everything_naming_it(store_url: str,
                                                           tmp_path: Path) -> None:
    # a store as it was before 0020 (migrated to every head but 0020, then filled)
    engine = create_engine(store_url)
    command.downgrade(alembic_config(engine), "0019_fed_restrictions")
    engine.dispose()
    settings = Settings(data_dir=tmp_path / "data", database_url=store_url, mode="development")
    node = Node(settings)
    try:
        # Node() upgraded again: undo 0020 (nothing held yet), fill, then upgrade
        command.downgrade(alembic_config(node.store.engine), "0019_fed_restrictions")
        _legacy_store(node)
        assert _screen(node)[0] == "fx-001"  # the index is built (and saved) here
        upgrade(node.store.engine)
    finally:
        node.close()
    node = Node(settings)
    try:
        ents = dict(_select(node, "select id, dataset from entities order by id"))
        assert ents == {"nat-1": "nat", "node-a:fx-001": "fx", "node-a:fx-002": "fx"}
        assert _select(node, "select distinct entity_id from statements order by entity_id") \
            == [("nat-1",), ("node-a:fx-001",), ("node-a:fx-002",)]
        assert _select(node, "select entity_id from decisions") == [("node-a:fx-001",)]
        assert _select(node, "select entity_id from watch_hits") == [("node-a:fx-002",)]
        assert _select(node, "select entity_id from fed_hit_refs") == [("node-a:fx-001",)]
        raw = _select(node, "select hits from screenings")[0][0]
        hits = json.loads(raw) if isinstance(raw, str) else raw
        assert [h["entity_id"] for h in hits] == ["node-a:fx-001", "nat-1"]
        # the record's history followed it; the old id's last event says where it went
        kinds = [e["kind"] for e in node.store.entities.entity_events("node-a:fx-001")]
        assert kinds == ["listed", "renamed"]
        gone = node.store.entities.entity_events("fx-001")
        assert [e["kind"] for e in gone] == ["removed"]
        assert gone[0]["detail"]["renamed_to"] == "node-a:fx-001"
        # the name index (persisted before the migration) follows: the new id, never the old
        found = _screen(node)
        assert found[:1] == ["node-a:fx-001"] and "fx-001" not in found
        assert node.store.entities.get_entity("node-a:fx-001").caption == "Ingrid Haraldsdottir"
        # the audit log is never rewritten
        with node.store.engine.connect() as conn:
            assert conn.execute(select(tables.audit_log.c.seq)).first() is not None
        assert node.audit.verify() > 0
        # downgrade names them by the publisher's ids again
        command.downgrade(alembic_config(node.store.engine), "0019_fed_restrictions")
        assert dict(_select(node, "select id, dataset from entities order by id")) == {
            "nat-1": "nat", "fx-001": "fx", "fx-002": "fx"}
        assert _select(node, "select entity_id from decisions") == [("fx-001",)]
    finally:
        node.close()
