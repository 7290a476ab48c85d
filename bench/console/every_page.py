"""Every console page's server time, in one run (issue 14 goal: under 300 ms each).

A real ``ctnode serve`` process on loopback with ``CTNODE_CONSOLE_SERVER_TIMING=true`` (each
console answer carries ``Server-Timing: app;dur=ms``: the server's own time, from the
request's arrival to its answer), the UN list (``CTNODE_SHARED_DATA``, else the bundled demo
list), ``--queue`` screenings with hits in the review queue (each with its sealed subject),
``--audit`` audit entries, ``--keys`` API keys (each used once: the Admin page's *last used*),
a node identity, ``--watched`` people under watch, and a batch of ``--subjects`` people
screened through the console (its report, kept sealed in the store, is what the report pages
open). A signed-in admin asks each page ``--repeat`` times after one warm-up; median and p95
of the server time are printed, and the client-observed median beside them.

``--store postgresql`` keeps the node's store in a database of its own on the PostgreSQL
server of ``CTNODE_TEST_PG_URL`` (default ``127.0.0.1:5432``, database ``test`` to connect
through), named ``ctnode_bench_pages_<pid>`` so that it clashes with no one's tests, and
dropped afterwards; the default is SQLite in a temporary folder.

    CTNODE_SHARED_DATA=../shared/data PYTHONPATH=. .venv/bin/python -m bench.console.every_page \
        --queue 10000 --subjects 10000 --repeat 20 [--store postgresql]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from itertools import islice
from pathlib import Path

import httpx

from bench.console.files_network import FIRST, LAST, batch
from bench.console.harness import (
    ADMIN,
    PASSWORD,
    USER,
    node_with_list,
    postgres_database,
    screen_file,
    served,
    signed_in,
    time_pages,
)
from bench.console.more_pages import seed
from ctnode.model.access import Purpose
from ctnode.services.monitoring.files import fields_of
from ctnode.services.screening.query import build_query


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--queue", type=int, default=10_000)
    ap.add_argument("--subjects", type=int, default=10_000)
    ap.add_argument("--audit", type=int, default=5_000)
    ap.add_argument("--keys", type=int, default=200)
    ap.add_argument("--watched", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    args = ap.parse_args()
    admin_url = os.environ.get("CTNODE_TEST_PG_URL",
                               "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    store = (postgres_database(admin_url, f"ctnode_bench_pages_{os.getpid()}")
             if args.store == "postgresql" else nullcontext(""))
    with tempfile.TemporaryDirectory() as tmp, store as database_url:
        data = Path(tmp) / "node"
        node, source, name = node_with_list(data, database_url)
        listed = [e.caption for e in islice(node.store.entities.iter_entities(
            dataset="un_sc", schema="Person"), 50)]
        entity = node.screening.screen(build_query([name]), ADMIN).hits[0].entity_id
        screening = seed(node, name, args.queue, args.audit)
        for i in range(args.keys):
            node.access.authenticate(node.access.create_key(ADMIN, name=f"desk-{i}",
                                                            role="screener"))
        port = 18000 + (os.getpid() + 13) % 1000
        node.federation.directory.init(ADMIN, node_id="bench", organisation="Bench",
                                       country="AA", contact="duty@bench.example",
                                       endpoint=f"http://127.0.0.1:{port}")
        watched = [fields_of(build_query([f"{FIRST[i % 10]} {LAST[(i // 10) % 10]} "
                                          f"{LAST[(i // 100) % 10]}"],
                                         birth_dates=[str(1950 + i % 50)]))
                   for i in range(args.watched)]
        if watched:
            node.monitoring.add(watched, ADMIN, Purpose("bench", "Act 1", None),
                                owner="user:bench", days=30)
        node.users.create(ADMIN, username=USER, role="admin", password=PASSWORD)
        node.close()
        timing = {"CTNODE_CONSOLE_SERVER_TIMING": "true", "CTNODE_DATABASE_URL": database_url}
        with served(data, port, timing) as base, signed_in(base, 600) as (c, csrf):
            run = screen_file(c, csrf, batch(args.subjects, listed))
            pages: list[tuple[str, str, dict[str, str] | None]] = [
                ("GET /console/signin (signed out form)", "/console/signin", None),
                ("GET /console/screen", "/console/screen", None),
                ("POST /console/screen (a listed name)", "/console/screen",
                 {"csrf_token": csrf, "name": name}),
                ("GET /console/review (page 1, 25 a page)", "/console/review", None),
                ("GET /console/review?page=200", "/console/review?page=200", None),
                ("GET /console/review?band=match&list=un_sc", "/console/review?band=match"
                 "&list=un_sc", None),
                ("GET /console/review?band=possible (none)", "/console/review?band=possible",
                 None),
                ("GET /console/review/{id} (sealed subject)", f"/console/review/{screening}",
                 None),
                ("GET /console/entity/{id}", f"/console/entity/{entity}", None),
                ("GET /console/lists", "/console/lists", None),
                ("GET /console/lists/import", "/console/lists/import", None),
                ("GET /console/dashboard", "/console/dashboard", None),
                ("GET /console/audit", "/console/audit", None),
                ("GET /console/audit?event=screen", "/console/audit?event=screen", None),
                ("GET /console/admin", "/console/admin", None),
                ("GET /console/biometrics", "/console/biometrics", None),
                ("GET /console/screen/files", "/console/screen/files", None),
                ("GET file report (page 1)", run, None),
                ("GET file report (to review)", run + "?show=review", None),
                ("GET file report (page 100)", run + "?page=100", None),
                ("GET file report export CSV (not a page)", run + "/export?format=csv", None),
                ("GET /console/network", "/console/network", None),
                ("GET /console/network/screen", "/console/network/screen", None),
                ("GET /console/network/disclosures", "/console/network/disclosures", None),
                ("GET /console/network/inbox", "/console/network/inbox", None),
                ("GET /console/watch", "/console/watch", None),
                ("GET /console/password", "/console/password", None),
            ]
            print(f"store: {args.store}; list: {source.name}; review queue: {args.queue:,}; "
                  f"file report: "
                  f"{args.subjects:,} subjects; audit: +{args.audit:,}; keys: {args.keys}; "
                  f"watched: {args.watched}; {args.repeat} requests a page after one warm-up")
            def ask(path: str, form: dict[str, str] | None) -> Callable[[], httpx.Response]:
                return lambda: c.post(path, data=form) if form else c.get(path)
            time_pages([(label, ask(path, form)) for label, path, form in pages], args.repeat,
                       44, server_timing=True)

if __name__ == "__main__":
    main()
