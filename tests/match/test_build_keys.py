"""A whole build remembers the keys each listed token is posted under and posts its later
occurrences under them (``Matcher._after_build``): the tables must be those of a build that
works every key out again for every occurrence."""

from __future__ import annotations

from pathlib import Path

from ctnode.match import Matcher, Thresholds, persist
from ctnode.match.postings import PostingKind
from ctnode.model.entities import Entity
from tests.match.conftest import listed_person


class _EveryKeyAgain(Matcher):
    """The build as before the remembered keys: every occurrence looked up afresh."""

    def _after_build(self) -> None:
        assert self.tables.token_keys is None
        self._index_names(0)


def _tables(m: Matcher) -> dict[str, object]:
    t = m.tables
    return {
        "postings": [{k: list(t.lookup(kind, k)) for k in t.postings[kind]}
                     for kind in PostingKind],
        "weights": [{k: w[k] for k in w} for w in t.weights],
        "latin_deletions": {k: t.latin_deletions[k] for k in t.latin_deletions},
        "skeleton_deletions": {k: t.skeleton_deletions[k] for k in t.skeleton_deletions},
        "spellings": {k: t.spellings[k] for k in t.spellings},
        "unvowelled": set(t.unvowelled_skeletons),
        "vocabulary": set(t.vocabulary),
        "totals": list(t.name_totals),
    }


def _listed(entities: list[Entity]) -> list[Entity]:
    # the demo list and names that repeat tokens across records, in several scripts
    more = [listed_person("r1", "Mohammed Ali Hassan", "Muhammad Aly"),
            listed_person("r2", "Ali Mohammed", "Мухаммад Али"),
            listed_person("r3", "Hassan Ali", "محمد علي", "Kim Jong Un"),
            listed_person("r4", "Kim Jong Il", "金正日", "Ali Hassan Mohammed")]
    return sorted([*entities, *more], key=lambda e: e.id)


def test_a_build_with_remembered_keys_posts_what_a_build_without_them_posts(
        entities: list[Entity], tmp_path: Path) -> None:
    listed = _listed(entities)
    fast, slow = Matcher(Thresholds()), _EveryKeyAgain(Thresholds())
    fast.build(iter(listed))
    slow.build(iter(listed))
    assert fast.tables.token_keys is None  # only for the build
    assert _tables(fast) == _tables(slow)
    assert len(fast.tables.vocabulary) > 20  # (the lists hold something to compare)
    # and the files written from them are the same, byte for byte
    a = persist.save(fast, tmp_path / "a", {"mark": 1})
    b = persist.save(slow, tmp_path / "b", {"mark": 1})
    files_a = sorted((tmp_path / "a" / a.generation).iterdir())
    files_b = sorted((tmp_path / "b" / b.generation).iterdir())
    assert [f.name for f in files_a] == [f.name for f in files_b]
    for fa, fb in zip(files_a, files_b, strict=True):
        assert fa.read_bytes() == fb.read_bytes(), fa.name
