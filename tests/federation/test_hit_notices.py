"""The owner learns of hits from every screen path (issue 13), with two real node processes
on loopback: ``node-p`` publishes its list ``fx`` to ``node-s``, which holds a copy.

Screens at ``node-s`` made from the command line (a single name, a batch file, a payment
file), in processes of their own beside its running server, queue a notice in the store;
the server's job ``hit-notices`` sends it to ``node-p``, whose inbox shows who asked and
from where, and never the query. While ``node-p`` is down the notice waits, and reaches it
once it is back.

The processes start once for the module; tests run in file order.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ctnode.clock import utcnow
from ctnode.model.access import Actor
from ctnode.node import Node
from ctnode.settings import Settings
from tests.federation.cluster import NodeProc, make_nodes, seed_stores
from tests.federation.test_network import FIXTURES, HIT_NAME, audit_events, cli

ADMIN = Actor(name="test-admin", role="admin")
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"
PURPOSE = ["--purpose", "investigation", "--legal-basis", "Act 12 s.3"]


@pytest.fixture(scope="module")
def duo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, NodeProc]]:
    root = tmp_path_factory.mktemp("notices")
    nodes = {n.name: n for n in make_nodes(root, ["node-p", "node-s"])}
    nodes["node-s"].extra_env["CTNODE_HIT_NOTICE_RETRY_SECONDS"] = "1"
    seed_stores(list(nodes.values()))
    handles = {}
    for name, n in nodes.items():
        node = n.open()
        handles[name] = node
        node.federation.directory.init(
            ADMIN, node_id=name, organisation=f"Coordinator {name[-1].upper()}",
            country="KZ", contact=f"duty@{name}.example", endpoint=n.url)
    descs = {name: h.federation.directory.descriptor(ADMIN).to_dict()
             for name, h in handles.items()}
    for name, h in handles.items():
        for other, desc in descs.items():
            if other != name:
                h.federation.directory.add_peer(ADMIN, desc)
    year = utcnow() + timedelta(days=365)
    handles["node-p"].lists.import_source("ftm", str(FIXTURES / "watchlist-v1.jsonl"), ADMIN,
                                           dataset="fx")
    handles["node-s"].federation.directory.add_agreement(
        ADMIN, peer_id="node-p", direction="inbound", lists=["fx"], purposes=["investigation"],
        expires_at=year, subscribed=True)
    handles["node-p"].federation.directory.add_agreement(
        ADMIN, peer_id="node-s", direction="outbound", lists=["fx"], purposes=["investigation"],
        expires_at=year, subscribed=True, copy_fields=["name"])
    for h in handles.values():
        h.close()
    try:
        for n in nodes.values():
            n.start()
        for n in nodes.values():
            n.wait_ready()
        p, s = nodes["node-p"], nodes["node-s"]
        assert p.api("POST", "/federation/updates/retry").status_code == 200
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and s.api("GET", "/entities/node-p:fx-002").status_code != 200:
            time.sleep(0.3)
        assert s.api("GET", "/entities/node-p:fx-002").status_code == 200, "no full sync"
        yield nodes
    finally:
        for n in nodes.values():
            n.stop()


def notices_at(node: NodeProc, source: str, *, count: int = 1,
               wait: float = 60) -> list[dict[str, Any]]:
    """The ``hit_notice`` items in ``node``'s inbox from screens of ``source`` (waits)."""
    deadline = time.monotonic() + wait
    found: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        found = [a for a in node.api("GET", "/federation/inbox").json()
                 if a["kind"] == "hit_notice" and a["detail"]["requester"]["source"] == source]
        if len(found) >= count:
            break
        time.sleep(0.3)
    return found


def sent_notices(node: NodeProc, source: str) -> list[dict[str, Any]]:
    return [e for e in audit_events(node, "federation.hit.notice")
            if e["detail"]["source"] == source]


def outbox(node: NodeProc) -> list[dict[str, Any]]:
    """The notices queued at ``node``, read from its store beside the running server."""
    with_store = Node(Settings(data_dir=node.data_dir, mode="development", database_url=""))
    try:
        return with_store.store.federation.list_hit_notices()
    finally:
        with_store.close()


def test_a_one_off_cli_screen_tells_the_publisher(duo: dict[str, NodeProc]) -> None:
    p, s = duo["node-p"], duo["node-s"]
    r = cli(s, "screen", HIT_NAME, "--json", *PURPOSE, "--case", "CLI-1")
    assert r.exit_code == 0, r.output
    # the copy here is named by its publisher; the notice speaks the publisher's own id
    assert any(h["entity_id"] == "node-p:fx-001" for h in json.loads(r.stdout)["hits"])
    (notice,) = notices_at(p, "cli")
    assert notice["peer_id"] == "node-s"
    detail = notice["detail"]
    assert detail["requester"]["node_id"] == "node-s" and detail["requester"]["who"]
    assert detail["case_ref"] == "CLI-1" and detail["purpose"] == "investigation"
    assert [h["entity_id"] for h in detail["hits"]] == ["fx-001"]
    assert "Zoltan" not in json.dumps(notice) and "Kuressaar" not in json.dumps(notice)
    (sent,) = sent_notices(s, "cli")
    assert sent["detail"]["publisher"] == "node-p" and sent["detail"]["outcome"] == "delivered"
    assert sent["result_ids"] == ["node-p:fx-001"]
    (queued,) = [n for n in outbox(s) if n["requester"]["source"] == "cli"]
    assert queued["sent_at"] is not None and queued["outcome"] == "delivered"


def test_a_cli_batch_tells_the_publisher_once(duo: dict[str, NodeProc],
                                              tmp_path: Path) -> None:
    p, s = duo["node-p"], duo["node-s"]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(q) for q in [
        {"id": "1", "name": HIT_NAME},
        {"id": "2", "name": "Marisol Quintanilla Oyarzun"},
        {"id": "3", "name": "Wilhelmina Ostergaard Pemberton"},
        {"id": "4", "name": HIT_NAME},
    ]) + "\n")
    r = cli(s, "screen", "--batch", str(batch), *PURPOSE, "--case", "BATCH-1")
    assert r.exit_code == 0, r.output
    (notice,) = notices_at(p, "batch")
    assert notice["detail"]["case_ref"] == "BATCH-1"
    assert sorted(h["entity_id"] for h in notice["detail"]["hits"]) == ["fx-001", "fx-002"]
    assert "Marisol" not in json.dumps(notice)


def test_cli_payments_tell_the_publisher(duo: dict[str, NodeProc], tmp_path: Path) -> None:
    p, s = duo["node-p"], duo["node-s"]
    mt103 = tmp_path / "pay.fin"
    mt103.write_text((SAMPLES / "mt103_50K_59_synthetic.fin").read_text(encoding="utf-8")
                     .replace("IVAN PETROVICH SIDOROV", HIT_NAME.upper()), encoding="utf-8")
    r = cli(s, "screen", "payments", str(mt103), *PURPOSE, "--case", "PAY-1")
    assert r.exit_code == 0, r.output
    (notice,) = notices_at(p, "payment")
    assert notice["detail"]["case_ref"] == "PAY-1"
    assert [h["entity_id"] for h in notice["detail"]["hits"]] == ["fx-001"]


def test_a_notice_waits_while_the_publisher_is_down(duo: dict[str, NodeProc]) -> None:
    p, s = duo["node-p"], duo["node-s"]
    p.stop()
    r = cli(s, "screen", HIT_NAME, *PURPOSE, "--case", "DOWN-1")
    assert r.exit_code == 0, r.output
    deadline = time.monotonic() + 60
    waiting: list[dict[str, Any]] = []
    while time.monotonic() < deadline:  # the server's job tried, and keeps it
        waiting = [n for n in outbox(s) if n["case_ref"] == "DOWN-1"]
        if waiting and waiting[0]["attempts"] >= 2:
            break
        time.sleep(0.5)
    (notice,) = waiting
    assert notice["sent_at"] is None and notice["attempts"] >= 2, notice
    assert notice["outcome"].startswith(("down", "timeout")), notice
    assert not [e for e in sent_notices(s, "cli") if e["case_ref"] == "DOWN-1"]
    p.start()
    p.wait_ready()
    found = [n for n in notices_at(p, "cli", count=2) if n["detail"]["case_ref"] == "DOWN-1"]
    assert len(found) == 1
    (done,) = [n for n in outbox(s) if n["case_ref"] == "DOWN-1"]
    assert done["outcome"] == "delivered" and done["sent_at"] is not None
