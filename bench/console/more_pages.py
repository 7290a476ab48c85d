"""The console pages of issue 14's second slice over HTTP (goal: under 300 ms each): the
Dashboard, the Audit page filtered and its exports, Review with who was screened, and the
Biometrics page.

A real ``ctnode serve`` process on loopback with the UN list (``CTNODE_SHARED_DATA``, else the
bundled demo list), ``--queue`` screenings with hits in the review queue (each with its sealed
subject, as the screening service writes them) and ``--audit`` audit entries (screens,
hash-chained as the node writes them); a signed-in session asks each page ``--repeat``
times after one warm-up. Prints median and p95 per page (client-observed over loopback: the
server's time plus a loopback round trip).

    PYTHONPATH=. .venv/bin/python -m bench.console.more_pages --queue 10000 --audit 20000
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import update

from ctnode.clock import utcnow
from ctnode.ingest.un_sc import DEMO_LIST
from ctnode.model.access import Actor, Purpose
from ctnode.node import Node
from ctnode.services.screening.query import build_query
from ctnode.settings import Settings
from ctnode.store import schema as tables

ADMIN = Actor(name="cli:bench", role="admin")
PASSWORD = "bench console password"
NAMES = {"demo": "Faris Nadir", "un": "Osama bin Laden"}  # a listed name in each


def seed(node: Node, name: str, queue: int, audit: int) -> str:
    """Review rows with sealed subjects (over 14 days) and audit entries; a screening id."""
    query = build_query([name], birth_dates=["1957"])
    why = Purpose("bench", "bench", None)
    hits = node.screening.screen(query, ADMIN, why).hits
    subject = node.screening.subject_key(query)
    rows = [node.screening.screening_row(ADMIN, why, "api", subject, hits[:1], True, query)
            for _ in range(queue)]
    with node.store.begin() as conn:
        node.store.review.add_screenings(conn, rows)
    for i in range(audit):
        node.audit.record("screen", ADMIN, purpose=why, detail={"source": "bench", "i": i})
    # the review rows spread over the last 14 days (the audit entries stay where the chain
    # put them: today, so the day filter reads all of them)
    now = utcnow()
    with node.store.begin() as conn:
        for day in range(14):
            conn.execute(update(tables.screenings)
                         .where(tables.screenings.c.case_ref.is_(None))
                         .where(tables.screenings.c.id.like(f"{day:x}%"))
                         .values(at=now - timedelta(days=day)))
    return str(rows[0]["id"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--queue", type=int, default=10_000)
    ap.add_argument("--audit", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    shared = Path(os.environ.get("CTNODE_SHARED_DATA", "../shared/data")) / "un-sc-consolidated.xml"
    source = shared if shared.exists() else DEMO_LIST
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "node"
        node = Node(Settings(data_dir=data, mode="development", database_url=""))
        node.lists.import_source("un-sc", str(source), ADMIN)
        name = NAMES["demo" if source == DEMO_LIST else "un"]
        started = time.perf_counter()
        sid = seed(node, name, args.queue, args.audit)
        seeded = time.perf_counter() - started
        node.users.create(ADMIN, username="bench", role="admin", password=PASSWORD)
        node.close()
        port = 19000 + os.getpid() % 1000
        env = {**os.environ, "CTNODE_DATA_DIR": str(data), "CTNODE_MODE": "development",
               "CTNODE_PORT": str(port), "CTNODE_HOST": "127.0.0.1", "CTNODE_DATABASE_URL": "",
               "CTNODE_JOBS_ENABLED": "false"}
        proc = subprocess.Popen([str(Path(sys.executable).with_name("ctnode")), "serve"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.3)
            with httpx.Client(base_url=base, timeout=60) as c:
                c.post("/console/signin", data={"username": "bench", "password": PASSWORD})
                csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                                 c.get("/console/lists").text).group(1)  # type: ignore[union-attr]
                day = utcnow().date().isoformat()
                pages: list[tuple[str, Callable[[], httpx.Response]]] = [
                    ("GET /console/dashboard", lambda: c.get("/console/dashboard")),
                    ("GET /console/audit (event, person, day)", lambda: c.get(
                        "/console/audit", params={"event": "screen", "actor": "cli:bench",
                                                  "since": day, "until": day})),
                    ("GET /console/audit?after=10000", lambda: c.get(
                        "/console/audit", params={"after": 10_000})),
                    ("GET /console/review/{id} (subject)", lambda: c.get(f"/console/review/{sid}")),
                    ("GET /console/biometrics", lambda: c.get("/console/biometrics")),
                ]
                print(f"list: {source.name}; review queue: {args.queue:,} screenings with sealed "
                      f"subjects; audit: {args.audit:,} entries of today (seeded in "
                      f"{seeded:.0f} s); {args.repeat} requests per page after one warm-up")
                print(f"{'page':<40} {'median ms':>10} {'p95 ms':>8}")
                for label, call in pages:
                    r = call()
                    assert r.status_code == 200, (label, r.status_code, r.text[:300])
                    assert 'class="error"' not in r.text, (label, r.text[:300])
                    times = []
                    for _ in range(args.repeat):
                        t = time.perf_counter()
                        call()
                        times.append((time.perf_counter() - t) * 1000)
                    times.sort()
                    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
                    print(f"{label:<40} {statistics.median(times):>10.1f} {p95:>8.1f}")
                for label, fmt in (("export CSV (all entries)", "csv"),
                                   ("export JSON lines (all entries)", "jsonl")):
                    t = time.perf_counter()
                    r = c.get("/console/audit/export", params={"format": fmt})
                    took = (time.perf_counter() - t) * 1000
                    print(f"{label:<40} {took:>10.1f} ms, {len(r.content) / 1e6:.1f} MB")
                t = time.perf_counter()
                r = c.post("/console/audit/verify", data={"csrf_token": csrf})
                took = (time.perf_counter() - t) * 1000
                verdict = "verified" if 'id="verified"' in r.text else "NOT verified"
                print(f"{'POST /console/audit/verify':<40} {took:>10.1f} ms ({verdict})")
        finally:
            proc.terminate()
            proc.wait(timeout=20)


if __name__ == "__main__":
    main()
