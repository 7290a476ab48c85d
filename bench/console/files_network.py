"""Console pages of files, network and list import over HTTP (issue 14 goal: under 300 ms).

A real ``ctnode serve`` process on loopback with the UN list (``CTNODE_SHARED_DATA``, else
the bundled demo list), a node identity, and a batch file of
``--subjects`` people screened through the console first (its report is what the report
pages show), and ``--watched`` people under watch for the signed-in person (the Watch
page). Each page is asked ``--repeat`` times after one warm-up; median and p95 are
printed (client-observed over loopback: the server's time plus a loopback round trip).

    PYTHONPATH=. .venv/bin/python -m bench.console.files_network --subjects 10000 --watched 2000
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import tempfile
import time
from itertools import islice
from pathlib import Path

from bench.console import harness
from bench.console.harness import ADMIN, PASSWORD, USER, Page
from ctnode.model.access import Purpose
from ctnode.services.monitoring.files import fields_of
from ctnode.services.screening.query import build_query

FIRST = ["Amina", "Jonas", "Li", "Olga", "Pedro", "Sara", "Yusuf", "Marta", "Ivan", "Chen"]
LAST = ["Okafor", "Berg", "Wang", "Petrova", "Silva", "Haddad", "Kaya", "Nowak", "Ito", "Roth"]


def batch(n: int, listed: list[str]) -> bytes:
    """``n`` people, one in a hundred a listed name, the others made up."""
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(["id", "name", "birthDate"])
    for i in range(n):
        name = (listed[i % len(listed)] if i % 100 == 0
                else f"{FIRST[i % 10]} {LAST[(i // 10) % 10]} {LAST[(i // 100) % 10]}")
        out.writerow([f"p-{i}", name, str(1950 + i % 50)])
    return buf.getvalue().encode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--subjects", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--watched", type=int, default=2_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "node"
        node, source, _ = harness.node_with_list(data)
        listed = [e.caption for e in islice(node.store.entities.iter_entities(
            dataset="un_sc", schema="Person"), 50)]
        port = 18000 + (os.getpid() + 7) % 1000
        node.federation.directory.init(ADMIN, node_id="bench", organisation="Bench",
                                       country="AA", contact="duty@bench.example",
                                       endpoint=f"http://127.0.0.1:{port}")
        node.users.create(ADMIN, username=USER, role="admin", password=PASSWORD)
        # --watched people under watch for the bench user (the Watch page lists 50 a page)
        watched = [fields_of(build_query([f"{FIRST[i % 10]} {LAST[(i // 10) % 10]} "
                                          f"{LAST[(i // 100) % 10]}"],
                                         birth_dates=[str(1950 + i % 50)]))
                   for i in range(args.watched)]
        if watched:
            node.monitoring.add(watched, ADMIN, Purpose("bench", "Act 1", None),
                                owner=f"user:{USER}", days=30)
        node.close()
        with harness.served(data, port) as base, harness.signed_in(base, 600) as (c, csrf):
            started = time.perf_counter()
            run = harness.screen_file(c, csrf, batch(args.subjects, listed))
            print(f"list: {source.name}; batch of {args.subjects:,} subjects screened through "
                  f"the console in {time.perf_counter() - started:.1f} s; {args.repeat} "
                  "requests per page after one warm-up")
            paths = [
                ("GET /console/screen/files", "/console/screen/files"),
                ("GET report (page 1)", run),
                ("GET report (to review)", run + "?show=review"),
                ("GET report (band match, page 2)", run + "?band=match&page=2"),
                ("GET report (name filter)", run + "?q=okafor"),
                ("GET report (page 100)", run + "?page=100"),
                ("GET export CSV (all)", run + "/export?format=csv"),
                ("GET /console/network", "/console/network"),
                ("GET /console/network/screen", "/console/network/screen"),
                ("GET /console/network/disclosures", "/console/network/disclosures"),
                ("GET /console/network/inbox", "/console/network/inbox"),
                ("GET /console/lists/import", "/console/lists/import"),
                ("GET /console/watch (page 1)", "/console/watch"),
                ("GET /console/watch (page 20, all alerts)", "/console/watch?show=all&page=20"),
            ]
            pages: list[Page] = [(label, lambda p=path: c.get(p)) for label, path in paths]
            harness.time_pages(pages, args.repeat, 36)


if __name__ == "__main__":
    main()
