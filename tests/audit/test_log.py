"""The hash-chained audit log: appends, verification, and detection of tampering."""

from __future__ import annotations

from itertools import pairwise

import pytest
from sqlalchemy import delete, update

from ctnode.audit.chain import ChainBroken
from ctnode.node import Node
from ctnode.store import schema as tables
from tests.conftest import ADMIN


def _fill(node: Node, n: int = 5) -> None:
    for i in range(n):
        node.audit.record("screen", ADMIN, query_hash=f"{i:064x}", result_ids=[f"e{i}"], detail={"i": i})


def test_chain_verifies_and_links(empty_node: Node) -> None:
    _fill(empty_node)
    entries = list(empty_node.audit.entries())
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    for prev, cur in pairwise(entries):
        assert cur.prev_hash == prev.hash
    assert empty_node.audit.verify() == 5


def test_edited_entry_is_detected(empty_node: Node) -> None:
    _fill(empty_node)
    with empty_node.store.begin() as conn:
        conn.execute(update(tables.audit_log).where(tables.audit_log.c.seq == 3).values(actor="someone-else"))
    with pytest.raises(ChainBroken) as err:
        empty_node.audit.verify()
    assert err.value.seq == 3


def test_dropped_entry_is_detected(empty_node: Node) -> None:
    _fill(empty_node)
    with empty_node.store.begin() as conn:
        conn.execute(delete(tables.audit_log).where(tables.audit_log.c.seq == 2))
    with pytest.raises(ChainBroken) as err:
        empty_node.audit.verify()
    assert err.value.seq == 2


def test_truncation_is_detected_against_a_checkpoint(empty_node: Node) -> None:
    _fill(empty_node)
    head = empty_node.audit.head()
    with empty_node.store.begin() as conn:
        conn.execute(delete(tables.audit_log).where(tables.audit_log.c.seq == 5))
    assert empty_node.audit.verify() == 4  # the chain alone cannot see a cut-off tail
    with pytest.raises(ChainBroken):
        empty_node.audit.verify(checkpoints=[head])


def test_audit_holds_hashes_not_names(node: Node) -> None:
    from ctnode.model.screening import ScreenQuery

    node.screening.screen(ScreenQuery(names=["Very Distinctive Probe Name"]), ADMIN)
    entry = list(node.audit.entries(event="screen"))[-1]
    assert "Distinctive" not in str(entry.to_dict())
    assert entry.query_hash and len(entry.query_hash) == 64
