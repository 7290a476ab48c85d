"""Biometric hit/no-hit across the network: latency of one face query to N holders.

Starts 1 + N real node processes on 127.0.0.1 (``ctnode serve``, each with its own
SQLite store and keys; the node helpers of tests/federation/cluster.py), gives every
holder a face agreement with the requester and one enrolled face (deepface
``img1.jpg`` on a demo-list entity), then times
``node.federation.biometric.query`` on the requester with pre-made templates
(alternately another photo of the same person, a hit, and a stranger, a no-hit):
N signed ``biometric.request`` envelopes in parallel, each holder checking the
envelope and agreement, searching its face index, writing its audit, answering.
The first query (holders load their face model) is reported apart.

Run: .venv/bin/python -m bench.federation.biometric_bench [--holders 3] [--queries 40]
Prints a Markdown table; copied into docs/benchmarks.md (## Federation).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.federation.cluster import make_nodes, seed_stores

from ctnode.ingest.un_sc import DEMO_LIST
from ctnode.model.access import Actor, Purpose
from ctnode.services.biometrics.types import EnrolRequest

ADMIN = Actor("bench", "admin")
P = Purpose(purpose="investigation", legal_basis="bench", case_ref="BENCH-1")
REPO = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--holders", type=int, default=3)
    ap.add_argument("--queries", type=int, default=40)
    args = ap.parse_args()
    shared = Path(os.environ.get("CTNODE_SHARED_DATA", REPO.parent / "shared" / "data"))
    faces = shared / "biometrics" / "faces" / "deepface"
    if not (faces / "img1.jpg").is_file():
        raise SystemExit(f"face images not found at {faces} (set CTNODE_SHARED_DATA)")
    names = ["req"] + [f"h{i}" for i in range(args.holders)]
    with tempfile.TemporaryDirectory() as tmp:
        nodes = {n.name: n for n in make_nodes(Path(tmp), names)}
        seed_stores(list(nodes.values()))
        for n in nodes.values():
            n.start()
        try:
            year = datetime.now(UTC) + timedelta(days=365)
            handles = {name: n.open() for name, n in nodes.items()}
            for name, h in handles.items():
                h.federation.directory.init(
                    ADMIN,
                    node_id=name,
                    organisation=name,
                    country="ZZ",
                    contact="x@example.org",
                    endpoint=nodes[name].url,
                )
                h.lists.import_source("un-sc", str(DEMO_LIST), ADMIN)
            descs = {name: h.federation.directory.descriptor(ADMIN).to_dict() for name, h in handles.items()}
            for name, h in handles.items():
                for other, desc in descs.items():
                    if other != name:
                        h.federation.directory.add_peer(ADMIN, desc)
            for holder in names[1:]:
                for h, peer, direction in (
                    (handles[holder], "req", "outbound"),
                    (handles["req"], holder, "inbound"),
                ):
                    h.federation.directory.add_agreement(
                        ADMIN,
                        peer_id=peer,
                        direction=direction,
                        lists=["*"],
                        purposes=["investigation"],
                        rate_per_minute=100_000,
                        expires_at=year,
                        biometrics=["face"],
                    )
                handles[holder].biometrics.enrolment.enrol_face(
                    ADMIN,
                    EnrolRequest("un_sc-DMe.001", (faces / "img1.jpg").read_bytes(), "bench"),
                )
            for n in nodes.values():
                n.wait_ready()
            req = handles["req"]
            bio = req.biometrics
            probes = [
                bio.exchange.make_probe(ADMIN, (faces / f).read_bytes(), "face", P)
                for f in ("img2.jpg", "img8.jpg")
            ]
            t0 = time.perf_counter()
            first = req.federation.biometric.query(probes[0], ADMIN, P, deadline=30)
            first_ms = (time.perf_counter() - t0) * 1000
            assert all(p.status == "hit" for p in first.peers), first.to_dict()
            times: list[float] = []
            outcomes: dict[str, int] = {}
            for i in range(args.queries):
                t0 = time.perf_counter()
                res = req.federation.biometric.query(probes[i % 2], ADMIN, P, deadline=10)
                times.append((time.perf_counter() - t0) * 1000)
                for p in res.peers:
                    outcomes[p.status] = outcomes.get(p.status, 0) + 1
            for h in handles.values():
                h.close()
        finally:
            for n in nodes.values():
                n.stop()
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    print(f"| measure ({args.holders} holders, {args.queries} queries) | value |")
    print("| --- | --- |")
    print(f"| first query (holders load the face model) | {first_ms:.0f} ms |")
    print(f"| biometric network query: median | {statistics.median(times):.0f} ms |")
    print(f"| biometric network query: 95th percentile | {p95:.0f} ms |")
    print(f"| peer answers | {', '.join(f'{v} {k}' for k, v in sorted(outcomes.items()))} |")
    print(f"| face template sent | {len(probes[0].data)} bytes (never the image) |")
    print(f"| load average at the end | {os.getloadavg()[0]:.1f} |")


if __name__ == "__main__":
    main()
