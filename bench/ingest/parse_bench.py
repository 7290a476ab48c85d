"""Parser benchmarks: the two real UN lists, the OFAC SDN CSV, an FtM round trip, and garbage.

Run: .venv/bin/python -m bench.ingest.parse_bench [--repeat 5]
Prints a Markdown table (wall and CPU seconds: first run in a fresh process,
then the median of the repeats); copy it into docs/benchmarks.md.
The machine is shared: CPU time is the steadier number.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

SHARED = Path(os.environ.get("CTNODE_SHARED_DATA",
                             Path(__file__).resolve().parents[2].parent / "shared" / "data"))
FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "ingest" / "fixtures"


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    def import_parsers() -> None:
        for name in ("un_sc", "ftm", "csv_list"):
            __import__(f"ctnode.ingest.{name}")

    wall, cpu, _ = timed(import_parsers)
    rows = [("import the list parsers (followthemoney, lxml)", wall, cpu, None, None, "")]
    from ctnode.errors import ImportFailed
    from ctnode.ingest.csv_list import load_mapping, parse_csv
    from ctnode.ingest.ftm import entity_to_ftm, parse_ftm
    from ctnode.ingest.un_sc import DEMO_LIST, parse_un_sc

    new, old = SHARED / "un-sc-consolidated.xml", SHARED / "un-sc-consolidated-2026-01-28.xml"
    with tempfile.TemporaryDirectory() as tmp:
        sdn = Path(tmp) / "sdn.csv"
        lines = (SHARED / "ofac-sdn" / "sdn.csv").read_bytes().split(b"\n")
        sdn.write_bytes(b"\n".join(lines[:9043]) + b"\n")  # the last row is corrupt
        mapping = load_mapping(FIXTURES / "ofac-sdn.toml")
        un_new = parse_un_sc(new)
        ftm_lines = [orjson.dumps(entity_to_ftm(e)) for e in un_new.entities]

        def garbage() -> str:
            head = b'<?xml version="1.0"?><CONSOLIDATED_LIST><INDIVIDUALS><!--'
            data = head + b"a" * (20 * 1024 * 1024)
            try:
                parse_un_sc(io.BytesIO(data))
            except ImportFailed as exc:
                return exc.message[:40]
            return "parsed?!"

        cases: list[tuple[str, Callable[[], Any], str]] = [
            ("UN list 2026-05 (2.2 MB, 1,009 records)", lambda: parse_un_sc(new), "entities"),
            ("UN list 2026-01 (2.0 MB, 999 records)", lambda: parse_un_sc(old), "entities"),
            ("both UN lists", lambda: (parse_un_sc(new), parse_un_sc(old)), ""),
            ("demo list (16 records)", lambda: parse_un_sc(DEMO_LIST), "entities"),
            ("OFAC SDN CSV (9,043 rows)", lambda: parse_csv(sdn, mapping), "entities"),
            ("FtM JSON lines, UN list exported (1,009)",
             lambda: parse_ftm(ftm_lines, dataset="un_sc", source_name="x"), "entities"),
            ("refuse 20 MB unterminated comment", garbage, ""),
        ]
        for label, fn, _ in cases:
            first_wall, first_cpu, _ = timed(fn)
            walls, cpus = [], []
            for _ in range(args.repeat):
                w, c, _ = timed(fn)
                walls.append(w)
                cpus.append(c)
            rows.append((label, first_wall, first_cpu, statistics.median(walls),
                         statistics.median(cpus), ""))

    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs (shared), "
          f"load {os.getloadavg()[0]:.1f}, peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB\n")
    print("| case | first wall s | first CPU s | median wall s | median CPU s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, fw, fc, mw, mc, _ in rows:
        med_w = f"{mw:.3f}" if mw is not None else ""
        med_c = f"{mc:.3f}" if mc is not None else ""
        print(f"| {label} | {fw:.3f} | {fc:.3f} | {med_w} | {med_c} |")


if __name__ == "__main__":
    main()
