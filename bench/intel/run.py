"""Threat-intelligence benchmarks: STIX import with validation, and TAXII pages in memory.

    .venv/bin/python -m bench.intel.run                 # 100,000 objects (about 2-3 minutes)
    .venv/bin/python -m bench.intel.run --objects 10000 # a quick smoke run

1. Import with validation: a generated bundle (``generate.py``) written to
   ``bench/out/intel/bundle-N.json``, then read and validated by ``parse_stix`` from
   the file's bytes: in this process (1 worker, then 2 workers), and as a whole
   fresh ``python -c`` process timed from the shell side (interpreter start and
   imports included), which is how a CLI import will meet it.
2. TAXII: the objects added to an in-memory ``MemoryCollection``; each query is run
   ``--repeat`` times through ``protocol.get_objects`` / ``get_manifest`` (query
   parsing, selection, page of 1,000, envelope, and JSON encoding of the body); the
   naive reference ``select_records`` is timed on the same queries for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from bench.intel.generate import bundle, generate
from ctnode.intel.stix import parse_stix
from ctnode.intel.taxii import protocol
from ctnode.intel.taxii.collection import MemoryCollection, select_records
from ctnode.intel.taxii.protocol import TaxiiRequest
from ctnode.intel.taxii.query import OBJECTS_PARAMS, parse_query
from ctnode.intel.taxii.resources import Collection
from ctnode.model.tlp import TLP

OUT = Path("bench/out/intel")


def _ms(samples: list[float]) -> str:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    return f"median {statistics.median(s) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--objects", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    report: dict[str, object] = {
        "objects": args.objects,
        "python": platform.python_version(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_at_start": os.getloadavg()[0],
    }
    print(f"load average at start: {os.getloadavg()[0]:.1f} (2 cores)")

    objects = generate(args.objects)
    path = OUT / f"bundle-{args.objects}.json"
    path.write_bytes(orjson.dumps(bundle(objects)))
    data = path.read_bytes()
    print(f"bundle: {len(objects):,} objects, {len(data) / 1e6:.1f} MB -> {path}")

    for workers in (1, 2):
        t, c = time.perf_counter(), time.process_time()
        content = parse_stix(data, workers=workers)
        dt, cpu = time.perf_counter() - t, time.process_time() - c
        rate = len(content.objects) / dt
        report[f"import_{workers}w_objects_per_s"] = round(rate)
        note = ""
        if workers == 1:  # with workers the CPU time is spent in other processes
            report["import_1w_objects_per_cpu_s"] = round(len(content.objects) / cpu)
            note = f"; CPU {cpu:.1f} s, {len(content.objects) / cpu:,.0f} objects per CPU-second"
        print(
            f"import with validation, {workers} worker(s), in process: {dt:.1f} s, {rate:,.0f} objects/s{note}"
        )

    cmd = [
        sys.executable,
        "-c",
        "import sys; from ctnode.intel.stix import parse_stix; "
        "c = parse_stix(open(sys.argv[1], 'rb').read(), workers=int(sys.argv[2])); print(len(c.objects))",
        str(path),
        "2",
    ]
    t = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    dt = time.perf_counter() - t
    n = int(done.stdout.strip())
    report["import_cold_process_objects_per_s"] = round(n / dt)
    print(f"import with validation, fresh process, 2 workers: {dt:.1f} s, {n / dt:,.0f} objects/s")

    store = MemoryCollection()
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    t = time.perf_counter()
    for i in range(0, len(content.objects), 500):  # 500 objects per POST, one second apart
        store.add("c1", content.objects[i : i + 500], t0 + timedelta(seconds=i // 500))
    print(
        f"TAXII collection: {len(store.records('c1')):,} versions added in {time.perf_counter() - t:.1f} s"
    )
    col = Collection("c1", "bench", can_read=True, can_write=True)
    mid_token = protocol.get_objects(store, TaxiiRequest(col, {"limit": "1000"})).body["next"]
    for _ in range(40):
        body = protocol.get_objects(
            store, TaxiiRequest(col, {"limit": "1000", "next": mid_token})
        ).body
        mid_token = body.get("next", mid_token)
    peer_levels = frozenset({TLP.CLEAR, TLP.GREEN, TLP.AMBER})
    cases: list[tuple[str, dict[str, str], frozenset[TLP] | None]] = [
        ("first page, default filters", {"limit": "1000"}, None),
        ("page 42 via next", {"limit": "1000", "next": mid_token}, None),
        ("match[type]=indicator", {"limit": "1000", "match[type]": "indicator"}, None),
        (
            "match[type]=sighting,report (rare types)",
            {"limit": "1000", "match[type]": "sighting,report"},
            None,
        ),
        (
            "added_after (last 10%)",
            {
                "limit": "1000",
                "added_after": (
                    t0 + timedelta(seconds=len(content.objects) // 500 * 9 // 10)
                ).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
            None,
        ),
        ("match[version]=all", {"limit": "1000", "match[version]": "all"}, None),
        ("TLP filter for a named peer", {"limit": "1000"}, peer_levels),
    ]
    taxii: dict[str, dict[str, float]] = {}
    for name, params, levels in cases:
        fast: list[float] = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            resp = protocol.get_objects(store, TaxiiRequest(col, params, tlp_levels=levels))
            resp.json_bytes()
            fast.append(time.perf_counter() - t)
        query = parse_query(params, allowed=OBJECTS_PARAMS)
        if levels is not None:
            from dataclasses import replace

            query = replace(query, tlp_levels=levels)
        records = store.records("c1")
        naive: list[float] = []
        for _ in range(3):
            t = time.perf_counter()
            select_records(records, query)
            naive.append(time.perf_counter() - t)
        count = len(resp.body.get("objects", []))
        taxii[name] = {
            "median_ms": round(statistics.median(fast) * 1000, 2),
            "objects": count,
            "naive_median_ms": round(statistics.median(naive) * 1000, 1),
        }
        print(
            f"TAXII {name}: {count} objects, {_ms(fast)} (naive reference {statistics.median(naive) * 1000:.0f} ms)"
        )
    manifest: list[float] = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        protocol.get_manifest(store, TaxiiRequest(col, {"limit": "1000"})).json_bytes()
        manifest.append(time.perf_counter() - t)
    print(f"TAXII manifest page of 1000: {_ms(manifest)}")
    report["taxii"] = taxii
    report["manifest_median_ms"] = round(statistics.median(manifest) * 1000, 2)
    (OUT / "report.json").write_text(json.dumps(report, indent=2))
    print(f"report -> {OUT / 'report.json'}")


if __name__ == "__main__":
    main()
