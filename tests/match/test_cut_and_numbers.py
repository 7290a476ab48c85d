"""Issue 12 (lat, 2026-12-07), Latin-script names: two parts whose letters are cut
elsewhere (a hyphen or space moved by a swap: ``RI J-ESON`` for ``RI JE-SON``) meet as
merged parts, and an organisation's number word keeps its written form beside its digits,
so that a typo in it (``FIhST``) still meets it by the typo rule. On the indexed Matcher
and the naive reference alike, each said in the hit's explanation."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctnode.match import Matcher, NaiveMatcher, Thresholds, persist, postings
from ctnode.match.normalise import parse_name
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery
from tests.match.test_script_recall import (
    _e,
    _org,
    _top,
    found_and_said,
    matchers_over,
    same_as_naive,
)

pytestmark = pytest.mark.usefixtures("hand_model")


LIST: list[Entity] = [
    _e("ri", "RI JE-SON"), _e("yuro", "KIM YU-RO HAN"), _e("son", "RI JE SONG"),
    _org("bank", "FIRST EAST EXPORT BANK, P.L.C."), _org("floor", "Third Floor Trading"),
    _org("oil", "FIRST OIL JV CO LTD"),
]


matcher = matchers_over(LIST)


@pytest.mark.parametrize(("query", "expected", "said"), [
    ("RI J-ESON", "ri", "'jeson' ~ 'jeson': merged parts"),
    ("KIM Y-URO HAN", "yuro", "'yuro' ~ 'yuro': merged parts"),
])
def test_letters_cut_elsewhere(matcher: Matcher | NaiveMatcher, query: str, expected: str,
                               said: str) -> None:
    found_and_said(matcher, query, expected, said)


def test_only_the_same_letters(matcher: Matcher | NaiveMatcher) -> None:
    """``RI J-ESONG`` holds the letters of RI JE SONG, not of RI JE-SON (another syllable);
    two parts spelt alike are the exact rule's, not said as merged."""
    found_and_said(matcher, "RI J-ESONG", "son", "'jesong' ~ 'jesong': merged parts")
    hit = _top(matcher, "RI JE-SON")
    assert hit is not None and hit.entity_id == "ri"
    assert not any("merged parts" in f.detail for f in hit.explanation)


def test_number_word_kept_as_written() -> None:
    assert parse_name("FIRST OIL JV CO LTD", "org")[0].alts[0] == ("first",)
    assert 0 not in parse_name("12 OIL JV", "org")[0].alts  # written as digits: no word


@pytest.mark.parametrize(("query", "expected"), [
    ("FIhST EAST EXPORT BANK, P.L.C.", "bank"),
    ("FIRnT OIL JV CO LTD", "oil"),
    ("Tdhird Floor Trading", "floor"),
])
def test_typo_in_a_number_word(matcher: Matcher | NaiveMatcher, query: str,
                               expected: str) -> None:
    found_and_said(matcher, query, expected, "one edit apart (typo)", schema="Organization")


def test_fast_is_naive() -> None:
    same_as_naive(LIST, ["RI J-ESON", "RI JE-SON", "KIM Y-URO HAN", "KIM YU RO", "RIJ ESON",
                         ("FIhST EAST EXPORT BANK", "Organization"),
                         ("FIRnT OIL JV CO LTD", "Organization"),
                         ("Tdhird Floor", "Organization"), ("1ST OIL", "Organization")])


def test_pairs_cut_elsewhere_read_once_then_noted(tmp_path: Path) -> None:
    """The listed pairs' cuts are read once (``PostingTables.pair_cuts``, built or loaded
    from disk); a name added after that first read is noted as it is posted, so a later
    screen meets its pair cut elsewhere as a fresh index would (bat, 2026-12-07)."""
    built = Matcher(Thresholds())
    built.build(LIST)
    persist.save(built, tmp_path, {"mark": 1})
    loaded, _ = persist.load(tmp_path, Thresholds(), 200, {"mark": 1})
    for m in (built, loaded):
        assert m.tables.pair_cuts()["jeson"] == [2]  # RI JE-SON: je son
        found_and_said(m, "RI J-ESON", "ri", "'jeson' ~ 'jeson': merged parts")
        m.add(_e("pak", "PAK CHOL-SU"))
        assert m.tables.pair_cuts()["cholsu"] == [4]
        found_and_said(m, "PAK CH-OLSU", "pak", "'cholsu' ~ 'cholsu': merged parts")


def test_a_large_table_asks_for_each_cut(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A merged-pair table of more than ``PAIR_CUTS_READ`` keys (a million names: 2.2
    million) is never read whole for its listed pairs' cuts: a merged query unit asks for
    each other cut of its letters, once some listed pair has its skeleton. Same hits as the
    naive reference, built and loaded from disk, and for a name added since (mm,
    2026-12-07)."""
    monkeypatch.setattr(postings, "PAIR_CUTS_READ", 0)
    built = Matcher(Thresholds())
    built.build(LIST)
    persist.save(built, tmp_path, {"mark": 1})
    loaded, _ = persist.load(tmp_path, Thresholds(), 200, {"mark": 1})
    naive = NaiveMatcher(Thresholds())
    naive.build([*LIST, _e("pak", "PAK CHOL-SU")])
    queries = ["RI J-ESON", "KIM Y-URO HAN", "RI J-ESONG", "RI JE-SON", "RI JES ON", "PAK CH-OLSU",
               "PAK CHOLS-U", "RI JESO N"]
    for m in (built, loaded):
        found_and_said(m, "RI J-ESON", "ri", "'jeson' ~ 'jeson': merged parts")
        m.add(_e("pak", "PAK CHOL-SU"))
        found_and_said(m, "PAK CH-OLSU", "pak", "'cholsu' ~ 'cholsu': merged parts")
        for query in queries:
            q = ScreenQuery(names=[query])
            got = [(h.entity_id, h.score, h.matched_name)
                   for h in m.screen(q, include_below=True)]
            want = [(h.entity_id, h.score, h.matched_name)
                    for h in naive.screen(q, include_below=True)]
            assert got == want, query
        assert m.tables._pair_cuts is None  # (the cuts were asked for one by one)
