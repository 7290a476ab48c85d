"""The index's batch forms of the token rules give the rules' own values: what a fresh query
part reaches through the typo vocabularies (``similarity_values`` for its Latin typo
neighbours and its skeleton's other spellings, ``skeleton_typo_neighbour`` for the skeleton
neighbours) must bound every pair exactly as ``token_similarity`` and
``skeleton_typo_applies`` value it, or the index's hits drift from the naive matcher's.
Case tables in several scripts' romanisations, then every pair the index meets in rigour's
person-name parts (shared data), under the hand-set and the fitted models."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from pathlib import Path

from nicknames import NickNamer

from ctnode.match import similarity
from ctnode.match.normalise import nickname_forms, skeleton
from ctnode.match.similarity import (
    deletion_keys,
    similarity_values,
    skeleton_typo_applies,
    skeleton_typo_neighbour,
    token_similarity,
)
from ctnode.match.transliterate import ABJAD_MARK, LOANWORD_MARK

# Pairs of every rule: spellings of one skeleton (with and without vowels, vowels of
# another class), typos, skeleton typos (an initial vowel more), East Asian syllables
# (Kim/Gim, Jong/Chong; Ku/Cho are others), shared rigour symbols (Foma/Thomas,
# Josyp/Joseph), nicknames (Bill/William), initials, marked Arabic-script and katakana parts.
TOKENS = [
    "muhammad", "mohammed", "mohamed", "mhmd", "mahmud", "mahmood", "ahmad", "ahmed", "ahmet",
    "akhmed", "bill", "william", "will", "willem", "robert", "bob", "bobby", "roberto",
    "kim", "gim", "kym", "jong", "chong", "jung", "yong", "ku", "cho", "pak", "park", "bak",
    "jun", "jin", "chang", "kyong", "istanekzai", "stanekzai", "thomas", "tomas", "foma",
    "josyp", "joseph", "iosif", "abdulrahman", "abdurrahman", "abdelrahman", "lounici",
    "zawahiri", "zawahri", "zavahiri", "osama", "usama", "umar", "omar", "amir", "hassan",
    "hasan", "husin", "hussein", "a", "m", "ab", "yusuf", "yousef", "jusuf", "ivanov",
    "iwanow", "ivanoff", "abdelrahim", "belmokhtar", "belmokhtaar", "droukdel", "drukdal",
    "hisein", "hosein", "bikht", "bakht", "awys", "aweys",
    ABJAD_MARK + "mhmd", ABJAD_MARK + "husin", ABJAD_MARK + "blmhr", LOANWORD_MARK + "tomas",
]


def test_values_are_the_rules_values_for_every_pair_of_the_table(model: str) -> None:
    for a in TOKENS:
        assert similarity_values(a, TOKENS) == [token_similarity(a, b)[0] for b in TOKENS], a


def test_the_table_meets_every_rule(model: str) -> None:
    """(So the test above compares the branches, not only zeros.)"""
    rules = {token_similarity(a, b)[1].split(" (")[0].split(",")[0].split("'")[0]
             for a, b in itertools.product(TOKENS, TOKENS)}
    for rule in ("exact", "initial", "phonetic skeleton ", "one edit apart",
                 "skeletons one edit apart", "one name in two languages",
                 "nickname and full form", "one East Asian syllable romanised two ways",
                 "written in Arabic script: same consonants "):
        assert rule in rules, (rule, sorted(rules))


def _parts(name_variants: Path, limit: int) -> list[str]:
    """Latin forms (lower case a-z, as normalised) from rigour's person-name parts."""
    found: dict[str, None] = {}
    with (name_variants / "rigour-person-name-parts.txt").open(encoding="utf-8") as fh:
        for line in fh:
            for form in line.split("=>")[0].split(","):
                form = form.strip().lower()
                if re.fullmatch(r"[a-z]{2,16}", form):
                    found[form] = None
            if len(found) >= limit:
                break
    return list(found)


def test_values_over_what_the_index_meets_in_rigours_name_parts(
        name_variants: Path, model: str) -> None:
    """Every token against what the index hands ``similarity_values`` for it: the tokens
    sharing a one-letter deletion key, and the other spellings of its skeleton."""
    vocab = _parts(name_variants, 12_000)
    by_deletion: dict[str, list[str]] = defaultdict(list)
    by_skeleton: dict[str, list[str]] = defaultdict(list)
    for t in vocab:
        by_skeleton[skeleton(t)].append(t)
        if len(t) >= similarity.FUZZY_MIN_LATIN:
            for d in deletion_keys(t):
                by_deletion[d].append(t)
    pairs = 0
    for a in vocab[::4]:
        near = dict.fromkeys(t for d in deletion_keys(a) for t in by_deletion.get(d, ()))
        near.update(dict.fromkeys(by_skeleton[skeleton(a)]))
        tokens = list(near)
        assert similarity_values(a, tokens) == [token_similarity(a, b)[0] for b in tokens], a
        pairs += len(tokens)
    assert pairs > 15_000


def test_skeleton_neighbours_as_the_rule_tests_them(name_variants: Path) -> None:
    """``skeleton_typo_neighbour`` is ``skeleton_typo_applies`` for two different skeletons
    sharing a deletion key (how the index finds them), for every such pair."""
    skeletons = sorted({skeleton(t) for t in _parts(name_variants, 30_000)} - {""})
    by_deletion: dict[str, list[str]] = defaultdict(list)
    for k in skeletons:
        for d in deletion_keys(k):
            by_deletion[d].append(k)
    pairs = applies = 0
    for group in by_deletion.values():
        for ka, kb in itertools.permutations(group, 2):
            expected = skeleton_typo_applies(ka, kb)
            assert skeleton_typo_neighbour(ka, kb) == expected, (ka, kb)
            pairs += 1
            applies += expected
    assert pairs > 10_000 and 0 < applies < pairs


def test_the_nickname_relation_is_symmetric() -> None:
    """``similarity_values`` asks ``b in nickname_forms(a)`` only: that needs the relation
    to be symmetric over the whole dataset (its canonical table inverts its nickname table)."""
    namer = NickNamer()  # (the dataset nickname_forms reads)
    names = set(namer.nickname_lookup) | set(namer.canonical_lookup)
    assert len(names) > 1_000
    for a in names:
        for b in nickname_forms(a):
            assert a in nickname_forms(b), (a, b)
