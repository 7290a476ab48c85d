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
import tempfile
import uuid
from pathlib import Path

import httpx

from bench.console import harness
from bench.console.harness import ADMIN, PASSWORD, USER, Page
from ctnode.services.screening.query import build_query


def _listed_name_hits(label: str, r: httpx.Response) -> None:
    assert "POST" not in label or 'class="hit' in r.text, "the listed name: no hit"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--queue", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "node"
        node, source, name = harness.node_with_list(data)
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
        node.users.create(ADMIN, username=USER, role="admin", password=PASSWORD)
        node.close()
        port = 18000 + os.getpid() % 1000
        with harness.served(data, port) as base, harness.signed_in(base, 30) as (c, csrf):
            sid = rows[0]["id"]
            pages: list[Page] = [
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
            harness.time_pages(pages, args.repeat, 34, _listed_name_hits)


if __name__ == "__main__":
    main()
