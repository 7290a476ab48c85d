"""The first pass over saved queries, on a saved index, in a fresh process (issue 11).

    PYTHONPATH=CODE/src .venv/bin/python -m bench.matching.loaded_pass \
        bench/out/matching/index-1000000 bench/out/matching/queries-1000000.json --hits FILE

What every node process meets: ``persist.load`` of the index files that
``bench.matching.synthetic`` writes, then ``Matcher.screen`` over its saved queries once.
Prints one JSON line: the CPU seconds of the pass and screens per CPU-second, the cyclic
garbage collector's CPU seconds during it (``gc.callbacks``) and its full collections, the
hits, peak memory and the load average. ``--hits`` writes ``Hit.as_dict()`` per query, to
compare two codes' hits whole (run each code in turn with its ``src`` on ``PYTHONPATH``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import time
from pathlib import Path
from typing import Any

from ctnode.match import Thresholds, persist
from ctnode.model.screening import ScreenQuery


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="the index folder (synthetic's index-N)")
    parser.add_argument("queries", type=Path, help="the saved queries (queries-N.json)")
    parser.add_argument("--hits", type=Path, help="write the hits, per query, to this file")
    args = parser.parse_args()
    cpu0 = time.process_time()
    matcher, _stamp = persist.load(args.folder, Thresholds(), 200, {"mark": 1})
    load_cpu = time.process_time() - cpu0
    items = json.loads(args.queries.read_text())
    queries = [ScreenQuery(names=i["names"], birth_dates=i["birth_dates"]) for i in items]
    collector = {"cpu": 0.0, "full": 0, "started": 0.0}

    def watch(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collector["started"] = time.process_time()
        else:
            collector["cpu"] += time.process_time() - collector["started"]
            collector["full"] += info["generation"] == 2

    gc.callbacks.append(watch)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    hits = [matcher.screen(q) for q in queries]
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    gc.callbacks.remove(watch)
    if args.hits:
        args.hits.write_text(json.dumps([[h.as_dict() for h in found] for found in hits]))
    expected = [i.get("expected") for i in items]
    print(json.dumps({
        "queries": len(queries), "load_cpu_s": round(load_cpu, 2),
        "first_pass_cpu_s": round(cpu, 3), "first_pass_wall_s": round(wall, 3),
        "screens_per_cpu_s": round(len(queries) / cpu, 1),
        "collector_cpu_s": round(collector["cpu"], 3), "full_collections": collector["full"],
        "hits": sum(map(len, hits)), "queries_with_hits": sum(1 for found in hits if found),
        "variants_found_first": sum(1 for e, found in zip(expected, hits, strict=True)
                                    if e and found and found[0].entity_id == e),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }))


if __name__ == "__main__":
    main()
