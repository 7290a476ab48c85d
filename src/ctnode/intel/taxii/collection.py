"""Stored object versions, the selection rules of TAXII 2.1, and an in-memory collection.

:func:`select_records` is the naive reference: it states the selection rules by
scanning every record. :class:`MemoryCollection` answers the same queries from
sorted indexes (a page costs about ``limit`` record checks), and the SQL store of the
integration step implements :class:`ObjectSource` too; tests hold both to the
reference.

Selection, in this order (the same in every implementation):

1. ``match[id]``, ``match[type]`` and the requester's TLP levels narrow the records;
2. ``match[spec_version]`` keeps the named spec versions, or by default each object's
   newest spec version only;
3. ``match[version]`` picks, per object, among what is left: ``last`` (default),
   ``first``, ``all``, or exact version timestamps;
4. ``added_after`` keeps records added strictly later;
5. records are ordered by ``(date_added, seq)``; the page starts after the ``next``
   cursor and holds at most ``limit`` records; ``more`` says whether any follow.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import orjson

from ctnode.intel.taxii.query import (
    Cursor,
    ObjectQuery,
    VersionMatch,
    parse_timestamp,
)
from ctnode.intel.timestamps import format_timestamp, object_version
from ctnode.model.tlp import TLP, effective_tlp


class StoredJson(Mapping[str, Any]):
    """A STIX object as a store holds it: its JSON text, decoded only when read. A TAXII
    page writes the text as it is (``orjson.Fragment``, see :func:`json_default`), so serving
    a page neither decodes nor re-encodes the objects. The text must be JSON the node wrote."""

    __slots__ = ("_data", "text")

    def __init__(self, text: str | bytes) -> None:
        self.text = text
        self._data: dict[str, Any] | None = None

    def _obj(self) -> dict[str, Any]:
        if self._data is None:
            self._data = orjson.loads(self.text)
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._obj()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._obj().get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._obj())

    def __len__(self) -> int:
        return len(self._obj())

    def __repr__(self) -> str:
        return f"StoredJson({self.text!r:.80})"


def wire(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """An object as a response body holds it: a stored object as it is (a mapping still;
    written out as its text by :func:`json_default`), any other as a plain dict."""
    if isinstance(obj, StoredJson):
        return obj
    return dict(obj)


def json_default(value: Any) -> Any:
    """``orjson.dumps``' ``default``: a stored object is written as its text, unchanged."""
    if isinstance(value, StoredJson):
        return orjson.Fragment(value.text)
    raise TypeError(f"{type(value).__name__} is not JSON")


@dataclass(frozen=True, slots=True)
class ObjectRecord:
    """One version of one STIX object in one collection, as a store keeps it."""

    id: str
    type: str
    spec_version: str
    version: datetime  # modified, else created, else date_added (SCOs)
    date_added: datetime
    seq: int  # unique, increasing within the collection: the tie-breaker of date_added
    tlp: TLP
    obj: Mapping[str, Any]

    @property
    def key(self) -> tuple[datetime, int]:
        return (self.date_added, self.seq)

    @property
    def media_type(self) -> str:
        return f"application/stix+json;version={self.spec_version}"

    @property
    def version_text(self) -> str:
        """The version as TAXII reports it (the object's own timestamp string when it has one)."""
        return object_version(self.obj) or format_timestamp(self.date_added)


def make_record(
    obj: Mapping[str, Any], date_added: datetime, seq: int, default_tlp: TLP = TLP.AMBER_STRICT
) -> ObjectRecord:
    """A record for a validated STIX object (see ``stix.parse_stix``)."""
    stamp = object_version(obj)
    return ObjectRecord(
        id=str(obj["id"]),
        type=str(obj["type"]),
        spec_version=str(obj.get("spec_version", "2.1")),
        version=parse_timestamp(stamp, "modified") if stamp else date_added,
        date_added=date_added,
        seq=seq,
        tlp=effective_tlp(obj, default_tlp),
        obj=obj,
    )


@dataclass(slots=True)
class Page:
    """One page of records and whether more follow."""

    records: list[ObjectRecord]
    more: bool = False
    next: str | None = None

    @property
    def date_added_first(self) -> datetime | None:
        return self.records[0].date_added if self.records else None

    @property
    def date_added_last(self) -> datetime | None:
        return self.records[-1].date_added if self.records else None


@dataclass(slots=True)
class AddOutcome:
    """What became of one object offered to a collection."""

    id: str
    version: str
    added: bool
    message: str | None = None


class ObjectSource(Protocol):
    """What the TAXII layer reads objects from (memory here; SQLite/PostgreSQL in the store)."""

    def select(self, collection_id: str, query: ObjectQuery) -> Page: ...


class ObjectStore(ObjectSource, Protocol):
    """A collection the node writes to: validated objects in, one outcome per object.

    ``add`` gives every object of one call the same ``date_added`` (never earlier than
    the collection's latest) and increasing ``seq``; an object version already present
    is a success without a copy. ``delete`` removes the versions the query's version
    and spec-version filters pick and returns how many.
    """

    def add(
        self, collection_id: str, objects: Iterable[Mapping[str, Any]], now: datetime
    ) -> list[AddOutcome]: ...

    def delete(
        self, collection_id: str, object_id: str, query: ObjectQuery | None = None
    ) -> int: ...


def _spec_key(spec: str) -> tuple[int, ...]:
    return tuple(int(p) for p in spec.split(".") if p.isdigit())


def _chosen_versions(versions: Sequence[ObjectRecord], query: ObjectQuery) -> set[int]:
    """Seqs of the versions of one object that the spec_version and version filters keep."""
    if query.spec_versions:
        pool = [r for r in versions if r.spec_version in query.spec_versions]
    else:
        newest = max((_spec_key(r.spec_version) for r in versions), default=())
        pool = [r for r in versions if _spec_key(r.spec_version) == newest]
    if not pool:
        return set()
    vm = query.versions
    if vm.all:
        return {r.seq for r in pool}
    chosen: set[int] = set()
    ordered = sorted(pool, key=lambda r: (r.version, r.seq))
    if vm.last:
        chosen.add(ordered[-1].seq)
    if vm.first:
        chosen.add(ordered[0].seq)
    if vm.exact:
        chosen.update(r.seq for r in pool if r.version in vm.exact)
    return chosen


def _passes_simple(r: ObjectRecord, query: ObjectQuery) -> bool:
    if query.ids and r.id not in query.ids:
        return False
    if query.types and r.type not in query.types:
        return False
    return query.tlp_levels is None or r.tlp in query.tlp_levels


def _paginate(ordered: Iterable[ObjectRecord], query: ObjectQuery) -> Page:
    start = query.next
    out: list[ObjectRecord] = []
    for r in ordered:
        if start is not None and r.key <= (start.date_added, start.seq):
            continue
        if len(out) == query.limit:
            last = out[-1]
            return Page(out, more=True, next=Cursor(last.date_added, last.seq).encode())
        out.append(r)
    return Page(out)


def select_records(records: Iterable[ObjectRecord], query: ObjectQuery) -> Page:
    """The naive reference: apply the selection rules to every record."""
    by_id: dict[str, list[ObjectRecord]] = {}
    for r in records:
        if _passes_simple(r, query):
            by_id.setdefault(r.id, []).append(r)
    kept: list[ObjectRecord] = []
    for versions in by_id.values():
        chosen = _chosen_versions(versions, query)
        kept.extend(r for r in versions if r.seq in chosen)
    if query.added_after is not None:
        after = query.added_after
        kept = [r for r in kept if r.date_added > after]
    kept.sort(key=lambda r: r.key)
    return _paginate(kept, query)


@dataclass(slots=True)
class _Collection:
    ordered: list[ObjectRecord] = field(default_factory=list)  # by (date_added, seq)
    keys: list[tuple[datetime, int]] = field(default_factory=list)
    by_type: dict[str, list[ObjectRecord]] = field(default_factory=dict)
    by_id: dict[str, list[ObjectRecord]] = field(default_factory=dict)


class MemoryCollection:
    """Collections held in memory with indexes; the fast implementation of ``ObjectSource``.

    Used by tests, benchmarks and the TAXII client's local mirror; the node's own
    collections live in the SQL store.
    """

    def __init__(self, default_tlp: TLP = TLP.AMBER_STRICT) -> None:
        self._cols: dict[str, _Collection] = {}
        self._seq = 0
        self._default_tlp = default_tlp

    def records(self, collection_id: str) -> list[ObjectRecord]:
        """Every record of a collection, in (date_added, seq) order."""
        return list(self._cols.get(collection_id, _Collection()).ordered)

    def add(
        self, collection_id: str, objects: Iterable[Mapping[str, Any]], now: datetime
    ) -> list[AddOutcome]:
        """Add validated objects; an object version already present is a success, not a copy."""
        col = self._cols.setdefault(collection_id, _Collection())
        if col.ordered and now < col.ordered[-1].date_added:
            now = col.ordered[-1].date_added  # date_added never goes backwards within a collection
        outcomes: list[AddOutcome] = []
        for obj in objects:
            self._seq += 1
            record = make_record(obj, now, self._seq, self._default_tlp)
            existing = col.by_id.get(record.id, [])
            if any(
                e.version == record.version and e.spec_version == record.spec_version
                for e in existing
            ):
                outcomes.append(AddOutcome(record.id, record.version_text, True, "already present"))
                continue
            col.ordered.append(record)
            col.keys.append(record.key)
            col.by_type.setdefault(record.type, []).append(record)
            col.by_id.setdefault(record.id, []).append(record)
            outcomes.append(AddOutcome(record.id, record.version_text, True))
        return outcomes

    def delete(self, collection_id: str, object_id: str, query: ObjectQuery | None = None) -> int:
        """Remove the versions of one object that ``query``'s version filters pick (all by default)."""
        col = self._cols.get(collection_id)
        if col is None or object_id not in col.by_id:
            return 0
        q = query or ObjectQuery(
            versions=VersionMatch(last=False, all=True), spec_versions=frozenset({"2.0", "2.1"})
        )
        doomed = _chosen_versions(col.by_id[object_id], q)
        if not doomed:
            return 0
        col.ordered = [r for r in col.ordered if r.seq not in doomed]
        col.keys = [r.key for r in col.ordered]
        for name, recs in list(col.by_type.items()):
            col.by_type[name] = [r for r in recs if r.seq not in doomed]
        left = [r for r in col.by_id[object_id] if r.seq not in doomed]
        if left:
            col.by_id[object_id] = left
        else:
            del col.by_id[object_id]
        return len(doomed)

    def _candidates(self, col: _Collection, query: ObjectQuery) -> Iterator[ObjectRecord]:
        """Records in (date_added, seq) order from the first one the page could hold."""
        lower: tuple[datetime, int] | None = None
        if query.next is not None:
            lower = (query.next.date_added, query.next.seq)
        if query.added_after is not None:
            floor = (query.added_after, 1 << 62)  # strictly after: skip every seq at that instant
            lower = floor if lower is None else max(lower, floor)
        if query.ids:
            recs = sorted((r for i in query.ids for r in col.by_id.get(i, ())), key=lambda r: r.key)
            return iter(recs if lower is None else [r for r in recs if r.key > lower])
        if query.types:
            lists = [col.by_type.get(t, []) for t in sorted(query.types)]
            starts = [
                0 if lower is None else bisect.bisect_right(lst, lower, key=lambda r: r.key)
                for lst in lists
            ]
            return heapq.merge(
                *(lst[s:] for lst, s in zip(lists, starts, strict=True)), key=lambda r: r.key
            )
        start = 0 if lower is None else bisect.bisect_right(col.keys, lower)
        return iter(col.ordered[start:])

    def select(self, collection_id: str, query: ObjectQuery) -> Page:
        col = self._cols.get(collection_id)
        if col is None:
            return Page([])
        return _paginate(self._selected(col, query), query)

    def _selected(self, col: _Collection, query: ObjectQuery) -> Iterator[ObjectRecord]:
        """The records the query selects, lazily, in page order."""
        cache: dict[str, set[int]] = {}
        for r in self._candidates(col, query):
            if not _passes_simple(r, query):
                continue
            chosen = cache.get(r.id)
            if chosen is None:
                versions = [v for v in col.by_id[r.id] if _passes_simple(v, query)]
                chosen = cache[r.id] = _chosen_versions(versions, query)
            if r.seq in chosen:
                yield r
