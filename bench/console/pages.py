"""Console pages' time over HTTP, as a person meets them (issue 14 goal: under 300 ms each).

A real ``ctnode serve`` process on loopback with the UN list (``CTNODE_SHARED_DATA``, else
the bundled demo list) and ``--queue`` screenings with hits in the review queue; a signed-in
session asks each page ``--repeat`` times after one warm-up. Prints median and p95 per page
(client-observed over loopback: the server's time plus a loopback round trip).

    PYTHONPATH=. .venv/bin/python -m bench.console.pages --queue 10000 --repeat 20
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
import uuid
from pathlib import Path

import httpx

from ctnode.ingest.un_sc import DEMO_LIST
from ctnode.model.access import Actor
from ctnode.node import Node
from ctnode.services.screening.query import build_query
from ctnode.settings import Settings

ADMIN = Actor(name="cli:bench", role="admin")
PASSWORD = "bench console password"
NAMES = {"demo": "Faris Nadir", "un": "Osama bin Laden"}  # a listed name in each


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--queue", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    shared = Path(os.environ.get("CTNODE_SHARED_DATA", "../shared/data")) / "un-sc-consolidated.xml"
    source = shared if shared.exists() else DEMO_LIST
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "node"
        node = Node(Settings(data_dir=data, mode="development", database_url=""))
        node.lists.import_source("un-sc", str(source), ADMIN)
        name = NAMES["demo" if source == DEMO_LIST else "un"]
        found = node.screening.screen(build_query([name]), ADMIN).hits
        entity = found[0].entity_id
        ids = [h.entity_id for h in found]
        rows = [{"id": str(uuid.uuid4()), "actor": "key:bench", "source": "api",
                 "subject_key": uuid.uuid4().hex, "query_hash": uuid.uuid4().hex,
                 "purpose": "bench", "case_ref": f"C-{i}", "identified": True,
                 "hits": [{"entity_id": ids[i % len(ids)], "score": 0.9, "band": "match"}]}
                for i in range(args.queue)]
        with node.store.begin() as conn:
            node.store.review.add_screenings(conn, rows)
        node.users.create(ADMIN, username="bench", role="admin", password=PASSWORD)
        node.close()
        port = 18000 + os.getpid() % 1000
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
            with httpx.Client(base_url=base, timeout=30) as c:
                c.post("/console/signin", data={"username": "bench", "password": PASSWORD})
                csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                                 c.get("/console/lists").text).group(1)  # type: ignore[union-attr]
                sid = rows[0]["id"]
                pages = [
                    ("GET /console/screen", lambda: c.get("/console/screen")),
                    ("POST /console/screen (listed name)", lambda: c.post("/console/screen", data={
                        "csrf_token": csrf, "name": name})),
                    ("GET /console/review (page 1)", lambda: c.get("/console/review")),
                    ("GET /console/review (page 200)", lambda: c.get("/console/review?page=200")),
                    ("GET /console/review/{id}", lambda: c.get(f"/console/review/{sid}")),
                    ("GET /console/entity/{id}", lambda: c.get(f"/console/entity/{entity}")),
                    ("GET /console/lists", lambda: c.get("/console/lists")),
                    ("GET /console/audit", lambda: c.get("/console/audit")),
                ]
                print(f"list: {source.name}; review queue: {args.queue:,} screenings; "
                      f"{args.repeat} requests per page after one warm-up")
                print(f"{'page':<34} {'median ms':>10} {'p95 ms':>8}")
                for label, call in pages:
                    r = call()
                    assert r.status_code == 200, (label, r.status_code, r.text[:300])
                    assert 'class="error"' not in r.text, (label, r.text[:300])
                    assert "POST" not in label or 'class="hit' in r.text, "the listed name: no hit"
                    times = []
                    for _ in range(args.repeat):
                        t = time.perf_counter()
                        call()
                        times.append((time.perf_counter() - t) * 1000)
                    times.sort()
                    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
                    print(f"{label:<34} {statistics.median(times):>10.1f} {p95:>8.1f}")
        finally:
            proc.terminate()
            proc.wait(timeout=20)


if __name__ == "__main__":
    main()
