"""The benchmark generator's other-script forms (bench/matching/variants.py): a name part
takes its form in a script from the most specific corpus line holding it (the fewest Latin
forms), not from the first line, which is often another name romanised the same way."""

from __future__ import annotations

from pathlib import Path

from bench.matching.variants import load_script_forms

CORPUS = (
    # the Chinese given name Jian, one of whose many romanisations is "kim"
    "chien, gim, jian, jiān, kiam, kim, ким, けん, ジャン, 兼, 겸 => Q1\n"
    # the Korean surname Kim
    "gim, kim, кім, キム, 金, 김 => Q2\n"
    # one Latin form, katakana only: the other scripts come from the Kim line above
    "kim, キム => Q3\n"
    "pak, パク, 朴, 박 => Q4\n"
)


def test_most_specific_line_gives_the_forms(tmp_path: Path) -> None:
    path = tmp_path / "corpus.txt"
    path.write_text(CORPUS, encoding="utf-8")
    forms = load_script_forms(path)
    assert forms["kim"]["KATAKANA"] == ["キム"]  # the one-Latin-form line wins
    assert forms["kim"]["CJK"] == ["金"]
    assert forms["kim"]["HANGUL"] == ["김"]
    assert forms["jian"]["HANGUL"] == ["겸"]  # Jian keeps its own line
    assert forms["pak"]["HANGUL"] == ["박"]


def test_first_line_is_the_old_generator(tmp_path: Path) -> None:
    path = tmp_path / "corpus.txt"
    path.write_text(CORPUS, encoding="utf-8")
    forms = load_script_forms(path, most_specific=False)
    assert forms["kim"]["KATAKANA"] == ["ジャン"]
    assert forms["kim"]["CJK"] == ["兼"]
    assert forms["kim"]["HANGUL"] == ["겸"]
