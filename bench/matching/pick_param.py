"""Pick a scorer number that is not a linear feature of the score (the logistic fit cannot
weigh it) on the frozen training set, with the packaged model's other numbers.

    .venv/bin/python -m bench.matching.pick_param FIELD V1,V2,... [--target-fp 0.005]
        [--write]

Per value the training pairs are rescored, the screening threshold is set where at most
``--target-fp`` of the training set's UN negative queries alert (fit.screening_threshold),
and the value with the best recall of the training set's UN positives there wins: issue
12's measure, alert recall at a fixed false-positive rate (ties within 1e-4: the better
source-weighted F1). Only the training set is read (not the held-out sets, not yente's).
With ``--write`` the packaged model gets the value and the score offset that puts that
threshold on 0.70. Used for ``whole_start`` (where "a name found whole" begins,
docs/matching.md); pick_class_weight.py did the same for the class words' weight, by F1
(a trial that chose whole_start by F1, 1.25, did worse on every held-out set:
docs/benchmarks.md, "Fewer false alerts on UN-derived names").
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np

from bench.matching.fit import ROOT, _weights, features, load_pairs, scorers, screening_threshold
from bench.matching.pick_class_weight import _f1
from ctnode.match import similarity, weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("field")
    parser.add_argument("grid")
    parser.add_argument("--target-fp", type=float, default=0.005)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    pairs, _manifest = load_pairs()
    y = np.array([p["label"] for p in pairs])
    w = _weights(pairs)
    un_pos = np.array([p["source"] == "un_variant" and p["label"] == 1 for p in pairs])
    base = weights.load()
    best: tuple[float, float, float, float] | None = None
    for value in (float(v) for v in args.grid.split(",")):
        started = time.time()
        model = replace(base, score_offset=0.0, provenance={})
        setattr(model, args.field, value)
        similarity.use_model(model)
        _x, scores = features(pairs, scorers(pairs))
        line = []
        for target in (0.01, args.target_fp):
            t = screening_threshold(pairs, scores, target)
            pred = scores >= t
            rec = float((pred & un_pos).sum() / un_pos.sum())
            f1 = _f1(pred, y, w)
            line.append(f"at {target:.1%} of UN negatives: threshold {t:.4f}, UN recall "
                        f"{rec:.4f}, F1 {f1:.4f}")
        print(f"{args.field} {value}: " + "; ".join(line) + f" ({time.time() - started:.0f} s)",
              flush=True)
        if best is None or rec > best[1] + 1e-4 or (rec > best[1] - 1e-4 and f1 > best[2]):
            best = (value, rec, f1, t)
    assert best is not None
    value, rec, f1, t = best
    print(f"chosen: {args.field} {value} (UN recall {rec:.4f}, F1 {f1:.4f} where at most "
          f"{args.target_fp:.1%} of the UN negatives alert; threshold {t:.4f})")
    if args.write:
        model = replace(base, score_offset=round(0.70 - t, 4))
        setattr(model, args.field, value)
        model.provenance = dict(base.provenance, **{args.field: (
            f"chosen on the training set by bench/matching/pick_param.py from {args.grid}: "
            f"best UN recall where at most {args.target_fp:.1%} of the UN negatives alert "
            f"({rec:.4f})")}, fitted_threshold_before_offset=round(t, 4), threshold_rule=(
                f"lowest score at which at most {args.target_fp:.1%} of the UN negative "
                "queries of the training set alert; shifted to 0.70 by score_offset"))
        weights.dump(model, ROOT / "src" / "ctnode" / "match" / "data" / weights.PACKAGED)
        print("written")


if __name__ == "__main__":
    main()
