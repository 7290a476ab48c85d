"""The UN-list batch of bench/matching/batch_bench.py, in one process: every hit written out
(to compare two versions of the code, whole), the matcher timed alone, or profiled.

    .venv/bin/python -m bench.matching.batch_profile hits OUT.json [--folder bench/out/cli-node]
    .venv/bin/python -m bench.matching.batch_profile time [--rounds 3]
    .venv/bin/python -m bench.matching.batch_profile profile [STATS] [--whole [--workers N]]
    .venv/bin/python -m bench.matching.batch_profile split [OUT] [--workers N]
    .venv/bin/python -m bench.matching.batch_profile worker [--first N] [--workers N]
    .venv/bin/python -m bench.matching.batch_profile parent [--rounds 3] [--folder NODE]
    .venv/bin/python -m bench.matching.batch_profile fork [--folder NODE]

Run against other code (a ``git archive`` of main) with ``PYTHONPATH=/that/src``: this file
imports only what every version has. ``hits``: per query (in order), each hit's wire form
(entity, name, score, band, explanation) as the matcher returns them (``limit`` 10 + 10, as a batch asks).
``time``: CPU seconds of the matcher over all queries, after one warm-up round (each round
on the same warm caches: the first round is the one a batch pays; both are printed).
``profile``: cProfile (CPU clock) of the first round of the matcher (``--whole``: of
``ctnode screen --batch FILE --out /dev/null`` run in-process through the CLI's app,
``--workers 1``, or ``--workers N``: then the profile is of the parent process alone).
``split``: ``ctnode screen --batch FILE --out OUT`` (default /dev/null) run in-process through
the CLI's app, ``--workers N`` (default 2): CPU seconds of this process and of its reaped
workers (``getrusage`` SELF and CHILDREN, from after the app's import), wall seconds and minor
page faults of each, the CPU in garbage collections of this process and of its
workers, printed as JSON on stderr.
``worker``: what one of ``--workers`` (default 2) forked workers does with the first
``--first`` queries (default all), in this process: the node loaded and prepared as the
parent prepares it before it forks, the collector set as a worker sets it, then every
``--workers``-th slice of 64 queries matched and pickled as a task's answer; its CPU
seconds printed. Under ``valgrind --tool=cachegrind --cache-sim=no`` (with
``PYTHONHASHSEED=0``, less a run with ``--first 0``): instructions, which the machine's
load does not move.
``parent``: the batch parent's own steps after the fork, each timed alone without a
profiler (cProfile inflates these small, many-call steps several times over): the workers'
answers (matched here once, pickled per slice of 64 as a worker sends them) loaded; the
review rows made (sealed subject: the explanations as records, their JSON, the seal); the
explanations as records alone; the rows written (``BATCH_ROWS`` per transaction, fresh
ids: each round adds rows to the node's store, so use a copy of the node); the output
lines as ``ctnode screen --batch`` writes them. The collector set as the parent sets it
while it takes the answers. Minimum CPU seconds of ``--rounds`` per step, as JSON on stderr.
``fork``: ``ctnode screen --batch FILE --out /dev/null`` (two workers) run in-process up to
the point where the workers would be forked, then the process ends (``os._exit``): under
``valgrind --tool=cachegrind --cache-sim=no`` (``PYTHONHASHSEED=0``), the parent's
instructions before the fork. The whole command under cachegrind writes one file per
process (``--cachegrind-out-file=OUT.%p``): a forked worker's count starts from its
parent's at the fork, so a worker's own instructions are its file's total less this
count, and the parent's after the fork its total less this count.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BATCH = ROOT / "bench" / "out" / "batch-un-variants.jsonl"


def _env(folder: Path) -> None:
    os.environ["CTNODE_DATA_DIR"] = str(folder)
    os.environ["CTNODE_MODE"] = "development"
    os.environ["CTNODE_JOBS_ENABLED"] = "false"
    os.environ.pop("CTNODE_DATABASE_URL", None)


def _batch_file() -> Path:
    if not BATCH.exists():
        from bench.matching.batch_bench import queries

        BATCH.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in queries()),
                         encoding="utf-8")
    return BATCH


def _queries() -> list[Any]:
    from ctnode.cli.screening import _parse_batch_line

    lines = _batch_file().read_text(encoding="utf-8").splitlines()
    return [_parse_batch_line(i, raw)[1] for i, raw in enumerate(lines, 1) if raw.strip()]


def _matcher() -> Any:
    from ctnode.cli.common import make_node

    node = make_node()
    return node, node.index.refresh()


def _cpu() -> float:
    return time.process_time()


def hits(out: Path) -> None:
    _node, matcher = _matcher()
    result = []
    for q in _queries():
        found = matcher.screen(q, limit=20, include_below=False)
        result.append([h.as_dict() for h in found])
    out.write_text(json.dumps(result, ensure_ascii=False))
    print(f"{len(result)} queries, {sum(map(len, result))} hits -> {out}")


def timing(rounds: int) -> None:
    _node, matcher = _matcher()
    queries = _queries()
    times = []
    for _ in range(rounds):
        started = _cpu()
        for q in queries:
            matcher.screen(q, limit=20, include_below=False)
        times.append(_cpu() - started)
    print(json.dumps({"queries": len(queries), "cpu_s": [round(t, 3) for t in times],
                      "screens_per_cpu_s": [round(len(queries) / t) for t in times],
                      "load": [round(x, 2) for x in os.getloadavg()]}))


def profile(whole: bool, top: int, dump: Path | None, workers: int = 1) -> None:
    prof = cProfile.Profile(time.process_time)
    if whole:
        from ctnode.cli.main import app

        path = _batch_file()
        argv = ["screen", "--batch", str(path), "--out", os.devnull, "--workers", str(workers),
                "--purpose", "benchmark", "--legal-basis", "benchmark"]
        prof.enable()
        try:
            app(argv, standalone_mode=False)
        finally:
            prof.disable()
    else:
        _node, matcher = _matcher()
        queries = _queries()
        prof.enable()
        for q in queries:
            matcher.screen(q, limit=20, include_below=False)
        prof.disable()
    if dump is not None:
        prof.dump_stats(dump)
    stats = pstats.Stats(prof, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def split(out: Path | None, workers: int) -> None:
    import resource

    from ctnode.cli.main import app

    path = _batch_file()
    argv = ["screen", "--batch", str(path), "--out", str(out or os.devnull), "--workers",
            str(workers), "--purpose", "benchmark", "--legal-basis", "benchmark"]
    import gc

    spent = [0.0, 0.0]  # this process's CPU seconds in garbage collections; start of one

    def collecting(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            spent[1] = time.process_time()
        else:
            spent[0] += time.process_time() - spent[1]

    gc.callbacks.append(collecting)
    # each forked worker's own sum, written as it ends (multiprocessing clears its finalizers
    # in a new process, then runs its after-fork hooks, then the finalizers as it ends)
    import multiprocessing.util
    import tempfile

    sums = Path(tempfile.mkstemp(prefix="batch-gc-")[1])

    def _tell() -> None:
        with sums.open("a") as f:
            f.write(f"{spent[0]}\n")

    class _Hook:
        pass

    def _child(_hook: _Hook) -> None:
        spent[0] = 0.0
        multiprocessing.util.Finalize(None, _tell, exitpriority=100)

    hook = _Hook()
    multiprocessing.util.register_after_fork(hook, _child)
    before = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    started = time.perf_counter()
    try:
        app(argv, standalone_mode=False)
    except SystemExit:  # the command's own exit (its code is in the output above)
        pass
    wall = time.perf_counter() - started
    after = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu = [a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before, strict=True)]
    workers_gc = sum(map(float, sums.read_text().split()))
    sums.unlink()
    faults = [a.ru_minflt - b.ru_minflt for a, b in zip(after, before, strict=True)]
    print(json.dumps({"workers": workers, "parent_cpu_s": round(cpu[0], 2),
                      "workers_cpu_s": round(cpu[1], 2), "total_cpu_s": round(sum(cpu), 2),
                      "wall_s": round(wall, 2), "parent_minor_faults": faults[0],
                      "workers_minor_faults": faults[1],
                      "parent_gc_cpu_s": round(spent[0], 2),
                      "workers_gc_cpu_s": round(workers_gc, 2),
                      "load": [round(x, 2) for x in os.getloadavg()]}), file=sys.stderr)


def worker(first: int | None, workers: int) -> None:
    import gc
    import pickle

    from ctnode.cli.common import make_node

    node = make_node()
    node.index.refresh()
    node.index.prepare()
    queries = _queries()[:first]
    from ctnode.services.screening import workers as batch_workers

    gc.freeze()
    gc.set_threshold(getattr(batch_workers, "GC_WORKER", batch_workers.GC_YOUNG),
                    *gc.get_threshold()[1:])  # as a worker's
    mine = [q for i, q in enumerate(queries) if (i // 64) % workers == 0]
    started = _cpu()
    size = 0
    for s in range(0, len(mine), 64):
        answers = [node.screening._match(q, limit=10, include_below=False)
                   for q in mine[s:s + 64]]
        size += len(pickle.dumps(answers, protocol=pickle.HIGHEST_PROTOCOL))
    print(json.dumps({"queries": len(mine), "cpu_s": round(_cpu() - started, 3),
                      "pickled_bytes": size}), file=sys.stderr)


def parent(rounds: int) -> None:
    import gc
    import pickle
    import uuid

    from ctnode.cli.common import make_node, operator
    from ctnode.cli.screening import _batch_hits
    from ctnode.model.access import NO_PURPOSE
    from ctnode.services.screening.service import BATCH_ROWS, SUBJECT_FIELDS

    node = make_node()
    screening = node.screening
    screening.index.refresh()
    queries = _queries()
    answers = [screening._match(q, limit=10, include_below=False) for q in queries]
    slices = [pickle.dumps(answers[s:s + 64], protocol=pickle.HIGHEST_PROTOCOL)
              for s in range(0, len(answers), 64)]
    actor = operator()
    with_hits = [(q, m) for q, m in zip(queries, answers, strict=True) if m.hits]
    rows: list[dict[str, Any]] = []

    def load() -> None:
        for blob in slices:
            pickle.loads(blob)

    def review_rows() -> None:
        rows[:] = [screening.screening_row(actor, NO_PURPOSE, "batch", m.subject, m.hits,
                                           q.identified, q) for q, m in with_hits]

    def records() -> None:
        for q, m in with_hits:
            plain: dict[str, Any] = {f: getattr(q, f) for f in SUBJECT_FIELDS}
            plain["explanations"] = {h.entity_id: [e.as_record() for e in h.explanation]
                                     for h in m.hits}

    def write() -> None:
        for row in rows:
            row["id"] = str(uuid.uuid4())
        for s in range(0, len(rows), BATCH_ROWS):
            with screening.ctx.store.begin() as conn:
                screening.review.add_screenings(conn, rows[s:s + BATCH_ROWS])

    def output() -> None:
        for i, m in enumerate(answers):
            json.dumps({"id": f"q{i}", "hits": _batch_hits(m.hits), "suppressed": [],
                        "warnings": [], "coverage": {"complete": False, "lists": ["un_sc@v"],
                                                     "warnings": ["stale_list"]}},
                       ensure_ascii=False)

    review_rows()
    steps = {"load_answers": load, "review_rows": review_rows, "of_which_records": records,
             "write_rows": write, "output_lines": output}
    gc.freeze()
    gc.set_threshold(100_000, *gc.get_threshold()[1:])  # as workers._drain
    spent: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            started = _cpu()
            step()
            spent[name].append(_cpu() - started)
    print(json.dumps({"queries": len(queries), "rows": len(rows),
                      **{name: round(min(t), 3) for name, t in spent.items()},
                      "load": [round(x, 2) for x in os.getloadavg()]}), file=sys.stderr)


def upto_fork() -> None:
    import concurrent.futures.process

    from ctnode.cli.main import app

    def stop(*_args: Any, **_kwargs: Any) -> None:
        sys.stdout.flush()
        os._exit(0)

    concurrent.futures.process.ProcessPoolExecutor.__init__ = stop  # type: ignore[method-assign]
    argv = ["screen", "--batch", str(_batch_file()), "--out", os.devnull, "--workers", "2",
            "--purpose", "benchmark", "--legal-basis", "benchmark"]
    app(argv, standalone_mode=False)
    raise SystemExit("the batch ended without forking workers")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["hits", "time", "profile", "split", "worker", "parent",
                                     "fork"])
    ap.add_argument("out", nargs="?", type=Path)
    ap.add_argument("--folder", type=Path, default=ROOT / "bench" / "out" / "cli-node")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--whole", action="store_true")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--first", type=int, default=None, help="with worker: the first N queries")
    ap.add_argument("--workers", type=int, default=None,
                    help="with profile --whole: --workers N (default 1); with split and worker "
                         "(default 2)")
    args = ap.parse_args()
    _env(args.folder)
    if args.mode == "hits":
        hits(args.out or ROOT / "bench" / "out" / "batch-hits.json")
    elif args.mode == "time":
        timing(args.rounds)
    elif args.mode == "split":
        split(args.out, 2 if args.workers is None else args.workers)
    elif args.mode == "parent":
        parent(max(1, args.rounds))
    elif args.mode == "fork":
        upto_fork()
    elif args.mode == "worker":
        worker(args.first, 2 if args.workers is None else args.workers)
    else:
        profile(args.whole, args.top, args.out, 1 if args.workers is None else args.workers)


if __name__ == "__main__":
    main()
