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
import re
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

import httpx

from ctnode.ingest.un_sc import DEMO_LIST
from ctnode.model.access import Actor, Purpose
from ctnode.node import Node
from ctnode.services.monitoring.files import fields_of
from ctnode.services.screening.query import build_query
from ctnode.settings import Settings

ADMIN = Actor(name="cli:bench", role="admin")
PASSWORD = "bench console password"
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
    shared = Path(os.environ.get("CTNODE_SHARED_DATA", "../shared/data")) / "un-sc-consolidated.xml"
    source = shared if shared.exists() else DEMO_LIST
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "node"
        node = Node(Settings(data_dir=data, mode="development", database_url=""))
        node.lists.import_source("un-sc", str(source), ADMIN)
        listed = [e.caption for e in islice(node.store.entities.iter_entities(
            dataset="un_sc", schema="Person"), 50)]
        port = 18000 + (os.getpid() + 7) % 1000
        node.federation.directory.init(ADMIN, node_id="bench", organisation="Bench",
                                       country="AA", contact="duty@bench.example",
                                       endpoint=f"http://127.0.0.1:{port}")
        node.users.create(ADMIN, username="bench", role="admin", password=PASSWORD)
        # --watched people under watch for the bench user (the Watch page lists 50 a page)
        watched = [fields_of(build_query([f"{FIRST[i % 10]} {LAST[(i // 10) % 10]} "
                                          f"{LAST[(i // 100) % 10]}"],
                                         birth_dates=[str(1950 + i % 50)]))
                   for i in range(args.watched)]
        if watched:
            node.monitoring.add(watched, ADMIN, Purpose("bench", "Act 1", None),
                                owner="user:bench", days=30)
        node.close()
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
            with httpx.Client(base_url=base, timeout=600) as c:
                c.post("/console/signin", data={"username": "bench", "password": PASSWORD})
                csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                                 c.get("/console/lists").text).group(1)  # type: ignore[union-attr]
                started = time.perf_counter()
                r = c.post("/console/screen/files", data={"csrf_token": csrf, "kind": "batch"},
                           files={"file": ("bench.csv", batch(args.subjects, listed))},
                           follow_redirects=False)
                assert r.status_code == 303, r.text[:300]
                run = r.headers["location"]
                while c.get(run + "/progress").json()["status"] == "running":
                    time.sleep(0.5)
                print(f"list: {source.name}; batch of {args.subjects:,} subjects screened through "
                      f"the console in {time.perf_counter() - started:.1f} s; {args.repeat} "
                      "requests per page after one warm-up")
                pages = [
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
                print(f"{'page':<36} {'median ms':>10} {'p95 ms':>8}")
                for label, path in pages:
                    r = c.get(path)
                    assert r.status_code == 200, (label, r.status_code, r.text[:300])
                    assert not re.search(r'class="error"[^>]*>[^<]', r.text), (label, r.text[:300])
                    times = []
                    for _ in range(args.repeat):
                        t = time.perf_counter()
                        c.get(path)
                        times.append((time.perf_counter() - t) * 1000)
                    times.sort()
                    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
                    print(f"{label:<36} {statistics.median(times):>10.1f} {p95:>8.1f}")
        finally:
            proc.terminate()
            proc.wait(timeout=20)


if __name__ == "__main__":
    main()
