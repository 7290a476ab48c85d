"""What a build holds while it runs (issue 11: a million names imported under 3 GB): the
listed tokens' symbols read from rigour's dictionary without starting rigour's tagger,
with the same answers and the same index; records sharing their dates of birth and
nationalities; a save that writes the posting lists as they come, to the same files."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from ctnode.match import Matcher, Thresholds, persist, symbols
from ctnode.match.columns import SparseColumn
from ctnode.match.corpus import ListedRecord
from ctnode.match.normalise import name_symbols, rigour_symbols
from ctnode.match.postings import PostingKind
from ctnode.model.entities import Entity, Statement
from ctnode.model.screening import ScreenQuery

pytestmark = pytest.mark.usefixtures("hand_model")


def _calls() -> int:
    info = rigour_symbols.cache_info()
    return info.hits + info.misses


def test_a_build_reads_the_listed_symbols_from_the_dictionary_not_the_tagger(
        entities: list[Entity]) -> None:
    """A build that keeps a symbol table never asks rigour's tagger about a token of one
    part (the tagger is about 250 MB when started); the answers it records are rigour's."""
    assert symbols.dictionary() is not None
    before = _calls()
    built = Matcher(Thresholds())
    built.build(entities)
    assert _calls() == before
    assert built.symbol_table is not None and built.symbol_table.listed
    # the same symbols as the tagger gives, token by token
    with symbols.listing(from_dictionary=True) as record:
        for token in ("muhammad", "hamid", "хамид", "حامد", "abdullah", "foma"):
            name_symbols(token)
    assert record == {t: rigour_symbols(t) for t in record}
    assert any(record.values())


def test_a_build_from_the_dictionary_is_the_build_from_the_tagger(
        entities: list[Entity]) -> None:
    """The index built with the tokens' symbols read from the dictionary holds the same
    postings and weights as one built asking rigour's tagger, and screens the same."""
    from_dictionary = Matcher(Thresholds())
    from_dictionary.build(entities)
    from_tagger = Matcher(Thresholds())
    from_tagger.build(entities, symbol_table=False)  # (no table: the tagger answers)
    for kind in PostingKind:
        assert dict(from_dictionary.tables.postings[kind]) == dict(
            from_tagger.tables.postings[kind]), kind
        assert dict(from_dictionary.tables.weights[kind]) == dict(
            from_tagger.tables.weights[kind]), kind
    q = ScreenQuery(names=["Хамид Ибрагим"], schema="Person")
    assert ([(h.entity_id, h.score) for h in from_dictionary.screen(q, include_below=True)]
            == [(h.entity_id, h.score) for h in from_tagger.screen(q, include_below=True)])


def _person(eid: str, born: str, nationality: str) -> Entity:
    e = Entity(id=eid, schema="Person", dataset="t", reference=eid, status="listed")
    for prop, value in (("name", f"Person {eid}"), ("birthDate", born),
                        ("nationality", nationality)):
        # each value its own string object, as a parser makes them
        text = "".join(list(value))
        e.statements.append(Statement(prop=prop, value=text, original=text, dataset="t"))
    return e


def test_records_share_their_dates_and_nationalities() -> None:
    a = ListedRecord(_person("a", "1961-05-02", "IQ"), (0,))
    b = ListedRecord(_person("b", "1961-05-02", "IQ"), (1,))
    c = ListedRecord(_person("c", "1970", "SY"), (2,))
    assert a.dates == b.dates == ("1961-05-02",) and a.dates is b.dates
    assert a.countries == b.countries and a.countries is b.countries
    assert c.dates is not a.dates and c.countries != a.countries
    # what a saved index keeps of the record is the same
    unshared = ListedRecord(_person("a", "1961-05-02", "IQ"), (0,))
    unshared.dates, unshared.countries = tuple(list(a.dates)), tuple(list(a.countries))
    assert pickle.dumps(a.fields(), protocol=5) == pickle.dumps(unshared.fields(), protocol=5)


def test_posting_lists_written_as_they_come_make_the_same_files(
        entities: list[Entity], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The posting lists written a few ids at a time give the bytes written all at once,
    and an index that loads and screens as the one built."""
    built = Matcher(Thresholds())
    built.build(entities)
    whole = persist.save(built, tmp_path / "whole", {"mark": 1})
    monkeypatch.setattr(persist, "_POSTINGS_CHUNK", 3)
    bits = persist.save(built, tmp_path / "bits", {"mark": 1})
    for name in persist.FILES:
        assert ((tmp_path / "whole" / whole.generation / name).read_bytes()
                == (tmp_path / "bits" / bits.generation / name).read_bytes()), name
    assert (tmp_path / "bits" / bits.generation / persist.POSTINGS).stat().st_size > 12
    loaded, _ = persist.load(tmp_path / "bits", Thresholds(), 200, {"mark": 1})
    q = ScreenQuery(names=[entities[0].caption], schema=entities[0].schema)
    assert ([(h.entity_id, h.score) for h in loaded.screen(q, include_below=True)]
            == [(h.entity_id, h.score) for h in built.screen(q, include_below=True)] != [])


def test_a_build_holds_one_deletion_token_as_a_string_and_alternatives_pickled(
        entities: list[Entity], tmp_path: Path) -> None:
    """A deletion key of one listed token holds the token itself (as a loaded table does)
    and a name's alternative forms are kept pickled: the same answers, the same files as
    with a list per key and the forms as objects."""
    built = Matcher(Thresholds())
    built.build(entities)
    t = built.tables
    single = [k for k in t.latin_deletions if isinstance(t.latin_deletions[k], str)]
    assert single and all(t.deletion_tokens(k) == [t.latin_deletions[k]] for k in single)
    assert all(isinstance(v, bytes) for v in built._name_alts._more.values())
    some = next(iter(built._name_alts._more))
    assert built._name_alts.get(some) == built._name_alts.get(some) != {}
    compact = persist.save(built, tmp_path / "compact", {"mark": 1})
    # the same tables as lists and objects
    for k in single:
        value = t.latin_deletions[k]
        assert isinstance(value, str)
        t.latin_deletions[k] = [value]
    alts = built._name_alts
    objects = SparseColumn[dict[int, tuple[str, ...]]]()
    for k, v in alts.items():
        objects[k] = v
    built._name_alts = objects
    plain = persist.save(built, tmp_path / "plain", {"mark": 1})
    for name in persist.FILES:
        assert ((tmp_path / "compact" / compact.generation / name).read_bytes()
                == (tmp_path / "plain" / plain.generation / name).read_bytes()), name


def test_a_large_build_lets_the_dictionary_go(entities: list[Entity],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a large build's symbol table is made, rigour's dictionary is let go (read again
    when next asked); a small build keeps it for the next (the tests build hundreds)."""
    from ctnode.match import corpus

    monkeypatch.setattr(corpus, "freeze_long_lived", lambda: None)  # (not in a test process)
    assert symbols.dictionary() is not None
    small = Matcher(Thresholds())
    small.build(entities)
    assert symbols.dictionary.cache_info().currsize == 1
    monkeypatch.setattr(corpus, "FREEZE_AT", 10)
    large = Matcher(Thresholds())
    large.build(entities)
    assert symbols.dictionary.cache_info().currsize == 0
    assert large.symbol_table is not None and small.symbol_table is not None
    assert large.symbol_table.lexicon and large.symbol_table.listed
    assert large.symbol_table.lexicon == small.symbol_table.lexicon
