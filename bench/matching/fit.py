"""Fit the scorer's parameters on the frozen training set; write the package's model file.

    bash bench/setup.sh                                   # once: bench/.venv (scikit-learn)
    .venv/bin/python -m bench.matching.fit [--rounds 4] [--c 100] [--write]

1. checks the training file against its manifest (sha256) — a changed set is refused;
2. per round: scores every pair with the current model and takes the score apart into
   linear features (features.py), fits a logistic regression on them in the bench venv
   (fit_lr.py, scikit-learn), and turns the coefficients into the model's numbers (each
   rule's similarity and each detail's contribution is its coefficient divided by the
   exact-part coefficient, so an exact part stays 1.0; the report threshold is
   −intercept / exact coefficient);
3. rescores the pairs with the final model and picks the reporting threshold the way
   screening is judged: the lowest score at which at most 1% of the training set's UN
   negative queries (each paired with the entity it scores best against) alert; the model's
   ``score_offset`` then moves that point onto the node's report threshold (0.70), so the
   settings keep their meaning; writes ``src/ctnode/match/data/scoring.json`` (with
   ``--write``) including the provenance: training manifest hash, rounds, coefficients.

Every fit starts from the hand-set values (``ScoringModel()``, with the class words' weight,
the found-whole rule's start and the cap's similarity that pick_class_weight.py and
pick_param.py chose); features with fewer than
MIN_SUPPORT non-zero pairs keep their hand-set value (too few cases to fit). Sources are
weighted equally (each source's pairs sum to the same weight).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import subprocess
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from bench.matching.features import FEATURES, PairScorer
from ctnode.match import similarity, weights

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench" / "data" / "training"
BENCH_PY = ROOT / "bench" / ".venv" / "bin" / "python"
MIN_SUPPORT = 40
# not a linear feature: chosen on the training set by pick_class_weight.py (2026-12-06) and
# held while the rest is fitted (the hand-set starting value is 0.10)
CLASS_WORD_WEIGHT = 0.40
# likewise where "a name found whole" begins (score.whole_rarity), chosen on the training
# set by pick_param.py (2026-12-06, fp12; the hand-set starting value is 1.0)
WHOLE_START = 1.5
# likewise the similarity from which an aligned part counts its whole rarity toward the
# rarity cap (score.recognised), chosen on the training set by pick_param.py (2026-12-07,
# init: 1.0, 0.75, 0.7 → 0.7, the best UN recall where 1% of the UN negatives alert, and
# where 0.5% do; the hand-set starting value 1.0 is the rule before). A refit holding it
# was not shipped (docs/matching.md, "The fitted model": skeleton_min went to 0.80)
CAP_SIMILARITY = 0.7
C = 100.0  # inverse L2 strength (at 10, rules with few pairs, such as the acronym, were
# held near zero by the penalty rather than by the data: docs/matching.md)
# feature → (model field, sign): the field is sign · coefficient / exact coefficient
FIELDS: dict[str, tuple[str, float]] = {
    "skeleton": ("skeleton_base", 1), "skeleton_lev": ("skeleton_span", 1),
    "skeleton_vowels": ("vowel_mismatch", -1), "skeleton_short": ("short_syllable_mismatch", -1),
    "skeleton_floor": ("skeleton_min", 1),
    "unvowelled": ("unvowelled", 1), "typo": ("typo_base", 1), "typo_lev": ("typo_span", 1),
    "skeleton_typo": ("skeleton_typo_base", 1), "skeleton_typo_lev": ("skeleton_typo_span", 1),
    "symbol": ("symbol", 1), "nickname": ("nickname", 1), "initial": ("initial", 1),
    "prefix": ("prefix_base", 1), "prefix_cov": ("prefix_span", 1), "acronym": ("acronym", 1),
    "syllable": ("syllable", 1),
    "covered_query": ("covered_query", 1), "covered_listed": ("covered_listed", 1),
    "dob_exact": ("dob_exact", 1), "dob_year": ("dob_year", 1),
    "dob_swapped": ("dob_swapped", 1),
    "dob_same_year_other_day": ("dob_same_year_other_day", 1),
    "dob_contradict": ("dob_contradict", 1), "nat_agree": ("nat_agree", 1),
    "nat_contradict": ("nat_contradict", 1), "doc_agree": ("doc_agree", 1),
    "doc_contradict": ("doc_contradict", 1), "schema_mismatch": ("schema_mismatch", 1),
}
# features that are the score's derivative in their parameter (features.py: the parameter
# sits in the denominator): the fitted coefficient is a step from the current value
INCREMENTAL = frozenset({"covered_query", "covered_listed"})
# limits each fitted number is kept within (a similarity stays a similarity, a contradiction
# never adds)
LIMITS: dict[str, tuple[float, float]] = {
    "skeleton_base": (0.3, 1.0), "skeleton_span": (0.0, 0.5), "vowel_mismatch": (0.0, 0.3),
    "short_syllable_mismatch": (0.0, 0.5), "unvowelled": (0.3, 1.0), "typo_base": (0.3, 1.0),
    # the same-skeleton rule's floor (a pair whose vowels disagree: Sunani/Sanon,
    # Mohamed/Mahmud): hand-set at 0.55 until 2026-12-06, fitted since (fp12)
    "skeleton_min": (0.2, 0.8),
    "typo_span": (0.0, 0.5), "skeleton_typo_base": (0.2, 1.0), "skeleton_typo_span": (0.0, 0.5),
    "symbol": (0.3, 0.95), "nickname": (0.3, 0.95), "initial": (0.2, 0.9),
    "prefix_base": (0.3, 1.0), "prefix_span": (0.0, 0.6), "acronym": (0.5, 1.0),
    "syllable": (0.3, 0.95),
    # a name found whole: a share of the leftover parts' cost, never all of it. A listed
    # name found whole in a longer query stays off (0): its share lowers the index's bound
    # for every name (an unmatched query part may cost only 1 − covered_listed), and at the
    # fitted 0.9 screening was 2.7× slower on the UN list (docs/benchmarks.md)
    "covered_query": (0.0, 0.9), "covered_listed": (0.0, 0.0),
    # policy limits on the details (safeguards, not data): a date of birth or nationality
    # cannot carry a weak name into an alert, nor hide an exact name on its own (lists give
    # approximate and false dates; a listed person may use another)
    "dob_exact": (0.0, 0.15), "dob_year": (0.0, 0.10), "dob_swapped": (0.0, 0.10),
    "dob_same_year_other_day": (-0.15, 0.0), "dob_contradict": (-0.25, 0.0),
    "nat_agree": (0.0, 0.05), "nat_contradict": (-0.10, 0.0), "doc_agree": (0.0, 0.3),
    "doc_contradict": (-0.2, 0.0), "schema_mismatch": (-0.3, 0.0),
}


def load_pairs() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    manifest = json.loads((DATA / "manifest.json").read_text("utf-8"))
    with gzip.open(DATA / manifest["file"], "rb") as fh:
        data = fh.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != manifest["sha256_uncompressed"]:
        raise SystemExit(f"training set changed since it was frozen ({digest} is not "
                         f"{manifest['sha256_uncompressed']}): refit only on a frozen set")
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line], manifest


def scorers(pairs: list[dict[str, Any]]) -> dict[str, PairScorer]:
    """One scorer per list; the UN one over the whole Latin-only UN list (as screened)."""
    from bench.matching.cases import entity_json, latin_only
    from bench.matching.training import SHARED, SOURCES
    from ctnode.ingest.un_sc import parse_un_sc

    by_list: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in pairs:
        by_list[p["list"]].append(p["candidate"])
    un = latin_only(parse_un_sc(SHARED / SOURCES["un_sc"]).entities)
    by_list["un"] = [entity_json(e) for e in un]
    return {name: PairScorer(cands) for name, cands in by_list.items()}


def features(pairs: list[dict[str, Any]], sc: dict[str, PairScorer]) -> tuple[np.ndarray, np.ndarray]:
    x = np.zeros((len(pairs), len(FEATURES)))
    scores = np.zeros(len(pairs))
    for i, p in enumerate(pairs):
        f, s = sc[p["list"]].features(p["query"], p["candidate"]["id"])
        x[i] = [f[k] for k in FEATURES]
        scores[i] = s
    return x, scores


def _weights(pairs: list[dict[str, Any]]) -> np.ndarray:
    count: dict[str, int] = defaultdict(int)
    for p in pairs:
        count[p["source"]] += 1
    per = len(pairs) / len(count)
    return np.array([per / count[p["source"]] for p in pairs])


def _pinned(feature: str) -> bool:
    """A feature whose limits allow one value only stays out of the regression."""
    lo, hi = LIMITS[FIELDS[feature][0]]
    return lo == hi


def fit_round(x: np.ndarray, y: np.ndarray, w: np.ndarray, model: weights.ScoringModel,
              c: float = C) -> tuple[weights.ScoringModel, dict[str, Any]]:
    support = (x != 0).sum(axis=0)
    keep = [i for i, name in enumerate(FEATURES) if name == "exact" or (
        support[i] >= MIN_SUPPORT and not _pinned(name))]
    names = [FEATURES[i] for i in keep]
    # features kept at their hand-set value enter as a fixed offset folded into "exact":
    fixed = [i for i in range(len(FEATURES)) if i not in keep]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "features.npz"
        np.savez(path, x=x[:, keep], y=y, w=w, names=np.array(names), c=np.array(c))
        out = Path(tmp) / "coef.json"
        subprocess.run([str(BENCH_PY), str(ROOT / "bench" / "matching" / "fit_lr.py"),
                        str(path), str(out)], check=True)
        coef = json.loads(out.read_text("utf-8"))
    exact = coef["coef"]["exact"]
    if exact <= 0:
        raise SystemExit("the exact-part coefficient is not positive: the fit is unusable")
    new = replace(model)
    changes: dict[str, float] = {}
    for name in names:
        if name == "exact":
            continue
        field, sign = FIELDS[name]
        lo, hi = LIMITS[field]
        value = sign * coef["coef"][name] / exact
        if name in INCREMENTAL:  # a first-order term: the coefficient is the step
            value += getattr(model, field)
        value = min(hi, max(lo, value))
        setattr(new, field, round(value, 4))
        changes[field] = value
    for base, span in (("skeleton_base", "skeleton_span"), ("typo_base", "typo_span"),
                       ("skeleton_typo_base", "skeleton_typo_span"),
                       ("prefix_base", "prefix_span")):
        if getattr(new, base) + getattr(new, span) > 1.0:
            setattr(new, span, round(1.0 - getattr(new, base), 4))
    info = {"intercept": coef["intercept"], "coefficients": coef["coef"],
            "train_accuracy": coef["train_accuracy"], "implied_threshold":
            -coef["intercept"] / exact, "kept_hand_set": [FEATURES[i] for i in fixed]}
    return new, info


def best_threshold(scores: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    best = (0.0, 0.7)
    for t in np.arange(0.50, 0.95, 0.005):
        pred = scores >= t
        tp = float((w * (pred & (y == 1))).sum())
        fp = float((w * (pred & (y == 0))).sum())
        fn = float((w * (~pred & (y == 1))).sum())
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best[0]:
            best = (f1, float(t))
    return best


TARGET_FP = 0.01  # share of UN negative queries whose best hit may reach the threshold.
# fp12 (2026-12-06) tried issue 12's 0.5% here, on negatives re-paired with today's matcher
# (training.py --repair-negatives): held out, UN false positives fell from 0.78% to 0.35%
# but general pairs F1 fell to 0.898 and yente's treated set to 98.97%, both below their
# targets; at 1% the refitted model is better than before on every set at once. The lead
# kept 1% (docs/benchmarks.md, "Fewer false alerts on UN-derived names"); the node's
# CTNODE_REPORT_THRESHOLD moves the point per deployment.


def screening_threshold(pairs: list[dict[str, Any]], scores: np.ndarray,
                        target_fp: float = TARGET_FP) -> float:
    """The lowest score at which at most ``target_fp`` of the UN negative queries (each
    paired with the entity it scores best against: what screening meets) would alert."""
    neg = np.array(sorted((s for p, s in zip(pairs, scores, strict=True)
                           if p["source"] == "un_variant" and p["label"] == 0
                           and not p["kind"].startswith("hard_")), reverse=True))
    if not len(neg):
        return 0.7
    k = math.floor(target_fp * len(neg))
    return float(neg[k]) + 1e-4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--write", action="store_true", help="write the package's model file")
    parser.add_argument("--c", type=float, default=C, help="inverse L2 strength")
    args = parser.parse_args()
    if not BENCH_PY.exists():
        raise SystemExit("bench/.venv is missing: run `bash bench/setup.sh` first")
    started = time.time()
    pairs, manifest = load_pairs()
    y = np.array([p["label"] for p in pairs])
    w = _weights(pairs)
    # every fit starts from the hand-set values (not from the packaged, earlier fit), so the
    # result depends only on the frozen training set and this script
    model = weights.ScoringModel(class_word_weight=CLASS_WORD_WEIGHT, whole_start=WHOLE_START,
                                 cap_similarity=CAP_SIMILARITY)
    similarity.use_model(model)
    rounds: list[dict[str, Any]] = []
    for r in range(args.rounds):
        sc = scorers(pairs)  # rebuilt: rarity weights of legal forms etc. follow the model
        x, scores = features(pairs, sc)
        f1, t = best_threshold(scores, y, w)
        print(f"round {r}: F1 {f1:.4f} at {t:.3f} with the current model", flush=True)
        model, info = fit_round(x, y, w, model, args.c)
        info.update({"round": r, "f1_before": f1, "threshold_before": t})
        rounds.append(info)
        similarity.use_model(model)
    sc = scorers(pairs)
    x, scores = features(pairs, sc)
    f1, t_f1 = best_threshold(scores, y, w)
    t = screening_threshold(pairs, scores)
    pred = scores >= t
    tp = float((w * (pred & (y == 1))).sum())
    fp = float((w * (pred & (y == 0))).sum())
    fn = float((w * (~pred & (y == 1))).sum())
    f1_t = 2 * tp / (2 * tp + fp + fn)
    print(f"final: best F1 {f1:.4f} at {t_f1:.3f}; screening threshold {t:.3f} (UN negatives "
          f"at most {TARGET_FP:.1%} alert): F1 {f1_t:.4f} there; at most 1.0%: "
          f"{screening_threshold(pairs, scores, 0.01):.4f}", flush=True)
    model.report_threshold = 0.70  # the node's configured threshold (settings)
    model.match_threshold = 0.85
    model.score_offset = round(0.70 - t, 4)
    model.provenance = {
        "fitted": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "method": f"logistic regression (scikit-learn, L2, C={args.c:g}) on the score's linear "
                  "features, sources weighted equally, refitted after re-aligning "
                  f"({args.rounds} rounds); report threshold: best F1 on the training pairs",
        "training_set": {"manifest_sha256": manifest["sha256_uncompressed"],
                         "pairs": manifest["pairs"], "positives": manifest["positives"],
                         "sources": manifest["sources"]},
        "train_f1_at_threshold": round(f1_t, 4), "best_train_f1": round(f1, 4),
        "fitted_threshold_before_offset": round(t, 4),
        "threshold_rule": f"lowest score at which at most {TARGET_FP:.1%} of the UN negative "
                          "queries of the training set alert; shifted to 0.70 by score_offset",
        "rounds": [{k: v for k, v in r.items() if k != "coefficients"} | {
            "coefficients": {k: round(v, 4) for k, v in r["coefficients"].items()}}
            for r in rounds],
        "seconds": round(time.time() - started),
    }
    print(json.dumps(model.numbers(), indent=1))
    if args.write:
        weights.dump(model, ROOT / "src" / "ctnode" / "match" / "data" / weights.PACKAGED)
        print("written", flush=True)


if __name__ == "__main__":
    main()
