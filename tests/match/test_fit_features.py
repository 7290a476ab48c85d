"""The fit's features (bench/matching/features.py): a same-skeleton pair whose similarity
is the rule's floor (``skeleton_min``) is that parameter's feature, not the linear terms'
(which did not decide its value), so the fit can weigh the floor."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from bench.matching.features import PairScorer

from ctnode.match import similarity, weights


@pytest.fixture()
def steep_vowels() -> Iterator[weights.ScoringModel]:
    shipped = weights.load()
    model = replace(weights.ScoringModel(), vowel_mismatch=0.30, skeleton_min=0.40)
    similarity.use_model(model)
    yield model
    similarity.use_model(shipped)


def _cand(eid: str, name: str) -> dict[str, object]:
    return {"id": eid, "schema": "Person", "dataset": "t", "reference": eid,
            "properties": {"name": [name]}}


def test_a_pair_at_the_skeleton_floor_is_the_floors_feature(
        steep_vowels: weights.ScoringModel) -> None:
    scorer = PairScorer([_cand("sanon", "KEMPES SANON"), _cand("other", "JOHN SMITH"),
                         _cand("rahimi", "MOHAMMED RAHIMI")])
    q = {"names": ["KEMPES SUNANI"], "schema": "Person"}
    f, score = scorer.features(q, "sanon")
    # sunani/sanon: same skeleton 'sn', two vowel slots of another class: the linear value
    # 0.75 + 0.20 · ratio − 0.30 · 2 is below the floor 0.40, so the floor decides
    assert f["skeleton_floor"] > 0.0 and f["skeleton"] == 0.0
    assert f["skeleton_vowels"] == 0.0 and f["exact"] > 0.0
    assert score > 0.0
    # a spelling above the floor stays with the linear terms (rahimi/rahemi: no vowel of
    # another class, e counts as kasra)
    f, _ = scorer.features({"names": ["MOHAMED RAHEMI"], "schema": "Person"}, "rahimi")
    assert f["skeleton_floor"] == 0.0 and f["skeleton"] > 0.0
