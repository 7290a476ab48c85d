"""What "no silent misses" costs (issue 10): coverage on every answer, import guards.

Measured as a user meets it: ``POST /screen`` on a warm node (in-process ASGI client,
the API's whole stack: key check, query builder, match, coverage, review queue, audit),
with coverage computed afresh on every screen (as a naive reference) and with the cache
the node uses; and the whole import of the UN list, applied and as ``--dry-run``.

Run: .venv/bin/python -m bench.store.coverage_bench [--persons 100000] [--screens 300]
Prints a Markdown table; copy it into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from bench.synthetic import load_parts, persons
from ctnode.api.app import create_app
from ctnode.model.access import Actor
from ctnode.model.lists import ParsedList
from ctnode.node import Node
from ctnode.services.screening.coverage import coverage_of
from ctnode.settings import Settings

SHARED = Path(
    os.environ.get(
        "CTNODE_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"
    )
)
ADMIN = Actor("bench", "admin")
UN = SHARED / "un-sc-consolidated.xml"
UN_OLD = SHARED / "un-sc-consolidated-2026-01-28.xml"


def _ms(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=20)
    return f"median {statistics.median(samples) * 1000:.2f} ms, p95 {q[18] * 1000:.2f} ms"


def screens(node: Node, n: int, label: str, rows: list[tuple[str, str]]) -> None:
    key = node.access.create_key(ADMIN, name="bench-screener", role="screener")
    client = TestClient(create_app(node))
    names = ["Ayman al-Zawahiri", "Faris Nadir", "John Smith", "Abu Bakr al-Baghdadi"]
    real = node.screening.coverage

    def naive(datasets: list[str] | None = None) -> object:  # the reference: no cache
        return coverage_of(node.store.entities.list_datasets(),
                           max_age_days=node.settings.list_max_age_days, only=datasets)

    for mode in ("cached", "uncached"):
        node.screening.coverage = real if mode == "cached" else naive  # type: ignore[method-assign]
        for i in range(20):  # warm up
            client.post("/screen", json={"name": names[i % 4]}, headers={"X-API-Key": key})
        took: list[float] = []
        for i in range(n):
            t0 = time.perf_counter()
            r = client.post("/screen", json={"name": names[i % 4]}, headers={"X-API-Key": key})
            took.append(time.perf_counter() - t0)
            assert r.status_code == 200 and "coverage" in r.json()
        rows.append((f"{label}: POST /screen, coverage {mode}", _ms(took)))
    node.screening.coverage = real  # type: ignore[method-assign]
    took = []
    for _ in range(50):
        t0 = time.perf_counter()
        naive()
        took.append(time.perf_counter() - t0)
    rows.append((f"{label}: computing coverage alone (count per list)", _ms(took)))


def imports(tmp: Path, rows: list[tuple[str, str]]) -> None:
    node = Node(Settings(data_dir=tmp / "imp", mode="development"))
    node.lists.import_source("un-sc", str(UN_OLD), ADMIN)
    for label, kwargs in (("--dry-run", {"dry_run": True}), ("applied", {})):
        t0 = time.perf_counter()
        report = node.lists.import_source("un-sc", str(UN), ADMIN, **kwargs)  # type: ignore[arg-type]
        rows.append((f"UN list delta 2026-01-28 → current, {label} (parse + apply)",
                     f"{time.perf_counter() - t0:.2f} s ({len(report.added)} added, "
                     f"{len(report.removed)} delisted)"))
    node.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--screens", type=int, default=300)
    args = ap.parse_args()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        node = Node(Settings(data_dir=tmp / "un", mode="development"))
        node.lists.import_source("un-sc", str(UN), ADMIN)
        node.index.prepare()
        screens(node, args.screens, "UN list (1,009 records), SQLite", rows)
        parts = load_parts(SHARED / "name-variants" / "rigour-person-name-parts.txt")
        node.store.entities.apply_list(
            ParsedList(dataset="synthetic", title="Synthetic persons", source="bench",
                       version="2026-12-01", entities=list(persons(parts, args.persons))),
            actor="bench",
        )
        node.screening.coverage_stale()
        node.index.refresh(force=True)
        screens(node, args.screens, f"UN + {args.persons:,} synthetic persons, SQLite", rows)
        node.close()
        imports(tmp, rows)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores (shared), "
          f"Python {platform.python_version()}")
    print("| measurement | result |\n| --- | --- |")
    for k, v in rows:
        print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()
