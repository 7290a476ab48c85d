"""Threat intelligence as a user meets it: a whole ``ctnode intel import`` command, TAXII POSTs
to a warm ``ctnode serve``, then TAXII pages from it over loopback HTTP, on SQLite or
PostgreSQL.

    .venv/bin/python -m bench.intel.http                  # 100,000 objects, SQLite
    .venv/bin/python -m bench.intel.http --postgresql     # the same on a fresh PostgreSQL database
    .venv/bin/python -m bench.intel.http --objects 10000  # a quick smoke run

1. ``ctnode intel import bundle.json -c bench`` timed from the shell side (interpreter
   start, imports, JSON, validation with the ``stix2`` object model and pattern grammar,
   the store write in one transaction and its audit entry), with the command's CPU time
   (user + system, from ``getrusage`` of the child) beside the wall time.
2. ``--post N`` more objects (another seed) are sent to the running server as TAXII POSTs
   of ``--post-batch`` objects each (``application/taxii+json`` envelopes; validation, store
   write, status resource and audit entry on the server); wall time over all of them.
3. The server is started on 127.0.0.1 with that store; each TAXII query is sent
   ``--repeat`` times with ``httpx`` (HTTP Basic with an analyst key, keep-alive), after
   two warm-up requests; median and p95 of the whole request. The same queries answered
   by the in-memory collection through the same protocol functions (no HTTP, no SQL)
   are timed beside it as the reference.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
from sqlalchemy import create_engine, make_url, text

from bench.intel.generate import bundle, generate
from ctnode.intel.stix import parse_stix
from ctnode.intel.taxii import protocol
from ctnode.intel.taxii.collection import MemoryCollection
from ctnode.intel.taxii.protocol import TaxiiRequest
from ctnode.intel.taxii.resources import Collection
from ctnode.model.access import Actor
from ctnode.node import Node
from ctnode.settings import Settings

OUT = Path(__file__).resolve().parents[1] / "out" / "intel-http"
CTNODE = str(Path(sys.executable).with_name("ctnode"))
ADMIN = Actor("bench", "admin")
PG = os.environ.get("CTNODE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_DB = "ctnode_bench_intel_http"


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _fresh_pg(database: str = PG_DB) -> str:
    """A fresh PostgreSQL database for the run (dropped first if a previous run left it)."""
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return make_url(PG).set(database=database).render_as_string(hide_password=False)


def _ms(samples: list[float]) -> str:
    s = sorted(samples)
    return f"{statistics.median(s) * 1000:.1f} / {s[int(len(s) * 0.95) - 1] * 1000:.1f}"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--objects", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--postgresql", action="store_true",
                    help="a fresh PostgreSQL database (CTNODE_TEST_PG_URL's server) instead of SQLite")
    ap.add_argument("--post", type=int, default=10_000,
                    help="objects sent as TAXII POSTs to the running server (0: none)")
    ap.add_argument("--post-batch", type=int, default=1_000)
    ap.add_argument("--reuse", action="store_true",
                    help="keep the store of the previous run (skip generation and import)")
    args = ap.parse_args()
    out = OUT / ("postgresql" if args.postgresql else "sqlite")
    path = out / "bundle.json"
    data_dir = out / "node"
    env = {**os.environ, "CTNODE_DATA_DIR": str(data_dir), "CTNODE_MODE": "development",
           "CTNODE_DATABASE_URL": "", "CTNODE_JOBS_ENABLED": "false"}
    backend = "PostgreSQL" if args.postgresql else "SQLite"
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {backend}, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.reuse and (out / "token").exists():
        token = (out / "token").read_text()
        env["CTNODE_DATABASE_URL"] = (out / "database_url").read_text()
        objects = orjson.loads(path.read_bytes())["objects"]
    else:
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        env["CTNODE_DATABASE_URL"] = _fresh_pg() if args.postgresql else ""
        (out / "database_url").write_text(env["CTNODE_DATABASE_URL"])
        objects = generate(args.objects)
        path.write_bytes(orjson.dumps(bundle(objects)))
        node = Node(Settings(data_dir=data_dir, mode="development",
                             database_url=env["CTNODE_DATABASE_URL"]))
        node.intel.create_collection(ADMIN, title="bench", alias="bench")
        token = node.access.create_key(ADMIN, name="bench", role="analyst")
        node.close()
        (out / "token").write_text(token)
        load = os.getloadavg()[0]
        cpu, t = _child_cpu(), time.perf_counter()
        subprocess.run([CTNODE, "intel", "import", str(path), "-c", "bench", "--json"],
                       env=env, check=True, capture_output=True)
        dt, cpu = time.perf_counter() - t, _child_cpu() - cpu
        print(f"ctnode intel import, {len(objects):,} objects "
              f"({path.stat().st_size / 1e6:.1f} MB), load {load:.1f} -> "
              f"{os.getloadavg()[0]:.1f}: wall {dt:.1f} s, **{len(objects) / dt:,.0f} objects/s**;"
              f" CPU {cpu:.1f} s, {len(objects) / cpu:,.0f} objects per CPU-second "
              "(whole command)")

    port = _port()
    log = (out / "server.log").open("wb")
    proc = subprocess.Popen([CTNODE, "serve"], env={**env, "CTNODE_PORT": str(port)},
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/taxii2/api1/collections/bench"
    _, key_id, secret = token.split("_", 2)
    try:
        client = httpx.Client(auth=(key_id, secret), timeout=60,
                              headers={"Accept": "application/taxii+json;version=2.1"})
        deadline = time.monotonic() + 300
        while True:
            try:
                if client.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the server did not start; see server.log") from None
                time.sleep(0.5)
        if args.post and not args.reuse:
            extra = generate(args.post, seed=71)[5:]  # the TLP markings are there already
            load = os.getloadavg()[0]
            t = time.perf_counter()
            added = 0
            for i in range(0, len(extra), args.post_batch):
                body = orjson.dumps({"objects": extra[i : i + args.post_batch]})
                r = client.post(f"{base}/objects/", content=body, headers={
                    "Content-Type": "application/taxii+json;version=2.1"})
                r.raise_for_status()
                added += r.json()["success_count"]
            dt = time.perf_counter() - t
            print(f"TAXII POST of {len(extra):,} objects in envelopes of {args.post_batch:,}, "
                  f"load {load:.1f} -> {os.getloadavg()[0]:.1f}: {added:,} added, wall "
                  f"{dt:.1f} s, **{len(extra) / dt:,.0f} objects/s** (server: validation, store, "
                  "status, audit)")
        first = client.get(f"{base}/objects/", params={"limit": "1000"}).json()
        token_mid = first["next"]
        for _ in range(40):
            page = client.get(f"{base}/objects/", params={"limit": "1000", "next": token_mid})
            if "next" not in page.json():
                break
            token_mid = page.json()["next"]
        recent = first["objects"][0].get("created", "2026-01-01T00:00:00Z")
        cases = [
            ("first page, default filters", "objects", {"limit": "1000"}),
            ("a page deep in via next (page 42 at 100,000)", "objects", {"limit": "1000", "next": token_mid}),
            ("match[type]=indicator", "objects", {"limit": "1000", "match[type]": "indicator"}),
            ("match[type]=sighting,report", "objects",
             {"limit": "1000", "match[type]": "sighting,report"}),
            ("match[version]=all", "objects", {"limit": "1000", "match[version]": "all"}),
            ("manifest page of 1,000", "manifest", {"limit": "1000"}),
        ]
        memory = MemoryCollection()
        content = parse_stix(path.read_bytes())
        memory.add("bench", content.objects, datetime.now(UTC))
        col = Collection("bench", "bench", can_read=True, can_write=True)
        print(f"TAXII page over {len(objects):,} objects: median / p95 ms ({args.repeat} runs)")
        print(f"| query | warm ctnode serve, HTTP, {backend}: median / p95 ms | server CPU ms "
              "per request | in memory, no HTTP (reference) |")
        for name, endpoint, params in cases:
            samples = []
            server_cpu = 0.0
            for i in range(args.repeat + 2):
                if i == 2:
                    server_cpu = _proc_cpu(proc.pid)
                t = time.perf_counter()
                r = client.get(f"{base}/{endpoint}/", params=params)
                if i >= 2:  # the whole response received; the client's JSON decoding apart
                    samples.append(time.perf_counter() - t)
                r.raise_for_status()
                n = len(r.json().get("objects", []))
            server_cpu = _proc_cpu(proc.pid) - server_cpu
            ref = []
            mem_params = {k: v for k, v in params.items() if k != "next"}
            for _ in range(args.repeat):
                t = time.perf_counter()
                req = TaxiiRequest(col, mem_params)
                fn = protocol.get_manifest if endpoint == "manifest" else protocol.get_objects
                fn(memory, req).json_bytes()
                ref.append(time.perf_counter() - t)
            print(f"| {name} ({n} objects) | {_ms(samples)} | "
                  f"{server_cpu / args.repeat * 1000:.0f} | {_ms(ref)} |")
        print(f"(recent object created {recent})")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        print(f"load average at end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
