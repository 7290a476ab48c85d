"""A batch of UN-derived queries through ``ctnode screen --batch``, as a user runs it (issue 11:
"6,690-query batch on the UN list, excluding process start: >= 2,000 screens/s").

    .venv/bin/python -m bench.matching.batch_bench [--runs 3] [--folder bench/out/cli-node]

The queries are the UN-derived variant and alias cases of bench/matching/cases.py
(``un_variant_cases``: aliases, original scripts, transliterations, typos, reordered,
dropped and merged parts, airline forms, and negatives; seeded), written as the batch
command's JSON lines (name, schema, birth date, nationality). The node is the one
bench/matching/cli_bench.py keeps (the real UN list imported; run cli_bench once first).

Each run times two whole commands from the shell side: the batch of one query (process
start, imports, the store, the index files, the report) and the whole batch; screens per
second excluding process start = (N - 1) / (whole - one). CPU seconds of both from
``wait4``. Results: printed and ``bench/out/batch-bench.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CTNODE_SHARED_DATA", ROOT.parent / "shared" / "data"))
CTNODE = [sys.executable, "-m", "ctnode.cli"]


def queries() -> list[dict[str, Any]]:
    from bench.matching.cases import load_variants, un_variant_cases
    from ctnode.ingest.un_sc import parse_un_sc

    entities = parse_un_sc(SHARED / "un-sc-consolidated.xml").entities
    cases = un_variant_cases(
        entities, load_variants(SHARED / "name-variants" / "rigour-person-name-parts.txt"))
    lines = []
    for i, c in enumerate(cases):
        line: dict[str, Any] = {"id": f"q{i}", "schema": c["schema"], "name": c["names"][0]}
        if c["birth_dates"]:
            line["birthDate"] = c["birth_dates"][0]
        if c["nationalities"]:
            line["nationality"] = c["nationalities"][0]
        lines.append(line)
    return lines


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall s, CPU s) of one whole command; fails loudly on a non-zero exit."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(args[3:])} failed:\n{err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--folder", type=Path, default=ROOT / "bench" / "out" / "cli-node")
    args = ap.parse_args()
    if not (args.folder / "imported").exists():
        raise SystemExit(f"no UN node in {args.folder}: run bench.matching.cli_bench first")
    out = ROOT / "bench" / "out"
    lines = queries()
    whole, one = out / "batch-un-variants.jsonl", out / "batch-one.jsonl"
    whole.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                     encoding="utf-8")
    one.write_text(json.dumps(lines[0], ensure_ascii=False) + "\n", encoding="utf-8")
    env = {**os.environ, "CTNODE_DATA_DIR": str(args.folder), "CTNODE_MODE": "development",
           "CTNODE_JOBS_ENABLED": "false"}
    env.pop("CTNODE_DATABASE_URL", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    purpose = ["--purpose", "benchmark", "--legal-basis", "benchmark"]
    runs = []
    for _ in range(args.runs):
        w1, c1 = timed([*CTNODE, "screen", "--batch", str(one), "--out", os.devnull, *purpose],
                       env)
        wn, cn = timed([*CTNODE, "screen", "--batch", str(whole), "--out", os.devnull,
                        *purpose], env)
        runs.append({"one_s": round(w1, 2), "one_cpu_s": round(c1, 2), "whole_s": round(wn, 2),
                     "whole_cpu_s": round(cn, 2),
                     "screens_per_s": round((len(lines) - 1) / (wn - w1)),
                     "screens_per_cpu_s": round((len(lines) - 1) / (cn - c1))})
    result = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "queries": len(lines), "load_after": [round(x, 2) for x in os.getloadavg()],
              "runs": runs,
              "screens_per_s_median": statistics.median(r["screens_per_s"] for r in runs)}
    (out / "batch-bench.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
