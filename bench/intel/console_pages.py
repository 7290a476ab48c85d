"""The console's threat-intelligence pages over a large collection (issue 17; the console's
goal: under 300 ms a page).

A real ``ctnode serve`` process on loopback with ``CTNODE_CONSOLE_SERVER_TIMING=true`` (each
answer carries ``Server-Timing: app;dur=ms``, the server's own time) over a collection of
``--objects`` generated STIX objects (``bench/intel/generate.py``: the usual mix, 22%
relationships and 6% sightings) on SQLite, or a fresh PostgreSQL database
``ctnode_bench_intel_console`` (``--postgresql``).
A signed-in admin asks each page ``--repeat`` times after one warm-up: the list's first page,
a page half-way through (by its position token), one type, the page of the object most
relationships name, of the indicator most sighted, of a threat actor naming a listed record,
and that record's Entity page (which lists the intelligence naming it). Median and p95 of the
server time, and the client-observed median.

    PYTHONPATH=. .venv/bin/python -m bench.intel.console_pages --objects 100000
    PYTHONPATH=. .venv/bin/python -m bench.intel.console_pages --objects 100000 --postgresql
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.console.harness import ADMIN, PASSWORD, USER, served, signed_in, time_pages
from bench.intel.generate import generate
from bench.intel.http import _fresh_pg, _port
from ctnode.ingest.un_sc import DEMO_LIST
from ctnode.intel.watchlist import list_reference
from ctnode.node import Node
from ctnode.settings import Settings

ACTOR = "threat-actor--5e0c6a8b-9d1f-4e2a-8b3c-7d6e5f4a3b2c"
PG_DB = "ctnode_bench_intel_console"  # its own database: bench.intel.http's is left alone


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--objects", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--postgresql", action="store_true", help="a fresh PostgreSQL database")
    args = ap.parse_args()
    url = _fresh_pg(PG_DB) if args.postgresql else ""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "node"
        node = Node(Settings(data_dir=data, mode="development", database_url=url))
        node.lists.import_source("un-sc", str(DEMO_LIST), ADMIN)
        listed = node.store.entities.find_by_reference("DMi.001")
        objects = generate(args.objects)
        refs = Counter(o[k] for o in objects if o["type"] == "relationship"
                       for k in ("source_ref", "target_ref"))
        sighted = Counter(o["sighting_of_ref"] for o in objects if o["type"] == "sighting")
        busiest, relationships = refs.most_common(1)[0]
        indicator, sightings = sighted.most_common(1)[0]
        objects.append({"type": "threat-actor", "spec_version": "2.1", "id": ACTOR,
                        "created": "2026-01-01T00:00:00.000Z",
                        "modified": "2026-01-01T00:00:00.000Z", "name": "Bench front",
                        "external_references": [list_reference("un_sc", "DMi.001")]})
        objects.append({"type": "relationship", "spec_version": "2.1",
                        "id": "relationship--1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9",
                        "created": "2026-01-01T00:00:00.000Z",
                        "modified": "2026-01-01T00:00:00.000Z", "relationship_type": "uses",
                        "source_ref": ACTOR, "target_ref": busiest})
        node.intel.create_collection(ADMIN, title="Bench feed", alias="bench")
        cpu, t = _cpu(), time.perf_counter()
        node.intel.import_stix(ADMIN, json.dumps(objects), collection="bench", source="bench")
        print(f"imported {len(objects):,} objects in {time.perf_counter() - t:.1f} s "
              f"({_cpu() - cpu:.1f} s CPU)")
        after: str | None = None
        for _ in range(len(objects) // 2 // 1000):  # the position half-way through
            after = node.intel.browse(ADMIN, "bench", after=after, limit=1000).next
        node.users.create(ADMIN, username=USER, role="admin", password=PASSWORD)
        node.close()
        port = _port()
        extra = {"CTNODE_CONSOLE_SERVER_TIMING": "true", "CTNODE_DATABASE_URL": url}
        with served(data, port, extra) as base, signed_in(base, 600) as (c, _csrf):
            pages = [
                ("list, first page (50)", "/console/intel?collection=bench"),
                ("list, half-way (position token)",
                 f"/console/intel?collection=bench&after={after}"),
                ("list, type=threat-actor", "/console/intel?collection=bench&type=threat-actor"),
                (f"object named by {relationships} relationships", f"/console/intel/bench/{busiest}"),
                (f"indicator with {sightings} sightings", f"/console/intel/bench/{indicator}"),
                ("threat actor naming a listed record", f"/console/intel/bench/{ACTOR}"),
                ("the record's Entity page", f"/console/entity/{listed.id}"),
            ]
            backend = "PostgreSQL" if args.postgresql else "SQLite"
            print(f"{backend}; {len(objects):,} objects in the collection; {args.repeat} "
                  f"requests a page after one warm-up; load {os.getloadavg()[0]:.1f}")
            def ask(path: str) -> Callable[[], httpx.Response]:
                return lambda: c.get(path)
            time_pages([(label, ask(path)) for label, path in pages], args.repeat, 42,
                       server_timing=True)
            print(f"load after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
