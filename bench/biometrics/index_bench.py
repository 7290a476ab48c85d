"""The 1:N face index at a million templates: build, search, enrol, delete, save/load, IVF recall.

    .venv/bin/python -m bench.biometrics.index_bench [--n 1000000] [--queries 200] [--ivf-n 200000]

Templates are synthetic 128-d unit vectors shaped like SFace's (a shared
direction with weight 0.3 plus isotropic noise: impostor cosines of mean ≈ 0.09
and spread ≈ 0.085, close to the measured 0.12 / 0.09), with planted mates at
cosine 0.45-0.85. "Whole search" is the engine path the service calls for one
face, excluding the face model: gallery calibration (``for_gallery``), the
exact index search at the calibrated ``possible`` threshold, decisions. Times
are wall clock, one thread (FAISS OpenMP set to 1).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from ctnode.biometrics.calibration import calibration_for
from ctnode.biometrics.index import FastFaceIndex, NaiveFaceIndex
from ctnode.biometrics.search import search_vector

REPO = Path(__file__).resolve().parents[2]
MODEL = "sface-2021dec-int8bq:bench"


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def templates(n: int, rng: np.random.Generator, shared: np.ndarray) -> np.ndarray:
    iso = rng.standard_normal((n, 128), dtype=np.float32)
    iso -= np.outer(iso @ shared, shared)
    iso /= np.linalg.norm(iso, axis=1, keepdims=True)
    v = 0.3 * shared + np.sqrt(1 - 0.09) * iso
    return v.astype(np.float32)


def mates(base: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cos = rng.uniform(0.45, 0.85, size=len(base)).astype(np.float32)
    noise = rng.standard_normal(base.shape).astype(np.float32)
    noise -= (noise * base).sum(1, keepdims=True) * base
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    out = cos[:, None] * base + np.sqrt(1 - cos[:, None] ** 2) * noise
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def pct(xs: list[float], q: float) -> float:
    return round(1000 * float(np.percentile(xs, q)), 2)


def main() -> None:
    import faiss

    faiss.omp_set_num_threads(1)
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--ivf-n", type=int, default=200_000)
    ap.add_argument("--out", type=Path, default=REPO / "bench/biometrics/index_results.json")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    shared = rng.standard_normal(128).astype(np.float32)
    shared /= np.linalg.norm(shared)
    out: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": {
            "python": platform.python_version(),
            "cores": os.cpu_count(),
            "load_1m": os.getloadavg()[0],
        },
        "n": args.n,
    }
    # build: chunks of 100k, as a store scan would deliver them
    base_rss = rss_mb()
    index = FastFaceIndex(128)
    t0 = time.perf_counter()
    planted: list[np.ndarray] = []
    gen_s = 0.0
    for start in range(0, args.n, 100_000):
        size = min(100_000, args.n - start)
        g0 = time.perf_counter()
        chunk = templates(size, rng, shared)
        gen_s += time.perf_counter() - g0
        index.add([f"t{start + i}" for i in range(size)], chunk)
        planted.append(chunk[:: max(1, size // 20)][:20].copy())
        del chunk
    build_s = time.perf_counter() - t0 - gen_s
    out["build"] = {
        "seconds": round(build_s, 1),
        "rss_added_mb": round(rss_mb() - base_rss),
        "peak_rss_mb": round(peak_mb()),
        "eps": round(index.eps, 4),
    }
    print(json.dumps(out["build"]), flush=True)
    base = calibration_for("face", MODEL, default_match=0.4)
    from ctnode.biometrics.calibration import for_gallery

    targets = np.vstack(planted)[: args.queries // 2]
    probes = np.vstack([mates(targets, rng), templates(args.queries - len(targets), rng, shared)])
    lat, lat30, found, false_possible = [], [], 0, 0
    for i, q in enumerate(probes):
        t1 = time.perf_counter()
        cal = for_gallery(base, len(index))
        cands = search_vector(index, q, cal, k=20)
        lat.append(time.perf_counter() - t1)
        if i < len(targets):
            found += bool(cands)
        else:
            false_possible += bool(cands)
        t1 = time.perf_counter()
        index.search(q, k=20, min_score=0.30)
        lat30.append(time.perf_counter() - t1)
    cal = for_gallery(base, len(index))
    out["search"] = {
        "whole_search_ms_p50": pct(lat, 50),
        "whole_search_ms_p95": pct(lat, 95),
        "thresholds": {"possible": round(cal.possible, 4), "match": round(cal.match, 4)},
        "planted_mates_found": f"{found}/{len(targets)}",
        "impostor_probes_with_a_candidate": f"{false_possible}/{len(probes) - len(targets)}",
        "at_0.30_ms_p50": pct(lat30, 50),
        "at_0.30_ms_p95": pct(lat30, 95),
    }
    print(json.dumps(out["search"]), flush=True)
    # exact = naive on a slice: the fast index against a brute-force float64 scan of all rows
    live = np.arange(len(index), dtype=np.int64)
    agree = 0
    for q in probes[:10]:
        exact = index._exact(live) @ q  # every row, float32, no 8-bit step
        ref = sorted(
            ((f"t{int(r)}", float(exact[r])) for r in np.flatnonzero(exact >= 0.30)),
            key=lambda c: (-c[1], c[0]),
        )[:20]
        got = [(c.template_id, c.score) for c in index.search(q, k=20, min_score=0.30)]
        agree += [x for x, _ in ref] == [x for x, _ in got]
    out["exact_vs_full_scan"] = f"{agree}/10"
    # enrol visible to the next search; delete
    new = templates(1, rng, shared)
    t1 = time.perf_counter()
    index.add(["enrolled"], new)
    hits = index.search(new[0], k=1, min_score=0.99)
    enrol_ms = 1000 * (time.perf_counter() - t1)
    assert hits and hits[0].template_id == "enrolled"
    t1 = time.perf_counter()
    index.remove(["enrolled", "t5"])
    delete_ms = 1000 * (time.perf_counter() - t1)
    out["updates"] = {
        "enrol_then_search_ms": round(enrol_ms, 2),
        "delete_ms": round(delete_ms, 3),
        "version": index.version,
    }
    print(json.dumps(out["updates"]), flush=True)
    # persistence
    folder = Path(tempfile.mkdtemp(prefix="ctnode-face-index-"))
    try:
        t1 = time.perf_counter()
        index.save(folder / "idx")
        save_s = time.perf_counter() - t1
        disk = sum(p.stat().st_size for p in (folder / "idx").iterdir())
        del index
        t1 = time.perf_counter()
        loaded = FastFaceIndex.load(folder / "idx")
        load_s = time.perf_counter() - t1
        t1 = time.perf_counter()
        loaded.search(probes[0], k=20, min_score=0.30)
        first_ms = 1000 * (time.perf_counter() - t1)
        lat = []
        for q in probes[:50]:
            t1 = time.perf_counter()
            loaded.search(q, k=20, min_score=for_gallery(base, len(loaded)).possible)
            lat.append(time.perf_counter() - t1)
        out["persistence"] = {
            "save_s": round(save_s, 1),
            "disk_mb": round(disk / 2**20),
            "load_s": round(load_s, 2),
            "first_search_after_load_ms": round(first_ms, 1),
            "search_after_load_ms_p50": pct(lat, 50),
            "search_after_load_ms_p95": pct(lat, 95),
        }
        print(json.dumps(out["persistence"]), flush=True)
        del loaded
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # the approximate option: recall against exact
    m = args.ivf_n
    vecs = templates(m, rng, shared)
    ids = [f"t{i}" for i in range(m)]
    exact_index = FastFaceIndex(128)
    exact_index.add(ids, vecs)
    t1 = time.perf_counter()
    ivf = FastFaceIndex(128, ivf_min=1000, nprobe=64)
    ivf.add(ids, vecs)
    ivf_build = time.perf_counter() - t1
    tg = rng.choice(m, size=100, replace=False)
    qs = mates(vecs[tg], rng)
    row: dict[str, Any] = {"n": m, "build_s": round(ivf_build, 1)}
    for nprobe in (16, 64, 256):
        ivf._ivf.nprobe = nprobe
        hit = total = 0
        lat = []
        for q in qs:
            ref = {c.template_id for c in exact_index.search(q, k=10, min_score=0.40)}
            t1 = time.perf_counter()
            got = {c.template_id for c in ivf.search(q, k=10, min_score=0.40)}
            lat.append(time.perf_counter() - t1)
            hit += len(ref & got)
            total += len(ref)
        row[f"nprobe{nprobe}"] = {
            "recall_vs_exact": round(hit / max(total, 1), 3),
            "ms_p50": pct(lat, 50),
        }
    lat = []
    for q in qs:
        t1 = time.perf_counter()
        exact_index.search(q, k=10, min_score=0.40)
        lat.append(time.perf_counter() - t1)
    row["exact_ms_p50"] = pct(lat, 50)
    naive = NaiveFaceIndex()
    naive.add(ids[:20_000], vecs[:20_000])
    t1 = time.perf_counter()
    naive.search(qs[0], k=10, min_score=0.4)
    row["naive_ms_at_20k"] = round(1000 * (time.perf_counter() - t1), 1)
    out["ivf"] = row
    print(json.dumps(out["ivf"]), flush=True)
    out["machine"]["load_1m_end"] = os.getloadavg()[0]
    args.out.write_text(json.dumps(out, indent=2))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
