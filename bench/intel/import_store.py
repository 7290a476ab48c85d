"""STIX import into the store, as ``ctnode intel import`` runs it (without the interpreter
start): validation, store write, watchlist links and audit entry in one transaction.

    .venv/bin/python -m bench.intel.import_store                    # 20,000 objects
    .venv/bin/python -m bench.intel.import_store --objects 100000

Each round imports the same generated bundle (``generate.py``) into a fresh SQLite node
three ways: as the node does (``ctnode.intel.fastcheck`` for plain objects, the fast
pattern check of ``ctnode.intel.patterns``), with ``stix2``'s object model for every object
(the fast pattern check still), and with both and ``stix2-patterns``' full validator for
every indicator (the import before either). It prints wall time, CPU time (the steadier
figure on a shared machine) and objects per second of each, with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import stix2.v21.sdo
from stix2patterns.validator import run_validator

from bench.intel.generate import bundle, generate
from ctnode.intel import fastcheck
from ctnode.intel.patterns import validate_pattern
from ctnode.model.access import Actor
from ctnode.node import Node
from ctnode.settings import Settings

ADMIN = Actor(name="bench", role="admin")


def _never(obj: object) -> bool:
    return False


def _one(data: bytes, mode: str) -> tuple[int, float, float]:
    stix2.v21.sdo.run_validator = run_validator if mode == "full" else validate_pattern
    fastcheck_accepts = fastcheck.accepts
    if mode != "node":
        fastcheck.accepts = _never
    with tempfile.TemporaryDirectory() as tmp:
        node = Node(Settings(data_dir=Path(tmp), mode="development", database_url=""))
        try:
            node.intel.create_collection(ADMIN, title="bench", alias="bench")
            node.intel.import_stix(ADMIN, b'{"type": "bundle", "id": "bundle--'
                                   b'00000000-0000-4000-8000-000000000000", "objects": []}',
                                   collection="bench", source="warm-up")
            cpu, wall = time.process_time(), time.perf_counter()
            result = node.intel.import_stix(ADMIN, data, collection="bench", source="bench")
            return result.added, time.perf_counter() - wall, time.process_time() - cpu
        finally:
            node.close()
            stix2.v21.sdo.run_validator = validate_pattern
            fastcheck.accepts = fastcheck_accepts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objects", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    data = json.dumps(bundle(generate(args.objects))).encode()
    print(f"{args.objects} objects, {len(data) / 1e6:.1f} MB; load before "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for r in range(args.rounds):
        for mode, label in (("node", "as the node does (fastcheck, fast patterns)"),
                            ("stix2", "stix2 object model for every object"),
                            ("full", "stix2 object model and full pattern validator")):
            n, wall, cpu = _one(data, mode)
            print(f"round {r + 1}, {label}: {n} objects, wall {wall:.1f} s ({n / wall:,.0f}/s), "
                  f"CPU {cpu:.1f} s ({n / cpu:,.0f} per CPU-second)")
    print(f"load after {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
