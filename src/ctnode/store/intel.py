"""SQL for threat intelligence (``schema_intel``): TAXII collections of STIX object versions,
watchlist links, POST status resources, pull sources. Parameterised SQLAlchemy Core only.

``select`` is the TAXII selection of ``ctnode.intel.taxii.collection`` in one statement,
held to the naive reference ``select_records`` by the tests: the id, type and TLP
filters, the newest spec version of each object (or the ones asked), the versions
asked (``last``/``first`` as "no other version of the same object in the pool is
later/earlier", a correlated ``NOT EXISTS`` on the object index), ``added_after``,
then a keyset walk over ``(date_added, seq)`` that reads about ``limit`` rows a page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    delete,
    exists,
    false,
    func,
    or_,
    select,
    true,
    tuple_,
    update,
)

from ctnode.clock import as_utc
from ctnode.errors import NotFound
from ctnode.intel.taxii.collection import (
    AddOutcome,
    ObjectRecord,
    Page,
    StoredJson,
    make_record,
)
from ctnode.intel.taxii.collection import select_records as reference_select
from ctnode.intel.taxii.query import Cursor, ObjectQuery, VersionMatch
from ctnode.intel.timestamps import object_version
from ctnode.intel.watchlist import extract_list_references
from ctnode.model.tlp import TLP
from ctnode.store.database import Database, chunks, rows
from ctnode.store.schema_intel import (
    intel_collections,
    intel_links,
    intel_objects,
    intel_sources,
    intel_status,
)

Row = dict[str, Any]
o = intel_objects
# An add of at least this many versions that doubles its collection refreshes the planner's
# statistics (PostgreSQL; see ``Database.analyze``).
ANALYZE_MIN_ROWS = 1000


def _simple(t: Any, collection_id: str, q: ObjectQuery) -> list[ColumnElement[bool]]:
    """The id, type and TLP filters (step 1 of the selection) on table or alias ``t``."""
    conds: list[ColumnElement[bool]] = [t.c.collection_id == collection_id]
    if q.ids:
        conds.append(t.c.object_id.in_(sorted(q.ids)))
    if q.types:
        conds.append(t.c.type.in_(sorted(q.types)))
    if q.tlp_levels is not None:
        conds.append(t.c.tlp.in_(sorted(level.value for level in q.tlp_levels)))
    return conds


def _same_pool(other: Any, collection_id: str, q: ObjectQuery) -> list[ColumnElement[bool]]:
    """``other`` is another version of the outer row's object that the version filter weighs:
    it passes the simple filters and the spec-version rule."""
    conds = [*_simple(other, collection_id, q), other.c.object_id == o.c.object_id]
    if q.spec_versions:
        conds.append(other.c.spec_version.in_(sorted(q.spec_versions)))
    else:
        conds.append(other.c.spec_version == o.c.spec_version)
    return conds


def _spec_rule(collection_id: str, q: ObjectQuery) -> ColumnElement[bool]:
    if q.spec_versions:
        return o.c.spec_version.in_(sorted(q.spec_versions))
    # "no version of the object in the pool has a newer spec version": the same as equalling
    # the pool's max(), but an anti-join PostgreSQL estimates well (an equality with a scalar
    # subquery it guessed at 0.5% of rows, and read and sorted the whole collection: 5 s)
    other = o.alias("spec")
    return ~exists().where(*_simple(other, collection_id, q),
                           other.c.object_id == o.c.object_id,
                           other.c.spec_version > o.c.spec_version)


def _version_rule(collection_id: str, q: ObjectQuery) -> ColumnElement[bool]:
    vm = q.versions
    if vm.all:
        return true()
    chosen: list[ColumnElement[bool]] = []
    for wanted, later in ((vm.last, True), (vm.first, False)):
        if not wanted:
            continue
        other = o.alias("later" if later else "earlier")
        beyond = (
            or_(
                other.c.version > o.c.version,
                and_(other.c.version == o.c.version, other.c.seq > o.c.seq),
            )
            if later
            else or_(
                other.c.version < o.c.version,
                and_(other.c.version == o.c.version, other.c.seq < o.c.seq),
            )
        )
        chosen.append(~exists().where(*_same_pool(other, collection_id, q), beyond))
    if vm.exact:
        chosen.append(o.c.version.in_(sorted(vm.exact)))
    return or_(*chosen) if chosen else false()


def _newest_only(collection_id: str, q: ObjectQuery) -> ColumnElement[bool]:
    """The default query's spec-version and ``last`` rules as one condition: no other
    version of the object in the pool has a newer spec version, or the same spec version
    and a later version (one probe of the object index per row instead of two)."""
    other = o.alias("newer")
    beyond = or_(
        other.c.spec_version > o.c.spec_version,
        and_(
            other.c.spec_version == o.c.spec_version,
            or_(
                other.c.version > o.c.version,
                and_(other.c.version == o.c.version, other.c.seq > o.c.seq),
            ),
        ),
    )
    return ~exists().where(*_simple(other, collection_id, q),
                           other.c.object_id == o.c.object_id, beyond)


def _record(row: Row) -> ObjectRecord:
    return ObjectRecord(
        id=row["object_id"],
        type=row["type"],
        spec_version=row["spec_version"],
        version=row["version"],
        date_added=row["date_added"],
        seq=int(row["seq"]),
        tlp=TLP(row["tlp"]),
        obj=orjson.loads(row["body"]),
    )


_TLPS = {level.value: level for level in TLP}


def _records(result: Iterable[Any]) -> list[ObjectRecord]:
    """Records from rows of ``_RECORD_COLUMNS`` (a page: tuples, no per-row dict; the body
    left as its JSON text until someone reads it)."""
    return [
        ObjectRecord(
            id=oid,
            type=typ,
            spec_version=spec,
            version=_utc(version),
            date_added=_utc(added),
            seq=int(seq),
            tlp=_TLPS[tlp],
            obj=StoredJson(body),
        )
        for oid, typ, spec, version, added, seq, tlp, body in result
    ]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_RECORD_COLUMNS = (
    o.c.object_id,
    o.c.type,
    o.c.spec_version,
    o.c.version,
    o.c.date_added,
    o.c.seq,
    o.c.tlp,
    o.c.body,
)


class SqlIntel:
    """Collections, object versions, links, status resources, pull sources
    (``ctnode.store.contracts.IntelStore``; its ``select`` is an ``ObjectSource``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- collections --------------------------------------------------------------------

    def add_collection(self, conn: Connection, row: Row) -> None:
        conn.execute(intel_collections.insert().values(**row))

    def list_collections(self) -> list[Row]:
        return self.db.query(select(intel_collections).order_by(intel_collections.c.created_at))

    def find_collection(self, key: str) -> Row | None:
        """A collection by its id or alias."""
        c = intel_collections
        found = self.db.query(select(c).where(or_(c.c.id == key, c.c.alias == key)))
        return found[0] if found else None

    def count_objects(self, collection_id: str | None = None) -> dict[str, int]:
        """Object versions per collection (one collection, or all)."""
        q = select(o.c.collection_id, func.count()).group_by(o.c.collection_id)
        if collection_id is not None:
            q = q.where(o.c.collection_id == collection_id)
        with self.db.engine.connect() as conn:
            return {str(cid): int(n) for cid, n in conn.execute(q)}

    # -- objects ------------------------------------------------------------------------

    def select(self, collection_id: str, query: ObjectQuery) -> Page:
        """One TAXII page (``ObjectSource.select``), by the rules of ``select_records``."""
        vm = query.versions
        if not query.spec_versions and vm.last and not (vm.first or vm.all or vm.exact):
            rules = [_newest_only(collection_id, query)]  # the default: newest versions
        else:
            rules = [_spec_rule(collection_id, query), _version_rule(collection_id, query)]
        conds = [*_simple(o, collection_id, query), *rules]
        if query.added_after is not None:
            conds.append(o.c.date_added > query.added_after)
        if query.next is not None:
            at, seq = query.next.date_added, query.next.seq
            # a row-value comparison: both engines start the index walk right after the
            # cursor (with "date_added >= at" alone, a page deep in one large import, where
            # every row has the same date_added, walked every row before the cursor)
            conds.append(tuple_(o.c.date_added, o.c.seq) > tuple_(at, seq))
        stmt = select(*_RECORD_COLUMNS).where(*conds)
        if query.ids:
            # a few objects' versions: read on the object index and ordered here (with ORDER
            # BY and LIMIT, SQLite walked the collection's date index instead: every row)
            with self.db.engine.connect() as conn:
                records = sorted(_records(conn.execute(stmt)), key=lambda r: (r.date_added, r.seq))
            records = records[: query.limit + 1]
        else:
            stmt = stmt.order_by(o.c.date_added, o.c.seq).limit(query.limit + 1)
            with self.db.engine.connect() as conn:
                records = _records(conn.execute(stmt))
        if len(records) <= query.limit:
            return Page(records)
        records = records[: query.limit]
        last = records[-1]
        return Page(records, more=True, next=Cursor(last.date_added, last.seq).encode())

    def types(self, collection_id: str) -> list[str]:
        """The STIX types a collection holds (read on the type index), in order."""
        q = select(o.c.type).where(o.c.collection_id == collection_id).distinct().order_by(o.c.type)
        with self.db.engine.connect() as conn:
            return [str(t) for t in conn.execute(q).scalars()]

    def referring(self, collection_id: str, object_id: str, *,
                  refs: Mapping[str, Iterable[str]], limit: int) -> list[ObjectRecord]:
        """The newest versions of the objects that name ``object_id`` in one of the
        properties ``refs`` gives for their type (``{"relationship": ["source_ref",
        "target_ref"], "sighting": ["sighting_of_ref"]}``), in the order added, at most
        ``limit``. Read in the stored text (compact JSON, as ``add_objects`` writes it: one
        ``"property":"id"`` pattern each) over the type index; the caller checks the parsed
        object."""
        q = ObjectQuery(types=frozenset(refs), limit=limit)
        name = orjson.dumps(object_id).decode()
        named = or_(*(and_(o.c.type == kind, or_(*(
            o.c.body.contains(f'"{prop}":{name}', autoescape=True) for prop in props)))
            for kind, props in refs.items()))
        stmt = select(*_RECORD_COLUMNS).where(*_simple(o, collection_id, q), named,
                                               _newest_only(collection_id, q))
        with self.db.engine.connect() as conn:
            # ordered here: with ORDER BY SQLite walked the date index (every row) instead
            found = sorted(_records(conn.execute(stmt)), key=lambda r: (r.date_added, r.seq))
        return found[:limit]

    def add_objects(
        self,
        conn: Connection,
        collection_id: str,
        objects: Iterable[Mapping[str, Any]],
        now: datetime,
        *,
        source: str,
        actor: str,
        default_tlp: TLP,
    ) -> list[AddOutcome]:
        """Add validated objects to a collection in the caller's transaction.

        Every object of one call gets the same ``date_added`` (never earlier than the
        collection's latest) and increasing ``seq``; a version already present is a
        success without a copy. The newest version of an object decides its watchlist
        links.
        """
        locked = conn.execute(
            select(intel_collections.c.id)
            .where(intel_collections.c.id == collection_id)
            .with_for_update()
        ).first()
        if locked is None:
            raise NotFound(f"no collection {collection_id}")
        top_seq, top_added = conn.execute(
            select(func.max(o.c.seq), func.max(o.c.date_added)).where(
                o.c.collection_id == collection_id
            )
        ).one()
        latest = as_utc(top_added)
        if latest is not None and now < latest:
            now = latest
        seq = int(top_seq or 0)
        objs = list(objects)
        ids = sorted({str(obj["id"]) for obj in objs})
        present: set[tuple[str, datetime, str]] = set()
        newest: dict[str, datetime] = {}
        for chunk in chunks(ids, 500):
            for oid, version, spec in conn.execute(
                select(o.c.object_id, o.c.version, o.c.spec_version).where(
                    o.c.collection_id == collection_id, o.c.object_id.in_(chunk)
                )
            ):
                v = as_utc(version)
                assert v is not None
                present.add((oid, v, spec))
                newest[oid] = max(newest.get(oid, v), v)
        existed = set(newest)
        outcomes: list[AddOutcome] = []
        new_rows: list[Row] = []
        relinked: dict[str, ObjectRecord] = {}
        for obj in objs:
            record = make_record(obj, now, seq + 1, default_tlp)
            key = (record.id, record.version, record.spec_version)
            # a cyber observable has no version stamp: its id is derived from its content, so
            # the same id is the same object, already present
            if key in present or (object_version(obj) is None and record.id in newest):
                outcomes.append(AddOutcome(record.id, record.version_text, True, "already present"))
                continue
            seq += 1
            present.add(key)
            new_rows.append(
                {
                    "collection_id": collection_id,
                    "seq": seq,
                    "object_id": record.id,
                    "type": record.type,
                    "spec_version": record.spec_version,
                    "version": record.version,
                    "date_added": now,
                    "tlp": record.tlp.value,
                    "revoked": bool(obj.get("revoked", False)),
                    "body": orjson.dumps(obj).decode(),
                    "source": source[:300],
                    "added_by": actor,
                }
            )
            if record.id not in newest or record.version >= newest[record.id]:
                newest[record.id] = record.version
                relinked[record.id] = record
            outcomes.append(AddOutcome(record.id, record.version_text, True))
        self.db.insert(conn, o, new_rows)
        if len(new_rows) >= ANALYZE_MIN_ROWS and len(new_rows) >= int(top_seq or 0):
            # an add that (at least) doubles the collection: fresh planner statistics, or
            # PostgreSQL answers a page of a freshly loaded collection by reading all of it
            self.db.analyze(conn, o)
        self._relink(conn, collection_id, relinked.values(), existed)
        return outcomes

    def _relink(
        self,
        conn: Connection,
        collection_id: str,
        records: Iterable[ObjectRecord],
        existed: set[str] | None = None,
    ) -> None:
        """Replace the links of these objects by what their given (newest) versions say;
        only objects in ``existed`` (default: all of them) can have links to drop."""
        records = list(records)
        stale = [r.id for r in records if existed is None or r.id in existed]
        for chunk in chunks(stale, 500):
            conn.execute(
                delete(intel_links).where(
                    intel_links.c.collection_id == collection_id,
                    intel_links.c.object_id.in_(chunk),
                )
            )
        links: list[Row] = []
        for record in records:
            seen: set[str] = set()
            for ref in extract_list_references(record.obj):
                if ref.entity_id in seen:
                    continue
                seen.add(ref.entity_id)
                name = record.obj.get("name")
                links.append(
                    {
                        "collection_id": collection_id,
                        "object_id": record.id,
                        "entity_id": ref.entity_id,
                        "dataset": ref.dataset,
                        "reference": ref.reference,
                        "object_type": record.type,
                        "name": str(name) if name else None,
                    }
                )
        if links:
            conn.execute(intel_links.insert(), links)

    def delete_object(
        self, conn: Connection, collection_id: str, object_id: str, query: ObjectQuery | None = None
    ) -> int:
        """Remove the versions of one object the query's version filters pick (all by default)."""
        found = [
            _record(r)
            for r in rows(
                conn.execute(
                    select(*_RECORD_COLUMNS).where(
                        o.c.collection_id == collection_id, o.c.object_id == object_id
                    )
                )
            )
        ]
        if not found:
            return 0
        q = query or ObjectQuery(
            versions=VersionMatch(last=False, all=True), spec_versions=frozenset({"2.0", "2.1"})
        )
        q = replace(
            q,
            ids=frozenset({object_id}),
            tlp_levels=None,
            next=None,
            added_after=None,
            limit=len(found) + 1,
        )
        doomed = [r.seq for r in reference_select(found, q).records]
        if not doomed:
            return 0
        conn.execute(delete(o).where(o.c.collection_id == collection_id, o.c.seq.in_(doomed)))
        rest = [r for r in found if r.seq not in set(doomed)]
        conn.execute(
            delete(intel_links).where(
                intel_links.c.collection_id == collection_id, intel_links.c.object_id == object_id
            )
        )
        if rest:
            self._relink(conn, collection_id, [max(rest, key=lambda r: (r.version, r.seq))])
        return len(doomed)

    # -- watchlist links ----------------------------------------------------------------

    def links(self, *, entity_id: str | None = None, object_id: str | None = None,
              dataset: str | None = None, reference: str | None = None) -> list[Row]:
        """Links by the record's id, the linking object, or the list and reference named."""
        q = select(intel_links).order_by(intel_links.c.entity_id, intel_links.c.object_id)
        for column, value in (("entity_id", entity_id), ("object_id", object_id),
                              ("dataset", dataset), ("reference", reference)):
            if value is not None:
                q = q.where(intel_links.c[column] == value)
        return self.db.query(q)

    # -- status resources ---------------------------------------------------------------

    def add_status(self, conn: Connection, row: Row) -> None:
        conn.execute(intel_status.insert().values(**row))

    def get_status(self, status_id: str) -> Row | None:
        found = self.db.query(select(intel_status).where(intel_status.c.id == status_id))
        return found[0] if found else None

    # -- pull sources -------------------------------------------------------------------

    def add_source(self, conn: Connection, row: Row) -> None:
        conn.execute(intel_sources.insert().values(**row))

    def list_sources(self) -> list[Row]:
        return self.db.query(select(intel_sources).order_by(intel_sources.c.name))

    def get_source(self, name: str) -> Row:
        found = self.db.query(select(intel_sources).where(intel_sources.c.name == name))
        if not found:
            raise NotFound(f"no TAXII source named {name!r}")
        return found[0]

    def update_source(self, conn: Connection, name: str, **values: Any) -> None:
        conn.execute(update(intel_sources).where(intel_sources.c.name == name).values(**values))

    def remove_source(self, conn: Connection, name: str) -> None:
        conn.execute(delete(intel_sources).where(intel_sources.c.name == name))
