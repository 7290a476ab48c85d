"""Fixtures of the matching tests.

The case tables (test_cases.py, test_rules.py, test_index.py) check the *rules* — which
pairs a rule joins, which it keeps apart, that the index returns what the naive reference
returns — with the hand-set starting values of the scoring model (``ScoringModel()``), so
they do not move when the model is refitted. The shipped, fitted model is checked in
test_model.py and judged by the benchmark (bench/matching, docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ctnode.match import similarity, weights


@pytest.fixture(scope="module")
def hand_model() -> Iterator[weights.ScoringModel]:
    """The hand-set starting values for the tests of one module; the packaged model after."""
    shipped = weights.load()
    similarity.use_model(weights.ScoringModel())
    yield weights.MODEL
    similarity.use_model(shipped)
