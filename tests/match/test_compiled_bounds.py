"""The compiled first steps of ``bounds_large`` (``ctnode.match._bounds``) give what its numpy
code gives, to the bit: the same names and the same bounds, on the plans real queries make
of a Zipf-shaped index (set-aside lists, merged units, lifted floors, no floor) and on random
plans (several lists per unit, a unit on both sides, ties of values)."""

from __future__ import annotations

import random
import shutil
import sysconfig
from array import array
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctnode.match import Matcher, Thresholds
from ctnode.match import bounds as bounds_mod
from ctnode.match.bounds import Plan, bounds_large, plans_for, shape_of, split_plans
from ctnode.match.score import NameForm
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery

pytestmark = pytest.mark.usefixtures("hand_model")

PARTS = ["Mohammed", "Ali", "Khan", "Ahmad", "Hassan", "Abdul", "Karimov", "Nurlan", "Saidov",
         "Omar", "Yusuf", "Haqqani", "Rahimi", "Sultanov", "Farouk", "Bakr", "Zahir", "Tahir"]
PARTS += [f"{a}{b}" for a in ("Kar", "Nas", "Mur", "Tal") for b in ("imov", "ulla", "adze", "enko")]


def test_compiled_module_built() -> None:
    """Where a C compiler and Python's headers are found the install builds the module (so
    the tests below compare two paths, not numpy with itself)."""
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if shutil.which("cc") is None or not headers.exists():
        pytest.skip("no C compiler or Python headers here: the numpy path runs")
    assert bounds_mod.COMPILED.startswith("compiled"), bounds_mod.COMPILED


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    rng = random.Random(11)
    weights = [1.0 / (r + 1) for r in range(len(PARTS))]
    people = []
    for i in range(2500):
        e = Entity(id=f"p{i}", schema="Person", dataset="t", reference=f"p{i}")
        e.add("name", " ".join(rng.choices(PARTS, weights, k=rng.choice((2, 3, 3, 4)))))
        people.append(e)
    # listed names that join two query parts (a query's merged units reach them)
    for i, name in enumerate(["Abdulrahimi Khan", "Karimovnurlan", "Mohammedali Omar",
                              "Alikhan Saidov", "Abdulrahimi Yusuf", "Hassan Abdulrahimi"]):
        e = Entity(id=f"j{i}", schema="Person", dataset="t", reference=f"j{i}")
        e.add("name", name)
        people.append(e)
    m = Matcher(Thresholds())
    m.build(people)
    return m


def _query_names(m: Matcher) -> list[NameForm]:
    rng = random.Random(5)
    texts = ["Mohammed Ali", "Ali Khan Omar", "Karimov Nurlan", "Mohamed Kahn",
             "Abdul Rahimi Khan", "Karimova", "Nasulla Talenko Ali", "Karimov Nurlan Ali",
             "Mohammed Ali Omar", "Ali Khan Saidov", "Hassan Abdul Rahimi", "Mohammed Ali Khan Ahmad"]
    texts += [" ".join(rng.choices(PARTS, k=rng.choice((1, 2, 3, 4)))) for _ in range(12)]
    names: list[NameForm] = []
    with m.screening():
        for text in texts:
            names += m.prepare(ScreenQuery(names=[text])).names
    return names


def _lift(seed: int) -> Callable[[np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    per_id = rng.choice([0.0, 0.0, 0.05, 0.2, 0.6], size=1 << 16)

    def lift(ids: np.ndarray) -> np.ndarray:
        return np.asarray(per_id[ids % len(per_id)])

    return lift


def _both(totals: array[float], few: int, qn: NameForm, finding: list[Plan],
          skipped: list[Plan], floor: float | None,
          lift: Callable[[np.ndarray], np.ndarray] | None) -> list[tuple[int, float]]:
    want = bounds_large(totals, few, qn, finding, skipped, floor, lift, compiled=False)
    got = bounds_large(totals, few, qn, finding, skipped, floor, lift, compiled=True)
    assert got == want  # (float ==: the same bits, not nearly)
    return want


def test_real_plans(matcher: Matcher) -> None:
    """Every query name's plans, split at several floors as a screen splits them (and with
    no floor), with and without a lift, set-aside lists searched by numpy or in Python."""
    totals = matcher.tables.name_totals
    seen = {"skipped": 0, "merged": 0, "lift_dropped": 0, "names": 0}
    for qn in _query_names(matcher):
        plans = sorted(plans_for(matcher.tables, qn), key=lambda p: p.size)
        if not plans:
            continue
        splits: list[tuple[float | None, list[Plan], list[Plan]]] = [
            (None, plans, []), (None, plans[:1], plans[1:])]
        for floor in (0.3, 0.6, 0.9):
            finding, skipped = split_plans(plans, qn.total, floor, shape_of(qn))
            if finding:
                splits.append((floor, finding, skipped))
        for floor, finding, skipped in splits:
            for few in (0, 10**9):
                for lift in (None, _lift(3)):
                    found = _both(totals, few, qn, finding, skipped, floor,
                                  lift if floor is not None else None)
                    seen["names"] += len(found)
                    seen["skipped"] += bool(skipped)
                    seen["merged"] += any(p.unit >= len(qn.singles) for p in finding + skipped)
                    if lift is not None and floor is not None:
                        plain = bounds_large(totals, few, qn, finding, skipped, floor, None)
                        seen["lift_dropped"] += len(plain) > len(found)
    # the cases the compiled path must handle were all met
    assert all(v > 0 for v in seen.values()), seen


def _random_plans(draw: st.DrawFn, qn: NameForm, n_names: int) -> tuple[list[Plan], list[Plan]]:
    values = st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.3000000000000001, 0.5, 0.7, 1.0 / 3])
    units = draw(st.lists(st.integers(0, len(qn.units) - 1), min_size=1,
                          max_size=len(qn.units), unique=True))
    finding: list[Plan] = []
    skipped: list[Plan] = []
    for i, unit in enumerate(units):
        sides = [finding] if i == 0 else draw(st.sampled_from(
            [[finding], [skipped], [finding, skipped]]))
        for side in sides:
            reach = []
            for _ in range(draw(st.integers(1, 4))):
                ids = draw(st.lists(st.integers(0, n_names - 1), min_size=1, max_size=60,
                                    unique=True))
                qv, cv = draw(values), draw(values)
                reach.append((array("i", sorted(ids)), qv * qn.units[unit].weight, cv))
            side.append(Plan(unit, sum(len(r[0]) for r in reach), qn.units[unit].weight,
                             max(r[1] for r in reach), max(r[2] for r in reach), reach))
    return finding, skipped


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_plans(matcher: Matcher, data: st.DataObject) -> None:
    """Random plans over real query names (merged units among them): lists of several ids
    per unit, units on both sides, values that tie; any floor, lift and few_found."""
    qns = [qn for qn in _query_names_cached(matcher) if len(qn.units) > 1]
    qn = data.draw(st.sampled_from(qns))
    totals = matcher.tables.name_totals
    finding, skipped = _random_plans(data.draw, qn, min(len(totals), 300))
    floor = data.draw(st.sampled_from([None, 0.0, 0.3, 0.5, 0.62, 0.8, 1.5]))
    lift = data.draw(st.sampled_from([None, _lift(1), _lift(2)])) if floor is not None else None
    few = data.draw(st.sampled_from([0, 5, 64]))
    _both(totals, few, qn, finding, skipped, floor, lift)


_QNS: dict[int, list[NameForm]] = {}


def _query_names_cached(m: Matcher) -> list[NameForm]:
    if id(m) not in _QNS:
        _QNS[id(m)] = _query_names(m)
    return _QNS[id(m)]


def test_screens_same_hits(matcher: Matcher) -> None:
    """Whole screens through the matcher: the same hits with the compiled path and with
    numpy only (every bound through bounds_large)."""
    matcher.small_postings = 0
    rng = random.Random(9)
    queries = [ScreenQuery(names=[" ".join(rng.choices(PARTS, k=rng.choice((2, 3))))],
                           birth_dates=["1970"] if i % 3 == 0 else [])
               for i in range(60)]
    saved = bounds_mod._compiled
    try:
        got = [[h.as_dict() for h in matcher.screen(q)] for q in queries]
        bounds_mod._compiled = None
        want = [[h.as_dict() for h in matcher.screen(q)] for q in queries]
    finally:
        bounds_mod._compiled = saved
        matcher.small_postings = Matcher.small_postings
    assert got == want
    assert sum(map(len, want)) > 20


def test_compiled_steps_refuse_malformed_names() -> None:
    """The compiled look-ups read raw buffers: names out of order, a name beyond the totals,
    sums of another length or a buffer of the wrong type are refused with the reason, never
    read past their end."""
    steps = pytest.importorskip("ctnode.match._bounds")
    consts = (1.0, 1.0, 0.5, 0.0, 0.5, 0.5, 0.5, 0.9, 0.5, 1e-9, False, True)
    totals = array("d", [1.0] * 4)

    def sums(n: int) -> array[float]:
        return array("d", [0.5] * n)

    def both(ids: object, a: object, message: str, error: type[Exception]) -> None:
        with pytest.raises(error, match=message):
            steps.look_up(ids, a, sums(2), sums(2), {}, [], totals, 0.1, consts)
        with pytest.raises(error, match=message):
            steps.look_up_all(ids, a, sums(2), sums(2), 0.1, {}, [], totals, consts)

    both(array("i", [2, 1]), sums(2), "ascending name ids", ValueError)
    both(array("i", [1, 4]), sums(2), "ascending name ids", ValueError)
    both(array("i", [0, 1]), sums(3), "one value per name", ValueError)
    both(array("d", [0.0, 1.0]), sums(2), "ids: a buffer of the wrong type", TypeError)
    assert steps.look_up(array("i", [0, 1]), sums(2), sums(2), sums(2), {}, [], totals, 0.1,
                         consts) != []
