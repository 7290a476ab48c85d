"""1M synthetic persons: matcher build time, screening speed and peak memory.

    .venv/bin/python -m bench.matching.synthetic [--persons 1000000] [--queries 2000]

Names are drawn from the Latin forms in rigour-person-name-parts.txt with a Zipf-like
frequency (rank^-1), so a few parts are as common as "Mohammed" is in real lists and most
are rare. Each person has 2-4 parts, a birth date (full, year-only or none) and a
nationality. Entities are generated on the fly and handed to ``Matcher.build`` as a stream;
the matcher keeps only its compact records. Queries: half are variants of indexed persons
(typo, reordering, dropped part, SURNAME/GIVEN), half are random recombinations.
Peak memory is the process's ru_maxrss (Python, the part table and the index together).
Speed is reported for the first pass over the queries (cold caches: the figure compared
with the target) and for a second pass over the same queries.
"""

from __future__ import annotations

import argparse
import bisect
import cProfile
import itertools
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from ctnode.match import Matcher, Thresholds, persist
from ctnode.model.entities import Entity
from ctnode.model.screening import Hit, ScreenQuery

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CTNODE_SHARED_DATA", ROOT.parent / "shared" / "data"))
COUNTRIES = ("af", "pk", "iq", "sy", "ye", "so", "ly", "sd", "ru", "kz", "uz", "tj", "ir", "sa",
             "eg", "ma", "dz", "tn", "ng", "ml", "fr", "de", "gb", "us", "tr", "id", "ph", "in")


def load_parts(path: Path) -> list[str]:
    parts: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            for form in line.split("=>")[0].split(","):
                form = form.strip()
                if re.fullmatch(r"[a-z]{3,14}", form):
                    parts.append(form.capitalize())
                    break
    return parts


class Sampler:
    """Zipf-like (rank^-1) choice over a shuffled list of name parts."""

    def __init__(self, parts: list[str], rng: random.Random) -> None:
        self.parts = list(parts)
        rng.shuffle(self.parts)
        self.cum = list(itertools.accumulate(1.0 / (r + 1) for r in range(len(self.parts))))
        self.rng = rng

    def __call__(self) -> str:
        x = self.rng.random() * self.cum[-1]
        return self.parts[bisect.bisect_left(self.cum, x)]


def persons(n: int, sample: Sampler, rng: random.Random,
            keep: dict[int, tuple[str, str]]) -> Iterator[Entity]:
    for i in range(n):
        name = " ".join(sample() for _ in range(rng.choice((2, 3, 3, 4))))
        e = Entity(id=f"syn-{i}", schema="Person", dataset="synthetic", reference=f"S{i}")
        e.add("name", name)
        dob = ""
        r = rng.random()
        if r < 0.6:
            year, month, day = rng.randrange(1940, 2006), rng.randrange(1, 13), rng.randrange(1, 29)
            dob = f"{year}-{month:02d}-{day:02d}"
        elif r < 0.9:
            dob = str(rng.randrange(1940, 2006))
        if dob:
            e.add("birthDate", dob)
        e.add("nationality", rng.choice(COUNTRIES))
        if i in keep:
            keep[i] = (name, dob)
        yield e


def variant(rng: random.Random, name: str) -> str:
    tokens = name.split()
    kind = rng.randrange(4)
    if kind == 0:
        i = rng.randrange(len(tokens))
        t = tokens[i]
        j = rng.randrange(1, len(t) - 1)
        tokens[i] = t[:j] + rng.choice("aeioulnrst") + t[j + 1:]
    elif kind == 1:
        rng.shuffle(tokens)
    elif kind == 2 and len(tokens) > 2:
        tokens.pop(rng.randrange(1, len(tokens)))
    else:
        return f"{tokens[-1].upper()}/{' '.join(tokens[:-1]).upper()}"
    return " ".join(tokens)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--no-files", action="store_true",
                        help="skip writing the index files and the pass from a loaded index")
    parser.add_argument("--loaded-pass", nargs=2, metavar=("FOLDER", "QUERIES"),
                        help=argparse.SUPPRESS)  # the child process of the files' figures
    parser.add_argument("--profile", metavar="FILE",
                        help="write a cProfile of the first pass over the queries to FILE")
    parser.add_argument("--hits", metavar="FILE",
                        help="write the first pass's hits (per query, as the API gives them) "
                             "to FILE, to compare two codes' hits")
    args = parser.parse_args()
    if args.loaded_pass:
        loaded_pass(Path(args.loaded_pass[0]), Path(args.loaded_pass[1]))
        return
    rng = random.Random(42)
    parts = load_parts(SHARED / "name-variants" / "rigour-person-name-parts.txt")
    sample = Sampler(parts, rng)
    keep: dict[int, tuple[str, str]] = {i: ("", "") for i in
                                        rng.sample(range(args.persons), args.queries // 2)}
    matcher = Matcher(Thresholds())
    wall0, cpu0 = time.perf_counter(), time.process_time()
    matcher.build(persons(args.persons, sample, rng, keep))
    build_wall, build_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    peak_build = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queries: list[tuple[ScreenQuery, str | None]] = []
    for i, (name, dob) in keep.items():
        queries.append((ScreenQuery(names=[variant(rng, name)],
                                    birth_dates=[dob] if dob else []), f"syn-{i}"))
    for _ in range(args.queries - len(queries)):
        queries.append((ScreenQuery(names=[" ".join(sample() for _ in range(3))]), None))
    rng.shuffle(queries)
    found = 0
    first_hits: list[list[Hit]] = []
    profiler = cProfile.Profile() if args.profile else None
    wall0, cpu0 = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    for q, expected in queries:
        hits = matcher.screen(q)
        first_hits.append(hits)
        if expected is not None and hits and hits[0].entity_id == expected:
            found += 1
    if profiler is not None:
        profiler.disable()
    screen_wall, screen_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    if profiler is not None:
        profiler.dump_stats(args.profile)
    if args.hits:
        Path(args.hits).write_text(json.dumps([[h.as_dict() for h in hits]
                                               for hits in first_hits]))
    # the same queries again: what a long-running node sees once its caches (query-token
    # expansions, similarities, listed-name forms) hold the common parts
    cpu0 = time.process_time()
    for q, _expected in queries:
        matcher.screen(q)
    repeat_cpu = time.process_time() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    files: dict[str, object] = {}
    if not args.no_files:
        files = index_files(matcher, queries, args.persons)
    result = {
        "persons": len(matcher), "names_parts_table": len(parts), "queries": len(queries),
        "build_wall_s": round(build_wall, 1), "build_cpu_s": round(build_cpu, 1),
        "screens_per_s_cpu": round(len(queries) / screen_cpu, 1),
        "screens_per_s_wall": round(len(queries) / screen_wall, 1),
        "screens_per_s_cpu_repeat": round(len(queries) / repeat_cpu, 1),
        "peak_mb_after_build": round(peak_build), "peak_mb": round(peak),
        "variant_alert_recall": round(found / (args.queries // 2), 4),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average": os.getloadavg(),
        **files,
    }
    out = ROOT / "bench" / "out" / "matching"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"synthetic-{args.persons}.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


def index_files(matcher: Matcher, queries: list[tuple[ScreenQuery, str | None]],
                persons: int) -> dict[str, object]:
    """Write the index files, then load them in a fresh process and screen the same
    queries there (first pass): what every later process on the node meets."""
    folder = ROOT / "bench" / "out" / "matching" / f"index-{persons}"
    shutil.rmtree(folder, ignore_errors=True)
    saved = persist.save(matcher, folder, {"mark": 1})
    qfile = folder.parent / f"queries-{persons}.json"
    qfile.write_text(json.dumps([{"names": q.names, "birth_dates": q.birth_dates,
                                  "expected": e} for q, e in queries]))
    started = time.perf_counter()
    child = subprocess.run([sys.executable, "-m", "bench.matching.synthetic", "--loaded-pass",
                            str(folder), str(qfile)], capture_output=True, text=True,
                           check=True, cwd=ROOT)
    wall = time.perf_counter() - started
    loaded = json.loads(child.stdout.strip().splitlines()[-1])
    return {"files_save_s": round(saved.seconds, 1), "files_mb": round(saved.bytes / 1e6, 1),
            "loaded_process_wall_s": round(wall, 1), **loaded}


def high_water_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the
    parent across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def loaded_pass(folder: Path, qfile: Path) -> None:
    t0, c0 = time.perf_counter(), time.process_time()
    matcher, _stamp = persist.load(folder, Thresholds(), 200, {"mark": 1})
    load_s, load_cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_loaded = high_water_mb()
    items = json.loads(qfile.read_text())
    found = variants = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for item in items:
        hits = matcher.screen(ScreenQuery(names=item["names"], birth_dates=item["birth_dates"]))
        if item["expected"] is not None:
            variants += 1
            found += bool(hits and hits[0].entity_id == item["expected"])
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(json.dumps({
        "loaded_load_s": round(load_s, 2), "loaded_load_cpu_s": round(load_cpu, 2),
        "loaded_peak_mb_after_load": round(rss_loaded),
        "loaded_screens_per_s_cpu": round(len(items) / cpu, 1),
        "loaded_screens_per_s_wall": round(len(items) / wall, 1),
        "loaded_peak_mb": round(high_water_mb()),
        "loaded_variant_alert_recall": round(found / max(1, variants), 4),
    }))


if __name__ == "__main__":
    main()
