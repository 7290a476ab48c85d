"""Logistic regression on the feature matrix (runs in the bench venv, scikit-learn).

    bench/.venv/bin/python bench/matching/fit_lr.py FEATURES.npz OUT.json

Imports nothing of ctnode: the project venv writes the features, this process fits and
writes the coefficients, the project venv turns them into the scoring model.
"""

from __future__ import annotations

import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression


def main() -> None:
    data = np.load(sys.argv[1], allow_pickle=False)
    x, y, w = data["x"], data["y"], data["w"]
    names = [str(n) for n in data["names"]]
    model = LogisticRegression(C=float(data["c"]), max_iter=5000, solver="lbfgs")
    model.fit(x, y, sample_weight=w)
    out = {"intercept": float(model.intercept_[0]),
           "coef": dict(zip(names, (float(c) for c in model.coef_[0]), strict=True)),
           "train_accuracy": float(model.score(x, y, sample_weight=w))}
    with open(sys.argv[2], "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=2)


if __name__ == "__main__":
    main()
