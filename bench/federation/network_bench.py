"""Federation benchmarks: a network screen across 10 local nodes, and sign/verify per message.

Starts 11 real node processes on 127.0.0.1 (one requester, 10 holders; each with
its own SQLite store, keys and the demo UN list plus a small FtM list), makes
every holder grant the requester an agreement, then times ``POST
/federation/screen`` on the requester (local screen + 10 signed queries in
parallel + 10 verified answers): median and 95th percentile latency, and screens
per second sequentially and with 4 concurrent clients.

Run: .venv/bin/python -m bench.federation.network_bench [--nodes 10] [--screens 200]
Prints a Markdown table; copy it into docs/benchmarks.md (## Federation).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from ctnode.federation.envelope import Envelope, seal
from ctnode.federation.identity import Identity
from ctnode.ingest.un_sc import DEMO_LIST
from ctnode.model.access import Actor
from ctnode.node import Node
from ctnode.settings import Settings

ADMIN = Actor("bench", "admin")
FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "federation" / "fixtures"
# as `python -m ctnode.cli` (the same as the `ctnode` command): PYTHONPATH picks the code,
# so old and new can be measured in turn from one environment
CTNODE = [sys.executable, "-m", "ctnode.cli"]
NAMES = [
    "Zoltan Abramovich Kuressaar",
    "Faris Nadir",
    "Wilhelmina Ostergaard Pemberton",
    "Marisol Quintanilla",
    "Teodor Brancoveanu",
    "Arslan Timurovich",
    "John Smith",
    "Northern Lantern Relief Fund",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def setup(root: Path, n_holders: int) -> list[dict[str, Any]]:
    year = datetime.now(UTC) + timedelta(days=365)
    nodes: list[dict[str, Any]] = []
    for i in range(n_holders + 1):
        name = "req" if i == 0 else f"h{i:02d}"
        port = free_port()
        key = f"ctn_{i:04d}bench{i:03d}_{'k' * 32}"
        settings = Settings(
            data_dir=root / name, mode="development", port=port, bootstrap_admin_key=key
        )
        nodes.append({"name": name, "port": port, "key": key, "settings": settings})
    parsed_un = parsed_fx = None
    handles = []
    for n in nodes:
        node = Node(n["settings"])
        node.federation.directory.init(
            ADMIN,
            node_id=n["name"],
            organisation=n["name"],
            country="ZZ",
            contact="bench@example",
            endpoint=f"http://127.0.0.1:{n['port']}",
        )
        if parsed_un is None:
            parsed_un = node.lists.parse_source("un-sc", str(DEMO_LIST))
            parsed_fx = node.lists.parse_source("ftm", str(FIXTURE / "watchlist-v1.jsonl"), dataset="fx")
        node.lists.import_list(parsed_un, ADMIN)
        node.lists.import_list(parsed_fx, ADMIN)
        handles.append(node)
    req = handles[0]
    for holder in handles[1:]:
        req.federation.directory.add_peer(ADMIN, holder.federation.directory.descriptor(ADMIN).to_dict())
        holder.federation.directory.add_peer(ADMIN, req.federation.directory.descriptor(ADMIN).to_dict())
        pid = holder.federation.context.identity.node_id
        holder.federation.directory.add_agreement(
            ADMIN,
            peer_id="req",
            direction="outbound",
            lists=["*"],
            purposes=["investigation"],
            expires_at=year,
            rate_per_minute=100_000,
        )
        req.federation.directory.add_agreement(
            ADMIN,
            peer_id=pid,
            direction="inbound",
            lists=["*"],
            purposes=["investigation"],
            expires_at=year,
            rate_per_minute=100_000,
        )
    for h in handles:
        h.close()
    return nodes


def start(nodes: list[dict[str, Any]]) -> list[subprocess.Popen[bytes]]:
    procs = []
    for n in nodes:
        env = {
            **os.environ,
            "CTNODE_DATA_DIR": str(n["settings"].data_dir),
            "CTNODE_MODE": "development",
            "CTNODE_PORT": str(n["port"]),
            "CTNODE_DATABASE_URL": "",
            "CTNODE_BOOTSTRAP_ADMIN_KEY": n["key"],
        }
        log = (n["settings"].data_dir / "server.log").open("wb")
        procs.append(
            subprocess.Popen(
                [*CTNODE, "serve"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    for n in nodes:
        end = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{n['port']}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > end:
                raise RuntimeError(f"{n['name']} did not start")
            time.sleep(0.2)
    return procs


def network_screens(
    req: dict[str, Any], count: int, workers: int
) -> tuple[list[float], float, dict[str, int]]:
    client = httpx.Client(headers={"X-API-Key": req["key"]}, timeout=30)
    url = f"http://127.0.0.1:{req['port']}/federation/screen"
    outcomes: dict[str, int] = {}

    def one(i: int) -> float:
        t0 = time.perf_counter()
        r = client.post(
            url,
            json={
                "name": NAMES[i % len(NAMES)],
                "purpose": "investigation",
                "legal_basis": "bench",
                "case_ref": f"B-{i}",
            },
        )
        ms = (time.perf_counter() - t0) * 1000
        r.raise_for_status()
        for p in r.json()["peers"]:
            outcomes[p["status"]] = outcomes.get(p["status"], 0) + 1
        return ms

    for i in range(5):  # warm-up: connections, match indexes
        one(i)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        lat = list(pool.map(one, range(count)))
    wall = time.perf_counter() - t0
    client.close()
    return lat, count / wall, outcomes


def sign_verify(iterations: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        ident = Identity.create(
            Path(tmp),
            node_id="bench",
            organisation="B",
            country="ZZ",
            contact="c",
            endpoint="http://127.0.0.1:1",
            development=True,
        )
        body = {
            "query": {
                "names": ["Zoltan Abramovich Kuressaar"],
                "schema": "Person",
                "birth_dates": ["1971-03-14"],
                "nationalities": ["ee"],
                "documents": [],
            },
            "purpose": "investigation",
            "legal_basis": "Act 12 s.3",
            "case_ref": "CASE-7",
        }
        t0 = time.perf_counter()
        envs = [seal(ident, "screen.request", "peer", body).to_dict() for _ in range(iterations)]
        sign = (time.perf_counter() - t0) / iterations * 1e6
        pk = ident.public_key
        t0 = time.perf_counter()
        for e in envs:
            assert Envelope.parse(e).verify_signature(pk)
        verify = (time.perf_counter() - t0) / iterations * 1e6
        size = len(httpx.Request("POST", "http://x", json=envs[0]).content)
    return {"sign_us": sign, "verify_us": verify, "bytes": float(size)}


def holder_cost(root: Path, count: int) -> float:
    """Milliseconds one holder spends on one screen.request, in process (no HTTP, no network):
    envelope checks, nonce, agreement, the screen itself, references, two audit entries."""
    from ctnode.federation.transport import InProcessTransport

    transport = InProcessTransport()
    year = datetime.now(UTC) + timedelta(days=365)
    pair = []
    for i, name in enumerate(("asker", "holder")):
        node = Node(Settings(data_dir=root / name, mode="development"))
        node.federation.context.transport = transport
        node.federation.directory.init(
            ADMIN,
            node_id=name,
            organisation=name,
            country="ZZ",
            contact="c",
            endpoint=f"http://127.0.0.1:{9000 + i}",
        )
        node.lists.import_source("un-sc", str(DEMO_LIST), ADMIN)
        pair.append(node)
    asker, holder = pair
    asker.federation.directory.add_peer(ADMIN, holder.federation.directory.descriptor(ADMIN).to_dict())
    holder.federation.directory.add_peer(ADMIN, asker.federation.directory.descriptor(ADMIN).to_dict())
    holder.federation.directory.add_agreement(
        ADMIN,
        peer_id="asker",
        direction="outbound",
        lists=["*"],
        purposes=["investigation"],
        expires_at=year,
        rate_per_minute=100_000,
    )
    envs = [
        seal(
            asker.federation.context.identity,
            "screen.request",
            "holder",
            {
                "query": {"names": [NAMES[i % len(NAMES)]]},
                "purpose": "investigation",
                "legal_basis": "bench",
                "case_ref": "B",
            },
        ).to_dict()
        for i in range(count + 5)
    ]
    for e in envs[:5]:
        holder.federation.inbound.receive(e)
    t0 = time.perf_counter()
    for e in envs[5:]:
        status, _ = holder.federation.inbound.receive(e)
        assert status == 200
    ms = (time.perf_counter() - t0) / count * 1000
    asker.close()
    holder.close()
    return ms


def cli_network_screens(req: dict[str, Any], runs: int) -> list[tuple[float, float]]:
    """``ctnode screen NAME --network`` as a desk officer runs it on the requester's folder
    (beside its running server): (wall s, CPU s) of each whole command."""
    env = {**os.environ, "CTNODE_DATA_DIR": str(req["settings"].data_dir),
           "CTNODE_MODE": "development", "CTNODE_DATABASE_URL": "",
           "CTNODE_JOBS_ENABLED": "false"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    times = []
    for i in range(runs):
        with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
            t0 = time.perf_counter()
            proc = subprocess.Popen(
                [*CTNODE, "screen", NAMES[i % len(NAMES)], "--network", "--json",
                 "--purpose", "investigation", "--legal-basis", "bench", "--case", f"C-{i}"],
                env=env, stdout=out_f, stderr=err_f)
            _pid, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
            out_f.seek(0)
            err_f.seek(0)
            out, err = out_f.read(), err_f.read()
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"ctnode screen --network failed: {err.decode()[-500:]}")
        answer = json.loads(out)
        times.append((wall, usage.ru_utime + usage.ru_stime))
        if i == 0:
            print("first --network answer:", json.dumps(answer)[:600], flush=True)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=10, help="holders (plus one requester)")
    ap.add_argument("--screens", type=int, default=200)
    ap.add_argument("--iterations", type=int, default=5000)
    ap.add_argument("--cli-runs", type=int, default=7,
                    help="whole `ctnode screen NAME --network` commands")
    args = ap.parse_args()
    sv = sign_verify(args.iterations)
    with tempfile.TemporaryDirectory() as scratch:
        holder_ms = holder_cost(Path(scratch), 300)
    tmp = tempfile.mkdtemp(prefix="ctnode-fedbench-")
    if True:
        t0 = time.perf_counter()
        nodes = setup(Path(tmp), args.nodes)
        procs = start(nodes)
        ready = time.perf_counter() - t0
        try:
            seq, seq_rate, outcomes = network_screens(nodes[0], args.screens, 1)
            par, par_rate, _ = network_screens(nodes[0], args.screens, 4)
            cli = cli_network_screens(nodes[0], args.cli_runs)
        finally:
            for p in procs:
                os.killpg(p.pid, signal.SIGTERM)
            for p in procs:
                p.wait(timeout=20)
    shutil.rmtree(tmp)  # kept (with each node's server.log) when the run fails
    load = os.getloadavg()[0]
    print(
        f"\nLoad average at the end {load:.1f}. Machine: "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores "
        f"(shared), Python {platform.python_version()}; {args.nodes} holder nodes + 1 "
        f"requester, all on 127.0.0.1, SQLite; setup and start {ready:.0f} s.\n"
    )
    print("| measure | value |\n| --- | --- |")
    print(f"| network screen, 1 client: median | {statistics.median(seq):.1f} ms |")
    print(f"| network screen, 1 client: p95 | {pct(seq, 95):.1f} ms |")
    print(f"| network screens/s, 1 client | {seq_rate:.1f} |")
    print(f"| network screen, 4 clients: median | {statistics.median(par):.1f} ms |")
    print(f"| network screen, 4 clients: p95 | {pct(par, 95):.1f} ms |")
    print(f"| network screens/s, 4 clients | {par_rate:.1f} |")
    print(f"| peer answers (1-client run) | {outcomes} |")
    if cli:
        walls = [w for w, _ in cli]
        print(f"| `ctnode screen NAME --network`, whole command: median (min-max of "
              f"{len(cli)}) | {statistics.median(walls):.2f} s ({min(walls):.2f}-"
              f"{max(walls):.2f}) |")
        print(f"| the same, CPU seconds of the process: median | "
              f"{statistics.median(c for _, c in cli):.2f} s |")
    print(f"| sign one screen.request envelope | {sv['sign_us']:.0f} µs |")
    print(f"| parse + verify one envelope | {sv['verify_us']:.0f} µs |")
    print(f"| screen.request envelope size | {sv['bytes']:.0f} bytes |")
    print(f"| holder's work per screen.request (in process) | {holder_ms:.1f} ms |")


if __name__ == "__main__":
    main()
