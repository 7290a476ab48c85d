"""PDQ index at scale: 10,000,000 hashes in one bank, and the brute-force reference at 1,000,000.

How the hashes are made (not only uniform random bits, which flatter multi-index hashing):

1. *Real hashes*: ``--images`` generated pictures (bench/hashes/images.py: waves, gradients,
   shapes, noise) are PDQ-hashed, and so are 5 edited copies of each (JPEG q50, resize 50%,
   caption bar, brightness +30%, crop 5%): real near-duplicate clusters. Their distances to the
   originals give the empirical distribution of "edit distances".
2. *The bank*: the real hashes, then near-duplicate clusters grown around them (a real hash
   with k bits flipped, k drawn from that empirical distribution) for 60% of the rest, and
   uniform random hashes for the last 40%.
3. *Queries*: half are edited copies whose originals are banked (they hit), half hashes of
   fresh pictures (they miss); each is one index search at 31 bits. A file query searches 8
   dihedral variants: the "8-variant" column.

Indexes: ctnode's ``FaissMihIndex`` (default), ``FaissFlatIndex`` (exhaustive SIMD),
``BruteForcePdqIndex`` (numpy, the reference) and python-threatexchange's ``PDQIndex`` (its
faiss multi-hash wrapper), all on the same hashes and queries; answers are checked equal.
One faiss thread. Run: .venv/bin/python -m bench.hashes.index_bench [--sizes 1000000 10000000]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from PIL import Image

from bench.hashes.images import TRANSFORMS, generated
from ctnode.hashes.index import BruteForcePdqIndex, ClusterPdqIndex, FaissFlatIndex, FaissMihIndex
from ctnode.hashes.signals import pdq

OUT = Path(__file__).resolve().parents[1] / "out" / "hashes"
EDITS = ["jpeg q50", "resize 50%", "caption bar", "brightness +30%"]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def crop5(img: Image.Image) -> Image.Image:
    w, h = img.size
    return img.crop((int(w * 0.025), int(h * 0.025), w - int(w * 0.025), h - int(h * 0.025)))


def real_hashes(n_images: int, seed0: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(originals (n,32), edited copies (n*5,32), their distances to their originals)."""
    originals, edits, dists = [], [], []
    for s in range(n_images):
        img = generated(seed0 + s)
        h0 = pdq.hash_array(np.asarray(img)).value
        originals.append(h0)
        for edit in [TRANSFORMS[e] for e in EDITS] + [crop5]:
            h = pdq.hash_array(np.asarray(edit(img).convert("RGB"))).value
            edits.append(h)
            dists.append(pdq.distance(h0, h))
    return pdq.to_bytes(originals), pdq.to_bytes(edits), np.asarray(dists)


def flip(rows: np.ndarray, k: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Flip k[i] random bits of row i."""
    bits = np.unpackbits(rows, axis=1)
    order = np.argsort(rng.random(bits.shape), axis=1)
    mask = order < k[:, None]
    return np.packbits(bits ^ mask.astype(np.uint8), axis=1)


def make_bank(
    size: int, real: np.ndarray, edit_dists: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    rest = size - len(real)
    n_near = int(rest * 0.6)
    parts = [real]
    chunk = 1_000_000
    for start in range(0, n_near, chunk):
        m = min(chunk, n_near - start)
        centres = real[rng.integers(0, len(real), m)]
        parts.append(flip(centres, rng.choice(edit_dists, m), rng))
    parts.append(rng.integers(0, 256, (rest - n_near, 32), dtype=np.uint8))
    return np.concatenate(parts)


def timed_queries(
    index: Any, queries: np.ndarray, threshold: int = 31, cpu: list[float] | None = None
) -> tuple[list[list[tuple[int, int]]], np.ndarray]:
    """Answers and wall-clock ms per query; with ``cpu``, the process CPU ms per query too
    (on a shared, loaded machine the CPU time is the figure that does not depend on the load)."""
    answers, times = [], []
    for q in queries:
        t = time.perf_counter()
        c = time.process_time()
        answers.append(index.search(q[None, :], threshold)[0])
        if cpu is not None:
            cpu.append((time.process_time() - c) * 1000)
        times.append(time.perf_counter() - t)
    return answers, np.asarray(times) * 1000


def run_cluster(
    size: int, real: np.ndarray, edit_dists: np.ndarray, queries: np.ndarray, radius: int
) -> dict[str, Any]:
    """``ClusterPdqIndex`` on the same bank as ``run_size``, checked equal to the flat scan
    (all queries) and to brute force (up to 1M); wall and CPU time per query."""
    rng = np.random.default_rng(size)
    bank = make_bank(size, real, edit_dists, rng)
    ids = np.arange(len(bank), dtype=np.int64)
    print(f"\n== {len(bank):,} hashes, ClusterPdqIndex radius {radius}")
    gc.collect()
    before = rss_mb()
    t, c = time.perf_counter(), time.process_time()
    index = ClusterPdqIndex(radius=radius)
    index.add(ids, bank)
    build, build_cpu = time.perf_counter() - t, time.process_time() - c
    mem = rss_mb() - before
    cpu: list[float] = []
    answers, ms = timed_queries(index, queries, cpu=cpu)
    diffuse_cpu: list[float] = []
    timed_queries(index._diffuse, queries, cpu=diffuse_cpu)
    eight, eight_cpu = [], []
    for i in range(200):
        batch = np.repeat(queries[i : i + 1], 8, axis=0) ^ np.uint8(i % 2)
        t, c = time.perf_counter(), time.process_time()
        index.search(batch, 31)
        eight.append((time.perf_counter() - t) * 1000)
        eight_cpu.append((time.process_time() - c) * 1000)
    result: dict[str, Any] = {
        "size": len(bank),
        "radius": radius,
        "structure": index.stats(),
        "build_s": round(build, 1),
        "build_cpu_s": round(build_cpu, 1),
        "memory_mb": round(mem),
        "query_ms": stats(ms),
        "query_cpu_ms": stats(np.asarray(cpu)),
        "diffuse_tier_cpu_ms": stats(np.asarray(diffuse_cpu)),
        "file_query_8_variants_ms": stats(np.asarray(eight)),
        "file_query_8_variants_cpu_ms": stats(np.asarray(eight_cpu)),
        "queries_with_hits": sum(1 for a in answers if a),
        "matches": sum(map(len, answers)),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result))
    del index
    gc.collect()
    flat = FaissFlatIndex()
    flat.add(ids, bank)
    flat_cpu: list[float] = []
    flat_answers, flat_ms = timed_queries(flat, queries, cpu=flat_cpu)
    result["flat"] = {
        "query_ms": stats(flat_ms),
        "query_cpu_ms": stats(np.asarray(flat_cpu)),
        "equal": flat_answers == answers,
    }
    print("flat", json.dumps(result["flat"]))
    del flat
    gc.collect()
    if size <= 1_000_000:
        brute = BruteForcePdqIndex()
        brute.add(ids, bank)
        result["brute_force_equal"] = brute.search(queries, 31) == answers
        print("brute force equal:", result["brute_force_equal"])
    return result


def stats(ms: np.ndarray) -> dict[str, float]:
    return {
        k: round(float(v), 3)
        for k, v in {
            "p50": np.percentile(ms, 50),
            "p95": np.percentile(ms, 95),
            "p99": np.percentile(ms, 99),
            "max": ms.max(),
            "mean": ms.mean(),
        }.items()
    }


def run_size(
    size: int,
    real: np.ndarray,
    edit_dists: np.ndarray,
    queries: np.ndarray,
    with_reference: bool,
    words: int = 12,
) -> dict[str, Any]:
    rng = np.random.default_rng(size)
    bank = make_bank(size, real, edit_dists, rng)
    ids = np.arange(len(bank), dtype=np.int64)
    result: dict[str, Any] = {"size": len(bank)}
    print(f"\n== {len(bank):,} hashes")
    gc.collect()
    before = rss_mb()
    t = time.perf_counter()
    mih = FaissMihIndex(words=words)
    for start in range(0, len(bank), 1_000_000):
        mih.add(ids[start : start + 1_000_000], bank[start : start + 1_000_000])
    build = time.perf_counter() - t
    mem = rss_mb() - before
    mih_answers, mih_ms = timed_queries(mih, queries)
    eight = []
    for i in range(0, 200, 1):
        batch = np.repeat(queries[i : i + 1], 8, axis=0) ^ np.uint8(i % 2)  # 8 distinct-ish rows
        t = time.perf_counter()
        mih.search(batch, 31)
        eight.append((time.perf_counter() - t) * 1000)
    hits = sum(1 for a in mih_answers if a)
    result["mih"] = {
        "build_s": round(build, 1),
        "memory_mb": round(mem),
        "query_ms": stats(mih_ms),
        "file_query_8_variants_ms": stats(np.asarray(eight)),
        "queries_with_hits": hits,
        "matches": sum(map(len, mih_answers)),
    }
    print(
        f"faiss MIH: build {build:.1f} s, +{mem:.0f} MB,"
        f" query p50 {np.percentile(mih_ms, 50):.3f} ms p99 {np.percentile(mih_ms, 99):.3f} ms;"
        f" {hits}/{len(queries)} queries hit"
    )
    flat = FaissFlatIndex()
    flat.add(ids, bank)
    flat_answers, flat_ms = timed_queries(flat, queries[:100])
    result["flat"] = {"query_ms": stats(flat_ms), "equal_to_mih": flat_answers == mih_answers[:100]}
    print(
        f"faiss flat: query p50 {np.percentile(flat_ms, 50):.2f} ms; equal to MIH: {result['flat']['equal_to_mih']}"
    )
    del flat
    gc.collect()
    if with_reference:
        brute = BruteForcePdqIndex()
        brute.add(ids, bank)
        brute_answers, brute_ms = timed_queries(brute, queries)
        result["brute_force"] = {
            "query_ms": stats(brute_ms),
            "equal_to_mih": brute_answers == mih_answers,
        }
        print(
            f"brute force (numpy): query p50 {np.percentile(brute_ms, 50):.2f} ms;"
            f" equal to MIH: {brute_answers == mih_answers}"
        )
        del brute
        from threatexchange.signal_type.pdq.pdq_index import PDQIndex

        hexes = [pdq.from_bytes(r) for r in bank]
        t = time.perf_counter()
        te_index: Any = PDQIndex(entries=zip(hexes, range(len(hexes)), strict=True))
        te_build = time.perf_counter() - t
        te_ms = []
        te_equal = True
        for q, want in zip(queries, mih_answers, strict=True):
            t = time.perf_counter()
            got = te_index.query(pdq.from_bytes(q))
            te_ms.append((time.perf_counter() - t) * 1000)
            te_equal &= sorted((m.metadata, m.similarity_info.distance) for m in got) == sorted(
                want
            )
        result["threatexchange_PDQIndex"] = {
            "build_s": round(te_build, 1),
            "query_ms": stats(np.asarray(te_ms)),
            "equal_to_mih": te_equal,
        }
        print(
            f"threatexchange PDQIndex: build {te_build:.1f} s, query p50 {np.percentile(te_ms, 50):.3f} ms;"
            f" equal: {te_equal}"
        )
        del te_index, hexes
    del mih
    gc.collect()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--images", type=int, default=3000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument(
        "--cluster",
        type=int,
        default=0,
        metavar="RADIUS",
        help="measure ClusterPdqIndex (pivot radius RADIUS, e.g. 64) against the flat scan instead",
    )
    ap.add_argument("--cache", type=Path, help="keep the real hashes in this .npz between runs")
    ap.add_argument(
        "--words",
        type=int,
        default=12,
        help="MIH words (tables); 16 is python-threatexchange's choice",
    )
    args = ap.parse_args()
    faiss.omp_set_num_threads(1)
    t = time.perf_counter()
    if args.cache and args.cache.exists():
        cached = np.load(args.cache)
        real, edits, dists, fresh_rows = (cached[k] for k in ("real", "edits", "dists", "fresh"))
    else:
        real, edits, dists = real_hashes(args.images, 0)
        fresh_rows = pdq.to_bytes(
            [
                pdq.hash_array(np.asarray(generated(9_000_000 + s))).value
                for s in range(args.queries // 2)
            ]
        )
        if args.cache:
            np.savez(args.cache, real=real, edits=edits, dists=dists, fresh=fresh_rows)
    print(
        f"real hashes: {len(real)} originals + {len(edits)} edited copies in {time.perf_counter() - t:.0f} s; "
        f"edit distance median {np.median(dists):.0f}, 90th pct {np.percentile(dists, 90):.0f} bits"
    )
    rng = np.random.default_rng(1)
    pick = rng.choice(len(edits), args.queries // 2, replace=False)
    queries = np.concatenate([edits[pick], fresh_rows])
    bank_real = np.concatenate([real, edits[np.setdiff1d(np.arange(len(edits)), pick)]])
    report = {
        "images": args.images,
        "edit_distance": {
            "median": float(np.median(dists)),
            "p90": float(np.percentile(dists, 90)),
        },
        "runs": [],
    }
    if args.cluster:
        for size in args.sizes:
            report["runs"].append(run_cluster(size, bank_real, dists, queries, args.cluster))
            OUT.mkdir(parents=True, exist_ok=True)
            (OUT / f"index-cluster-{args.cluster}.json").write_text(json.dumps(report, indent=1))
        return
    for size in args.sizes:
        report["runs"].append(
            run_size(
                size, bank_real, dists, queries, with_reference=size <= 1_000_000, words=args.words
            )
        )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "index.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
