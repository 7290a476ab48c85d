"""Per-search calibration on the real data: impostor tails, synthetic galleries, 1:N false alarms.

    .venv/bin/python -m bench.biometrics.calibrate [--galleries 200] [--out bench/biometrics/calibration.json]

1. Faces (SFace): every labelled photo of ../shared/data/biometrics/faces is
   embedded; identities come from the "Yes" pairs of both deepface CSV files
   (and the face_recognition folder's Obama / Biden). Genuine scores: pairs of
   one identity; impostor scores: pairs of different identities. A normal
   distribution is fitted to the impostor scores of half the identities and
   checked on the other half (predicted vs observed share above 0.15 / 0.2 /
   0.25 / 0.3); the model the node ships is fitted on all of them.
2. Synthetic identities: one template per made-up person, drawn from a
   Gaussian fitted to the real identities' mean templates (mean vector,
   covariance shrunk towards its diagonal, Ledoit-Wolf style), then scaled so
   that synthetic-vs-real scores have the measured impostor spread, and
   normalised. Shown: the distribution of their scores against every real
   photo beside the real impostor scores (quantiles, two-sample KS statistic).
3. The issue's check: galleries of 1,000 identities (every real identity but
   the probe's, one photo each, plus synthetic ones), each real photo searched
   as an impostor probe in ``--galleries`` different galleries: the share of
   searches answering "possible" (target ≤ 1%) and "match" (a peer probe's
   hit; target 0). Genuine searches (the probe's identity enrolled with another
   photo): rank 1 and the band it gets.
4. Fingerprints (NBIS): one-direction Bozorth3 scores of all 128 prints; an
   exponential tail fitted above the 90th percentile of impostor scores of
   fingers 1-8 and checked on fingers 9-16; thresholds for 16 enrolled
   prints (the issue's case) and larger galleries; genuine rates there.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from ctnode.biometrics.calibration import (
    ImpostorModel,
    calibration_for,
    for_gallery,
)
from ctnode.biometrics.face import SFaceEmbedder
from ctnode.biometrics.images import decode_image

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("CTNODE_SHARED_DATA", REPO.parent / "shared" / "data")) / "biometrics"


def face_identities() -> dict[Path, str]:
    """Photo → identity label, from the Yes pairs (union-find) of both CSV files."""
    folder = DATA / "faces" / "deepface"
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
                a, b = Path(row["file_x"]).name, Path(row["file_y"]).name
                find(a), find(b)
                if (row.get("Decision") or row.get("decision")) == "Yes":
                    parent[find(a)] = find(b)
    out = {folder / x: f"deepface:{find(x)}" for x in parent}
    fr = DATA / "faces" / "face_recognition"
    for p in sorted(fr.glob("obama*.jpg")):
        out[p] = "obama"
    out[fr / "biden.jpg"] = "biden"  # 32bit.png is obama2.jpg again, left out (a duplicate)
    return out


def fit_normal(scores: np.ndarray) -> ImpostorModel:
    """Mean and spread; the spread is raised if the upper tail is heavier than a normal's."""
    mu, sigma = float(scores.mean()), float(scores.std(ddof=1))
    # the empirical 99th percentile must not lie above the fitted one: widen sigma until it doesn't
    q99 = float(np.quantile(scores, 0.99))
    sigma = max(sigma, (q99 - mu) / 2.3263)
    return ImpostorModel("normal", mu=round(mu, 4), sigma=round(sigma, 4))


def ks(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov statistic (largest gap between the empirical CDFs)."""
    grid = np.sort(np.concatenate([a, b]))
    ca = np.searchsorted(np.sort(a), grid, side="right") / len(a)
    cb = np.searchsorted(np.sort(b), grid, side="right") / len(b)
    return float(np.abs(ca - cb).max())


def quantiles(x: np.ndarray) -> dict[str, float]:
    return {f"q{q}": round(float(np.quantile(x, q / 100)), 4) for q in (1, 10, 50, 90, 99)} | {
        "max": round(float(x.max()), 4),
        "mean": round(float(x.mean()), 4),
    }


class SyntheticFaces:
    """Made-up identities for SFace, fitted to the real impostor scores.

    A synthetic template is ``a·m + sqrt(1 - a²)·w``: ``m`` the unit mean of the real
    identities' mean templates (what all faces share), ``w`` a unit direction
    orthogonal to it drawn from ``c·(shape of the real identities' spread) + (1 - c)·
    (isotropic noise)``. The two numbers ``a`` and ``c`` are chosen on a grid to make the
    scores of synthetic templates against the real photos of the *fitting* identities
    follow those identities' impostor scores (smallest Kolmogorov-Smirnov gap); the
    report checks them against the other identities' photos.
    """

    def __init__(
        self, identity_means: np.ndarray, fit_probes: np.ndarray, fit_impostor: np.ndarray
    ) -> None:
        x = identity_means.astype(np.float64)
        m = x.mean(axis=0)
        self.m = m / np.linalg.norm(m)
        centred = x - x.mean(axis=0)
        cov = centred.T @ centred / max(len(x) - 1, 1)
        self.chol = np.linalg.cholesky(cov + 1e-6 * np.eye(len(cov)))
        best = (2.0, 0.0, 0.0)
        rng = np.random.default_rng(99)
        for a in np.linspace(0.0, 0.6, 25):
            for c in np.linspace(0.0, 1.0, 11):
                self.a, self.c = float(a), float(c)
                scores = (fit_probes @ self.sample(1500, rng).T).ravel()
                gap = ks(fit_impostor, scores)
                if gap < best[0]:
                    best = (gap, float(a), float(c))
        self.fit_ks, self.a, self.c = best

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        dim = len(self.m)
        shaped = rng.standard_normal((n, dim)) @ self.chol.T
        shaped /= np.linalg.norm(shaped, axis=1, keepdims=True)
        iso = rng.standard_normal((n, dim))
        iso /= np.linalg.norm(iso, axis=1, keepdims=True)
        w = self.c * shaped + (1 - self.c) * iso
        w -= np.outer(w @ self.m, self.m)
        w /= np.linalg.norm(w, axis=1, keepdims=True)
        v = self.a * self.m + math.sqrt(1 - self.a**2) * w
        return v.astype(np.float32)


def bench_faces(galleries: int, gallery_size: int) -> dict[str, Any]:
    labels = face_identities()
    emb = SFaceEmbedder()
    vecs, ids, names = [], [], []
    for path, ident in sorted(labels.items()):
        img = decode_image(path.read_bytes(), max_pixels=50_000_000, mode="RGB")
        vecs.append(emb.embed(img).vector)
        ids.append(ident)
        names.append(path.name)
    v = np.vstack(vecs)
    ident = np.array(ids)
    sims = v @ v.T
    iu = np.triu_indices(len(v), 1)
    same = ident[iu[0]] == ident[iu[1]]
    genuine, impostor = sims[iu][same], sims[iu][~same]
    uniq = sorted(set(ids))
    half = {u for i, u in enumerate(uniq) if i % 2 == 0}
    in_a = np.array([x in half for x in ids])
    pair_a = in_a[iu[0]] & in_a[iu[1]] & ~same
    pair_b = ~in_a[iu[0]] & ~in_a[iu[1]] & ~same
    fit_a = fit_normal(sims[iu][pair_a])
    held_out = {
        str(t): {
            "predicted": round(fit_a.tail(t), 4),
            "observed": round(float((sims[iu][pair_b] >= t).mean()), 4),
            "pairs": int(pair_b.sum()),
        }
        for t in (0.15, 0.2, 0.25, 0.3)
    }
    model = fit_normal(impostor)
    base = calibration_for("face", emb.model_id, default_match=emb.default_threshold)
    thresholds = {}
    for n in (10, 100, 1_000, 10_000, 100_000, 1_000_000):
        g = for_gallery(base, n, impostor=model)
        thresholds[str(n)] = {
            "possible": round(g.possible, 4),
            "match": round(g.match, 4),
            "genuine_at_or_above_possible": round(float((genuine >= g.possible).mean()), 4),
            "genuine_at_or_above_match": round(float((genuine >= g.match).mean()), 4),
        }
    # synthetic identities
    means = []
    for u in uniq:
        m = v[ident == u].mean(axis=0)
        means.append(m / np.linalg.norm(m))
    means_a = np.vstack([mm for u, mm in zip(uniq, means, strict=True) if u in half])
    synth_a = SyntheticFaces(means_a, v[in_a], sims[iu][pair_a])
    rng = np.random.default_rng(7)
    held_scores = (v[~in_a] @ synth_a.sample(20_000, rng).T).ravel()
    imp_b = sims[iu][pair_b]
    synth = SyntheticFaces(np.vstack(means), v, impostor)
    sv = synth.sample(20_000, rng)
    synth_scores = (v @ sv.T).ravel()
    synthetic_check = {
        "made_with": {
            "a": round(synth.a, 3),
            "c": round(synth.c, 3),
            "fit_ks": round(synth.fit_ks, 4),
        },
        "held_out": {
            "made_with": {"a": round(synth_a.a, 3), "c": round(synth_a.c, 3)},
            "real_impostor_other_half": quantiles(imp_b),
            "synthetic_vs_other_half_photos": quantiles(held_scores),
            "ks": round(ks(imp_b, held_scores), 4),
        },
        "real_impostor_all": quantiles(impostor),
        "synthetic_vs_all_photos": quantiles(synth_scores),
        "ks_all": round(ks(impostor, synth_scores), 4),
        "synthetic_vs_synthetic": quantiles((sv[:2000] @ sv[2000:4000].T).ravel()),
        "share_at_0.3": {
            "model": round(model.tail(0.3), 5),
            "synthetic": round(float((synth_scores >= 0.3).mean()), 5),
            "real": round(float((impostor >= 0.3).mean()), 5),
        },
    }
    # the 1,000-identity galleries
    g = for_gallery(base, gallery_size, impostor=model)
    first_photo = {u: int(np.flatnonzero(ident == u)[0]) for u in uniq}
    imp_possible = imp_match = imp_searches = 0
    best_impostor: list[float] = []
    gen_rank1 = gen_searches = gen_match = gen_possible = 0
    t0 = time.perf_counter()
    for _ in range(galleries):
        fill = synth.sample(gallery_size, rng)
        for p in range(len(v)):
            # impostor search: every identity but the probe's, one photo each, synthetic to N
            real = [first_photo[u] for u in uniq if u != ids[p]]
            gallery = np.vstack([v[real], fill[: gallery_size - len(real)]])
            best = float((gallery @ v[p]).max())
            best_impostor.append(best)
            imp_searches += 1
            imp_possible += best >= g.possible
            imp_match += best >= g.match
    for p in range(len(v)):
        mates = [i for i in np.flatnonzero(ident == ident[p]) if i != p]
        if not mates:
            continue
        fill = synth.sample(gallery_size, rng)
        real = [first_photo[u] for u in uniq if u != ids[p]] + [mates[0]]
        gallery = np.vstack([v[real], fill[: gallery_size - len(real)]])
        scores = gallery @ v[p]
        top = int(np.argmax(scores))
        gen_searches += 1
        gen_rank1 += top == len(real) - 1
        mate_score = float(scores[len(real) - 1])
        gen_match += mate_score >= g.match
        gen_possible += mate_score >= g.possible
    out = {
        "model_id": emb.model_id,
        "photos": len(v),
        "identities": len(uniq),
        "genuine_pairs": len(genuine),
        "impostor_pairs": len(impostor),
        "impostor": quantiles(impostor),
        "genuine": quantiles(genuine),
        "model": model.as_dict(),
        "held_out_check": held_out,
        "thresholds_by_gallery_size": thresholds,
        "synthetic": synthetic_check,
        "gallery_check": {
            "gallery_size": gallery_size,
            "thresholds": {"possible": round(g.possible, 4), "match": round(g.match, 4)},
            "impostor_searches": imp_searches,
            "answered_possible_or_match": imp_possible,
            "share_possible": round(imp_possible / imp_searches, 4),
            "answered_match_peer_hit": imp_match,
            "best_impostor": quantiles(np.array(best_impostor)),
            "modelled_share_possible": round(model.search_false_alarm(g.possible, gallery_size), 4),
            "genuine_searches": gen_searches,
            "genuine_rank1": gen_rank1,
            "genuine_mate_at_match": gen_match,
            "genuine_mate_at_possible_or_match": gen_possible,
            "seconds": round(time.perf_counter() - t0, 1),
        },
    }
    return out


def fit_exponential_tail(scores: np.ndarray, q: float = 0.90) -> ImpostorModel:
    """Peaks over the ``q`` quantile: exponential excesses, mean excess = beta (MLE)."""
    u = float(np.quantile(scores, q))
    over = scores[scores > u]
    beta = float((over - u).mean()) if len(over) else 1.0
    return ImpostorModel(
        "exponential", u=round(u, 3), p_u=round(len(over) / len(scores), 5), beta=round(beta, 3)
    )


def bench_fingerprints() -> dict[str, Any]:
    from ctnode.biometrics.fingerprint import load_engine
    from ctnode.biometrics.fingerprint_index import FastFingerprintIndex

    eng = load_engine()
    files = sorted(
        (DATA / "fingerprints").glob("*.png"), key=lambda p: tuple(map(int, p.stem.split("_")))
    )
    tpls = [eng.extract(decode_image(f.read_bytes(), max_pixels=10**8, mode="L")) for f in files]
    names = [f.stem for f in files]
    finger = np.array([int(n.split("_")[0]) for n in names])
    index = FastFingerprintIndex()
    index.add(names, tpls)
    pos = {n: i for i, n in enumerate(names)}
    score = np.zeros((len(tpls), len(tpls)))
    for i, probe in enumerate(tpls):
        for c in index.search(probe, k=len(tpls), min_score=-1):
            score[i, pos[c.template_id]] = c.score
    off = ~np.eye(len(tpls), dtype=bool)
    same = finger[:, None] == finger[None, :]
    genuine = score[same & off]
    impostor = score[~same]
    low = finger <= 8
    fit_a = fit_exponential_tail(score[~same & low[:, None] & low[None, :]])
    imp_b = score[~same & ~low[:, None] & ~low[None, :]]
    held_out = {
        str(t): {
            "predicted": round(fit_a.tail(t), 5),
            "observed": round(float((imp_b >= t).mean()), 5),
            "comparisons": len(imp_b),
        }
        for t in (20, 25, 30, 35, 40)
    }
    model = fit_exponential_tail(impostor)
    base = calibration_for("fingerprint", eng.model_id, default_match=eng.default_threshold)
    thresholds = {}
    for n in (16, 128, 1_000, 10_000, 100_000):
        g = for_gallery(base, n, impostor=model)
        thresholds[str(n)] = {
            "possible": round(g.possible, 1),
            "match": round(g.match, 1),
            "genuine_at_or_above_possible": round(float((genuine >= g.possible).mean()), 4),
            "genuine_at_or_above_match": round(float((genuine >= g.match).mean()), 4),
        }
    # the case: 16 enrolled prints (impression 1 of each finger), the other 112 as probes
    enrolled = [pos[f"{f}_1"] for f in range(1, 17)]
    g16 = for_gallery(base, 16, impostor=model)
    nonmate = [
        score[p, e]
        for p in range(len(tpls))
        if p not in enrolled
        for e in enrolled
        if finger[p] != finger[e]
    ]
    mate = [
        score[p, e]
        for p in range(len(tpls))
        if p not in enrolled
        for e in enrolled
        if finger[p] == finger[e]
    ]
    nm, mt = np.array(nonmate), np.array(mate)
    searches_possible = searches_match = 0
    for f in range(1, 17):
        # impostor searches: the gallery without the probe's own finger (15 prints)
        gal = [e for e in enrolled if finger[e] != f]
        for p in np.flatnonzero(finger == f):
            best = float(score[p, gal].max())
            searches_possible += best >= g16.possible
            searches_match += best >= g16.match
    return {
        "model_id": eng.model_id,
        "prints": len(tpls),
        "one_direction_impostor": len(impostor),
        "impostor": quantiles(impostor),
        "model": model.as_dict(),
        "held_out_check": held_out,
        "thresholds_by_gallery_size": thresholds,
        "sixteen_enrolled": {
            "non_mate_comparisons": len(nm),
            "at_old_match_40": int((nm >= 40).sum()),
            "thresholds": {"possible": round(g16.possible, 1), "match": round(g16.match, 1)},
            "false_match_at_new_match": int((nm >= g16.match).sum()),
            "false_possible_at_new_possible": int((nm >= g16.possible).sum()),
            "mate_comparisons": len(mt),
            "mates_at_match": int((mt >= g16.match).sum()),
            "mates_at_possible_or_match": int((mt >= g16.possible).sum()),
            "mates_at_old_40": int((mt >= 40).sum()),
            "impostor_searches": 128,
            "impostor_searches_possible": searches_possible,
            "impostor_searches_match": searches_match,
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--galleries", type=int, default=200)
    ap.add_argument("--gallery-size", type=int, default=1000)
    ap.add_argument("--skip-fingerprints", action="store_true")
    ap.add_argument("--out", type=Path, default=REPO / "bench/biometrics/calibration.json")
    args = ap.parse_args()
    out: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cores": os.cpu_count()},
        "when": time.strftime("%Y-%m-%d %H:%M %Z"),
    }
    out["faces"] = bench_faces(args.galleries, args.gallery_size)
    print(json.dumps({"faces": out["faces"]}, indent=1), flush=True)
    if not args.skip_fingerprints:
        out["fingerprints"] = bench_fingerprints()
        print(json.dumps({"fingerprints": out["fingerprints"]}, indent=1), flush=True)
    args.out.write_text(json.dumps(out, indent=2))
    print(f"written {args.out}")


if __name__ == "__main__":
    _ = (itertools, math)
    main()
