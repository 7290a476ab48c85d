"""Content hashes as a user meets them: whole CLI commands and a warm server over HTTP.

One run, one bank of ``--size`` PDQ hashes made as in ``index_bench`` (hashes of generated
pictures with their edited copies, near-duplicate clusters grown around them, uniform
random bits for 40%), in a fresh SQLite node:

1. ``ctnode hashes bank create`` and ``ctnode hashes bank import --format te-signals`` (whole
   commands: process start, parse, validation, store, audit);
2. ``ctnode hashes match --hash pdq:...`` (whole command: it builds the matcher from the
   store first, so it measures what a one-off CLI match costs on a bank this size);
3. ``ctnode serve`` on loopback (time to ready includes building the matcher), then over HTTP
   with keep-alive: ``POST /hashes/match`` with edited copies of banked pictures (they hit)
   and hashes of fresh pictures (they miss), and ``POST /hashes/match/file`` with JPEG uploads
   (hash + 8 dihedral variants + match + hit rows + audit);
4. the references in the same run, in process (no HTTP, no store): python-threatexchange's
   ``PDQIndex`` over the same hashes, and its ``PdqSignal.hash_from_bytes`` + query for the
   same uploads; ctnode's own ``FaissMihIndex`` likewise, to show what HTTP, the service,
   the hit rows and the audit log add.

Run: PYTHONPATH=. .venv/bin/python -m bench.hashes.api_bench --size 100000 --queries 300
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench.hashes.images import TRANSFORMS, generated
from bench.hashes.index_bench import make_bank, real_hashes, stats
from ctnode.hashes.index import FaissMihIndex
from ctnode.hashes.signals import pdq

OUT = Path(__file__).resolve().parents[1] / "out" / "hashes"
CTNODE = str(Path(sys.executable).with_name("ctnode"))
KEY = "ctn_0000beef0000_" + "s" * 24


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(env: dict[str, str], *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    t = time.perf_counter()
    done = subprocess.run([CTNODE, *args], env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - t, done


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def jpeg(img: Any) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=70)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--files", type=int, default=40)
    ap.add_argument("--images", type=int, default=200)
    args = ap.parse_args()
    rng = np.random.default_rng(16)
    t0 = time.perf_counter()
    originals, edits, dists = real_hashes(args.images, seed0=50_000)
    bank = make_bank(args.size, originals, dists, rng)
    hexes = [pdq.from_bytes(r) for r in bank]
    half = args.queries // 2
    hit_queries = [pdq.from_bytes(r) for r in edits[rng.choice(len(edits), half, replace=False)]]
    fresh = [pdq.hash_array(np.asarray(generated(90_000 + i))).value for i in range(half)]
    queries = hit_queries + fresh
    names = ["jpeg q30", "resize 50%", "mirror", "brightness +30%"]
    uploads = [
        jpeg(TRANSFORMS[names[i % len(names)]](generated(50_000 + i % args.images)))
        for i in range(args.files)
    ]
    print(
        f"made {args.size:,} hashes and {len(queries)} queries in {time.perf_counter() - t0:.0f} s"
    )

    result: dict[str, Any] = {"size": args.size, "queries": len(queries), "files": len(uploads)}
    with tempfile.TemporaryDirectory(prefix="ctnode-hash-bench-") as tmp:
        data = Path(tmp)
        port = free_port()
        env = {
            **os.environ,
            "CTNODE_DATA_DIR": str(data / "node"),
            "CTNODE_MODE": "development",
            "CTNODE_DATABASE_URL": "",
            "CTNODE_PORT": str(port),
            "CTNODE_HOST": "127.0.0.1",
            "CTNODE_JOBS_ENABLED": "false",
        }
        signals = data / "signals.txt"
        signals.write_text("".join(f"pdq {h}\n" for h in hexes), encoding="utf-8")
        secs, done = run(env, "hashes", "bank", "create", "BENCH")
        assert done.returncode == 0, done.stderr
        result["cli_create_s"] = round(secs, 2)
        secs, done = run(
            env, "hashes", "bank", "import", "BENCH", str(signals), "--format", "te-signals"
        )
        assert done.returncode == 0, done.stderr
        result["cli_import_s"] = round(secs, 1)
        result["db_mb"] = round((data / "node" / "ctnode.db").stat().st_size / 1e6, 1)
        print(f"CLI import of {args.size:,} hashes: {secs:.1f} s ({done.stdout.strip()})")
        cli_match = []
        for q in queries[:3]:
            secs, done = run(env, "hashes", "match", "--hash", f"pdq:{q}")
            assert done.returncode in (0, 3), done.stderr
            cli_match.append(secs)
        result["cli_match_s"] = [round(s, 2) for s in cli_match]
        print(f"CLI match (whole command, builds the matcher): {cli_match} s")

        log = (data / "server.log").open("wb")
        t = time.perf_counter()
        server = subprocess.Popen(
            [CTNODE, "serve"],
            env={**env, "CTNODE_BOOTSTRAP_ADMIN_KEY": KEY},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            while True:
                try:
                    if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None or time.perf_counter() - t > 900:
                    raise RuntimeError((data / "server.log").read_text()[-2000:])
                time.sleep(0.2)
            result["serve_ready_s"] = round(time.perf_counter() - t, 1)
            result["server_rss_mb"] = round(rss_mb(server.pid))
            with httpx.Client(base_url=url, headers={"X-API-Key": KEY}, timeout=60) as client:
                client.post("/hashes/match", json={"signal_type": "pdq", "value": queries[0]})
                ms, hits = [], 0
                for q in queries:
                    t = time.perf_counter()
                    r = client.post("/hashes/match", json={"signal_type": "pdq", "value": q})
                    ms.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200, r.text
                    hits += bool(r.json()["hits"])
                result["http_match_ms"] = stats(np.asarray(ms))
                result["http_queries_with_hits"] = hits
                fms, fhits = [], 0
                for body in uploads:
                    t = time.perf_counter()
                    r = client.post("/hashes/match/file", content=body)
                    fms.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200, r.text
                    fhits += bool(r.json()["hits"])
                result["http_file_ms"] = stats(np.asarray(fms))
                result["http_files_with_hits"] = fhits
            result["server_rss_after_mb"] = round(rss_mb(server.pid))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    print(
        f"server ready {result['serve_ready_s']} s, RSS {result['server_rss_mb']} MB;"
        f" HTTP match {result['http_match_ms']}; file {result['http_file_ms']}"
    )

    # references, same hashes and queries, in process
    from threatexchange.signal_type.pdq.pdq_index import PDQIndex
    from threatexchange.signal_type.pdq.signal import PdqSignal

    t = time.perf_counter()
    te_index: Any = PDQIndex(entries=zip(hexes, range(len(hexes)), strict=True))
    te_build = time.perf_counter() - t
    te_ms, te_hits = [], 0
    for q in queries:
        t = time.perf_counter()
        te_hits += bool(te_index.query(q))
        te_ms.append((time.perf_counter() - t) * 1000)
    te_file_ms = []
    for body in uploads:
        t = time.perf_counter()
        value = PdqSignal.hash_from_bytes(body)
        if value:
            te_index.query(value)
        te_file_ms.append((time.perf_counter() - t) * 1000)
    result["threatexchange"] = {
        "build_s": round(te_build, 1),
        "query_ms": stats(np.asarray(te_ms)),
        "queries_with_hits": te_hits,
        "file_ms": stats(np.asarray(te_file_ms)),
    }
    t = time.perf_counter()
    mih = FaissMihIndex()
    mih.add(np.arange(len(bank), dtype=np.int64), bank)
    mih_build = time.perf_counter() - t
    mih_ms = []
    for q in queries:
        t = time.perf_counter()
        mih.search(pdq.to_bytes([q]), 31)
        mih_ms.append((time.perf_counter() - t) * 1000)
    result["ctnode_engine_mih"] = {
        "build_s": round(mih_build, 1),
        "query_ms": stats(np.asarray(mih_ms)),
    }
    print(f"threatexchange in process: {result['threatexchange']}")
    print(f"ctnode engine in process: {result['ctnode_engine_mih']}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"api-{args.size}.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
