"""The outbox of hit notices (issue 13), on SQLite and PostgreSQL: every screen path queues
a notice for the publisher of a list held as a copy, never for a list held locally; a
sender claims a notice before sending it, so two never send it at once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from ctnode.clock import utcnow
from ctnode.model.access import Purpose
from ctnode.node import Node
from ctnode.services.screening.query import build_query
from tests.conftest import ADMIN, REPO, SCREENER

FX = REPO / "tests" / "federation" / "fixtures" / "watchlist-v1.jsonl"
P = Purpose("investigation", "Act 12 s.3", "CASE-9")


def _copy_of_fx(node: Node) -> None:
    """``fx`` held here as a copy of node-p's list (as its deltas leave it)."""
    parsed = node.lists.parse_source("ftm", str(FX), dataset="fx")
    node.lists.import_list(replace(parsed, source="peer:node-p"), ADMIN)


def test_every_screen_path_queues_a_notice_for_the_publisher(node: Node) -> None:
    _copy_of_fx(node)
    outbox = node.store.federation
    # a hit on the node's own (demo UN) list tells nobody
    node.screening.screen(build_query(["Faris Nadir"]), SCREENER, P, source="cli")
    assert outbox.list_hit_notices() == []
    node.screening.screen(build_query(["Zoltan Abramovich Kuressaar"]), SCREENER, P,
                          source="cli")
    (single,) = outbox.list_hit_notices()
    assert single["publisher"] == "node-p" and single["case_ref"] == "CASE-9"
    assert [h["entity_id"] for h in single["hits"]] == ["fx-001"]
    assert single["requester"] == {"who": SCREENER.name, "role": SCREENER.role,
                                   "source": "cli"}
    assert single["sent_at"] is None and single["attempts"] == 0
    # a batch: one notice per publisher, the distinct records hit, no query data
    queries = [build_query([n]) for n in ("Zoltan Abramovich Kuressaar", "Faris Nadir",
                                          "Marisol Quintanilla Oyarzun",
                                          "Zoltan Abramovich Kuressaar")]
    results = list(node.screening.screen_many(queries, SCREENER, P, source="batch"))
    assert len(results) == 4
    (batch,) = [n for n in outbox.list_hit_notices() if n["requester"]["source"] == "batch"]
    assert sorted(h["entity_id"] for h in batch["hits"]) == ["fx-001", "fx-002"]
    assert "Zoltan" not in repr(batch) and "Marisol" not in repr(batch)


def test_a_notice_is_claimed_before_it_is_sent(node: Node) -> None:
    _copy_of_fx(node)
    node.screening.screen(build_query(["Zoltan Abramovich Kuressaar"]), SCREENER, P)
    outbox = node.store.federation
    (notice,) = outbox.pending_hit_notices()
    now = utcnow()
    stale = now - timedelta(minutes=10)
    assert outbox.claim_hit_notice(notice["id"], now=now, stale=stale)
    assert not outbox.claim_hit_notice(notice["id"], now=now, stale=stale)  # taken
    with node.store.begin() as conn:  # the publisher was out of reach: it waits
        outbox.finish_hit_notice(conn, notice["id"], outcome="down: unreachable", done=None)
    (waiting,) = outbox.pending_hit_notices()
    assert waiting["attempts"] == 1 and waiting["outcome"] == "down: unreachable"
    # a claim left by a sender that died is taken again once stale
    assert outbox.claim_hit_notice(notice["id"], now=now, stale=stale)
    later = now + timedelta(minutes=11)
    assert outbox.claim_hit_notice(notice["id"], now=later, stale=later - timedelta(minutes=10))
    with node.store.begin() as conn:
        outbox.finish_hit_notice(conn, notice["id"], outcome="delivered", done=later)
    assert outbox.pending_hit_notices() == []
    assert not outbox.claim_hit_notice(notice["id"], now=later, stale=later)
    (done,) = outbox.list_hit_notices(pending=False)
    assert done["outcome"] == "delivered" and done["attempts"] == 3
