"""An organisation's class words (bank, group, trading, development) weigh their own
fitted share (``class_word_weight``), apart from legal forms proper (LLC, JSC: ``legal_form_
weight``): a listed name's distinctive part with *other* class words is another name
(FAJR INDUSTRIAL GROUP / FAJR CREDIT DEVELOPMENT), a legal form left on one side is not."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from ctnode.match import similarity, weights
from ctnode.match.normalise import ROLE_FORM, ROLE_LEGAL, parse_name
from ctnode.match.score import NameForm, Rarity, compare_names, part_weight


@pytest.fixture()
def heavy_class_words() -> Iterator[weights.ScoringModel]:
    shipped = weights.load()
    model = replace(weights.ScoringModel(), class_word_weight=0.4, legal_form_weight=0.1)
    similarity.use_model(model)
    yield model
    similarity.use_model(shipped)


def _score(q: str, c: str) -> float:
    rarity = Rarity()
    return compare_names(NameForm.parse(q, rarity, "org"), NameForm.parse(c, rarity, "org")).score


def test_class_words_and_legal_forms_weigh_their_own_share(
        heavy_class_words: weights.ScoringModel) -> None:
    parsed = parse_name("FAJR INDUSTRIAL GROUP LLC", "org")[0]
    roles = dict(zip(parsed.tokens, parsed.roles, strict=True))
    assert roles["llc"] == ROLE_FORM and roles["grp"] == ROLE_LEGAL
    rarity = Rarity()
    assert part_weight(rarity, "grp", ROLE_LEGAL) == 0.4
    assert part_weight(rarity, "llc", ROLE_FORM) == 0.1


def test_other_class_words_cost_more_than_a_legal_form(
        heavy_class_words: weights.ScoringModel) -> None:
    other_class = _score("FAJR CREDIT DEVELOPMENT", "FAJR INDUSTRIAL GROUP")
    legal_only = _score("FAJR INDUSTRIAL GROUP LLC", "FAJR INDUSTRIAL GROUP")
    assert legal_only > 0.9 > other_class
    similarity.use_model(replace(heavy_class_words, class_word_weight=0.1))
    assert _score("FAJR CREDIT DEVELOPMENT", "FAJR INDUSTRIAL GROUP") > other_class
    assert _score("FAJR INDUSTRIAL GROUP LLC", "FAJR INDUSTRIAL GROUP") > 0.9
