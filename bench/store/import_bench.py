"""Store benchmarks: UN XML import (SQLite, PostgreSQL) and a 1,000,000-person synthetic list.

Run: .venv/bin/python -m bench.store.import_bench [--persons 1000000] [--screens 2000]
Prints a Markdown table; copy it into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.synthetic import load_parts, persons
from ctnode.ingest.un_sc import parse_un_sc
from ctnode.model.access import Actor
from ctnode.model.lists import ParsedList
from ctnode.model.screening import ScreenQuery
from ctnode.node import Node
from ctnode.settings import Settings

SHARED = Path(
    os.environ.get(
        "CTNODE_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"
    )
)
PG = os.environ.get("CTNODE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ADMIN = Actor("bench", "admin")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh_pg(name: str) -> str | None:
    try:
        eng = create_engine(PG, isolation_level="AUTOCOMMIT")
        with eng.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        eng.dispose()
    except Exception:  # noqa: BLE001 - no PostgreSQL: that column is left out
        return None
    return PG.rsplit("/", 1)[0] + f"/{name}"


def node_for(url: str) -> Node:
    return Node(Settings(data_dir=Path(tempfile.mkdtemp()), database_url=url, mode="development"))


def un_import(runs: int) -> list[tuple[str, str]]:
    rows = []
    xml = SHARED / "un-sc-consolidated.xml"
    for backend in ("sqlite", "postgresql"):
        parse_t, store_t = [], []
        for i in range(runs):
            url = "" if backend == "sqlite" else fresh_pg(f"ctnode_bench_un_{i}")
            if url is None:
                break
            node = node_for(url)
            t0 = time.perf_counter()
            parsed = parse_un_sc(xml)
            t1 = time.perf_counter()
            node.store.entities.apply_list(parsed, actor="bench")
            t2 = time.perf_counter()
            parse_t.append(t1 - t0)
            store_t.append(t2 - t1)
            node.close()
        if parse_t:
            p, s = statistics.median(parse_t), statistics.median(store_t)
            rows.append(
                (
                    f"UN XML import ({backend}), median of {len(parse_t)}",
                    f"{p + s:.2f} s (parse {p:.2f} s + store {s:.2f} s)",
                )
            )
    return rows


def million(n: int, screens: int) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    parts = load_parts(SHARED / "name-variants" / "rigour-person-name-parts.txt")
    node = node_for("")
    t0 = time.perf_counter()
    entities = list(persons(parts, n))
    t1 = time.perf_counter()
    node.store.entities.apply_list(
        ParsedList(dataset="synthetic", title="Synthetic persons", source="bench", version="1",
                   entities=entities),
        actor="bench",
    )
    t2 = time.perf_counter()
    rows.append((f"{n:,} persons: build entities", f"{t1 - t0:.1f} s"))
    rows.append((f"{n:,} persons: import into SQLite (one transaction)", f"{t2 - t1:.1f} s"))
    del entities
    t3 = time.perf_counter()
    node.index.refresh(force=True)
    t4 = time.perf_counter()
    rows.append((f"{n:,} persons: build match index from the store", f"{t4 - t3:.1f} s"))
    rng_names = [e.first("alias") or e.caption for e in persons(parts, screens, seed=7)]
    queries = [ScreenQuery(names=[name]) for name in rng_names]
    t5 = time.perf_counter()
    found = 0
    for q in queries:
        hits = node.index.matcher.screen(q, limit=5)
        found += bool(hits)
    t6 = time.perf_counter()
    rows.append(
        (
            f"{n:,} persons: screens/s (matcher, {screens} alias queries)",
            f"{screens / (t6 - t5):,.0f} /s ({found} with a hit)",
        )
    )
    rows.append((f"{n:,} persons: peak memory of the process", f"{peak_rss_mb():,.0f} MB"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--screens", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-million", action="store_true")
    args = ap.parse_args()
    rows = un_import(args.runs)
    if not args.skip_million:
        rows += million(args.persons, args.screens)
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    )
    print("| measure | result |\n| --- | --- |")
    for k, v in rows:
        print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()
