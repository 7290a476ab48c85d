"""Threat intelligence as a user meets it: a whole ``ctnode intel import`` command, then TAXII
pages from a warm ``ctnode serve`` over loopback HTTP (SQLite store).

    .venv/bin/python -m bench.intel.http                  # 100,000 objects
    .venv/bin/python -m bench.intel.http --objects 10000  # a quick smoke run

1. ``ctnode intel import bundle.json -c bench`` timed from the shell side (interpreter
   start, imports, JSON, validation with the ``stix2`` object model and pattern grammar,
   the store write in one transaction and its audit entry).
2. The server is started on 127.0.0.1 with that store; each TAXII query is sent
   ``--repeat`` times with ``httpx`` (HTTP Basic with an analyst key, keep-alive), after
   two warm-up requests; median and p95 of the whole request. The same queries answered
   by the in-memory collection through the same protocol functions (no HTTP, no SQL)
   are timed beside it as the reference.
"""

from __future__ import annotations

import argparse
import os
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
    ap.add_argument("--reuse", action="store_true",
                    help="keep the store of the previous run (skip generation and import)")
    args = ap.parse_args()
    path = OUT / "bundle.json"
    data_dir = OUT / "node"
    env = {**os.environ, "CTNODE_DATA_DIR": str(data_dir), "CTNODE_MODE": "development",
           "CTNODE_DATABASE_URL": "", "CTNODE_JOBS_ENABLED": "false"}
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}")
    if args.reuse and (OUT / "token").exists():
        token = (OUT / "token").read_text()
        objects = orjson.loads(path.read_bytes())["objects"]
    else:
        shutil.rmtree(OUT, ignore_errors=True)
        OUT.mkdir(parents=True)
        objects = generate(args.objects)
        path.write_bytes(orjson.dumps(bundle(objects)))
        node = Node(Settings(data_dir=data_dir, mode="development", database_url=""))
        node.intel.create_collection(ADMIN, title="bench", alias="bench")
        token = node.access.create_key(ADMIN, name="bench", role="analyst")
        node.close()
        (OUT / "token").write_text(token)
        t = time.perf_counter()
        subprocess.run([CTNODE, "intel", "import", str(path), "-c", "bench", "--json"],
                       env=env, check=True, capture_output=True)
        dt = time.perf_counter() - t
        print(f"ctnode intel import, {len(objects):,} objects "
              f"({path.stat().st_size / 1e6:.1f} MB): {dt:.1f} s, "
              f"{len(objects) / dt:,.0f} objects/s (whole command)")

    port = _port()
    log = (OUT / "server.log").open("wb")
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
        print("| query | warm ctnode serve, HTTP, SQLite | in memory, no HTTP (reference) |")
        for name, endpoint, params in cases:
            samples = []
            for i in range(args.repeat + 2):
                t = time.perf_counter()
                r = client.get(f"{base}/{endpoint}/", params=params)
                r.raise_for_status()
                n = len(r.json().get("objects", []))
                if i >= 2:
                    samples.append(time.perf_counter() - t)
            ref = []
            mem_params = {k: v for k, v in params.items() if k != "next"}
            for _ in range(args.repeat):
                t = time.perf_counter()
                req = TaxiiRequest(col, mem_params)
                fn = protocol.get_manifest if endpoint == "manifest" else protocol.get_objects
                fn(memory, req).json_bytes()
                ref.append(time.perf_counter() - t)
            print(f"| {name} ({n} objects) | {_ms(samples)} | {_ms(ref)} |")
        print(f"(recent object created {recent})")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
