"""Biometric benchmarks on the real data in ../shared/data/biometrics (results: docs/benchmarks.md).

    .venv/bin/python bench/biometrics/run.py [--quick] [--skip-1m] [--out results.json]

Sections, each bounded in time:

1. faces: SFace (default) and dlib side by side on the 66 deepface photos:
   extraction time per image; false match / false non-match on the 300
   labelled pairs of master.csv at each model's default threshold; the
   equal error rate; rank-1 identification (each labelled photo searched
   against all others, identities from the Yes pairs of both CSV files).
2. fingerprints: NIST NBIS (MINDTCT + Bozorth3) on the 128 prints (16 fingers
   × 8): extraction time, EER over all 448 genuine and 7,680 impostor pairs,
   error rates at the default threshold (40), rank-1 identification.
3. 1:N search speed on synthetic unit vectors (speed only, not accuracy):
   the fast index (8-bit scan + exact re-rank, one thread) at 10,000 and
   1,000,000 templates, against exact float32 FAISS (time and agreement), the
   naive reference at 10,000, the optional inverted file at 1,000,000 with
   its recall of planted mates above the 0.40 threshold; memory per template.
   Fingerprint 1:N time over the 128 real prints is in section 2.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

from ctnode.biometrics.face import DlibEmbedder, FaceEmbedder, SFaceEmbedder  # noqa: E402
from ctnode.biometrics.fingerprint import load_engine  # noqa: E402
from ctnode.biometrics.fingerprint_index import FastFingerprintIndex  # noqa: E402
from ctnode.biometrics.images import decode_image  # noqa: E402
from ctnode.biometrics.index import FastFaceIndex, NaiveFaceIndex  # noqa: E402

DATA = Path(os.environ.get("CTNODE_SHARED_DATA", REPO.parent / "shared" / "data")) / "biometrics"


def eer(genuine: list[float], impostor: list[float]) -> tuple[float, float]:
    """Equal error rate and the threshold where FMR and FNMR cross (higher score = more alike)."""
    g, i = np.asarray(genuine), np.asarray(impostor)
    best = (1.0, 0.0)
    for t in np.unique(np.concatenate([g, i])):
        fnmr, fmr = float((g < t).mean()), float((i >= t).mean())
        gap = abs(fnmr - fmr)
        if gap < best[0] or (gap == best[0] and t < best[1]):
            best = (gap, float(t))
    t = best[1]
    return (float((g < t).mean()) + float((i >= t).mean())) / 2, t


def rates(genuine: list[float], impostor: list[float], t: float) -> dict[str, Any]:
    g, i = np.asarray(genuine), np.asarray(impostor)
    return {
        "threshold": t,
        "false_match": int((i >= t).sum()),
        "impostor_pairs": len(i),
        "false_non_match": int((g < t).sum()),
        "genuine_pairs": len(g),
        "fmr": float((i >= t).mean()),
        "fnmr": float((g < t).mean()),
    }


def identities(folder: Path) -> dict[str, int]:
    """Identity label per image from the Yes pairs of both CSV files (union-find)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for name in ("master.csv", "face-recognition-pivot.csv"):
        with open(folder / name, newline="") as fh:
            for row in csv.DictReader(fh):
                a = Path(row["file_x"]).name
                b = Path(row["file_y"]).name
                find(a)
                find(b)
                if (row.get("Decision") or row.get("decision")) == "Yes":
                    parent[find(a)] = find(b)
    roots = sorted({find(x) for x in parent})
    return {x: roots.index(find(x)) for x in parent}


def bench_faces(quick: bool) -> dict[str, Any]:
    folder = DATA / "faces" / "deepface"
    pairs = list(csv.DictReader(open(folder / "master.csv", newline="")))
    labels = identities(folder)
    files = sorted(p.name for p in folder.glob("*.jpg"))
    models: list[FaceEmbedder] = [SFaceEmbedder(), DlibEmbedder()]
    out: dict[str, Any] = {"images": len(files), "pairs": len(pairs)}
    for model in models:
        vecs: dict[str, np.ndarray] = {}
        failures: dict[str, str] = {}
        times = []
        for name in files:
            img = decode_image((folder / name).read_bytes(), max_pixels=50_000_000, mode="RGB")
            t0 = time.perf_counter()
            try:
                vecs[name] = model.embed(img).vector
            except Exception as exc:  # noqa: BLE001  # a failed image is reported, not fatal
                failures[name] = f"{type(exc).__name__}: {exc}"
            times.append(time.perf_counter() - t0)
        gen, imp, missing = [], [], 0
        for row in pairs:
            a, b = row["file_x"], row["file_y"]
            if a not in vecs or b not in vecs:
                missing += 1
                continue
            s = float(vecs[a] @ vecs[b])
            (gen if row["Decision"] == "Yes" else imp).append(s)
        e, et = eer(gen, imp)
        # rank-1: each labelled image with a mate, against all other labelled images
        labelled = [n for n in vecs if n in labels]
        probes = [n for n in labelled if sum(labels[m] == labels[n] for m in labelled) > 1]
        correct = 0
        for p in probes:
            best = max((m for m in labelled if m != p), key=lambda m: float(vecs[p] @ vecs[m]))
            correct += labels[best] == labels[p]
        key = model.model_id.split(":")[0]
        out[key] = {
            "model_id": model.model_id,
            "engine": model.engine,
            "extract_ms_median": round(1000 * float(np.median(times)), 1),
            "extract_ms_mean": round(1000 * float(np.mean(times)), 1),
            "failed_images": failures,
            "pairs_missing_a_template": missing,
            "at_default": rates(gen, imp, model.default_threshold),
            "eer": round(e, 4),
            "eer_threshold": round(et, 4),
            "genuine_min": round(min(gen), 4),
            "impostor_max": round(max(imp), 4),
            "rank1": {"probes": len(probes), "gallery": len(labelled) - 1, "correct": correct},
        }
        if isinstance(model, SFaceEmbedder):
            out[key]["at_0.363"] = rates(gen, imp, 0.363)
        print(json.dumps({key: out[key]}, indent=1), flush=True)
    return out


def bench_fingerprints(quick: bool) -> dict[str, Any]:
    eng = load_engine()
    files = sorted(
        (DATA / "fingerprints").glob("*.png"), key=lambda p: tuple(map(int, p.stem.split("_")))
    )
    tpls, names, times = [], [], []
    for f in files:
        img = decode_image(f.read_bytes(), max_pixels=10**8, mode="L")
        t0 = time.perf_counter()
        tpls.append(eng.extract(img))
        times.append(time.perf_counter() - t0)
        names.append(f.stem)
    finger = [n.split("_")[0] for n in names]
    fast = FastFingerprintIndex()
    fast.add(names, tpls)
    scores: dict[tuple[int, int], float] = {}
    t0 = time.perf_counter()
    for i, probe in enumerate(tpls):
        for c in fast.search(probe, k=len(tpls), min_score=-1):
            j = names.index(c.template_id)
            if j != i:
                scores[(i, j)] = c.score
    search_s = (time.perf_counter() - t0) / len(tpls)
    gen, imp = [], []
    for i, j in itertools.combinations(range(len(tpls)), 2):
        s = max(scores[(i, j)], scores[(j, i)])
        (gen if finger[i] == finger[j] else imp).append(s)
    e, et = eer(gen, imp)
    correct = 0
    for i in range(len(tpls)):
        j = max((j for j in range(len(tpls)) if j != i), key=lambda j: scores[(i, j)])
        correct += finger[i] == finger[j]
    out = {
        "model_id": eng.model_id,
        "engine": eng.engine,
        "prints": len(tpls),
        "extract_ms_median": round(1000 * float(np.median(times)), 1),
        "search_1_to_127_ms": round(1000 * search_s, 1),
        "eer": round(e, 4),
        "eer_threshold": et,
        "at_default": rates(gen, imp, eng.default_threshold),
        "rank1": {"probes": len(tpls), "gallery": len(tpls) - 1, "correct": correct},
        "minutiae_median": int(np.median([len(t) for t in tpls])),
    }
    print(json.dumps({"fingerprints": out}, indent=1), flush=True)
    return out


def _unit(x: np.ndarray) -> np.ndarray:
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def _mates(vecs: np.ndarray, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cos = rng.uniform(0.45, 0.85, size=len(idx)).astype(np.float32)
    noise = rng.standard_normal((len(idx), vecs.shape[1])).astype(np.float32)
    base = vecs[idx]
    noise -= (noise * base).sum(1, keepdims=True) * base
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    return _unit(cos[:, None] * base + np.sqrt(1 - cos[:, None] ** 2) * noise)


def bench_index(sizes: list[int]) -> dict[str, Any]:
    import faiss

    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(0)
    out: dict[str, Any] = {}
    for n in sizes:
        vecs = _unit(rng.standard_normal((n, 128), dtype=np.float32))
        ids = [f"t{i}" for i in range(n)]
        targets = rng.choice(n, size=50, replace=False)
        queries = _mates(vecs, targets, rng)
        t0 = time.perf_counter()
        fast = FastFaceIndex(128)
        fast.add(ids, vecs)
        row: dict[str, Any] = {"build_s": round(time.perf_counter() - t0, 2)}
        row["bytes_per_template"] = 128 * 4 + 128  # float32 copy for re-ranking + 8-bit code
        row["index_mb"] = round(n * row["bytes_per_template"] / 2**20)
        lat, found, results = [], 0, []
        for t, q in zip(targets, queries, strict=True):
            t1 = time.perf_counter()
            hits = fast.search(q, k=20, min_score=0.30)
            lat.append(time.perf_counter() - t1)
            found += any(h.template_id == ids[t] for h in hits)
            results.append([(h.template_id, round(h.score, 5)) for h in hits])
        row["scan_ms_median"] = round(1000 * float(np.median(lat)), 2)
        row["scan_ms_p95"] = round(1000 * float(np.percentile(lat, 95)), 2)
        row["scan_recall_planted"] = found / len(targets)
        del fast
        # exact float32 reference (FAISS flat) on the same queries: time, and agreement
        flat = faiss.IndexFlatIP(128)
        flat.add(vecs)
        lat, agree = [], 0
        for q, got in zip(queries, results, strict=True):
            t1 = time.perf_counter()
            d, i = flat.search(q[None], 20)
            lat.append(time.perf_counter() - t1)
            ref = [
                (ids[j], round(float(s), 5)) for s, j in zip(d[0], i[0], strict=True) if s >= 0.30
            ]
            agree += [x for x, _ in ref] == [x for x, _ in got]
        row["flat_float32_ms_median"] = round(1000 * float(np.median(lat)), 2)
        row["scan_equals_flat"] = f"{agree}/{len(queries)}"
        del flat
        if n <= 20_000:
            naive = NaiveFaceIndex()
            naive.add(ids, vecs)
            lat = []
            for q in queries[:10]:
                t1 = time.perf_counter()
                naive.search(q, k=20, min_score=0.30)
                lat.append(time.perf_counter() - t1)
            row["naive_ms_median"] = round(1000 * float(np.median(lat)), 1)
            del naive
        else:
            ivf = FastFaceIndex(128, ivf_min=1000, nprobe=64)
            t0 = time.perf_counter()
            ivf.add(ids, vecs)
            row["ivf_build_s"] = round(time.perf_counter() - t0, 1)
            for nprobe in (64, 256):
                ivf._ivf.nprobe = nprobe
                lat = []
                found = 0
                for t, q in zip(targets, queries, strict=True):
                    t1 = time.perf_counter()
                    hits = ivf.search(q, k=20, min_score=0.40)
                    lat.append(time.perf_counter() - t1)
                    found += any(h.template_id == ids[t] for h in hits)
                row[f"ivf_nprobe{nprobe}_ms_median"] = round(1000 * float(np.median(lat)), 2)
                row[f"ivf_nprobe{nprobe}_recall_planted"] = found / len(targets)
            del ivf
        out[str(n)] = row
        print(json.dumps({f"index_{n}": row}), flush=True)
        del vecs
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="faces and fingerprints only")
    ap.add_argument("--index-only", action="store_true", help="1:N speed only")
    ap.add_argument("--faces-only", action="store_true", help="face models only")
    ap.add_argument("--skip-1m", action="store_true", help="index speed at 10,000 only")
    ap.add_argument("--out", type=Path, default=Path("bench/biometrics/results.json"))
    args = ap.parse_args()
    if not DATA.is_dir():
        sys.exit(f"biometric data not found at {DATA} (set CTNODE_SHARED_DATA)")
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "load_1m": os.getloadavg()[0],
        },
    }
    if not (args.index_only or args.faces_only):
        results["fingerprints"] = bench_fingerprints(args.quick)
    if not args.index_only:
        results["faces"] = bench_faces(args.quick)
    if not (args.quick or args.faces_only):
        results["index"] = bench_index([10_000] if args.skip_1m else [10_000, 1_000_000])
    results["machine"]["load_1m_end"] = os.getloadavg()[0]
    args.out.write_text(json.dumps(results, indent=2))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
