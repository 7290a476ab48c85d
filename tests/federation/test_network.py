"""The network, end to end: six real node processes on loopback, each with its own
SQLite store and Ed25519 keys, talking signed envelopes over HTTP.

Topology (agreements are what each holder grants ``node-a``, the requester):

* ``node-b``: every list, investigation + border screening, up to fields after approval
  (name, birthDate, nationality, reference); takes list updates from node-a.
* ``node-c``: list ``fx`` only, investigation, reference and band only; takes updates.
* ``node-d``: an agreement that has expired.
* ``node-e``: list ``fx`` only, border screening only, 2 queries a minute.
* ``node-f``: a peer without any agreement for node-a; takes updates; killed mid-screen,
  misses a delisting, and gets it once it is back.

The processes start once for the module; tests run in file order.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey
from typer.testing import CliRunner

from ctnode.audit.chain import canonical_json
from ctnode.cli.main import app as cli_app
from ctnode.clock import format_ts
from ctnode.federation.agreements import DISCLOSABLE_FIELDS
from ctnode.federation.envelope import Envelope, seal
from ctnode.federation.identity import Identity
from ctnode.federation.transport import KEEPALIVE_EXPIRY, SERVER_KEEP_ALIVE
from ctnode.ingest.un_sc import DEMO_LIST
from ctnode.model.access import Actor
from tests.federation.cluster import NodeProc, as_copy, make_nodes, seed_stores

FIXTURES = Path(__file__).parent / "fixtures"
ADMIN = Actor(name="test-admin", role="admin")
NAMES = ["node-a", "node-b", "node-c", "node-d", "node-e", "node-f"]
HIT_NAME = "Zoltan Abramovich Kuressaar"
NO_HIT_NAME = "Wilhelmina Ostergaard Pemberton"
runner = CliRunner()


# Tests of what a network screen answers (not of how fast: bench/federation/network_bench.py
# measures that) give the peers a deadline that a busy CI machine cannot overrun: at 5 s, a
# holder's answer that a loaded machine delays by a few seconds read "timeout" (stop 22's CI).
# The deadline itself is tested with explicit, short deadlines below.
FUNCTIONAL_DEADLINE = 30.0


def cli(node: NodeProc, *args: str) -> Any:
    env = {k: v for k, v in node.env.items() if k != "CTNODE_BOOTSTRAP_ADMIN_KEY"}
    env["CTNODE_FEDERATION_DEADLINE"] = str(FUNCTIONAL_DEADLINE)
    return runner.invoke(cli_app, list(args), env=env)


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, NodeProc]]:
    root = tmp_path_factory.mktemp("net")
    nodes = {n.name: n for n in make_nodes(root, NAMES)}
    seed_stores(list(nodes.values()))
    # The servers start now and pick up what follows from their stores (identity, lists,
    # peers and agreements are read when used), so their start-up overlaps the setup.
    for n in nodes.values():
        n.start()
    try:
        a = nodes["node-a"]
        year = datetime.now(UTC) + timedelta(days=365)
        # node-a is initialised through the CLI; the others through the same service call.
        r = cli(
            a,
            "init",
            "--node-id",
            "node-a",
            "--organisation",
            "Coordinator A",
            "--country",
            "AA",
            "--contact",
            "duty@a.example",
            "--endpoint",
            a.url,
        )
        assert r.exit_code == 0, r.output
        handles = {}
        parsed_fx = None
        for name, n in nodes.items():
            node = n.open()
            handles[name] = node
            if name != "node-a":
                node.federation.directory.init(
                    ADMIN,
                    node_id=name,
                    organisation=f"Coordinator {name[-1].upper()}",
                    country="X" + name[-1].upper(),  # ISO user-assigned: XB, XC, ...
                    contact=f"duty@{name}.example",
                    endpoint=n.url,
                )
            node.lists.import_source("un-sc", str(DEMO_LIST), ADMIN)
            if parsed_fx is None:
                parsed_fx = node.lists.parse_source(
                    "ftm", str(FIXTURES / "watchlist-v1.jsonl"), dataset="fx"
                )
            if name in ("node-b", "node-c", "node-f"):
                # A subscriber's fx is node-a's list: its copy came from node-a (as a sync
                # would bring it), so node-a alone may change it there (issue 13).
                node.lists.import_list(as_copy(parsed_fx, "node-a"), ADMIN)
            else:
                node.lists.import_list(parsed_fx, ADMIN)
        descs = {name: h.federation.directory.descriptor(ADMIN).to_dict() for name, h in handles.items()}
        # Everybody knows everybody (node-b adds node-a through the CLI, from a file).
        (root / "a.json").write_text(json.dumps(descs["node-a"]))
        r = cli(nodes["node-b"], "peers", "add", str(root / "a.json"))
        assert r.exit_code == 0, r.output
        for name, h in handles.items():
            for other, desc in descs.items():
                if other != name and not (name == "node-b" and other == "node-a"):
                    h.federation.directory.add_peer(ADMIN, desc)

        def grant(holder: str, **terms: Any) -> None:
            handles[holder].federation.directory.add_agreement(
                ADMIN, peer_id="node-a", direction="outbound", **{"expires_at": year, **terms}
            )
            handles["node-a"].federation.directory.add_agreement(
                ADMIN, peer_id=holder, direction="inbound", **{"expires_at": year, **terms}
            )

        grant(
            "node-b",
            lists=["*"],
            purposes=["investigation", "border_screening"],
            rate_per_minute=1000,
            max_disclosure="fields",
            fields=["name", "birthDate", "nationality", "reference"],
        )
        grant(
            "node-c",
            lists=["fx"],
            purposes=["investigation"],
            rate_per_minute=1000,
            max_disclosure="reference",
        )
        grant(
            "node-d",
            lists=["*"],
            purposes=["investigation"],
            expires_at=datetime.now(UTC) + timedelta(seconds=2),
        )
        grant("node-e", lists=["fx"], purposes=["border_screening"], rate_per_minute=2)
        # List updates of fx flow from node-a to b, c and f (node-c's terms set through the CLI).
        for holder in ("node-b", "node-f"):
            handles["node-a"].federation.directory.add_agreement(
                ADMIN,
                peer_id=holder,
                direction="outbound",
                lists=["fx"],
                purposes=["investigation"],
                expires_at=year,
                subscribed=True,
                copy_fields=list(DISCLOSABLE_FIELDS),  # whole copies (tests/.../test_copies.py)
            )
            handles[holder].federation.directory.add_agreement(
                ADMIN,
                peer_id="node-a",
                direction="inbound",
                lists=["fx"],
                purposes=["investigation"],
                expires_at=year,
                subscribed=True,
            )
        handles["node-a"].federation.directory.add_agreement(
            ADMIN,
            peer_id="node-c",
            direction="outbound",
            lists=["fx"],
            purposes=["investigation"],
            expires_at=year,
            subscribed=True,
            copy_fields=list(DISCLOSABLE_FIELDS),
        )
        r = cli(
            nodes["node-c"],
            "agreements",
            "add",
            "node-a",
            "--direction",
            "inbound",
            "--list",
            "fx",
            "--purpose",
            "investigation",
            "--expires",
            "365d",
            "--subscribed",
        )
        assert r.exit_code == 0, r.output
        for h in handles.values():
            h.close()
        for n in nodes.values():
            n.wait_ready()
        # A holder's first screen builds its name index and transliterators (seconds on a
        # busy machine): done here, so that the first network query is not slowed by them.
        for n in nodes.values():
            assert n.api("POST", "/screen", json={"name": "Warm Up"}).status_code == 200
        yield nodes
    finally:
        for n in nodes.values():
            n.stop()


def screen(
    node: NodeProc,
    name: str,
    *,
    purpose: str = "investigation",
    peers: list[str] | None = None,
    deadline: float = FUNCTIONAL_DEADLINE,
    **extra: Any,
) -> dict[str, Any]:
    r = node.api(
        "POST",
        "/federation/screen",
        json={
            "name": name,
            "purpose": purpose,
            "legal_basis": "Act 12 s.3",
            "case_ref": "CASE-7",
            "peers": peers,
            "deadline": deadline,
            **extra,
        },
    )
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def by_peer(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["peer_id"]: p for p in result["peers"]}


def audit_events(node: NodeProc, event: str) -> list[dict[str, Any]]:
    r = node.api("GET", "/audit", params={"event": event})
    assert r.status_code == 200, r.text
    entries: list[dict[str, Any]] = r.json()["entries"]
    return entries


# -- identity and directory ------------------------------------------------------------------


def test_descriptor_is_signed_and_key_is_owner_only(net: dict[str, NodeProc]) -> None:
    a = net["node-a"]
    key = a.data_dir / "federation" / "node.key"
    assert key.stat().st_mode & 0o777 == 0o600
    r = a.api("GET", "/federation/descriptor")
    assert r.status_code == 200
    desc = r.json()
    assert desc["node_id"] == "node-a" and desc["endpoint"] == a.url
    # node-b's directory lists node-a with its contact; no API key, no directory.
    b = net["node-b"]
    peers = {p["node_id"]: p for p in b.api("GET", "/federation/peers").json()}
    assert peers["node-a"]["contact"] == "duty@a.example"
    assert peers["node-a"]["public_key"] == desc["public_key"]
    assert b.api("GET", "/federation/peers", headers={"X-API-Key": ""}).status_code == 401
    page = b.api("GET", "/federation/directory")
    assert page.status_code == 200 and "duty@a.example" in page.text
    # An altered descriptor is refused.
    tampered = {**desc, "endpoint": "http://127.0.0.1:1"}
    r = b.api("POST", "/federation/peers", json=tampered)
    assert r.status_code == 422 and "signature" in r.json()["detail"]


# -- federated screening --------------------------------------------------------------------------


def test_hit_and_no_hit_across_the_network(net: dict[str, NodeProc]) -> None:
    a = net["node-a"]
    res = screen(a, HIT_NAME)
    peers = by_peer(res)
    # Asked by default: only peers whose (inbound) agreement covers the purpose.
    assert peers["node-b"]["status"] == "hit" and peers["node-c"]["status"] == "hit"
    assert peers["node-e"]["status"] == "skipped" and peers["node-e"]["reason"] == "purpose"
    assert peers["node-f"]["status"] == "skipped" and peers["node-f"]["reason"] == "no_agreement"
    hit = peers["node-b"]["hits"][0]
    assert hit["ref"].startswith("r_") and hit["band"] in {"match", "possible"}
    # No personal data leaves on a hit: the answer holds only references and bands.
    assert set(hit) == {"ref", "band"}
    assert "Kuressaar" not in json.dumps(res["peers"])
    assert res["local"]["hits"][0]["entity_id"] == "fx-001"
    res = screen(a, NO_HIT_NAME)
    peers = by_peer(res)
    assert peers["node-b"]["status"] == "no_hit" and peers["node-c"]["status"] == "no_hit"
    assert peers["node-b"]["hits"] == []
    # The holder kept a hash of the probe, not the probe; the answer is audited.
    answered = audit_events(net["node-b"], "federation.screen.answered")
    assert answered and all(len(e["query_hash"]) == 64 for e in answered)
    log_text = json.dumps(audit_events(net["node-b"], "screen"))
    assert NO_HIT_NAME not in log_text and "Wilhelmina" not in log_text
    # Nor anywhere in its store (database and write-ahead log, read raw).
    for path in net["node-b"].data_dir.glob("ctnode.db*"):
        raw = path.read_bytes()
        assert b"Wilhelmina" not in raw and b"Pemberton" not in raw, path


def test_demo_un_list_hit_over_the_cli(net: dict[str, NodeProc]) -> None:
    r = cli(
        net["node-a"],
        "screen",
        "Faris Nadir",
        "--network",
        "--purpose",
        "investigation",
        "--legal-basis",
        "Act 12",
        "--case",
        "CASE-9",
        "--json",
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    peers = by_peer(data)
    assert peers["node-b"]["status"] == "hit"  # node-b shares every list (the UN demo list too)
    assert peers["node-c"]["status"] == "no_hit"  # node-c shares only fx
    r = cli(net["node-a"], "screen", "Faris Nadir", "--network")
    assert r.exit_code != 0 and "purpose" in r.output
    r = cli(
        net["node-a"],
        "screen",
        "Faris Nadir",
        "--network",
        "--purpose",
        "investigation",
        "--legal-basis",
        "Act 12",
        "--case",
        "CASE-9",
        "--peer",
        "node-b",
    )
    assert r.exit_code == 0, r.output
    assert "HIT" in r.output and "node-b" in r.output and "DMi.001" in r.output  # local: full


def test_rate_above_the_agreement_is_refused(net: dict[str, NodeProc]) -> None:
    a = net["node-a"]
    statuses = [
        by_peer(screen(a, NO_HIT_NAME, purpose="border_screening", peers=["node-e"]))["node-e"]
        for _ in range(3)
    ]
    assert [s["status"] for s in statuses[:2]] == ["no_hit", "no_hit"]
    assert statuses[2]["status"] == "refused" and statuses[2]["reason"] == "rate"


@pytest.mark.parametrize(
    ("peer", "extra", "purpose", "reason"),
    [
        ("node-f", {}, "investigation", "no_agreement"),
        ("node-d", {}, "investigation", "expired"),
        ("node-e", {}, "investigation", "purpose"),
        ("node-e", {"lists": ["un_sc"]}, "border_screening", "list_not_shared"),
    ],
)
def test_refusal_reasons(
    net: dict[str, NodeProc], peer: str, extra: dict[str, Any], purpose: str, reason: str
) -> None:
    res = screen(net["node-a"], HIT_NAME, purpose=purpose, peers=[peer], **extra)
    ans = by_peer(res)[peer]
    assert ans["status"] == "refused" and ans["reason"] == reason, ans
    assert ans["detail"]  # a reason the requester can read
    # Audited on both sides.
    theirs = [
        e for e in audit_events(net[peer], "federation.refused") if e["detail"]["reason"] == reason
    ]
    assert theirs and theirs[-1]["actor"] == "peer:node-a"
    ours = [
        e
        for e in audit_events(net["node-a"], "federation.peer.refused")
        if e["detail"]["peer"] == peer and e["detail"]["reason"] == reason
    ]
    assert ours


# -- envelopes: forged, replayed, stale, unsigned, misaddressed --------------------------


def _post(node: NodeProc, envelope: dict[str, Any]) -> Any:
    r = node.api("POST", "/federation/v1/messages", json=envelope, headers={"X-API-Key": ""})
    return r.status_code, r.json()


def test_forged_replayed_stale_messages_are_refused_and_audited(net: dict[str, NodeProc]) -> None:
    a, b = net["node-a"], net["node-b"]
    ident = Identity.load(a.data_dir / "federation")
    # A genuine ping is answered with a signed pong.
    env = seal(ident, "ping", "node-b", {}).to_dict()
    status, body = _post(b, env)
    assert status == 200 and body["type"] == "pong" and body["body"]["in_reply_to"] == env["nonce"]
    # The same envelope again: replayed.
    status, body = _post(b, env)
    assert status == 403 and body["reason"] == "replayed"
    # Forged: body changed after signing; and signed by a key that is not node-a's.
    forged = {**seal(ident, "ping", "node-b", {}).to_dict(), "body": {"x": 1}}
    assert _post(b, forged)[1]["reason"] == "bad_signature"
    impostor = Identity(a.data_dir, SigningKey.generate(), dict(ident.profile))
    assert _post(b, seal(impostor, "ping", "node-b", {}).to_dict())[1]["reason"] == "bad_signature"
    # Stale: signed correctly, ten minutes old.
    old = seal(ident, "ping", "node-b", {}, at=datetime.now(UTC) - timedelta(minutes=10))
    assert _post(b, old.to_dict())[1]["reason"] == "stale"
    # Unsigned, addressed to someone else, from a stranger.
    unsigned = {**seal(ident, "ping", "node-b", {}).to_dict(), "signature": ""}
    assert _post(b, unsigned)[1]["reason"] == "unsigned"
    assert _post(b, seal(ident, "ping", "node-c", {}).to_dict())[1]["reason"] == "wrong_recipient"
    stranger = Identity(a.data_dir, SigningKey.generate(), {**ident.profile, "node_id": "x-1"})
    assert _post(b, seal(stranger, "ping", "node-b", {}).to_dict())[1]["reason"] == "unknown_sender"
    entries = audit_events(b, "federation.refused")
    refused = [e["detail"]["reason"] for e in entries]
    # Before the signature checks out, the sender is only a claim, and the log says so.
    forged_entries = [e for e in entries if e["detail"]["reason"] == "bad_signature"]
    assert forged_entries and all(e["actor"] == "unverified:node-a" for e in forged_entries)
    for reason in (
        "replayed",
        "bad_signature",
        "stale",
        "unsigned",
        "wrong_recipient",
        "unknown_sender",
    ):
        assert reason in refused
    # Replaying a screen request does not get a second answer either.
    q = seal(
        ident,
        "screen.request",
        "node-b",
        {
            "query": {"names": [HIT_NAME]},
            "purpose": "investigation",
            "legal_basis": "x",
            "case_ref": "y",
        },
    ).to_dict()
    assert _post(b, q)[0] == 200
    assert _post(b, q)[1]["reason"] == "replayed"


# -- staged disclosure -------------------------------------------------------------------


def test_disclosure_request_approve_release_expiry_and_refusal(net: dict[str, NodeProc]) -> None:
    a, b = net["node-a"], net["node-b"]
    ref = by_peer(screen(a, HIT_NAME))["node-b"]["hits"][0]["ref"]
    body = {
        "peer_id": "node-b",
        "ref": ref,
        "justification": "Subject at border post 4",
        "purpose": "investigation",
        "legal_basis": "Act 12 s.3",
        "case_ref": "CASE-7",
    }
    r = a.api("POST", "/federation/disclosures", json=body)
    assert r.status_code == 201, r.text
    mine = r.json()
    assert mine["status"] == "pending" and mine["direction"] == "outgoing"
    # The request appears to node-b's analysts with its age.
    r = cli(b, "disclosures", "--json")
    assert r.exit_code == 0, r.output
    pending = [x for x in json.loads(r.stdout) if x["status"] == "pending"]
    assert len(pending) == 1 and pending[0]["peer_id"] == "node-a"
    assert pending[0]["age_seconds"] >= 0 and pending[0]["ref"] == ref
    theirs = pending[0]["id"]
    # A person approves; only the agreed fields are released, signed, with an expiry.
    r = b.api(
        "POST",
        f"/federation/disclosures/{theirs}/approve",
        json={"reason": "Within agreement; case confirmed", "ttl_seconds": 4},
    )
    assert r.status_code == 200, r.text
    assert r.json()["delivered"] is True
    got = a.api("GET", f"/federation/disclosures/{mine['id']}").json()
    assert got["status"] == "approved"
    props = {f["prop"] for f in got["fields"]}
    assert props == {"name", "birthDate", "nationality", "reference"}
    assert "passportNumber" not in props and "notes" not in props
    values = {f["prop"]: f["value"] for f in got["fields"]}
    assert values["name"] == HIT_NAME and values["birthDate"] == "1971-03-14"
    assert all(f["dataset"] == "fx" for f in got["fields"])  # provenance travels
    # After the expiry the released fields are gone.
    expires = datetime.fromisoformat(got["expires_at"])
    assert expires - datetime.now(UTC) <= timedelta(seconds=4)
    time.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 0.3)
    got = a.api("GET", f"/federation/disclosures/{mine['id']}").json()
    assert got["status"] == "expired" and got["fields"] is None
    assert audit_events(a, "federation.disclosure.expired")
    # A second request is refused by a person, with a reason the requester reads.
    r = a.api("POST", "/federation/disclosures", json={**body, "justification": "again"})
    second = r.json()
    pending = b.api(
        "GET", "/federation/disclosures", params={"direction": "incoming", "status": "pending"}
    ).json()
    r = b.api(
        "POST",
        f"/federation/disclosures/{pending[0]['id']}/refuse",
        json={"reason": "Not proportionate"},
    )
    assert r.status_code == 200
    got = a.api("GET", f"/federation/disclosures/{second['id']}").json()
    assert got["status"] == "refused" and got["reason"] == "Not proportionate"
    assert got["fields"] is None
    # node-c's agreement stops at reference and band: refused at once.
    # (about 5 s after the last screen, the ttl's wait: node-a's connection to node-c could
    # cross node-c closing it, and node-c read "down", until served nodes kept idle
    # connections longer than requesters do: the next test)
    answer_c = by_peer(screen(a, HIT_NAME))["node-c"]
    assert answer_c["status"] == "hit", answer_c
    ref_c = answer_c["hits"][0]["ref"]
    r = a.api("POST", "/federation/disclosures", json={**body, "peer_id": "node-c", "ref": ref_c})
    assert r.status_code == 403 and r.json()["reason"] == "disclosure_level"
    # A reference node-b never gave node-a is unknown.
    r = a.api("POST", "/federation/disclosures", json={**body, "ref": "r_" + "0" * 32})
    assert r.status_code == 403 and r.json()["reason"] == "unknown_reference"


def _http_get(conn: socket.socket, path: str) -> bytes:
    """GET ``path`` on an open connection (HTTP/1.1, kept alive); the answer's status line,
    or b"" when the server has closed the connection."""
    data = b""
    try:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return b""
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return b""
            body += chunk
    except ConnectionError:  # reset: closed by the server
        return b""
    return head.split(b"\r\n", 1)[0]


def test_a_node_keeps_an_idle_connection_longer_than_its_peers_reuse_one(
    net: dict[str, NodeProc],
) -> None:
    # A requester reuses an idle connection to a peer for KEEPALIVE_EXPIRY seconds; the peer
    # keeps it open longer, so that a request never crosses the peer closing it (at equal
    # times a screen about 5 s after the last one read the peer "down" on a loaded machine).
    assert SERVER_KEEP_ALIVE >= 3 * KEEPALIVE_EXPIRY
    with socket.create_connection(("127.0.0.1", net["node-c"].port), timeout=30) as conn:
        assert _http_get(conn, "/healthz") == b"HTTP/1.1 200 OK"
        time.sleep(KEEPALIVE_EXPIRY + 1.0)  # idle past the point where a requester lets go
        assert _http_get(conn, "/healthz") == b"HTTP/1.1 200 OK"  # the same connection


# -- a node dies mid-screen --------------------------------------------------------------


def test_late_node_is_reported_as_timeout_and_others_answer(net: dict[str, NodeProc]) -> None:
    a, e = net["node-a"], net["node-e"]
    assert e.proc is not None
    os.killpg(e.proc.pid, signal.SIGSTOP)  # alive but answering nothing
    try:
        started = time.monotonic()
        res = screen(a, HIT_NAME, peers=["node-b", "node-e"], deadline=2.0)
        elapsed = time.monotonic() - started
    finally:
        os.killpg(e.proc.pid, signal.SIGCONT)
    assert by_peer(res)["node-e"]["status"] == "timeout"
    assert by_peer(res)["node-b"]["status"] == "hit"
    assert elapsed < 5  # the deadline holds


def test_node_killed_mid_screen_is_reported_and_others_answer(net: dict[str, NodeProc]) -> None:
    a, f = net["node-a"], net["node-f"]
    assert f.proc is not None
    os.killpg(f.proc.pid, signal.SIGSTOP)  # hung: accepts connections, answers nothing
    out: dict[str, Any] = {}
    t = threading.Thread(
        target=lambda: out.update(
            screen(a, HIT_NAME, peers=["node-b", "node-c", "node-f"], deadline=6.0)
        )
    )
    started = time.monotonic()
    t.start()
    time.sleep(1.0)
    os.killpg(f.proc.pid, signal.SIGKILL)  # and now dead, in the middle of the screen
    t.join(timeout=30)
    elapsed = time.monotonic() - started
    f.proc.wait()
    peers = by_peer(out)
    assert peers["node-b"]["status"] == "hit" and peers["node-c"]["status"] == "hit"
    assert peers["node-f"]["status"] in {"down", "timeout"}
    assert elapsed < 10
    # With node-f gone for good the screen is quick and says so.
    res = screen(a, HIT_NAME, peers=["node-b", "node-f"], deadline=3.0)
    assert by_peer(res)["node-f"]["status"] == "down"
    assert by_peer(res)["node-b"]["status"] == "hit"


# -- list updates, delistings, receipts, alerts ------------------------------------------


def test_delta_and_delisting_propagate_with_signed_receipts(net: dict[str, NodeProc]) -> None:
    a, b, c = net["node-a"], net["node-b"], net["node-c"]
    # v2 delists 1 of 4 records (more than 5%): confirmed
    r = cli(a, "import", "ftm", str(FIXTURES / "watchlist-v2.jsonl"), "--dataset", "fx",
            "--confirm")
    assert r.exit_code == 0, r.output
    updates = a.api("GET", "/federation/updates").json()
    delta = updates[0]
    assert delta["dataset"] == "fx" and delta["summary"]["delisted"] == ["fx-002"]
    receipts = {x["peer_id"]: x for x in delta["receipts"]}
    # node-b and node-c applied it and signed receipts; node-f (dead) has not.
    assert receipts["node-b"]["status"] == "applied"
    assert receipts["node-c"]["status"] == "applied"
    assert receipts["node-b"]["detail"]["delisted"] == ["fx-002"]
    assert receipts["node-f"]["status"] == "pending" and receipts["node-f"]["receipt"] is None
    # Each receipt is node-b's / node-c's own signed envelope, checkable by anyone with
    # their descriptors.
    for holder in ("node-b", "node-c"):
        receipt = Envelope.parse(receipts[holder]["receipt"])
        assert receipt.type == "list.receipt" and receipt.sender == holder
        assert receipt.body["delta_id"] == delta["id"]
        key = Identity.load(net[holder].data_dir / "federation").public_key
        assert receipt.verify_signature(key)
    # The delisting reached node-b's copy: no more hit on the delisted record.
    hb = b.api("POST", "/screen", json={"name": "Marisol Quintanilla Oyarzun"})
    assert hb.status_code == 200, hb.text
    # (a copy names node-a's records node-a:<id>; the receipt above speaks node-a's ids)
    assert all(h["entity_id"] != "node-a:fx-002" for h in hb.json()["hits"])
    assert c.api("GET", "/entities/node-a:fx-002").json()["status"] == "delisted"
    assert b.api("GET", "/entities/node-a:fx-005").json()["id"] == "node-a:fx-005"
    assert b.api("GET", "/entities/fx-005").status_code == 404
    # And appears in node-b's inbox with the earlier screenings to re-review.
    inbox = b.api("GET", "/federation/inbox").json()
    kinds = {x["kind"] for x in inbox}
    assert {"delisting", "new_listing"} <= kinds
    delisting = next(x for x in inbox if x["kind"] == "delisting")
    assert "node-a:fx-002" in delisting["body"] and delisting["peer_id"] == "node-a"
    # An urgent alert reaches subscribed peers; node-f is reported as down.
    r = a.api(
        "POST",
        "/federation/alerts",
        json={"kind": "urgent", "title": "Travel alert", "body": "Watch route X"},
    )
    assert r.status_code == 200
    assert r.json()["node-b"] == "delivered" and r.json()["node-f"].startswith("down")
    sent = r.json()
    r = cli(c, "inbox", "--json")
    assert r.exit_code == 0 and "Travel alert" in r.output, (r.output, sent)
    # A peer that does not take updates from node-a refuses them.
    r = cli(a, "alerts", "send", "--kind", "urgent", "--title", "x", "--peer", "node-e")
    assert "not_subscribed" in r.output
    # node-f comes back (same store and keys); see the last test.
    net["node-f"].start()


def test_a_peer_changes_only_the_lists_it_publishes(net: dict[str, NodeProc]) -> None:
    """Issue 13 item 2: node-b takes updates of every list from node-c (``*``), yet node-c
    may neither delist node-a's records (fx) nor node-b's own (the demo UN list), nor name
    them from its own list, nor add a record under another list's id: each is a signed
    refusal, audited, never a 500, and nothing changes. node-c's own records are held here
    under its name (``node-c:<id>``), so its ids never meet another publisher's."""
    b, c = net["node-b"], net["node-c"]
    r = b.api("POST", "/federation/agreements", json={
        "peer_id": "node-c", "direction": "inbound", "lists": ["*"],
        "purposes": ["investigation"], "expires_at": format_ts(datetime.now(UTC) + timedelta(days=1)),
        "subscribed": True,
    })
    assert r.status_code in (200, 201), r.text
    ident = Identity.load(c.data_dir / "federation")
    un_id = "un_sc-DMi.001"  # the UN list node-b imported itself
    a_id = "node-a:fx-001"  # node-a's fx-001, as node-b's copy names it
    assert b.api("GET", f"/entities/{un_id}").json()["datasets"] == ["un_sc"]
    assert b.api("GET", f"/entities/{a_id}").json()["datasets"] == ["fx"]
    before = b.api("GET", "/datasets").json()["datasets"]

    def delta(dataset: str, **kinds: Any) -> tuple[int, Any]:
        body = {"delta_id": f"evil-{dataset}", "dataset": dataset, "version": "x", **kinds}
        return _post(b, seal(ident, "list.delta", "node-b", body).to_dict())

    def person(eid: str, dataset: str) -> dict[str, Any]:
        return {"id": eid, "dataset": dataset, "schema": "Person",
                "statements": [{"prop": "name", "value": "Nobody"}]}

    refusals: list[tuple[str, dict[str, Any]]] = [
        # a list held locally, or published by node-a: the list is not node-c's
        ("not_publisher", {"dataset": "fx", "delisted": ["fx-001"]}),
        ("not_publisher", {"dataset": "un_sc", "delisted": [un_id]}),
        ("not_publisher", {"dataset": "fx", "added": [person("fx-009", "fx")]}),
        # node-c's own list naming records that are not its own: node-a's (as held here),
        # a UN record, by delisting, withdrawal or change
        ("not_publisher", {"dataset": "cx", "delisted": [a_id]}),
        ("not_publisher", {"dataset": "cx", "withdrawn": [un_id]}),
        ("not_publisher", {"dataset": "cx", "changed": [person(un_id, "cx")]}),
        # ...or adding a record under an id another list here holds (a local one)
        ("id_collision", {"dataset": "cx", "added": [person(un_id, "cx")]}),
        ("id_collision", {"dataset": "cx", "added": [person("cx-001", "cx"),
                                                     person(a_id, "cx")]}),
    ]
    for reason, kinds in refusals:
        dataset = kinds.pop("dataset")
        status, body = delta(dataset, **kinds)
        assert status == 403 and body["reason"] == reason, (kinds, body)
        refusal = Envelope.parse(body["envelope"])  # a signed refusal, checkable by node-c
        assert refusal.sender == "node-b" and refusal.body["reason"] == reason
        assert refusal.verify_signature(Identity.load(b.data_dir / "federation").public_key)
    # nothing changed: the victims are listed as they were, no list was made, no record
    for victim in (un_id, a_id, "node-a:fx-003"):
        assert b.api("GET", f"/entities/{victim}").json()["status"] == "listed"
    assert b.api("GET", "/datasets").json()["datasets"] == before
    for never in ("node-c:cx-001", f"node-c:{un_id}", f"node-c:{a_id}", "node-c:fx-009"):
        assert b.api("GET", f"/entities/{never}").status_code == 404
    # ...but node-c's own list with its own ids is applied, under node-c's name; its receipt
    # speaks node-c's ids, and the same ids from another publisher would not collide
    status, body = delta("cx", added=[person("cx-001", "cx"), person("fx-001", "cx")])
    assert status == 200 and body["body"]["upserted"] == 2, body
    assert b.api("GET", "/entities/node-c:cx-001").json()["datasets"] == ["cx"]
    assert b.api("GET", "/entities/node-c:fx-001").json()["datasets"] == ["cx"]
    assert b.api("GET", f"/entities/{a_id}").json()["datasets"] == ["fx"]  # node-a's, intact
    status, body = delta("cx", delisted=["fx-001", "cx-404"])
    assert status == 200 and body["body"]["delisted"] == ["fx-001"], body
    assert body["body"]["not_held"] == ["cx-404"]
    assert b.api("GET", "/entities/node-c:fx-001").json()["status"] == "delisted"
    assert b.api("GET", f"/entities/{a_id}").json()["status"] == "listed"
    reasons = [e["detail"]["reason"] for e in audit_events(b, "federation.refused")
               if e["actor"] == "peer:node-c"]
    assert reasons.count("not_publisher") == 6 and reasons.count("id_collision") == 2
    # and node-b's own admin may not import over node-a's fx either (409, store unchanged)
    r = cli(b, "import", "ftm", str(FIXTURES / "watchlist-v2.jsonl"), "--dataset", "fx")
    assert r.exit_code != 0 and "published by node-a" in r.output, r.output
    # issue 13 item 6: what was searched never reaches the access log in clear
    assert b.api("GET", "/search", params={"q": "Zyxwvut Secretname"}).status_code == 200
    time.sleep(0.5)
    log = (b.data_dir / "server.log").read_text()
    assert "GET /search?" in log and "Zyxwvut" not in log


# -- the audit log -----------------------------------------------------------------------


def _rechain(db: Path, from_seq: int) -> None:
    """Recompute every hash from ``from_seq`` on: what a careful forger would do."""
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = con.execute(
        "select * from audit_log where seq >= ? order by seq", (from_seq,)
    ).fetchall()
    prev = con.execute("select hash from audit_log where seq = ?", (from_seq - 1,)).fetchone()[0]
    import hashlib

    for row in rows:
        at = datetime.fromisoformat(row["at"]).replace(tzinfo=UTC)
        body = {
            "seq": row["seq"],
            "at": format_ts(at),
            "actor": row["actor"],
            "event": row["event"],
            "purpose": row["purpose"],
            "legal_basis": row["legal_basis"],
            "case_ref": row["case_ref"],
            "query_hash": row["query_hash"],
            "result_ids": json.loads(row["result_ids"]),
            "detail": json.loads(row["detail"]),
            "prev_hash": prev,
        }
        h = hashlib.sha256(canonical_json(body).encode()).hexdigest()
        con.execute(
            "update audit_log set prev_hash = ?, hash = ? where seq = ?", (prev, h, row["seq"])
        )
        prev = h
    con.commit()
    con.close()


def test_audit_edit_detected_and_checkpoints_catch_a_rewritten_chain(
    net: dict[str, NodeProc],
) -> None:
    d = net["node-d"]
    r = cli(d, "audit", "checkpoint")
    assert r.exit_code == 0, r.output
    cp = json.loads(r.stdout)
    assert cp["node_id"] == "node-d" and cp["seq"] > 5
    # A partner fetches and keeps node-d's signed checkpoint.
    r = net["node-b"].api("POST", "/federation/peers/node-d/checkpoint")
    assert r.status_code == 200 and r.json()["node_id"] == "node-d"
    assert cli(d, "audit", "verify").exit_code == 0
    assert cli(d, "audit", "verify-checkpoints").exit_code == 0
    # What an oversight body gets: the exported log, the signed checkpoint, the descriptor.
    exported, cps, desc = (d.data_dir / n for n in ("log.jsonl", "cps.jsonl", "desc.json"))
    assert cli(d, "audit", "export", "--out", str(exported)).exit_code == 0
    cps.write_text(json.dumps(cp) + "\n")
    assert cli(d, "descriptor", "--out", str(desc)).exit_code == 0
    oversight = [
        "audit",
        "verify-export",
        str(exported),
        "--checkpoints",
        str(cps),
        "--descriptor",
        str(desc),
    ]
    r = cli(d, *oversight)
    assert r.exit_code == 0 and "OK" in r.output, r.output
    db = d.data_dir / "ctnode.db"
    con = sqlite3.connect(db)
    con.execute("update audit_log set actor = 'nobody' where seq = 3")
    con.commit()
    con.close()
    r = cli(d, "audit", "verify")
    assert r.exit_code == 1 and "3" in r.output
    # The forger recomputes the chain: plain verification passes, the signed checkpoint does not.
    _rechain(db, 3)
    assert cli(d, "audit", "verify").exit_code == 0
    r = cli(d, "audit", "verify-checkpoints")
    assert r.exit_code == 1 and "checkpoint" in r.output
    # The same rewritten log, exported and handed to the oversight body, fails there too.
    assert cli(d, "audit", "export", "--out", str(exported)).exit_code == 0
    r = cli(d, *oversight)
    assert r.exit_code == 1 and "checkpoint" in r.output
    # Checkpoints given from a file (as a partner or oversight body holds them) work the same.
    f = d.data_dir / "cps.jsonl"
    f.write_text(json.dumps(cp) + "\n")
    assert cli(d, "audit", "verify-checkpoints", "--file", str(f)).exit_code == 1
    # A checkpoint not signed by node-d's key is rejected outright.
    bad = {**cp, "signature": base64.b64encode(b"\0" * 64).decode()}
    f.write_text(json.dumps(bad) + "\n")
    r = cli(d, "audit", "verify-checkpoints", "--file", str(f))
    assert r.exit_code == 1 and "not signed" in r.output


def test_a_node_back_online_gets_the_delisting_it_missed(net: dict[str, NodeProc]) -> None:
    a, f = net["node-a"], net["node-f"]
    f.wait_ready()  # restarted at the end of the delta test, same store and keys
    assert f.api("GET", "/entities/node-a:fx-002").json()["status"] == "listed"  # old copy
    # Any signed contact from node-f tells node-a it is back; node-a sends what it missed.
    # node-a re-sends at most every 30 s per peer, and an earlier contact from node-f (while it
    # was still starting, on a loaded machine) may have spent that turn before node-f could
    # answer: keep in touch as a returning node does, one ping every 10 s until applied.
    deadline = time.monotonic() + 75
    status, pinged = "pending", 0.0
    while time.monotonic() < deadline and status != "applied":
        if time.monotonic() - pinged > 10:
            assert f.api("POST", "/federation/peers/node-a/ping").status_code == 200
            pinged = time.monotonic()
        time.sleep(0.3)
        receipts = a.api("GET", "/federation/updates").json()[0]["receipts"]
        status = next(r["status"] for r in receipts if r["peer_id"] == "node-f")
    assert status == "applied"
    assert f.api("GET", "/entities/node-a:fx-002").json()["status"] == "delisted"
    assert any(x["kind"] == "delisting" for x in f.api("GET", "/federation/inbox").json())
