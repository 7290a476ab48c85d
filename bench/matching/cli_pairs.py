"""Whole commands, old code against new, in turn (issue 11): for a machine shared with other
work, where one command's wall clock says little, the CPU seconds of many pairs do.

    .venv/bin/python -m bench.matching.cli_pairs --old /work/wt/old-NAME/src [--pairs 8]

``--old`` is the ``src`` folder of another checkout (``git worktree add /work/wt/old-NAME
main``; compile it first: ``python -m compileall -q src``); the new code is this checkout's.
Each side gets its own copy of ``bench/out/cli-node`` (made by ``cli_bench``; the UN list),
the first run of each rebuilding its index files for the copy's path (not counted). Then,
``--pairs`` times, in turn (old first on odd pairs, new first on even ones): ``ctnode screen
payments`` (300 transfers), ``ctnode screen manifest`` (500 travellers) and ``ctnode screen
NAME --json``, each timed as a shell runs it (``python -m ctnode.cli``; ``PYTHONPATH`` picks
the code): CPU seconds (user + system, ``wait4``), wall seconds, peak memory.

Every command's output is compared, old against new, with what differs by nature from one
run to the next left out (ids of the screening, the stored message and the record; the
seconds it took): the report says whether they are the same. Results:
``bench/out/cli-pairs.json`` and a table. Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FILES = ROOT / "bench" / "out" / "cli-files"
PURPOSE = ["--purpose", "benchmark", "--legal-basis", "benchmark"]
COMMANDS: dict[str, list[str]] = {
    "payments": ["screen", "payments", str(FILES / "pacs008-300.xml"), "--format", "jsonl"],
    "manifest": ["screen", "manifest", str(FILES / "paxlst-500.edi"), "--format", "jsonl"],
    "name": ["screen", "Mohammed Omar", "--json"],
}
# what differs from one run to the next by nature, whatever the code
VOLATILE = {"record_id", "message_id", "screening_id", "seconds"}


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "*" if k in VOLATILE else _stable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def stable_output(text: str) -> list[Any]:
    """A command's JSON (one document, or one per line) without its volatile fields."""
    try:
        return [_stable(json.loads(text))]
    except json.JSONDecodeError:
        return [_stable(json.loads(line)) for line in text.splitlines() if line.strip()]


def run(code: Path, folder: Path, command: str, out: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(code), "CTNODE_DATA_DIR": str(folder),
           "CTNODE_MODE": "development", "CTNODE_JOBS_ENABLED": "false"}
    env.pop("CTNODE_DATABASE_URL", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    args = [sys.executable, "-m", "ctnode.cli", *COMMANDS[command], *PURPOSE]
    if command != "name":
        args += ["--output", str(out)]
    started = time.perf_counter()
    with out.with_suffix(".stdout").open("wb") as stdout:
        proc = subprocess.Popen(args, env=env, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT)
        assert proc.stderr is not None
        err = proc.stderr.read().decode(errors="replace")
        _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code_ = os.waitstatus_to_exitcode(status)
    assert code_ in (0, 1), err  # 1: hits to review
    text = (out if command != "name" else out.with_suffix(".stdout")).read_text(encoding="utf-8")
    return {"cpu": usage.ru_utime + usage.ru_stime, "wall": wall,
            "peak_mb": usage.ru_maxrss / 1024, "load": os.getloadavg()[0],
            "output": stable_output(text)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", type=Path, required=True, help="src folder of the old code")
    ap.add_argument("--pairs", type=int, default=8)
    ap.add_argument("--folder", type=Path, default=ROOT / "bench" / "out" / "cli-node",
                    help="the node folder to copy (cli_bench's)")
    ap.add_argument("--scratch", type=Path, default=Path("/tmp/cli-pairs"))
    args = ap.parse_args()
    codes = {"old": args.old.resolve(), "new": ROOT / "src"}
    folders = {side: args.scratch / side for side in codes}
    for side, folder in folders.items():
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(args.folder, folder)
        run(codes[side], folder, "name", args.scratch / f"{side}-warm")  # index files rebuilt
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    same: dict[str, bool] = {}
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    for i in range(args.pairs):
        for command in COMMANDS:
            order = ("old", "new") if i % 2 == 0 else ("new", "old")
            got = {side: run(codes[side], folders[side], command,
                             args.scratch / f"{side}-{command}.out") for side in order}
            same[command] = same.get(command, True) and (
                got["old"]["output"] == got["new"]["output"])
            for side, r in got.items():
                rows.setdefault((command, side), []).append(
                    {k: v for k, v in r.items() if k != "output"})
    result: dict[str, Any] = {"started": started,
                              "ended": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                              "old": str(codes["old"]), "pairs": args.pairs, "same_output": same}
    print(f"| command | code | CPU s median (min–max of {args.pairs}) | wall s median | "
          "peak MB | load |\n|---|---|---:|---:|---:|---|")
    for (command, side), rs in rows.items():
        cpu = [r["cpu"] for r in rs]
        wall = [r["wall"] for r in rs]
        loads = [r["load"] for r in rs]
        result[f"{command}_{side}"] = {
            "cpu_median": round(statistics.median(cpu), 3), "cpu_min": round(min(cpu), 3),
            "cpu_max": round(max(cpu), 3), "wall_median": round(statistics.median(wall), 3),
            "peak_mb": round(max(r["peak_mb"] for r in rs)),
            "load": [round(min(loads), 1), round(max(loads), 1)]}
        print(f"| {command} | {side} | {statistics.median(cpu):.2f} ({min(cpu):.2f}–"
              f"{max(cpu):.2f}) | {statistics.median(wall):.2f} | "
              f"{max(r['peak_mb'] for r in rs):.0f} | {min(loads):.1f}–{max(loads):.1f} |")
    print("same output, old and new:", same)
    (ROOT / "bench" / "out" / "cli-pairs.json").write_text(json.dumps(result, indent=1))
    shutil.rmtree(args.scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
