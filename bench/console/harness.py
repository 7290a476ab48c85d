"""What the console benchmarks share: a node with the UN list, a real ``ctnode serve`` process
on loopback, a signed-in session, and the page-timing loop.

``time_pages`` asks each page once (a warm-up, which must answer 200 without an error shown
on the page) and then ``repeat`` times, printing median and p95 per page: client-observed
over loopback, the server's time plus a loopback round trip.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from ctnode.ingest.un_sc import DEMO_LIST
from ctnode.model.access import Actor
from ctnode.node import Node
from ctnode.settings import Settings

ADMIN = Actor(name="cli:bench", role="admin")
USER = "bench"  # the console account every benchmark signs in as (an admin)
PASSWORD = "bench console password"
NAMES = {"demo": "Faris Nadir", "un": "Osama bin Laden"}  # a listed name in each list
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SHOWN_ERROR = re.compile(r'class="error"[^>]*>[^<]')  # an error message on the page
TIMING = re.compile(r"app;dur=([0-9.]+)")  # the console's Server-Timing header

Page = tuple[str, Callable[[], httpx.Response]]


def node_with_list(data: Path, database_url: str = "") -> tuple[Node, Path, str]:
    """A new node in ``data`` (its store at ``database_url``; empty: SQLite in ``data``)
    holding the UN list (``CTNODE_SHARED_DATA``, else the bundled demo list); the list's file
    and a name listed in it."""
    shared = Path(os.environ.get("CTNODE_SHARED_DATA", "../shared/data")) / "un-sc-consolidated.xml"
    source = shared if shared.exists() else DEMO_LIST
    node = Node(Settings(data_dir=data, mode="development", database_url=database_url))
    node.lists.import_source("un-sc", str(source), ADMIN)
    return node, source, NAMES["demo" if source == DEMO_LIST else "un"]


@contextmanager
def served(data: Path, port: int, extra: dict[str, str] | None = None) -> Iterator[str]:
    """``ctnode serve`` on the node in ``data`` (jobs off; ``extra`` settings), once it
    answers: its base URL. Stopped afterwards."""
    env = {**os.environ, "CTNODE_DATA_DIR": str(data), "CTNODE_MODE": "development",
           "CTNODE_PORT": str(port), "CTNODE_HOST": "127.0.0.1", "CTNODE_DATABASE_URL": "",
           "CTNODE_JOBS_ENABLED": "false", **(extra or {})}
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
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@contextmanager
def postgres_database(admin_url: str, name: str) -> Iterator[str]:
    """A new, empty PostgreSQL database ``name`` on the server of ``admin_url`` (dropped
    afterwards): its URL."""
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def signed_in(base: str, timeout: float) -> Iterator[tuple[httpx.Client, str]]:
    """A client of the console at ``base`` signed in as ``USER``, and its form token."""
    with httpx.Client(base_url=base, timeout=timeout) as c:
        c.post("/console/signin", data={"username": USER, "password": PASSWORD})
        csrf = CSRF.search(c.get("/console/lists").text).group(1)  # type: ignore[union-attr]
        yield c, csrf


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def time_pages(pages: Sequence[Page], repeat: int, width: int,
               check: Callable[[str, httpx.Response], None] | None = None,
               server_timing: bool = False) -> None:
    """Print median and p95 (ms) of ``repeat`` requests per page, each after one warm-up
    request that must answer 200 with no error shown (and pass ``check``, when given).
    ``server_timing``: the server's own time (the console's ``Server-Timing`` header, on
    with ``CTNODE_CONSOLE_SERVER_TIMING``), median and p95, beside the client's median."""
    if server_timing:
        print(f"{'page':<{width}} {'server median':>13} {'server p95':>10} {'client median':>13}")
    else:
        print(f"{'page':<{width}} {'median ms':>10} {'p95 ms':>8}")
    for label, call in pages:
        r = call()
        assert r.status_code == 200, (label, r.status_code, r.text[:300])
        assert not SHOWN_ERROR.search(r.text), (label, r.text[:300])
        if check is not None:
            check(label, r)
        client, server = [], []
        for _ in range(repeat):
            t = time.perf_counter()
            r = call()
            client.append((time.perf_counter() - t) * 1000)
            if server_timing:
                found = TIMING.search(r.headers.get("server-timing", ""))
                assert found, (label, "no Server-Timing header")
                server.append(float(found.group(1)))
        if server_timing:
            print(f"{label:<{width}} {statistics.median(server):>13.1f} {p95(server):>10.1f} "
                  f"{statistics.median(client):>13.1f}")
        else:
            print(f"{label:<{width}} {statistics.median(client):>10.1f} {p95(client):>8.1f}")


def screen_file(c: httpx.Client, csrf: str, body: bytes) -> str:
    """Upload a batch file (CSV) on the console's Screen a file page and wait for its run to
    end: the run's report address."""
    r = c.post("/console/screen/files", data={"csrf_token": csrf, "kind": "batch"},
               files={"file": ("bench.csv", body)}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    run = r.headers["location"]
    while c.get(run + "/progress").json()["status"] == "running":
        time.sleep(0.5)
    return run
