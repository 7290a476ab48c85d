"""The benchmark generator's negatives (bench/matching/cases.near_test): a made-up negative
that is a listed name in another spelling of the generator's own variant table, or with a
title left out, is refused; other syllables of romanised Korean and Chinese names and
organisations' words are not spellings of each other."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from bench.matching.cases import load_variants, near_test

CORPUS = (
    "mohamed, mohammed, muhammad, محمد => Q1\n"
    "ashraf, achraf, asyraf => Q2\n"
    # a corpus line that joins other Korean and Chinese surnames (Chang, Tsang, Zhang)
    "chang, tsang, zhang, jang => Q3\n"
)
LISTED = ["HAJI MUHAMMAD ASHRAF", "TSANG YUNG YUAN", "HAJI TRADING COMPANY", "KANG RYONG"]


def _test(tmp_path: Path, spellings: bool = True):  # type: ignore[no-untyped-def]
    path = tmp_path / "corpus.txt"
    path.write_text(CORPUS, encoding="utf-8")
    index: dict[str, list[frozenset[str]]] = defaultdict(list)
    for name in LISTED:
        tokens = frozenset(name.lower().split())
        for t in tokens:
            index[t[:2]].append(tokens)
    return near_test(load_variants(path) if spellings else None, index)


def test_a_listed_name_in_another_spelling_is_refused(tmp_path: Path) -> None:
    near = _test(tmp_path)
    assert near(frozenset({"mohamed", "ashraf"}), True)  # Haji left out, mohamed = muhammad
    assert near(frozenset({"mulla", "mohammed", "achraf"}), True)  # a title on the query side
    assert near(frozenset({"muhammad", "ashraf", "rahimi"}), True)  # the listed name in it


def test_other_names_are_kept(tmp_path: Path) -> None:
    near = _test(tmp_path)
    assert not near(frozenset({"mohamed", "rahimi"}), True)
    assert not near(frozenset({"haji", "ashraf"}), True)  # a title and one part: letters test
    # short syllables take no spellings from the table: Chang is not Tsang
    assert not near(frozenset({"chang", "yung", "yuan"}), True)
    assert not near(frozenset({"chang", "ryong", "hun"}), True)
    # an organisation's words are not titles: HAJI is part of the listed company's name
    assert not near(frozenset({"haji", "oil", "company"}), False)


def test_without_the_table_nothing_more_is_refused(tmp_path: Path) -> None:
    near = _test(tmp_path, spellings=False)
    assert not near(frozenset({"mohamed", "ashraf"}), True)
