"""A query unit's large posting lists without the names that a list of at least their
values holds (``postings._without_covered``, issue 11, m1 2026-12-07): a common part's
Latin, skeleton and symbol lists hold the same names (222,828 names four times over for
``ludovic`` at a million). Every name keeps the same best values per unit, the lists' union
is the same, and the hits are the naive reference's, built and loaded from disk."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ctnode.match import Matcher, NaiveMatcher, Thresholds, persist, postings
from ctnode.match.postings import PostingList
from ctnode.model.screening import ScreenQuery
from tests.match.conftest import listed_person

pytestmark = pytest.mark.usefixtures("hand_model")

PARTS = ["Ludovic", "Ludovico", "Ludvik", "Mohammed", "Muhammad", "Mohamed", "Kia", "Chao",
         "Omar", "Umar", "Ali", "Aly", "Sagan", "Lowe"]
QUERIES = ["Ludovic Kia", "Mohamed Omar", "Muhammad Ali Chao", "Ludvik Umar", "Lowe Ludovic",
           "Ludovic Ludovico Sagan", "Mohammed Mohammed Aly"]


def _best(lists: list[tuple[PostingList, float, float]] | tuple[
        tuple[PostingList, float, float], ...]) -> dict[int, tuple[float, float]]:
    """Per name, its best (ub, ub·w_c) over the lists that hold it."""
    out: dict[int, tuple[float, float]] = {}
    for arr, ub, cv in lists:
        for name_id in arr:
            old = out.get(name_id, (0.0, 0.0))
            out[name_id] = (max(old[0], ub), max(old[1], cv))
    return out


def test_a_units_large_lists_lose_the_names_a_better_list_holds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postings, "COVERED_MIN", 2)  # (the small list's lists count as large)
    rng = random.Random(11)
    listed = [listed_person(f"p{i}", " ".join(rng.sample(PARTS, rng.choice((2, 3, 3)))))
              for i in range(150)]
    built = Matcher(Thresholds())
    built.build(listed)
    persist.save(built, tmp_path, {"mark": 1})
    loaded, _ = persist.load(tmp_path, Thresholds(), 200, {"mark": 1})
    naive = NaiveMatcher(Thresholds())
    naive.build(listed)
    for m in (built, loaded):
        shrunk = 0
        for text in QUERIES:
            q = ScreenQuery(names=[text])
            with m.screening():
                forms = m.prepare(q).names
            for qn in forms:
                for unit in qn.units:
                    fresh = [(m.tables.lookup(kind, key), ub, ub * wk)
                             for kind, key, ub, wk in m.tables.expand_unit(unit)]
                    fresh = [r for r in fresh if r[0]]
                    got = m.tables.unit_postings(unit)
                    assert _best(got.lists) == _best(fresh), (text, unit.latin)
                    assert got.size == sum(len(r[0]) for r in fresh)  # (as reached)
                    shrunk += sum(len(r[0]) for r in got.lists) < got.size
            for below in (False, True):
                want = [(h.entity_id, h.score, h.matched_name)
                        for h in naive.screen(q, include_below=below)]
                assert [(h.entity_id, h.score, h.matched_name)
                        for h in m.screen(q, include_below=below)] == want, text
        assert shrunk >= 5  # common parts' lists lost names held by a better list


def test_equal_lists_keep_the_first_and_lower_values_lose_covered_names() -> None:
    """Best values first; of two lists with the same values and names the earlier stays;
    a list is only reduced by lists whose values are both at least its own."""
    from array import array

    ids = array("i", range(0, 4000, 2))
    more = array("i", range(0, 4002, 2))  # one name more
    other = array("i", range(1, 4001, 2))
    lists = [(more, 0.8, 0.2), (ids, 1.0, 0.2), (array("i", ids), 1.0, 0.2),
             (other, 0.9, 0.1), (array("i", ids), 0.9, 0.3)]
    out = postings._without_covered(lists)
    assert [(list(a), ub, cv) for a, ub, cv in out] == [
        ([4000], 0.8, 0.2), (list(ids), 1.0, 0.2), (list(other), 0.9, 0.1),
        (list(ids), 0.9, 0.3)]
    assert _best(out) == _best(lists)
    # ids spread wide (searched, not tabled): the same rule
    wide = [(array("i", [i * 500 for i in a]), ub, cv) for a, ub, cv in lists]
    assert [(list(a), ub, cv) for a, ub, cv in postings._without_covered(wide)] == [
        ([i * 500 for i in a], ub, cv) for a, ub, cv in out]
