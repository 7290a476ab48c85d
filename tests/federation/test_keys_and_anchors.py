"""Keys that change and an audit anchored at the peers (issue 13), with three real node
processes on loopback.

* ``node-x`` rotates its key while ``node-z`` is down: ``node-y`` takes the pushed notice,
  ``node-z`` follows the certificate on its next signed contact. Then ``node-x`` revokes
  its (stolen) key: envelopes signed with it, and a rotation an attacker signs with it, are
  refused and audited at the peers.
* ``node-x`` signs audit checkpoints on its scheduler (after every 5 entries here) and sends
  them to its peers, who keep them; ``verify-checkpoints`` uses their copies, and fails when
  an insider re-chains the log and deletes the node's own checkpoints.
* ``node-x`` asks ``node-y`` and ``node-z``: the requesting officer travels with each query
  and disclosure request and is audited on both sides; ``node-z`` allows 5 names a minute
  (counted in names, not messages); ``node-y`` takes 2 alerts a minute from ``node-x``.

The processes start once for the module; tests run in file order.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from nacl.signing import SigningKey

from ctnode.clock import format_ts, utcnow
from ctnode.federation.envelope import seal
from ctnode.federation.identity import Identity, KeyChange
from ctnode.ingest.un_sc import DEMO_LIST
from ctnode.model.access import Actor
from tests.federation import cluster
from tests.federation.cluster import NodeProc, make_nodes, seed_stores
from tests.federation.test_network import FIXTURES, HIT_NAME, _rechain, audit_events, cli

ADMIN = Actor(name="test-admin", role="admin")
NAMES = ["node-x", "node-y", "node-z"]


@pytest.fixture(scope="module")
def trio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, NodeProc]]:
    root = tmp_path_factory.mktemp("keys")
    nodes = {n.name: n for n in make_nodes(root, NAMES)}
    # node-x checks every second whether a checkpoint is due, and one is after 5 entries.
    nodes["node-x"].extra_env.update({"CTNODE_CHECKPOINT_CHECK_SECONDS": "1",
                                      "CTNODE_CHECKPOINT_EVERY_ENTRIES": "5"})
    nodes["node-y"].extra_env["CTNODE_FEDERATION_ALERTS_PER_MINUTE"] = "2"
    seed_stores(list(nodes.values()))
    with cluster.opened(nodes) as handles:
        cluster.introduce(nodes, handles, ADMIN, organisation=cluster.by_letter,
                          country=lambda name: "KZ")
        year = utcnow() + timedelta(days=365)
        for holder, rate in (("node-y", 1000), ("node-z", 5)):  # what each grants node-x
            cluster.agree(handles, ADMIN, holder, "node-x", lists=["*"], purposes=["investigation"],
                          expires_at=year, rate_per_minute=rate, max_disclosure="fields",
                          fields=["name"], subscribed=holder == "node-y")
        handles["node-y"].federation.directory.add_agreement(  # node-y takes alerts from node-x
            ADMIN, peer_id="node-x", direction="inbound", lists=["*"], purposes=["investigation"],
            expires_at=year, subscribed=True)
        for name in ("node-y", "node-z"):
            handles[name].lists.import_source("un-sc", str(DEMO_LIST), ADMIN)
        # node-x publishes its list fx to node-y (copies carry names only); node-y is not up
        # yet, so the full sync waits for the next contact.
        handles["node-x"].lists.import_source("ftm", str(FIXTURES / "watchlist-v1.jsonl"), ADMIN,
                                               dataset="fx")
        handles["node-x"].federation.directory.add_agreement(
            ADMIN, peer_id="node-y", direction="outbound", lists=["fx"], purposes=["investigation"],
            expires_at=year, subscribed=True, copy_fields=["name"])
    with cluster.started(nodes.values()):
        cluster.ready(nodes.values(), warm_up=True)
        yield nodes


def peer_key(node: NodeProc, peer_id: str) -> str:
    r = node.api("GET", f"/federation/peers/{peer_id}")
    assert r.status_code == 200, r.text
    key: str = r.json()["public_key"]
    return key


def post(node: NodeProc, envelope: dict[str, Any]) -> tuple[int, Any]:
    r = node.api("POST", "/federation/v1/messages", json=envelope, headers={"X-API-Key": ""})
    return r.status_code, r.json()


def current_key(node: NodeProc) -> str:
    return Identity.load(node.data_dir / "federation").public_key


def test_a_rotated_key_reaches_peers_by_notice_and_on_next_contact(
    trio: dict[str, NodeProc],
) -> None:
    x, y, z = trio["node-x"], trio["node-y"], trio["node-z"]
    old = current_key(x)
    assert peer_key(y, "node-x") == old == peer_key(z, "node-x")
    z.stop()
    # Rotated through the CLI, beside the running server: node-z is down, so the command
    # says it could not be told and exits non-zero.
    r = cli(x, "rotate-key", "--reason", "yearly rotation")
    assert r.exit_code == 1, r.output
    assert "node-y: notified" in r.output and "node-z: down" in r.output
    new = current_key(x)
    assert new != old
    # node-y took the pushed notice: its directory has the new key, audited as such.
    assert peer_key(y, "node-x") == new
    (entry,) = audit_events(y, "federation.peer.key")
    assert entry["detail"]["old_key"] == old and entry["detail"]["new_key"] == new
    assert entry["detail"]["kind"] == "rotate" and entry["detail"]["via"] == "key.notice"
    (own,) = audit_events(x, "federation.key.rotate")
    assert own["detail"]["new_key"] == new and own["detail"]["reason"] == "yearly rotation"
    # The running server signs with the new key (a signed round trip from node-y checks it).
    assert y.api("POST", "/federation/peers/node-x/ping").status_code == 200
    # node-z comes back and pings node-x: the pong, signed with the new key, carries the
    # certificate; node-z follows it from the key it knew.
    z.start()
    z.wait_ready()
    assert peer_key(z, "node-x") == old
    r = z.api("POST", "/federation/peers/node-x/ping")
    assert r.status_code == 200, r.text
    assert peer_key(z, "node-x") == new
    (entry,) = audit_events(z, "federation.peer.key")
    assert entry["detail"]["via"] == "pong" and entry["detail"]["new_key"] == new
    changes = x.api("GET", "/federation/key/changes").json()
    assert [(c["node_id"], c["kind"]) for c in changes] == [("node-x", "rotate")]


def test_a_revoked_key_is_refused_network_wide(trio: dict[str, NodeProc]) -> None:
    x, y, z = trio["node-x"], trio["node-y"], trio["node-z"]
    # The thief's copy of node-x's key folder, taken before the revocation.
    stolen_dir = x.data_dir.parent / "stolen"
    shutil.copytree(x.data_dir / "federation", stolen_dir)
    stolen = Identity.load(stolen_dir)
    # Before the revocation the stolen key works: that is why it must be revoked.
    assert post(y, seal(stolen, "ping", "node-y", {}).to_dict())[0] == 200
    r = x.api("POST", "/federation/key/rotate", json={"revoke": True})
    assert r.status_code == 422  # a revocation needs a reason
    r = x.api("POST", "/federation/key/rotate",
              json={"revoke": True, "reason": "key copied from a stolen laptop"})
    assert r.status_code == 200, r.text
    assert r.json()["peers"] == {"node-y": "notified", "node-z": "notified"}
    new = current_key(x)
    for peer in (y, z):
        assert peer_key(peer, "node-x") == new
        kinds = [e["detail"]["kind"] for e in audit_events(peer, "federation.peer.key")]
        assert kinds[-1] == "revoke"
    # The thief signs with the revoked key: refused as such, and audited.
    status, body = post(y, seal(stolen, "ping", "node-y", {}).to_dict())
    assert status == 403 and body["reason"] == "revoked_key"
    # The thief "rotates" the stolen key to one of its own: the certificate starts from a
    # revoked key, so nobody follows it.
    thief = Identity(stolen_dir, SigningKey.generate(), dict(stolen.profile))
    change = KeyChange(kind="rotate", node_id="node-x", old_key=stolen.public_key,
                       new_key=thief.public_key, at=format_ts(utcnow()), reason="",
                       descriptor=thief.descriptor().to_dict())
    change = replace(change, old_signature=stolen.sign(change.body()),
                     new_signature=thief.sign(change.body()))
    thief.changes = [change.to_dict()]
    status, body = post(z, seal(thief, "ping", "node-z", {}).to_dict())
    assert status == 403 and body["reason"] in ("bad_signature", "revoked_key")
    assert peer_key(z, "node-x") == new
    reasons = [e["detail"]["reason"] for e in audit_events(y, "federation.refused")]
    assert "revoked_key" in reasons
    assert [e["detail"]["reason"] for e in audit_events(x, "federation.key.revoke")] == [
        "key copied from a stolen laptop"]
    # node-x goes on working with its new key.
    assert z.api("POST", "/federation/peers/node-x/ping").status_code == 200
    assert x.api("POST", "/federation/peers/node-z/ping").status_code == 200


def test_key_expiry_reminder_is_a_job(trio: dict[str, NodeProc]) -> None:
    x = trio["node-x"]
    r = cli(x, "jobs", "run", "key-expiry")
    assert r.exit_code == 0, r.output
    assert audit_events(x, "federation.key.expiring") == []  # a fresh key: no reminder
    x_env = {**x.env, "CTNODE_FEDERATION_KEY_MAX_AGE_DAYS": "20"}  # within 30 days of its end
    from typer.testing import CliRunner

    from ctnode.cli.main import app as cli_app

    env = {k: v for k, v in x_env.items() if k != "CTNODE_BOOTSTRAP_ADMIN_KEY"}
    r = CliRunner().invoke(cli_app, ["jobs", "run", "key-expiry"], env=env)
    assert r.exit_code == 0, r.output
    (entry,) = audit_events(x, "federation.key.expiring")
    assert entry["detail"]["public_key"] == current_key(x) and entry["detail"]["days_left"] < 21


def network_screen(node: NodeProc, name: str, peers: list[str]) -> dict[str, Any]:
    r = node.api("POST", "/federation/screen", json={
        "name": name, "purpose": "investigation", "legal_basis": "Act 12 s.3",
        "case_ref": "CASE-13", "peers": peers, "deadline": 30})
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


def test_the_officer_travels_with_queries_and_disclosure_requests(
    trio: dict[str, NodeProc],
) -> None:
    x, y = trio["node-x"], trio["node-y"]
    result = network_screen(x, "Faris Nadir", ["node-y"])
    (answer,) = result["peers"]
    assert answer["status"] == "hit", answer
    (asked,) = audit_events(x, "federation.screen")
    officer = asked["actor"]
    assert asked["detail"]["officer"] == officer
    (answered,) = audit_events(y, "federation.screen.answered")
    assert answered["detail"]["officer"] == {"name": officer, "role": "admin"}
    r = x.api("POST", "/federation/disclosures", json={
        "peer_id": "node-y", "ref": answer["hits"][0]["ref"], "justification": "case 13",
        "purpose": "investigation", "legal_basis": "Act 12 s.3", "case_ref": "CASE-13"})
    assert r.status_code in (200, 201), r.text
    (sent,) = audit_events(x, "federation.disclosure.request")
    assert sent["detail"]["officer"] == officer
    (received,) = audit_events(y, "federation.disclosure.received")
    assert received["detail"]["officer"] == {"name": officer, "role": "admin"}
    # A peer naming its officer with control characters is refused, and audited.
    ident = Identity.load(x.data_dir / "federation")
    bad = seal(ident, "screen.request", "node-y", {
        "query": {"names": ["Faris Nadir"]}, "purpose": "investigation", "legal_basis": "x",
        "case_ref": "y", "officer": {"name": "agent\x1b[2J", "role": "admin"}}).to_dict()
    status, body = post(y, bad)
    assert status == 400 and body["reason"] == "malformed", body
    assert any("officer" in e["detail"]["message"]
               for e in audit_events(y, "federation.refused"))


def test_rate_limits_count_names_and_alerts(trio: dict[str, NodeProc]) -> None:
    x = trio["node-x"]
    three = ["Wilhelmina Pemberton", "Ostergaard Lindqvist", "Bartholomew Quince"]
    ident = Identity.load(x.data_dir / "federation")

    def ask(names: list[str]) -> tuple[int, Any]:
        return post(trio["node-z"], seal(ident, "screen.request", "node-z", {
            "query": {"names": names}, "purpose": "investigation", "legal_basis": "Act 12",
            "case_ref": "CASE-13"}).to_dict())

    status, body = ask(three)
    assert status == 200 and body["body"]["result"] == "no_hit", body
    # 3 + 3 names within the minute: over node-z's 5, though only two messages.
    status, body = ask(three)
    assert status == 429 and body["reason"] == "rate", body
    refused = [e for e in audit_events(trio["node-z"], "federation.refused")
               if e["detail"]["reason"] == "rate"]
    assert len(refused) == 1 and "6 names queried" in refused[0]["detail"]["message"]
    # Through the API, the requester sees the refusal as the peer's answer.
    (ans,) = network_screen(x, "Bartholomew Quince", ["node-z"])["peers"]
    assert ans["status"] == "refused" and ans["reason"] == "rate", ans
    # Alerts: node-y takes 2 a minute from node-x; the third is refused and the CLI fails.
    for i in range(2):
        r = cli(x, "alerts", "send", "--kind", "urgent", "--title", f"alert {i}",
                "--peer", "node-y")
        assert r.exit_code == 0, r.output
    r = cli(x, "alerts", "send", "--kind", "urgent", "--title", "alert 3", "--peer", "node-y")
    assert r.exit_code == 1 and "refused: rate" in r.output, r.output


def test_the_publisher_learns_of_hits_on_its_records(trio: dict[str, NodeProc]) -> None:
    x, y = trio["node-x"], trio["node-y"]
    assert x.api("POST", "/federation/updates/retry").status_code == 200
    deadline = time.monotonic() + 30
    # node-y's copy names node-x's records node-x:<id> (issue 13)
    while (time.monotonic() < deadline
           and y.api("GET", "/entities/node-x:fx-001").status_code != 200):
        time.sleep(0.3)
    datasets = {d["name"]: d for d in y.api("GET", "/datasets").json()["datasets"]}
    assert datasets["fx"]["source"] == "peer:node-x"
    r = y.api("POST", "/screen", json={"name": HIT_NAME}, headers={
        "X-Purpose": "border_screening", "X-Legal-Basis": "Border Act s.4", "X-Case-Ref": "B-77"})
    assert r.status_code == 200, r.text
    hit_ids = [h["entity_id"] for h in r.json()["hits"]]
    assert any(i.startswith("node-x:fx-") for i in hit_ids), r.json()
    deadline = time.monotonic() + 20
    notices: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not notices:
        notices = [a for a in x.api("GET", "/federation/inbox").json()
                   if a["kind"] == "hit_notice"]
        time.sleep(0.3)
    (notice,) = notices
    assert notice["peer_id"] == "node-y"
    detail = notice["detail"]
    assert detail["requester"]["node_id"] == "node-y" and detail["case_ref"] == "B-77"
    assert detail["purpose"] == "border_screening"
    assert {h["list"] for h in detail["hits"]} == {"fx"}
    # the notice names node-x's own ids (the copy's node-x: prefix is node-y's naming)
    assert {h["entity_id"] for h in detail["hits"]} == {
        i.removeprefix("node-x:") for i in hit_ids if i.startswith("node-x:")}
    assert all(h["entity_id"].startswith("fx-") for h in detail["hits"])
    # No query data: the name screened never reaches the publisher.
    assert "Zoltan" not in json.dumps(notice) and "Kuressaar" not in json.dumps(notice)
    (sent,) = audit_events(y, "federation.hit.notice")
    assert sent["detail"]["publisher"] == "node-x" and sent["detail"]["outcome"] == "delivered"
    received = [e for e in audit_events(x, "federation.alert.received")
                if e["detail"]["kind"] == "hit_notice"]
    assert received and set(received[0]["result_ids"]) == {h["entity_id"] for h in detail["hits"]}
    # A notice about a list node-x does not publish to node-y is refused.
    ident = Identity.load(y.data_dir / "federation")
    status, body = post(x, seal(ident, "hit.notice", "node-x", {
        "hits": [{"entity_id": "QDi.001", "list": "un-sc", "band": "match"}],
        "requester": {"node_id": "node-y"}}).to_dict())
    assert status == 403 and body["reason"] == "not_publisher", body


def _held(node: NodeProc, of: str) -> list[dict[str, Any]]:
    r = node.api("GET", "/federation/checkpoints", params={"node_id": of})
    assert r.status_code == 200, r.text
    held: list[dict[str, Any]] = r.json()
    return held


def test_checkpoints_on_the_scheduler_are_kept_by_peers(trio: dict[str, NodeProc]) -> None:
    x, y, z = trio["node-x"], trio["node-y"], trio["node-z"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _held(y, "node-x"):
        time.sleep(0.5)
    first = _held(y, "node-x")
    assert first, "node-x's scheduler sent no checkpoint to node-y"
    # Five more entries: the next checkpoint follows without anyone asking.
    for i in range(6):
        assert x.api("POST", "/screen", json={"name": f"Nobody Inparticular {i}"}).status_code == 200
    seq = max(c["seq"] for c in first)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and max(c["seq"] for c in _held(z, "node-x")) < seq + 5:
        time.sleep(0.5)
    assert max(c["seq"] for c in _held(z, "node-x")) >= seq + 5
    # The node's own verification uses the peers' copies (signed with its older keys too).
    r = cli(x, "audit", "verify-checkpoints")
    assert r.exit_code == 0, r.output
    assert "node-y:" in r.output and "copies" in r.output
    r = x.api("GET", "/federation/checkpoints/verify")
    assert r.status_code == 200 and r.json()["peers"]["node-z"]["status"] == "ok"


def test_an_insider_rewrite_is_caught_by_the_peers_copies(trio: dict[str, NodeProc]) -> None:
    x = trio["node-x"]
    x.stop()  # the insider works on the stopped node's files
    db = x.data_dir / "ctnode.db"
    con = sqlite3.connect(db)
    con.execute("update audit_log set actor = 'nobody' where seq = 3")
    con.execute("delete from fed_checkpoints where node_id = 'node-x'")
    con.commit()
    con.close()
    _rechain(db, 3)
    assert cli(x, "audit", "verify").exit_code == 0  # the chain itself links up again
    r = cli(x, "audit", "verify-checkpoints", "--local")
    assert r.exit_code == 1 and "no signed checkpoint" in r.output, r.output
    r = cli(x, "audit", "verify-checkpoints")
    assert r.exit_code == 1 and "newer checkpoint" in r.output, r.output
    # Even with a fresh checkpoint signed over the rewritten log, the peers' older copies
    # do not match it.
    assert cli(x, "audit", "checkpoint").exit_code == 0
    r = cli(x, "audit", "verify-checkpoints")
    assert r.exit_code == 1 and "checkpoint" in r.output, r.output
    assert json.loads(cli(x, "audit", "checkpoints").stdout.splitlines()[-1])["node_id"] == "node-x"
