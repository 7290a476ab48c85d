"""The million-person list as a user meets it: whole commands from a shell (issue 11).

1. Writes (once, into a cache folder outside the repository, ``--cache``, default
   ``/tmp/ctnode-bench``) a synthetic list of ``--persons`` persons as FtM JSON lines, from
   ``bench/synthetic.py`` (real name parts, an alias each, a birth date, a nationality).
2. Runs ``ctnode import ftm FILE`` into a fresh data folder on SQLite and, with
   ``CTNODE_DATABASE_URL`` pointed at a fresh PostgreSQL database on 127.0.0.1:5432, on
   PostgreSQL. The command imports the list (one transaction) and writes the name index.
3. Runs ``ctnode index rebuild`` on the same store from a second fresh data folder, as a
   second host sharing the store would (on SQLite: the first folder's database file).

For each command: wall time, CPU time (user + system of the command and every child it
waited for, from ``wait4``), the peak resident memory of the process tree (``VmRSS`` of the
command and its descendants summed, sampled every 0.25 s) and ``ru_maxrss`` of the largest
single process, and the index files written.

Run: PYTHONPATH=. .venv/bin/python -m bench.store.million_cli [--persons 1000000]
     [--backends sqlite,postgresql] [--no-rebuild] [--src OTHER/src]
(``--src``: the code to run, e.g. ``git archive OLD | tar -x -C /tmp/old``, then
``--src /tmp/old/src``, to put an older commit side by side on the same machine.)
Prints a Markdown table; copy it into docs/benchmarks.md (with ``uptime`` before and after).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from bench.synthetic import load_parts, persons
from ctnode.ingest.ftm import entity_to_ftm

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CTNODE_SHARED_DATA", ROOT.parent / "shared" / "data"))
if not SHARED.exists():
    SHARED = Path("/work/shared/data")
PG_ADMIN = os.environ.get("CTNODE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
CTNODE = Path(sys.executable).with_name("ctnode")


def list_file(n: int, cache: Path) -> Path:
    """The synthetic list of ``n`` persons as FtM JSON lines (written once)."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"persons-{n}.jsonl"
    if path.exists():
        return path
    parts = load_parts(SHARED / "name-variants" / "rigour-person-name-parts.txt")
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        for entity in persons(parts, n):
            data = entity_to_ftm(entity)
            data["id"] = entity.reference  # as a publisher writes it (no dataset prefix)
            data["datasets"] = ["synthetic"]
            fh.write(orjson.dumps(data) + b"\n")
    os.replace(tmp, path)
    return path


@dataclass
class Run:
    what: str
    wall: float
    cpu: float
    tree_peak_mb: float
    maxrss_mb: float
    code: int
    index_mb: float
    output: str


def _tree_rss_kb(root: int) -> int:
    """VmRSS of ``root`` and its descendants, summed (kB): the tree is walked through each
    task's ``children`` file, so only the command's own processes are read."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def run(what: str, args: list[str], env: dict[str, str], index_dir: Path) -> Run:
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    output = proc.stdout.read().decode(errors="replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    # wait4's usage counts the command and every descendant it waited for
    cpu = usage.ru_utime + usage.ru_stime
    size = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file()) / 2**20 \
        if index_dir.exists() else 0.0
    print(f"{what}: {wall:.1f} s wall, {cpu:.1f} s CPU, tree peak {peak / 1024:,.0f} MB, "
          f"exit {proc.returncode}, load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    return Run(what, wall, cpu, peak / 1024, usage.ru_maxrss / 1024, proc.returncode, size,
               output)


def fresh_pg(name: str) -> str | None:
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"no PostgreSQL ({exc}); skipped", file=sys.stderr)
        return None
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{name}"


def drop_pg(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def backend_runs(backend: str, path: Path, rebuild: bool, keep: bool,
                 src: Path | None = None) -> list[Run]:
    work = Path(tempfile.mkdtemp(prefix=f"ctnode-m1-{backend}-"))
    first, second = work / "host1", work / "host2"
    env = {**os.environ, "CTNODE_MODE": "development", "CTNODE_DATA_DIR": str(first),
           "PYTHONUNBUFFERED": "1"}
    if src is not None:  # another copy of the code (an older commit, or a frozen snapshot)
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")])
    dbname = f"ctnode_m1_{os.getpid()}"
    if backend == "postgresql":
        url = fresh_pg(dbname)
        if url is None:
            return []
    else:
        url = f"sqlite:///{first / 'ctnode.db'}"
    env["CTNODE_DATABASE_URL"] = url
    out = []
    try:
        out.append(run(f"{backend}: ctnode import ftm", [
            str(CTNODE), "import", "ftm", str(path), "--dataset", "synthetic",
            "--version", "2026-12-01", "--source", "synthetic"], env, first / "index"))
        if rebuild:
            env2 = {**env, "CTNODE_DATA_DIR": str(second)}
            out.append(run(f"{backend}: ctnode index rebuild (second host)",
                           [str(CTNODE), "index", "rebuild"], env2, second / "index"))
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
            if backend == "postgresql":
                drop_pg(dbname)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ctnode-bench"))
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--no-rebuild", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the data folders and database")
    ap.add_argument("--src", type=Path, default=None,
                    help="run the commands on this source folder (e.g. `git archive` of an "
                         "older commit, its src/), ahead of the installed one")
    args = ap.parse_args()
    t0 = time.perf_counter()
    path = list_file(args.persons, args.cache)
    made = time.perf_counter() - t0
    print(f"list: {path} ({path.stat().st_size / 2**20:,.0f} MB; {made:.1f} s to make or find)",
          file=sys.stderr)
    runs: list[Run] = []
    loads = [os.getloadavg()[0]]
    for backend in args.backends.split(","):
        runs += backend_runs(backend.strip(), path, not args.no_rebuild, args.keep, args.src)
        loads.append(os.getloadavg()[0])
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{args.persons:,} persons, load (1 min) {' → '.join(f'{x:.1f}' for x in loads)}")
    print("| command | wall s | CPU s | peak RSS, process tree | largest process (maxrss) "
          "| index files | exit |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in runs:
        print(f"| {r.what} | {r.wall:.1f} | {r.cpu:.1f} | {r.tree_peak_mb:,.0f} MB "
              f"| {r.maxrss_mb:,.0f} MB | {r.index_mb:,.0f} MB | {r.code} |")
    for r in runs:
        if r.code:
            print(f"\n{r.what} failed:\n{r.output[-3000:]}", file=sys.stderr)


if __name__ == "__main__":
    main()
