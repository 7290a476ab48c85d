"""A single query part meets the listed merged pairs of its skeleton at their letters'
value (``PostingTables._pair_reach``, issue 11, fpb 2026-12-07), not at 1.0: the index keeps
the listed pairs' ``=first second`` keys per skeleton (``pair_spellings``). At a million
names ``Lowe Ludovic Kia`` bounded ``Ludovic Chao Yukiko`` at 0.939 (it scores 0.195):
``kia`` met the pair ``chao yukiko`` (skeleton ``k``) as if it were the same letters. The
bound must stay at least every score (the screens' exactness rests on it), built and
loaded from disk, a few pairs of a skeleton (the skeleton's list at their best exact value,
or each through its own list) or many (at the best the rule can give any of them), and
Arabic-script pairs (the abjad rule: 1.0 as before)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ctnode.match import Matcher, NaiveMatcher, Thresholds, persist, postings
from ctnode.match.normalise import skeleton
from ctnode.match.postings import PostingKind
from ctnode.match.score import merged_pair, name_score_value
from ctnode.match.similarity import merged_similarity
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery
from tests.match.conftest import listed_person

PARTS = ["Ludovic", "Chao", "Yukiko", "Kia", "Lowe", "Koo", "Kayoko", "Ike", "Aki", "Kaya",
         "Sagan", "Omar", "Ali", "Cong", "Wang", "Keong", "Kang", "Ng"]
ARABIC = ["عبد الله محمد", "محمد عبد الرحمن", "علي عبد الله", "نور الدين كيا", "عبد العزيز",
          "عبد القادر"]
QUERIES = ["Lowe Ludovic Kia", "Kia Ludovic", "Chaoyukiko Ludovic", "Kiako Omar",
           "Ludovicchao Yukiko", "Cong Ludovic", "Kang Ali", "Ikeaki Sagan", "Kayako Lowe",
           "Abdallah Mohamed", "Abdulrahman Mohammed", "Nuruddin Kia", "عبدالله محمد",
           "Ali Abdullah", "Kooike Omar Koo", "Abdelrahman", "Abdelaziz Ali", "Abdelkader"]


def _listed(rng: random.Random, n: int) -> list[Entity]:
    people = [listed_person(f"p{i}", " ".join(rng.sample(PARTS, rng.choice((2, 3, 3, 4)))))
              for i in range(n)]
    people += [listed_person(f"a{i}", name) for i, name in enumerate(ARABIC)]
    people.append(listed_person("lcy", "Ludovic Chao Yukiko"))
    return people


def _pair_reach(m: Matcher, part: str) -> list[postings.Reach]:
    with m.screening():
        qn = m.prepare(ScreenQuery(names=[part])).names[0]
    return [r for r in m.tables.expand_unit(qn.singles[0])
            if r.kind == PostingKind.MERGED_PAIR]


def test_a_single_part_meets_the_skeletons_pairs_at_their_best_letters_value() -> None:
    m = Matcher(Thresholds())
    m.build([listed_person("a", "Ludovic Chao Yukiko"), listed_person("b", "Chao Yukiko"),
             listed_person("c", "Kiy Ako"), listed_person("d", "Ludovic Ki Ako")])
    letters = ["chaoyukiko", "kiyako", "kiako"]
    weight = m.tables.weights[PostingKind.MERGED_PAIR]["k"]
    for part in ("Kia", "Kayako", "Koo"):
        latin = part.lower()
        (r,) = _pair_reach(m, part)
        assert (r.key, r.weight_bound) == ("k", weight)
        assert r.sim_bound == max(merged_similarity(latin, x)[0] for x in letters) < 1.0
    (r,) = _pair_reach(m, "Kiako")
    assert r.sim_bound == 1.0  # (its letters are a listed pair's)
    # the example at a million: Lowe Ludovic Kia against Ludovic Chao Yukiko
    q = m.prepare(ScreenQuery(names=["Lowe Ludovic Kia"]))
    bounds = m._bounds(q, None)
    assert name_score_value(q.names[0], m.name_form(0)) <= bounds[0]


def test_a_single_part_meets_each_listed_pair_at_its_letters_value(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postings, "PAIR_LISTS", 16)
    m = Matcher(Thresholds())
    m.build([listed_person("a", "Ludovic Chao Yukiko"), listed_person("b", "Chao Yukiko"),
             listed_person("c", "Kiy Ako"), listed_person("d", "Ki Ako")])
    reach = _pair_reach(m, "Kia")
    # chao yukiko, ki ako and kiy ako have the skeleton k; ludovic chao has ldvk
    assert {r.key for r in reach} == {"=chao yukiko", "=ki ako", "=kiy ako"}
    for r in reach:
        letters = r.key[1:].replace(" ", "")
        assert skeleton(letters) == "k"
        assert r.sim_bound == merged_similarity("kia", letters)[0] < 1.0
        # the pair's own largest weight, not the skeleton's list's
        assert r.weight_bound == m.tables.weights[PostingKind.MERGED_PAIR][r.key]
    # the part's letters listed as a pair: the exact value, through that pair's list
    assert {(r.key, r.sim_bound) for r in _pair_reach(m, "Kiako")} == {
        ("=ki ako", 1.0), ("=kiy ako", merged_similarity("kiako", "kiyako")[0]),
        ("=chao yukiko", merged_similarity("kiako", "chaoyukiko")[0])}


def test_many_pairs_of_a_skeleton_are_bounded_by_the_closest_letters(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postings, "EXACT_BOUND_GROUP", 1)
    m = Matcher(Thresholds())
    m.build([listed_person("a", "Chao Yukiko"), listed_person("b", "Kiy Ako"),
             listed_person("c", "Ki Ako"), listed_person("d", "Ludovic Kaya Koo")])
    letters = ["chaoyukiko", "kiyako", "kiako", "kayakoo"]
    for part in ("Kia", "Kayako", "Koo"):
        latin = part.lower()
        (r,) = _pair_reach(m, part)
        assert (r.key, r.weight_bound) == ("k", m.tables.weights[PostingKind.MERGED_PAIR]["k"])
        values = [merged_similarity(latin, x)[0] for x in letters]
        assert max(values) <= r.sim_bound < 1.0, part
    (r,) = _pair_reach(m, "Kiako")
    assert r.sim_bound == 1.0  # (its letters are a listed pair's)


def test_a_listed_arabic_script_pair_keeps_the_skeletons_bound() -> None:
    """عبد الرحمن and Abdelrahman, عبد القادر and Abdelkader: the pair's abjad key can give
    more than its letters (the abjad rule), so the skeleton's list stays at 1.0."""
    listed = ["عبد الرحمن", "عبد العزيز", "عبد القادر", "نور الدين", "صلاح الدين"]
    queries = ["Abdelrahman", "Abdelaziz", "Abdelkader", "Nuruddin", "Salaheddine"]
    m = Matcher(Thresholds())
    m.build([listed_person(f"a{i}", name) for i, name in enumerate(listed)])
    raised = 0
    with m.screening():
        for i, text in enumerate(queries):
            unit = m.name_form(i).merged_units[0]
            assert unit.alts  # (the pair's abjad key: compared by the abjad rule)
            assert postings.ABJAD_MARK in m.tables.pair_letters(unit.skel)
            reach = _pair_reach(m, text)
            assert any(r.key == unit.skel and r.sim_bound == 1.0 for r in reach)
            q = m.prepare(ScreenQuery(names=[text]))
            qu = q.names[0].singles[0]
            raised += merged_pair(qu, unit)[0] > merged_similarity(qu.latin, unit.latin)[0]
            assert m._bounds(q, None)[i] >= name_score_value(q.names[0], m.name_form(i)) > 0.0
    assert raised >= 2


@pytest.mark.parametrize(("lists", "group"), [(0, 16), (16, 16), (0, 0)])
def test_bounds_hold_and_hits_are_the_naive_references(
        lists: int, group: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postings, "PAIR_LISTS", lists)
    monkeypatch.setattr(postings, "EXACT_BOUND_GROUP", group)
    rng = random.Random(23)
    listed = _listed(rng, 160)
    built = Matcher(Thresholds())
    built.build(listed)
    persist.save(built, tmp_path, {"mark": 1})
    loaded, _ = persist.load(tmp_path, Thresholds(), 200, {"mark": 1})
    naive = NaiveMatcher(Thresholds())
    naive.build(listed)
    for m in (built, loaded):
        checked = 0
        for text in QUERIES:
            q = ScreenQuery(names=[text])
            with m.screening():
                prepared = m.prepare(q)
                bounds = m._bounds(prepared, None)
                for name_id in range(len(m._name_text)):
                    score = max(name_score_value(qn, m.name_form(name_id))
                                for qn in prepared.names)
                    if score > 0.0:
                        assert bounds.get(name_id, -1.0) >= score, (text, name_id)
                        checked += 1
            for below in (False, True):
                want = [(h.entity_id, h.score, h.matched_name)
                        for h in naive.screen(q, include_below=below)]
                assert [(h.entity_id, h.score, h.matched_name)
                        for h in m.screen(q, include_below=below)] == want, text
        assert checked > 300
