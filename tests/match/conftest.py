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

from ctnode.ingest.un_sc import parse_un_sc
from ctnode.match import similarity, weights
from ctnode.model.entities import Entity, Statement
from tests.conftest import DEMO_LIST


@pytest.fixture(scope="module")
def hand_model() -> Iterator[weights.ScoringModel]:
    """The hand-set starting values for the tests of one module; the packaged model after."""
    shipped = weights.load()
    similarity.use_model(weights.ScoringModel())
    yield weights.MODEL
    similarity.use_model(shipped)


@pytest.fixture(params=["hand", "fitted"])
def model(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each test under the hand-set starting values and under the packaged fitted model."""
    shipped = weights.load()
    similarity.use_model(weights.ScoringModel() if request.param == "hand" else shipped)
    yield request.param
    similarity.use_model(shipped)


def listed_person(eid: str, *names: str) -> Entity:
    """A listed person of dataset ``t`` with these names (each its own original)."""
    e = Entity(id=eid, schema="Person", dataset="t", reference=eid, status="listed")
    for n in names:
        e.statements.append(Statement(prop="name", value=n, original=n, dataset="t"))
    return e


@pytest.fixture(scope="module")
def entities() -> list[Entity]:
    """The demo UN list's records (a test module may define its own ``entities``)."""
    return parse_un_sc(DEMO_LIST).entities
