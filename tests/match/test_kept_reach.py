"""Each listed token's reach as a single query unit, kept in the index files
(``PostingTables.kept_reach``, ctnode.match.persist): worked out when the index is saved, read
by a loaded index instead of worked out again; exactly what the loaded index would work out
(and the built one), dropped by a delta and kept anew by the next save, and never read when
the matching code that wrote it is not this one's."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctnode.match import Matcher, NaiveMatcher, Thresholds, persist
from ctnode.match.postings import PostingTables, decode_reach, encode_reach
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery
from tests.match.conftest import listed_person

pytestmark = pytest.mark.usefixtures("hand_model")


def _saved_and_loaded(entities: list[Entity], folder: Path) -> tuple[Matcher, Matcher]:
    built = Matcher(Thresholds())
    built.build(entities)
    persist.save(built, folder, {"mark": 1})
    loaded, _ = persist.load(folder, Thresholds(), 200, {"mark": 1})
    return built, loaded


def _worked_out(m: Matcher, tokens: list[str]) -> dict[str, list[object]]:
    """Each token's reach worked out afresh by ``m`` (its kept reach and caches set aside)."""
    tables = m.tables
    kept, cached = tables.kept_reach, tables._expansions
    tables.kept_reach, tables._expansions = None, {}
    try:
        with m.screening():
            return {t: list(tables.expand(t, False)) for t in tokens}
    finally:
        tables.kept_reach, tables._expansions = kept, cached


def _kept(m: Matcher, tokens: list[str]) -> dict[str, list[object]]:
    kept = m.tables.kept_reach
    assert kept is not None
    return {t: list(decode_reach(kept[t])) for t in tokens}


def _answers(m: Matcher | NaiveMatcher, qs: list[ScreenQuery]) -> list[list[tuple[str, float]]]:
    return [[(h.entity_id, h.score) for h in m.screen(q, include_below=True)] for q in qs]


def _queries(entities: list[Entity]) -> list[ScreenQuery]:
    """Each record's names, one part with a letter changed, and one part alone."""
    out = []
    for e in entities[:40]:
        name = e.caption
        parts = name.split()
        out.append(ScreenQuery(names=[name], schema=e.schema))
        longest = max(parts, key=len)
        typo = longest[:2] + ("x" if longest[2:3] != "x" else "y") + longest[3:]
        out.append(ScreenQuery(names=[name.replace(longest, typo)], schema=e.schema))
        out.append(ScreenQuery(names=[parts[-1]], schema=e.schema))
    return out


def test_the_kept_reach_is_each_listed_tokens_reach(entities: list[Entity],
                                                    tmp_path: Path) -> None:
    built, loaded = _saved_and_loaded(entities, tmp_path)
    tokens = sorted(loaded.tables.vocabulary)
    assert len(tokens) > 100
    kept = _kept(loaded, tokens)
    # as the loaded index would work it out, and as the built one does
    assert kept == _worked_out(loaded, tokens) == _worked_out(built, tokens)
    assert sum(map(len, kept.values())) > len(tokens)
    # the values read back as written (floats exactly)
    reach = next(r for r in kept.values() if len(r) > 2)
    assert decode_reach(encode_reach(reach)) == reach  # type: ignore[arg-type]
    # and the answers: the naive reference's
    naive = NaiveMatcher(Thresholds())
    naive.build(entities)
    qs = _queries(entities)
    assert _answers(loaded, qs) == _answers(naive, qs) == _answers(built, qs)


def test_a_loaded_index_reads_a_listed_tokens_reach(entities: list[Entity], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A listed token's reach is read (the rules are not run for it); another token's is
    worked out."""
    _built, loaded = _saved_and_loaded(entities, tmp_path)
    token = max(loaded.tables.vocabulary, key=len)

    def refuse(*_args: object) -> None:
        raise AssertionError("worked out again")

    monkeypatch.setattr(PostingTables, "_expand_single", refuse)
    with loaded.screening():
        assert loaded.tables.expand(token, False)
        with pytest.raises(AssertionError, match="worked out again"):
            loaded.tables.expand(token + "zq", False)


def test_a_delta_drops_the_kept_reach_and_the_next_save_keeps_it_anew(
        entities: list[Entity], tmp_path: Path) -> None:
    built, loaded = _saved_and_loaded(entities, tmp_path)
    listed = max(loaded.tables.vocabulary, key=len)
    near = listed[:-2] + listed[-1] + listed[-2]  # a new token one edit from a listed one
    assert near not in loaded.tables.vocabulary
    before = _kept(loaded, [listed])[listed]
    for m in (built, loaded):
        m.add(listed_person("new-1", f"{near.title()} Quarterman"))
    assert loaded.tables.kept_reach is None  # the new name may reach any listed token
    qs = [*_queries(entities), ScreenQuery(names=[near]), ScreenQuery(names=[listed])]
    assert _answers(loaded, qs) == _answers(built, qs)
    persist.save(loaded, tmp_path, {"mark": 2})
    again, _ = persist.load(tmp_path, Thresholds(), 200, {"mark": 2})
    tokens = sorted(again.tables.vocabulary)
    assert near in tokens
    kept = _kept(again, tokens)
    assert kept == _worked_out(again, tokens) == _worked_out(built, tokens)
    assert kept[listed] != before  # the listed token now reaches the new one too
    assert _answers(again, qs) == _answers(built, qs)


def test_no_reach_is_kept_for_a_large_list(entities: list[Entity], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(persist, "KEPT_REACH_MAX", 10)
    built, loaded = _saved_and_loaded(entities, tmp_path)
    assert loaded.tables.kept_reach is None
    qs = _queries(entities)
    assert _answers(loaded, qs) == _answers(built, qs)


def test_a_reach_kept_by_other_matching_code_is_not_read(
        entities: list[Entity], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept reach carries the stamp of the code that worked it out (every file of
    ctnode.match, rigour's build): another code's is left unread (worked out again)."""
    _built, loaded = _saved_and_loaded(entities, tmp_path)
    assert loaded.tables.kept_reach is not None
    assert persist.reach_stamp() == persist.reach_stamp()  # (once per process)
    monkeypatch.setattr(persist, "_reach_stamp", "another code")
    other, _ = persist.load(tmp_path, Thresholds(), 200, {"mark": 1})
    assert other.tables.kept_reach is None
    qs = _queries(entities)
    assert _answers(other, qs) == _answers(loaded, qs)
