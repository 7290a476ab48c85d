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
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from bench.console import harness
from bench.console.harness import ADMIN, PASSWORD, USER, Page
from ctnode.clock import utcnow
from ctnode.model.access import Purpose
from ctnode.node import Node
from ctnode.services.screening.query import build_query
from ctnode.store import schema as tables


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
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "node"
        node, source, name = harness.node_with_list(data)
        started = time.perf_counter()
        sid = seed(node, name, args.queue, args.audit)
        seeded = time.perf_counter() - started
        node.users.create(ADMIN, username=USER, role="admin", password=PASSWORD)
        node.close()
        port = 19000 + os.getpid() % 1000
        with harness.served(data, port) as base, harness.signed_in(base, 60) as (c, csrf):
            day = utcnow().date().isoformat()
            pages: list[Page] = [
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
            harness.time_pages(pages, args.repeat, 40)
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


if __name__ == "__main__":
    main()
