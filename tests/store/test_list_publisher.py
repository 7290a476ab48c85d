"""A list belongs to its publisher (issue 13): checked by the store inside the import's
transaction, so a refused change leaves the store exactly as it was."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ctnode.errors import ListConflict
from ctnode.model.entities import Entity, Statement
from ctnode.model.lists import ParsedList
from ctnode.node import Node
from tests.conftest import ADMIN


def _list(dataset: str, ids: list[str], source: str) -> ParsedList:
    entities = []
    for i in ids:
        e = Entity(id=i, schema="Person", dataset=dataset, reference=i)
        e.statements.append(Statement(prop="name", value=f"Name {i}", original=f"Name {i}",
                                      dataset=dataset))
        entities.append(e)
    return ParsedList(dataset=dataset, title=dataset, version="1", source=source,
                      entities=entities)


def test_publisher_binding_and_collisions(empty_node: Node) -> None:
    lists = empty_node.lists
    lists.import_list(_list("nat", ["nat-1", "nat-2"], "/data/nat.csv"), ADMIN)
    lists.import_list(_list("px", ["px-1"], "peer:node-p"), ADMIN)
    store = empty_node.store.entities
    before = store.count_entities()
    # a peer may not touch a locally held list, nor another publisher's
    with pytest.raises(ListConflict, match="held locally") as exc:
        lists.import_list(_list("nat", ["nat-3"], "peer:node-p"), ADMIN, partial=True)
    assert exc.value.reason == "not_publisher" and exc.value.status_code == 409
    with pytest.raises(ListConflict, match="published by node-p"):
        lists.import_list(_list("px", ["px-2"], "peer:node-q"), ADMIN, partial=True)
    # nor may a local import replace a peer's list
    with pytest.raises(ListConflict, match="published by node-p"):
        lists.import_list(_list("px", ["px-1"], "/tmp/px.json"), ADMIN)
    # an id of another list: refused (was an IntegrityError, HTTP 500)
    with pytest.raises(ListConflict) as exc:
        lists.import_list(_list("qx", ["q-1", "nat-1"], "peer:node-q"), ADMIN)
    assert exc.value.reason == "id_collision" and "nat-1 (list nat)" in exc.value.message
    with empty_node.store.begin() as conn, pytest.raises(ListConflict):
        store.delist(conn, ["nat-1"], dataset="nat", detail={}, source="peer:node-p")
    assert store.count_entities() == before  # nothing written by any refused change
    assert {d["name"] for d in store.list_datasets()} == {"nat", "px"}
    # the publisher itself may change its list
    report = lists.import_list(replace(_list("px", ["px-2"], "peer:node-p")), ADMIN, partial=True)
    assert report.added == ["px-2"]
    failed = list(empty_node.audit.entries(event="import.failed"))
    assert len(failed) == 4
