"""What both matchers hold and share: listed records, their names, rarity statistics, the
scoring of one record against a query, and the hit a scored record becomes.

:class:`NameCorpus` keeps compact per-entity records (never the
:class:`~ctnode.model.entities.Entity` objects); each name is its original text plus a
tuple of interned Latin tokens. The indexed :class:`~ctnode.match.index.Matcher` and the
brute-force :class:`~ctnode.match.naive.NaiveMatcher` derive from it and differ only in
which records they score.
"""

from __future__ import annotations

import gc
import pickle
import sys
from array import array
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

from ctnode import collector
from ctnode.match import symbols
from ctnode.match.columns import IdIndex, SparseColumn, StrColumn, TokensColumn
from ctnode.match.details import (
    OBJECT_SCHEMAS,
    ORG_SCHEMAS,
    PERSON_SCHEMAS,
    birth_years,
    calibration,
    clean_country,
    clean_date,
    clean_documents,
    compare_countries,
    compare_dates,
    compare_documents,
    compare_schema,
    country_bits,
    details_value,
)
from ctnode.match.explain import explain_name
from ctnode.match.normalise import (
    NameKind,
    ParsedName,
    name_kind,
    parse_name,
    skeleton,
    split_names,
)
from ctnode.match.score import NameForm, Rarity, compare_names, name_score_value
from ctnode.match.similarity import model_generation
from ctnode.match.symbols import SymbolTable
from ctnode.match.transliterate import script_family
from ctnode.match.weights import MODEL
from ctnode.model.entities import NAME_PROPS, Entity
from ctnode.model.screening import Band, FeatureExplanation, Hit, ScreenQuery

# Name props and the factor their names count with.
_NAME_FACTORS: dict[str, float] = {"name": 1.0, "alias": 1.0, "previousName": 1.0}
_WEAK = "weakAlias"  # counts MODEL.weak_alias_factor
_PART_PROPS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
FORM_CACHE = 20_000  # listed names kept parsed for scoring (cleared when full)
# query parts' similarities to listed parts kept across screens (all forgotten when more)
UNIT_MEMO_ENTRIES = 400_000
UNIT_MEMO_CHECK = 1_000  # query names prepared between two counts of what is kept


@dataclass(frozen=True)
class Thresholds:
    """Score bands: ``match`` at or above ``match``; ``possible`` at or above ``report``."""

    match: float = MODEL.match_threshold
    report: float = MODEL.report_threshold

    def band(self, score: float) -> Band:
        if score >= self.match:
            return "match"
        if score >= self.report:
            return "possible"
        return "no match"


# Distinct dates of birth and nationalities a build's records share (see shared_details);
# the table is emptied when it holds this many (a long-lived server's deltas).
SHARED_DETAILS = 200_000
_SHARED: dict[tuple[str, ...], tuple[str, ...]] = {}


def shared_details(values: tuple[str, ...]) -> tuple[str, ...]:
    """One tuple (of interned strings) per distinct dates or nationalities of the records:
    a million records hold a few thousand of each, and a tuple and string each per record
    were some 200 MB of a million-name build (issue 11). The same values; a record's
    pickle is the same bytes."""
    if not values:
        return ()
    found = _SHARED.get(values)
    if found is None:
        if len(_SHARED) >= SHARED_DETAILS:
            _SHARED.clear()
        found = _SHARED[values] = tuple(sys.intern(v) for v in values)
    return found


class ListedRecord:
    """What the matcher keeps of one entity."""

    __slots__ = ("alive", "caption", "countries", "dataset", "dates", "docs", "id", "names",
                 "reference", "schema", "status")

    def __init__(self, entity: Entity, names: tuple[int, ...]) -> None:
        self.id = entity.id
        self.dataset = entity.dataset
        self.reference = entity.reference
        self.schema = entity.schema
        self.caption = entity.caption
        self.status = entity.status
        self.alive = True
        self.names = names
        dates = {d for v in entity.get("birthDate") if (d := clean_date(v))}
        self.dates = shared_details(tuple(sorted(dates)))
        countries = {c for v in entity.get("nationality") + entity.get("citizenship")
                     if (c := clean_country(v))}
        self.countries = shared_details(tuple(sorted(countries)))
        docs: dict[str, None] = {}
        for prop in ("passportNumber", "idNumber"):
            for v in entity.get(prop):
                for d in clean_documents(v):
                    docs.setdefault(d, None)
        self.docs = tuple(docs)

    FIELDS = ("dataset", "reference", "schema", "caption", "status", "names", "dates",
              "countries", "docs")

    def fields(self) -> tuple[object, ...]:
        """What a saved index keeps of the record besides its id and whether it is live."""
        return tuple(getattr(self, f) for f in self.FIELDS)

    @classmethod
    def restore(cls, entity_id: str, alive: bool, fields: tuple[object, ...]) -> ListedRecord:
        """The record as :meth:`fields` saved it."""
        rec = cls.__new__(cls)
        rec.id, rec.alive = entity_id, alive
        for name, value in zip(cls.FIELDS, fields, strict=True):
            setattr(rec, name, value)
        return rec


RECORD_CACHE = 20_000  # records of a loaded index kept made (cleared when full)


class RecordList:
    """The corpus's records: a list of :class:`ListedRecord` when built; when loaded from
    disk, a frozen base of columns (ids, one pickle of :meth:`ListedRecord.fields` per
    record, a live flag each) whose records are made when asked for, and the records added
    since as objects."""

    __slots__ = ("_alive", "_base", "_cache", "_fields", "_ids", "_more")

    def __init__(self, ids: StrColumn | None = None,
                 fields: tuple[memoryview, memoryview] | None = None,
                 alive: bytearray | None = None) -> None:
        self._ids = ids
        self._fields = fields  # blob and offsets
        self._alive = alive if alive is not None else bytearray()
        self._base = len(self._alive)
        self._more: list[ListedRecord] = []
        self._cache: dict[int, ListedRecord] = {}

    def __len__(self) -> int:
        return self._base + len(self._more)

    def _make(self, i: int) -> ListedRecord:
        assert self._ids is not None and self._fields is not None
        blob, offsets = self._fields
        fields = pickle.loads(blob[offsets[i]:offsets[i + 1]])  # noqa: S301 - own file
        return ListedRecord.restore(self._ids[i], bool(self._alive[i]), fields)

    def __getitem__(self, i: int) -> ListedRecord:
        if i >= self._base:
            return self._more[i - self._base]
        if i < 0:
            raise IndexError("records are read by non-negative index")
        rec = self._cache.get(i)
        if rec is None:
            if len(self._cache) >= RECORD_CACHE:
                self._cache.clear()
            rec = self._cache[i] = self._make(i)
        return rec

    def __iter__(self) -> Iterator[ListedRecord]:
        for i in range(self._base):
            rec = self._cache.get(i)
            yield rec if rec is not None else self._make(i)
        yield from self._more

    def append(self, rec: ListedRecord) -> None:
        self._more.append(rec)

    def kill(self, i: int) -> None:
        """The record at ``i`` is no longer live (removed, or replaced by a newer one)."""
        if i >= self._base:
            self._more[i - self._base].alive = False
            return
        self._alive[i] = 0
        rec = self._cache.get(i)
        if rec is not None:
            rec.alive = False

    def entity_id(self, i: int) -> str:
        """The id of the record at ``i`` (without making the record)."""
        if i >= self._base:
            return self._more[i - self._base].id
        assert self._ids is not None
        return self._ids[i]


def details_of(dates: list[str], countries: list[str], docs: list[str], schema: str,
               rec: ListedRecord) -> list[FeatureExplanation]:
    """The identifying details of a query (cleaned) against a record that contribute
    (dates, nationality, documents, schema, calibration)."""
    return [f for f in (
        compare_dates(dates, rec.dates),
        compare_countries(countries, rec.countries),
        compare_documents(docs, rec.docs),
        compare_schema(schema, rec.schema),
        calibration(),
    ) if f is not None]


def entity_names(entity: Entity) -> list[tuple[str, float]]:
    """(name, factor) for every name of an entity, bracketed and ``;`` parts split apart."""
    out: dict[str, float] = {}
    for prop in NAME_PROPS:
        factor = MODEL.weak_alias_factor if prop == _WEAK else _NAME_FACTORS.get(prop, 1.0)
        for value in entity.get(prop):
            for name in split_names(value):
                out.setdefault(name, factor)
    parts = [entity.first(p) for p in _PART_PROPS]
    joined = " ".join(p for p in parts if p)
    if joined:
        out.setdefault(joined, 1.0)
    return list(out.items())


_NO_ALTS: dict[int, tuple[str, ...]] = {}
_NO_SYMBOLS: dict[int, frozenset[str]] = {}
_GROUPS = (PERSON_SCHEMAS, ORG_SCHEMAS, OBJECT_SCHEMAS)


def _query_kinds(schema: str) -> tuple[NameKind, ...]:
    """How a query's names are read: a LegalEntity's (or a query of no known schema) both
    as a person's and as an organisation's name, the best reading winning."""
    if schema == "Person":
        return ("person",)
    if schema in ORG_SCHEMAS or schema in OBJECT_SCHEMAS:
        return ("org",)
    return ("person", "org")


def kept_apart(q_schema: str, c_schema: str) -> bool:
    """A person against an organisation (or a vessel ...), both schemas known: their names
    count only when near-exact (``cross_schema_min``)."""
    qg = next((g for g in _GROUPS if q_schema in g), None)
    cg = next((g for g in _GROUPS if c_schema in g), None)
    return qg is not None and cg is not None and qg is not cg


SHORT_SINGLE = 6  # a one-part name this short (ISIL, AQIS, Hamas) is kept to its own kind


def _short_single(form: NameForm) -> bool:
    return len(form.tokens) == 1 and len(form.tokens[0]) <= SHORT_SINGLE


@dataclass(slots=True)
class PreparedQuery:
    """A screening query normalised once: parsed names, cleaned details."""

    names: list[NameForm]
    dates: list[str]
    countries: list[str]
    docs: list[str]
    schema: str
    datasets: frozenset[str] | None
    include_delisted: bool

    @property
    def script_families(self) -> bool:
        """Whether a query name is written in Han, Hangul or kana."""
        return any(n.script_key for n in self.names)


# Lists of this many names or more are moved out of the cyclic garbage collector's view
# once built: a full collection over millions of index objects pauses a screen for ~1 s.
FREEZE_AT = 100_000


# A large index's screens fill caches that live as long as the index (what each query part
# reaches, listed names' forms, the key columns' answers: some 500,000 objects after 2,000
# fresh queries at a million names). Left in the collector's view, each full collection
# went over all of them again as they grew, and found nothing to free (seven full
# collections, about a tenth of a first pass's CPU). So after a screen during which a full
# collection ran, what survived it is frozen as the index is (``gc.freeze``), at most this
# many times per corpus: objects frozen are still freed when no longer referenced; a
# reference cycle among them (none in the caches) would never be.
CACHE_FREEZES = 64


def freeze_long_lived() -> None:
    """Collect what the build left behind, then freeze the rest (``gc.freeze``): the index
    lives until the next build, and objects without reference cycles (all of the index)
    are still freed by reference counting when it is replaced. In a process that ends once
    the index is written (``ctnode import``: ``collector.paused(then_ends=True)``) nothing is
    collected: that full pass over a large index frees a few thousand objects (3.0 CPU-s at
    200,000 persons)."""
    gc.unfreeze()
    if not collector.process_ends():
        gc.collect()
    gc.freeze()


@dataclass(slots=True)
class ScoredRecord:
    """One record's score against a query: its best name and the details that counted."""

    score: float
    rec_idx: int
    name_id: int
    query_idx: int
    # the details that counted; None: not explained yet (made for the hits returned)
    features: list[FeatureExplanation] | None


class NameCorpus:
    """Records, names and rarity statistics shared by both matchers, and the scoring of one
    record against a prepared query (the same code path for both)."""

    # What a corpus holds about its records and names (the rest is derived from it): what an
    # index saves to disk (``persist``) and a reference matcher over it shares (``naive``).
    RECORD_STATE = ("_records", "_by_id", "_name_rec", "_name_text", "_name_tokens",
                    "_name_alts", "_name_parsed", "_name_org", "_name_factor",
                    "_rec_year_lo", "_rec_year_hi", "_rec_countries")

    def __init__(self, thresholds: Thresholds, max_candidates: int = 200) -> None:
        self.thresholds = thresholds
        self.max_candidates = max_candidates
        # records and names: lists when built, columns read from a file when loaded
        # (ctnode.match.columns: values made when asked for)
        self._records = RecordList()
        self._by_id = IdIndex()  # live records only
        # per record: first and last year of birth (NO_YEAR: none), so a screen rules
        # candidates out by their dates without reading the records (details.dates_lift)
        self._rec_year_lo: array[int] = array("i")
        self._rec_year_hi: array[int] = array("i")
        # per record: its nationalities as a 64-bit mask (details.country_bits)
        self._rec_countries: array[int] = array("Q")
        # per name: owning record index, original text, tokens, factor
        self._name_rec: array[int] = array("i")
        self._name_text = StrColumn()
        self._name_tokens = TokensColumn()
        # only names that have some
        self._name_alts: SparseColumn[dict[int, tuple[str, ...]]] = SparseColumn(pickled=True)
        # the whole parse, for names with more than tokens and alternatives (roles, symbols
        # of parts in their own script, a Han/Hangul key, an acronym)
        self._name_parsed: SparseColumn[ParsedName] = SparseColumn()
        self._name_org = bytearray()  # 1: read as an organisation's name
        self._name_factor: array[float] = array("f")
        self.rarity = Rarity()
        self._forms: dict[int, NameForm] = {}
        # per query part (what unit_similarity reads of it): listed part → similarity, the
        # memo name_score_value keeps (see _memos)
        self._unit_memos: dict[tuple[object, ...], dict[object, float]] = {}
        self._memo_check = 0
        self._memo_model = model_generation()
        # what rigour said about the listed tokens (None: not built, or no dictionary);
        # screens use it only when loaded from disk (``use_symbol_table``)
        self.symbol_table: SymbolTable | None = None
        self.use_symbol_table = False
        # full collections seen after screens, and freezes made (see CACHE_FREEZES)
        self._full_collections = -1
        self._cache_freezes = 0

    # -- building --------------------------------------------------------------------

    def build(self, entities: Iterable[Entity], rarity: Rarity | None = None,
              symbol_table: bool = True) -> None:
        """Replace everything with ``entities`` and recompute the rarity statistics (or use
        ``rarity``: the monitoring service's reverse index weighs the watched subjects'
        name parts as the listed records' corpus weighs them). ``symbol_table``: keep
        rigour's answers for screens of a saved index (:mod:`ctnode.match.symbols`); an
        index that is never saved nor screened with them (the reverse index) goes without
        (at 20,000 watched subjects its table took 91 MB and a quarter of the build)."""
        self._reset()
        # The cyclic collector paused meanwhile, as for a parse, a load and the reverse
        # index: the build makes no reference cycles, and every full pass over the growing
        # index found nothing (at 200,000 persons 11 full passes, 12 s of a 100 s import);
        # a large build collects once at its end (freeze_long_lived).
        with collector.paused():
            with symbols.listing(from_dictionary=symbol_table) as record:
                for entity in entities:
                    self._append(entity)
                self._index_all(rarity)
            self.symbol_table = (SymbolTable.build(record) if symbol_table
                                 else None)
        if len(self._name_tokens) >= FREEZE_AT:
            # the table holds what it needs of rigour's dictionary: a large build lets the
            # rest go before the index is saved (about 100 MB at a million names; issue 11)
            symbols.release_dictionary()
            freeze_long_lived()

    def _index_all(self, rarity: Rarity | None = None) -> None:
        if rarity is None:
            df: dict[str, int] = {}
            for toks in self._name_tokens:
                for key in {skeleton(t) for t in toks}:
                    df[key] = df.get(key, 0) + 1
            rarity = Rarity(df, len(self._name_tokens))
        self.rarity = rarity
        self._after_build()

    def add(self, entity: Entity) -> None:
        """Add ``entity``, replacing a record with the same id."""
        if entity.id in self._by_id:
            self.remove(entity.id)
        first = len(self._name_text)
        self._unit_memos = {}  # (a listed part's rigour symbols may now be read otherwise)
        with symbols.listing() as record:
            self._append(entity)
            self._after_add(first)
        if self.symbol_table is not None and not self.symbol_table.extend(record):
            self.symbol_table, self.use_symbol_table = None, False

    def remove(self, entity_id: str) -> None:
        idx = self._by_id.pop(entity_id)
        if idx is not None:
            self._records.kill(idx)

    def __len__(self) -> int:
        return len(self._by_id)

    def listed_names(self) -> list[tuple[str, str]]:
        """(name, schema) of every name of every record held (for sample queries)."""
        return [(self._name_text[n], rec.schema) for rec in self._records if rec.alive
                for n in rec.names]

    def _reset(self) -> None:
        self._records = RecordList()
        self._by_id = IdIndex()
        self._rec_year_lo = array("i")
        self._rec_year_hi = array("i")
        self._rec_countries = array("Q")
        self._name_rec = array("i")
        self._name_text = StrColumn()
        self._name_tokens = TokensColumn()
        self._name_alts = SparseColumn(pickled=True)
        self._name_parsed = SparseColumn()
        self._name_org = bytearray()
        self._name_factor = array("f")
        self._forms = {}
        self._unit_memos = {}
        self.symbol_table, self.use_symbol_table = None, False

    def _append(self, entity: Entity) -> None:
        rec_idx = len(self._records)
        ids: list[int] = []
        for name, factor in entity_names(entity):
            kind = name_kind(entity.schema, name)
            # uncached: a query's parse (its symbols read from a table) is never reused
            for parsed in parse_name.__wrapped__(name, kind):
                name_id = len(self._name_text)
                if parsed.alts:
                    self._name_alts[name_id] = parsed.alts
                if (parsed.symbols or parsed.script_key or parsed.acronyms
                        or parsed.written_acronyms
                        or any(parsed.roles)):
                    self._name_parsed[name_id] = parsed
                ids.append(name_id)
                self._name_rec.append(rec_idx)
                self._name_text.append(name)
                self._name_tokens.append(parsed.tokens)
                self._name_org.append(kind == "org")
                self._name_factor.append(factor)
        old = self._by_id.get(entity.id)
        if old is not None:
            self._records.kill(old)
        rec = ListedRecord(entity, tuple(ids))
        self._records.append(rec)
        lo, hi = birth_years(rec.dates)
        self._rec_year_lo.append(lo)
        self._rec_year_hi.append(hi)
        self._rec_countries.append(country_bits(rec.countries))
        self._by_id[entity.id] = rec_idx

    def _after_build(self) -> None:
        """Hook for the index."""

    def _after_add(self, first_name: int) -> None:
        """Hook for the index."""

    # -- screening -------------------------------------------------------------------

    def prepare(self, query: ScreenQuery) -> PreparedQuery:
        """Parse the query's names (each reading, as a person's and/or an organisation's
        name as the schema says) and clean its details."""
        names: list[NameForm] = []
        seen: set[tuple[object, ...]] = set()
        kinds: tuple[NameKind, ...] = _query_kinds(query.schema)
        limit = query.truncated_at
        for raw in query.names:
            truncated = limit is not None and len(raw.strip()) >= limit
            for name in split_names(raw):
                for kind in kinds:
                    for parsed in parse_name(name, kind):
                        key = (parsed.tokens, kind, parsed.script_key, parsed.acronyms)
                        if key in seen:
                            continue
                        seen.add(key)
                        form = NameForm(name, parsed, self.rarity, kind, truncated)
                        form.memo = self._memos(form)
                        names.append(form)
        dates = sorted({d for v in query.birth_dates if (d := clean_date(v))})
        countries = sorted({c for v in query.nationalities if (c := clean_country(v))})
        docs: list[str] = []
        for v in query.documents:
            docs.extend(d for d in clean_documents(v) if d not in docs)
        datasets = frozenset(query.datasets) if query.datasets is not None else None
        return PreparedQuery(names, dates, countries, docs, query.schema, datasets,
                      query.include_delisted)

    def _memos(self, form: NameForm) -> list[dict[object, float]]:
        """The similarity memos of a query name's parts (``NameForm.memo``), shared by every
        query with the same part: a batch's queries (spellings, aliases and reorderings of
        one person's name) compare the same parts with the same listed parts again and
        again. A part's similarity to a listed part is a function of what
        :func:`~ctnode.match.score.unit_similarity` reads of both, its key here, so the
        scores are those of a fresh memo. Everything kept is forgotten once it holds more
        than ``UNIT_MEMO_ENTRIES`` similarities (counted every ``UNIT_MEMO_CHECK`` names)
        when a name is added, and when the scorer's model changes."""
        memos = self._unit_memos
        self._memo_check += 1
        if self._memo_check >= UNIT_MEMO_CHECK:
            self._memo_check = 0
            if len(memos) + sum(map(len, memos.values())) > UNIT_MEMO_ENTRIES:
                memos.clear()
        if self._memo_model != model_generation():  # the scorer's model changed
            self._memo_model = model_generation()
            memos.clear()
        out = []
        for unit in form.singles:
            key = (unit.latin, unit.alts, unit.symbols, unit.prefix)
            memo = memos.get(key)
            if memo is None:
                memo = memos[key] = {}
            out.append(memo)
        return out

    def _eligible(self, rec: ListedRecord, q: PreparedQuery) -> bool:
        if not rec.alive:
            return False
        if rec.status == "delisted" and not q.include_delisted:
            return False
        return q.datasets is None or rec.dataset in q.datasets

    def name_form(self, name_id: int) -> NameForm:
        """A listed name's form for scoring, kept (up to ``FORM_CACHE`` names)."""
        form = self._forms.get(name_id)
        if form is None:
            if len(self._forms) >= FORM_CACHE:
                self._forms.clear()
            form = self._forms[name_id] = self.new_name_form(name_id)
        return form

    def new_name_form(self, name_id: int) -> NameForm:
        """A listed name's form, not kept: what indexing a name reads once. (Kept by a
        build, the last ``FORM_CACHE`` of a million names stayed in the cache, and the
        first screen after the build paid for freeing them: 0.7 s at 200,000 names.)"""
        parsed = self._name_parsed.get(name_id)
        if parsed is None:
            parsed = ParsedName(self._name_tokens[name_id],
                                self._name_alts.get(name_id) or _NO_ALTS, _NO_SYMBOLS,
                                (), "", (), -1, ())
        kind: NameKind = "org" if self._name_org[name_id] else "person"
        return NameForm(self._name_text[name_id], parsed, self.rarity, kind)

    def _script_families(self, rec: ListedRecord) -> frozenset[str]:
        """Han/Hangul/kana families the record's own names are written in."""
        out = set()
        for name_id in rec.names:
            parsed = self._name_parsed.get(name_id)
            if parsed is not None and parsed.script_key:
                out.add(script_family(parsed.script_key))
        return frozenset(out)

    def _details(self, q: PreparedQuery, rec: ListedRecord) -> list[FeatureExplanation]:
        """The identifying details that contribute (dates, nationality, documents, schema)."""
        return details_of(q.dates, q.countries, q.docs, q.schema, rec)

    def _details_value(self, q: PreparedQuery, rec: ListedRecord) -> float:
        """``sum(f.contribution for f in self._details(q, rec))`` (the same value), without
        the explanations: what a candidate's details add, before its names are scored."""
        return details_value(q.dates, q.countries, q.docs, q.schema, rec.dates,
                             rec.countries, rec.docs, rec.schema)

    def record(self, entity_id: str) -> ListedRecord | None:
        """What this corpus holds of a live record (its cleaned details), or None."""
        idx = self._by_id.get(entity_id)
        return None if idx is None else self._records[idx]

    def _score_record(self, rec_idx: int, q: PreparedQuery, names: Iterable[tuple[float, int]],
                      ) -> ScoredRecord | None:
        """Best name of one record (names given as (bound, id), best bound first) + details.

        A name is skipped once its bound is below the best name score found: it cannot win.
        Ties go to the lower name id, then the earlier query name (as in NaiveMatcher).
        """
        rec = self._records[rec_idx]
        apart = kept_apart(q.schema, rec.schema)
        own_script = self._script_families(rec) if q.script_families else frozenset()
        best: tuple[float, int, int] | None = None
        for bound, name_id in names:
            if best is not None and bound < best[0]:
                break
            cand = self.name_form(name_id)
            factor = self._name_factor[name_id]
            if apart and _short_single(cand):
                continue  # an organisation's acronym or short name never names a person
            for qi, qn in enumerate(q.names):
                if apart and _short_single(qn):
                    continue
                if (qn.script_key and not cand.script_key
                        and script_family(qn.script_key) in own_script):
                    continue  # the record's own Han/Hangul name decides, not its romanisation
                value = name_score_value(qn, cand) * factor
                if value <= 0.0 or (apart and value < MODEL.cross_schema_min):
                    continue
                if (best is None or value > best[0]
                        or (value == best[0] and (name_id, qi) < (best[1], best[2]))):
                    best = (value, name_id, qi)
        if best is None:
            return None
        name_value, name_id, qi = best
        # the details' value (the same sum as their explanations'); those are made for
        # the hits returned only (features_of): most records scored are not reported
        score = name_value + self._details_value(q, rec)
        score = round(min(1.0, max(0.0, score)), 4)
        return ScoredRecord(score, rec_idx, name_id, qi, None)

    def features_of(self, s: ScoredRecord, q: PreparedQuery) -> list[FeatureExplanation]:
        """The explained details of a scored record (what its score added for them)."""
        if s.features is None:
            s.features = self._details(q, self._records[s.rec_idx])
        return s.features

    def _hit(self, s: ScoredRecord, q: PreparedQuery) -> Hit:
        rec = self._records[s.rec_idx]
        cand = self.name_form(s.name_id)
        factor = self._name_factor[s.name_id]
        qn = q.names[s.query_idx]
        # the alignment is rebuilt only for returned hits (same score as name_score_value)
        explanation = explain_name(qn, cand, compare_names(qn, cand), factor,
                                   kept_apart(q.schema, rec.schema)) + self.features_of(s, q)
        return Hit(
            entity_id=rec.id, dataset=rec.dataset, reference=rec.reference, schema=rec.schema,
            caption=rec.caption, matched_name=cand.original, score=s.score,
            band=self.thresholds.band(s.score), explanation=explanation, status=rec.status,
        )

    def compare(self, query: ScreenQuery, entity_id: str) -> Hit | None:
        """The query scored against one listed entity, whatever the score (band ``no match``
        below the report threshold); None when the entity is not held or no name compares.
        The same scoring as ``screen`` (pairwise evaluation, an analyst's "why not?")."""
        idx = self._by_id.get(entity_id)
        if idx is None:
            return None
        with self.screening():
            return self._compare(query, idx)

    def screening(self) -> AbstractContextManager[None]:
        """Name symbols read from this index's table while screening (when loaded)."""
        return symbols.using(self.symbol_table if self.use_symbol_table else None)

    def screen(self, query: ScreenQuery, limit: int = 10,
               include_below: bool = False) -> list[Hit]:
        """The best ``limit`` hits for the query, best first; below the report threshold too
        with ``include_below``. How the candidates are found is the matcher's (``_screen``)."""
        with self.screening():
            q = self.prepare(query)
            if not q.names:
                return []
            hits = self._screen(q, limit, include_below)
        if self._cache_freezes < CACHE_FREEZES and len(self._name_rec) >= FREEZE_AT:
            self._freeze_caches()
        return hits

    def _freeze_caches(self) -> None:
        """Freeze what survived a full collection run since the last screen (after the young
        generations are collected: cycles made since are freed first), see
        ``CACHE_FREEZES``."""
        full = gc.get_stats()[2]["collections"]
        if full != self._full_collections:
            self._full_collections = full
            gc.collect(1)
            gc.freeze()
            self._cache_freezes += 1

    def _screen(self, q: PreparedQuery, limit: int, include_below: bool) -> list[Hit]:
        raise NotImplementedError

    def _compare(self, query: ScreenQuery, idx: int) -> Hit | None:
        q = self.prepare(query)
        if not q.names:
            return None
        result = self._score_record(idx, q, ((1.0, n) for n in self._records[idx].names))
        return None if result is None else self._hit(result, q)

    def score_records(self, query: ScreenQuery, entity_ids: Iterable[str]) -> list[Hit]:
        """The query scored against the given listed entities only (every name of each, as
        the naive matcher scores them), the reportable hits best first. The monitoring
        service re-scores a watched subject against the records a list change touched: the
        same scores a full screen gives for them (same records, same rarity)."""
        q = self.prepare(query)
        if not q.names:
            return []
        scored: list[ScoredRecord] = []
        for entity_id in dict.fromkeys(entity_ids):
            idx = self._by_id.get(entity_id)
            if idx is None or not self._eligible(self._records[idx], q):
                continue
            result = self._score_record(idx, q, ((1.0, n) for n in self._records[idx].names))
            if result is not None:
                scored.append(result)
        return self._finish(scored, q, len(scored), include_below=False)

    def _finish(self, scored: list[ScoredRecord], q: PreparedQuery, limit: int,
                include_below: bool) -> list[Hit]:
        if not include_below:
            scored = [s for s in scored if s.score >= self.thresholds.report]
        entity_id = self._records.entity_id
        scored.sort(key=lambda s: (-s.score, entity_id(s.rec_idx)))
        return [self._hit(s, q) for s in scored[:limit]]
