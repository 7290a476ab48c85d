"""Entities as statements with provenance: reads, imports (one transaction, delta on
re-import), delisting, and the change marks the match index follows.

Only this module writes the ``datasets``, ``entities``, ``statements``, ``imports`` and
``entity_events`` tables. All SQL is parameterised SQLAlchemy Core.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, distinct, func, select, update

from ctnode import collector
from ctnode.clock import as_utc, utcnow
from ctnode.errors import Conflict, ListConflict, NotFound
from ctnode.model.entities import IDENTIFYING_PROPS, Entity, Statement
from ctnode.model.lists import ImportReport, ParsedList
from ctnode.store import schema as tables
from ctnode.store import schema_biometrics as bio
from ctnode.store.database import CHUNK, Database, chunks

Progress = Callable[[int, int], None]

# Properties whose change alone does not make a record "changed" for analysts (links that a
# list adds to every record when its format grows); their new values are still stored.
CHANGE_IGNORED_PROPS = frozenset({"sourceUrl"})


# Columns read back into an Entity and a Statement, and the counts an import records.
ENTITY_FIELDS = ("id", "schema", "dataset", "reference", "status", "first_seen", "last_seen",
                 "delisted_at")
STATEMENT_FIELDS = ("prop", "value", "original", "dataset", "lang", "first_seen", "last_seen")
IMPORT_COUNTS = ("added", "changed", "removed", "relisted", "unchanged")
# The columns a bulk import writes, in the order of ``_entity_values`` / ``_stmt_values``.
ENTITY_COLUMNS = ("id", "dataset", "schema", "reference", "caption", "status", "fingerprint",
                  "first_seen", "last_seen", "delisted_at")
STATEMENT_COLUMNS = ("entity_id", "dataset", "prop", "value", "original", "lang",
                     "first_seen", "last_seen")
EVENT_COLUMNS = ("entity_id", "kind", "import_id", "at", "detail")
# json.dumps(..., ensure_ascii=False) without making an encoder per call (the same text)
_FP_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def _utc(value: Any) -> Any:
    return as_utc(value) if isinstance(value, datetime) else value


def entity_fingerprint(entity: Entity) -> str:
    """A stable hash of exactly what a source says about an entity (to detect any difference)."""
    body = _FP_JSON.encode([entity.schema, entity.reference, entity.fingerprint()])
    return hashlib.sha256(body.encode()).hexdigest()


def substance(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """What counts as a change: values with whitespace collapsed, link-only props left out."""
    return {(p, " ".join(v.split())) for p, v in pairs if p not in CHANGE_IGNORED_PROPS}


class SqlEntities:
    """The entity store (``ctnode.store.contracts.EntityStore``) over SQLAlchemy Core."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.engine = db.engine

    def get_entity(self, entity_id: str) -> Entity:
        with self.engine.connect() as conn:
            row = conn.execute(select(tables.entities).where(tables.entities.c.id == entity_id)).first()
            if row is None:
                raise NotFound(f"no entity with id {entity_id!r}")
            stmts = conn.execute(
                select(tables.statements)
                .where(tables.statements.c.entity_id == entity_id)
                .order_by(tables.statements.c.id)
            ).all()
        return self._entity(row._mapping, [s._mapping for s in stmts])

    def property_values(self, entity_ids: Sequence[str],
                        props: Iterable[str]) -> list[tuple[str, str, str]]:
        """(entity id, property, value) of the given properties of many entities, in one query
        per 500 ids (a search's facets, without reading each whole record)."""
        st = tables.statements.c
        wanted = sorted(set(props))
        out: list[tuple[str, str, str]] = []
        with self.engine.connect() as conn:
            for i in range(0, len(entity_ids), 500):
                rows = conn.execute(
                    select(st.entity_id, st.prop, st.value)
                    .where(st.entity_id.in_(entity_ids[i:i + 500]), st.prop.in_(wanted))
                    .order_by(st.id)
                ).all()
                out.extend((r.entity_id, r.prop, r.value) for r in rows)
        return out

    def referring(self, entity_id: str, props: Iterable[str]) -> list[tuple[str, str]]:
        """(entity id, property) of the entities whose entity-typed ``props`` name this one."""
        st = tables.statements.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(st.entity_id, st.prop).distinct()
                .where(st.value == entity_id, st.prop.in_(sorted(set(props))))
                .order_by(st.entity_id, st.prop)
            ).all()
        return [(r.entity_id, r.prop) for r in rows]

    def lists_of(self, entity_ids: Iterable[str]) -> dict[str, str]:
        """The list (dataset) of each of ``entity_ids`` held here; ids not held are left out."""
        out: dict[str, str] = {}
        e = tables.entities.c
        with self.engine.connect() as conn:
            for chunk_ids in chunks(sorted(set(entity_ids)), CHUNK):
                out.update(conn.execute(
                    select(e.id, e.dataset).where(e.id.in_(chunk_ids))).all())
        return out

    def find_by_reference(self, reference: str, dataset: str | None = None) -> Entity:
        """The record with this list reference (in ``dataset`` only, when given)."""
        e = tables.entities.c
        q = select(e.id).where(e.reference == reference)
        if dataset is not None:
            q = q.where(e.dataset == dataset)
        with self.engine.connect() as conn:
            ids = conn.execute(q.order_by(e.id)).scalars().all()
        if not ids:
            where = f" in list {dataset!r}" if dataset is not None else ""
            raise NotFound(f"no entity with reference {reference!r}{where}")
        return self.get_entity(ids[0])

    @staticmethod
    def _entity(row: Any, stmts: Iterable[Any]) -> Entity:
        entity = Entity(**{k: _utc(row[k]) for k in ENTITY_FIELDS})
        entity.statements = [Statement(**{k: _utc(s[k]) for k in STATEMENT_FIELDS}) for s in stmts]
        return entity

    def iter_entities(
        self,
        *,
        dataset: str | None = None,
        schema: str | None = None,
        status: str | None = None,
        batch: int = CHUNK,
    ) -> Iterator[Entity]:
        """Every entity (optionally filtered), with statements, streamed in id order."""
        last = ""
        while True:
            q = select(tables.entities).where(tables.entities.c.id > last)
            if dataset:
                q = q.where(tables.entities.c.dataset == dataset)
            if schema:
                q = q.where(tables.entities.c.schema == schema)
            if status:
                q = q.where(tables.entities.c.status == status)
            q = q.order_by(tables.entities.c.id).limit(batch)
            with self.engine.connect() as conn:
                rows = [r._mapping for r in conn.execute(q)]
                if not rows:
                    return
                ids = [r["id"] for r in rows]
                by_id: dict[str, list[Any]] = {i: [] for i in ids}
                for s in conn.execute(
                    select(tables.statements)
                    .where(tables.statements.c.entity_id.in_(ids))
                    .order_by(tables.statements.c.id)
                ):
                    by_id[s.entity_id].append(s._mapping)
            for r in rows:
                yield self._entity(r, by_id[r["id"]])
            last = ids[-1]

    def iter_for_matching(self, props: Iterable[str],
                          exclude: str | None = None) -> Iterator[Entity]:
        """Every entity with only the statements of ``props``, in one streamed query, by id
        (``exclude``: but those of that dataset).

        What the match index is built from: far faster than ``iter_entities`` at
        millions of entities (no per-batch look-ups, no provenance columns).
        """
        q = (
            select(
                tables.entities.c.id, tables.entities.c.schema, tables.entities.c.dataset,
                tables.entities.c.reference, tables.entities.c.status, tables.statements.c.prop,
                tables.statements.c.value,
            )
            .join(tables.statements, tables.statements.c.entity_id == tables.entities.c.id)
            .where(tables.statements.c.prop.in_(sorted(set(props))))
            .order_by(tables.statements.c.entity_id, tables.statements.c.id)
        )
        if exclude is not None:
            q = q.where(tables.entities.c.dataset != exclude)
        current: Entity | None = None
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=20_000).execute(q)
            for eid, schema, dataset, reference, status, prop, value in result:
                if current is None or current.id != eid:
                    if current is not None:
                        yield current
                    current = Entity(id=eid, schema=schema, dataset=dataset,
                                     reference=reference, status=status)
                current.statements.append(
                    Statement(prop=prop, value=value, original=value, dataset=dataset)
                )
        if current is not None:
            yield current

    def count_for_matching(self, props: Iterable[str]) -> int:
        """How many entities :meth:`iter_for_matching` yields for ``props``: those with at
        least one statement of them (a wallet or an address alone has none)."""
        q = select(func.count(distinct(tables.statements.c.entity_id))).where(
            tables.statements.c.prop.in_(sorted(set(props))))
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def count_entities(self, dataset: str | None = None, status: str | None = None) -> int:
        q = select(func.count()).select_from(tables.entities)
        if dataset:
            q = q.where(tables.entities.c.dataset == dataset)
        if status:
            q = q.where(tables.entities.c.status == status)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def list_datasets(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(tables.datasets).order_by(tables.datasets.c.name)).all()
            out = []
            for r in rows:
                d = dict(r._mapping)
                d["imported_at"] = as_utc(d["imported_at"])
                d["entities"] = self.count_entities(r.name, "listed")
                out.append(d)
        return out

    def entity_events(self, entity_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(tables.entity_events)
                .where(tables.entity_events.c.entity_id == entity_id)
                .order_by(tables.entity_events.c.id)
            ).all()
        return [{**dict(r._mapping), "at": as_utc(r.at)} for r in rows]

    # -- imports ----------------------------------------------------------------

    def apply_list(
        self,
        parsed: ParsedList,
        *,
        actor: str,
        partial: bool = False,
        progress: Progress | None = None,
        on_commit: Callable[[Connection, ImportReport], None] | None = None,
    ) -> ImportReport:
        """Apply a full list (or, with ``partial``, an addition) as one transaction.

        New records are added, changed ones replaced (keeping each unchanged
        value's ``first_seen``), records missing from a full list are marked
        delisted with the date (never deleted), and delisted ones that return
        are relisted. ``on_commit`` runs inside the same transaction (used to
        audit), so a failure anywhere leaves the store as it was.

        Python's cyclic garbage collector is paused meanwhile (as for the parse before
        it): the rows made are let go as they are written, and a list's entities, just
        parsed, would otherwise be gone over again and again by its passes.
        """
        with collector.paused():
            return self._apply_list(parsed, actor=actor, partial=partial, progress=progress,
                                    on_commit=on_commit)

    def _apply_list(
        self,
        parsed: ParsedList,
        *,
        actor: str,
        partial: bool,
        progress: Progress | None,
        on_commit: Callable[[Connection, ImportReport], None] | None,
    ) -> ImportReport:
        dataset, source, version = parsed.dataset, parsed.source, parsed.version
        entities = parsed.entities
        started = utcnow()
        now = started
        total = len(entities)
        with self.db.begin() as conn:
            self._check_publisher(conn, dataset, source)
            existing: dict[str, tuple[str, str]] = {
                r.id: (r.fingerprint, r.status)
                for r in conn.execute(
                    select(tables.entities.c.id, tables.entities.c.fingerprint, tables.entities.c.status).where(
                        tables.entities.c.dataset == dataset
                    )
                )
            }
            import_id = int(
                conn.execute(
                    tables.imports.insert().values(
                        dataset=dataset, source=source, version=version, actor=actor,
                        started_at=started, finished_at=started, partial=partial,
                        **dict.fromkeys(IMPORT_COUNTS, 0),
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
            )
            report = ImportReport(
                dataset=dataset, source=source, version=version, import_id=import_id
            )
            # Touch last_seen on every value the source still holds (unchanged ones stay so).
            seen_ids = [e.id for e in entities]
            # the records this import lists anew, in the list's order: (entity, its
            # fingerprint) when added, (entity, None) when relisted; their rows and events
            # are made while they are written (never a million row dicts at once)
            opened: list[tuple[Entity, str | None]] = []
            replace: list[Entity] = []
            events: list[dict[str, Any]] = []
            for i, entity in enumerate(entities, 1):
                fp = entity_fingerprint(entity)
                before = existing.get(entity.id)
                if before is None:
                    report.added.append(entity.id)
                    opened.append((entity, fp))
                elif before[1] == "delisted":
                    report.relisted.append(entity.id)
                    replace.append(entity)
                    opened.append((entity, None))
                elif before[0] != fp:
                    replace.append(entity)
                else:
                    report.unchanged += 1
                if progress and (i % 1000 == 0 or i == total):
                    progress(i, total)
            self._check_collisions(conn, dataset, report.added)
            self.db.insert_rows(conn, tables.entities, ENTITY_COLUMNS, (
                self._entity_values(e, fp, now) for e, fp in opened if fp is not None))
            self.db.insert_rows(conn, tables.statements, STATEMENT_COLUMNS, (
                self._stmt_values(e.id, st, now, now)
                for e, fp in opened if fp is not None for st in e.statements))
            self.db.insert_rows(conn, tables.entity_events, EVENT_COLUMNS, (
                (e.id, "listed", import_id, now, {"reference": e.reference}) if fp is not None
                else (e.id, "relisted", import_id, now, {})
                for e, fp in opened))
            added_set = set(report.added)
            del opened
            relisted = set(report.relisted)
            for entity in replace:
                detail = self._replace(conn, entity, now)
                if entity.id in relisted:
                    continue
                if detail["added"] or detail["removed"]:
                    report.changed.append(entity.id)
                    if any(
                        d.split(":", 1)[0] in IDENTIFYING_PROPS
                        for d in detail["added"] + detail["removed"]
                    ):
                        report.changed_identifying.append(entity.id)
                    events.append(self._event(entity.id, "changed", import_id, now, detail))
                else:  # only whitespace or links differ: values refreshed, not a change
                    report.unchanged += 1
            unchanged_ids = set(seen_ids) - added_set - {e.id for e in replace}
            if unchanged_ids:
                for chunk_ids in chunks(sorted(unchanged_ids), CHUNK):
                    conn.execute(
                        update(tables.entities)
                        .where(tables.entities.c.id.in_(chunk_ids))
                        .values(last_seen=now)
                    )
                    conn.execute(
                        update(tables.statements)
                        .where(tables.statements.c.entity_id.in_(chunk_ids))
                        .values(last_seen=now)
                    )
            if not partial:
                present = set(seen_ids)
                gone = sorted(
                    i for i, (_, st) in existing.items() if st == "listed" and i not in present
                )
                self.db.insert(conn, tables.entity_events, events)
                events = []
                report.removed = self._delist(conn, gone, now, {"version": version}, import_id)
            self.db.insert(conn, tables.entity_events, events)
            finished = utcnow()
            conn.execute(
                update(tables.imports)
                .where(tables.imports.c.id == import_id)
                .values(finished_at=finished, **{k: report.summary()[k] for k in IMPORT_COUNTS})
            )
            ds_values = {
                "title": parsed.title,
                "source": source,
                "version": version,
                "imported_at": finished,
            }
            if parsed.kind is not None:
                ds_values["kind"] = parsed.kind
            if parsed.publisher is not None:
                ds_values["publisher"] = parsed.publisher
            if conn.execute(select(tables.datasets.c.name).where(tables.datasets.c.name == dataset)).first():
                conn.execute(
                    update(tables.datasets).where(tables.datasets.c.name == dataset).values(**ds_values)
                )
            else:
                conn.execute(tables.datasets.insert().values(name=dataset, **ds_values))
            report.seconds = (finished - started).total_seconds()
            if on_commit is not None:
                on_commit(conn, report)
        return report

    @staticmethod
    def publisher_of(source: str | None) -> str | None:
        """The node that publishes a list, from the source of its imports: ``peer:<id>`` is
        that peer's list (a copy kept here); anything else is held locally (None)."""
        return source[5:] if source and source.startswith("peer:") else None

    def _check_publisher(self, conn: Connection, dataset: str, source: str) -> None:
        """A list belongs to its publisher: a peer's list changes only by that peer's deltas,
        a locally held list (UN, national) never by a peer's. Checked inside the import's
        transaction, so nothing is written when refused."""
        row = conn.execute(
            select(tables.datasets.c.source).where(tables.datasets.c.name == dataset)
        ).first()
        if row is None:
            return
        held_by, by = self.publisher_of(row.source), self.publisher_of(source)
        if held_by == by:
            return
        if held_by is None:
            raise ListConflict(f"list {dataset!r} is held locally here; {by} may not change it",
                               "not_publisher")
        raise ListConflict(
            f"list {dataset!r} is published by {held_by}; only {held_by} may change it here"
            + (f", not {by}" if by else " (import it under another dataset name)"),
            "not_publisher",
        )

    def _check_collisions(self, conn: Connection, dataset: str, new_ids: list[str]) -> None:
        """A new entity id that another list already uses is refused (never a 500)."""
        for chunk_ids in chunks(sorted(new_ids), CHUNK):
            taken = conn.execute(
                select(tables.entities.c.id, tables.entities.c.dataset).where(
                    tables.entities.c.id.in_(chunk_ids), tables.entities.c.dataset != dataset
                ).limit(5)
            ).all()
            if taken:
                listed = ", ".join(f"{r.id} (list {r.dataset})" for r in taken)
                raise ListConflict(
                    f"entity id(s) of list {dataset!r} already belong to another list: {listed}",
                    "id_collision",
                )

    def _replace(self, conn: Connection, entity: Entity, now: datetime) -> dict[str, list[str]]:
        """Replace an entity's statements, keeping first_seen of values that stay; return the diff."""
        old = conn.execute(select(tables.statements).where(tables.statements.c.entity_id == entity.id)).all()
        first_seen = {(s.prop, s.value, s.original): as_utc(s.first_seen) for s in old}
        old_keys = substance((s.prop, s.value) for s in old)
        new_keys = substance((s.prop, s.value) for s in entity.statements)
        conn.execute(tables.statements.delete().where(tables.statements.c.entity_id == entity.id))
        self.db.insert(
            conn,
            tables.statements,
            [
                self._stmt_row(
                    entity.id, s, first_seen.get((s.prop, s.value, s.original)) or now, now
                )
                for s in entity.statements
            ],
        )
        conn.execute(
            update(tables.entities)
            .where(tables.entities.c.id == entity.id)
            .values(
                schema=entity.schema,
                reference=entity.reference,
                caption=entity.caption,
                status="listed",
                fingerprint=entity_fingerprint(entity),
                last_seen=now,
                delisted_at=None,
            )
        )
        return {
            "added": sorted(f"{p}: {v}" for p, v in new_keys - old_keys),
            "removed": sorted(f"{p}: {v}" for p, v in old_keys - new_keys),
        }

    def delist(
        self, conn: Connection, entity_ids: list[str], *, dataset: str, detail: dict[str, Any],
        source: str | None = None,
    ) -> list[str]:
        """Mark the listed ones of ``entity_ids`` (of ``dataset``) delisted, as a peer's delta
        says; return those. Their ``last_seen`` is now: the peer's list was read now. With
        ``source`` (``peer:<id>``), refused unless that peer publishes the list."""
        if source is not None:
            self._check_publisher(conn, dataset, source)
        if not entity_ids:
            return []
        listed = conn.execute(
            select(tables.entities.c.id).where(
                tables.entities.c.id.in_(entity_ids),
                tables.entities.c.dataset == dataset,
                tables.entities.c.status == "listed",
            )
        )
        return self._delist(conn, [r.id for r in listed], utcnow(), detail, None, seen=True)

    def withdraw(
        self, conn: Connection, entity_ids: list[str], *, dataset: str, detail: dict[str, Any],
        source: str,
    ) -> list[str]:
        """Delete the copies of ``entity_ids`` (of ``dataset``) that the list's publisher
        (``source``, ``peer:<id>``) withdrew: its owner restricted them to queries. Unlike a
        delisting nothing stays here but a ``removed`` event (so the match index drops
        them); returns the ids that were held."""
        self._check_publisher(conn, dataset, source)
        if not entity_ids:
            return []
        held: list[str] = []
        for chunk_ids in chunks(sorted(set(entity_ids)), CHUNK):
            held += conn.execute(select(tables.entities.c.id).where(
                tables.entities.c.id.in_(chunk_ids), tables.entities.c.dataset == dataset,
            )).scalars().all()
        return self._remove(conn, held, detail)

    def _delist(self, conn: Connection, ids: list[str], now: datetime, detail: dict[str, Any],
                import_id: int | None, *, seen: bool = False) -> list[str]:
        """The one delisting: status, date and a ``delisted`` event per entity (never deleted)."""
        values: dict[str, Any] = {"status": "delisted", "delisted_at": now}
        if seen:
            values["last_seen"] = now
        for chunk_ids in chunks(ids, CHUNK):
            conn.execute(update(tables.entities).where(tables.entities.c.id.in_(chunk_ids)).values(**values))
        self.db.insert(conn, tables.entity_events,
                       [self._event(i, "delisted", import_id, now, detail) for i in ids])
        return ids

    def _remove(self, conn: Connection, ids: list[str], detail: dict[str, Any]) -> list[str]:
        """The one removal: entities and their values deleted, a ``removed`` event per entity
        (the history stays, so every match index following the change marks drops them)."""
        now = utcnow()
        for chunk_ids in chunks(ids, CHUNK):
            conn.execute(tables.statements.delete().where(tables.statements.c.entity_id.in_(chunk_ids)))
            conn.execute(tables.entities.delete().where(tables.entities.c.id.in_(chunk_ids)))
        self.db.insert(conn, tables.entity_events,
                       [self._event(i, "removed", None, now, detail) for i in ids])
        return ids

    def remove_dataset(self, conn: Connection, dataset: str, detail: dict[str, Any]) -> list[str]:
        """Remove a list: its entities and their values are deleted and its row dropped; each
        entity gets a ``removed`` event (the history and the imports stay), so every match
        index following the change marks drops them. Returns the removed entity ids."""
        found = conn.execute(select(tables.datasets.c.name).where(tables.datasets.c.name == dataset))
        if found.first() is None:
            raise NotFound(f"no dataset {dataset!r}")
        ids = list(conn.execute(
            select(tables.entities.c.id).where(tables.entities.c.dataset == dataset)
            .order_by(tables.entities.c.id)
        ).scalars().all())
        attached = 0
        for chunk_ids in chunks(ids, CHUNK):
            for table in (bio.biometric_samples, bio.biometric_transactions):
                attached += int(conn.execute(
                    select(func.count()).select_from(table).where(table.c.entity_id.in_(chunk_ids))
                ).scalar_one())
        if attached:
            raise Conflict(f"{attached} biometric records are attached to records of {dataset!r}: "
                           "purge them first (ctnode biometrics purge); nothing was removed")
        self._remove(conn, ids, detail)
        conn.execute(tables.datasets.delete().where(tables.datasets.c.name == dataset))
        return ids

    # -- the match index follows these marks ------------------------------------------

    def change_mark(self) -> int:
        """The newest entity event's id (0 when none): it grows with every change."""
        with self.engine.connect() as conn:
            q = select(func.coalesce(func.max(tables.entity_events.c.id), 0))
            return int(conn.execute(q).scalar_one())

    def changed_since(self, mark: int) -> list[str]:
        """Ids of entities changed after ``mark`` (decisions do not change an entity)."""
        with self.engine.connect() as conn:
            return list(conn.execute(
                select(tables.entity_events.c.entity_id)
                .distinct()
                .where(tables.entity_events.c.id > mark)
                .where(tables.entity_events.c.kind != "decision")
            ).scalars().all())

    @staticmethod
    def _event(
        entity_id: str, kind: str, import_id: int | None, at: datetime, detail: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "entity_id": entity_id,
            "kind": kind,
            "import_id": import_id,
            "at": at,
            "detail": detail,
        }

    @staticmethod
    def _entity_values(entity: Entity, fp: str, now: datetime) -> tuple[Any, ...]:
        """A new record's row, in ``ENTITY_COLUMNS`` order."""
        return (entity.id, entity.dataset, entity.schema, entity.reference, entity.caption,
                "listed", fp, now, now, None)

    @staticmethod
    def _stmt_values(entity_id: str, s: Statement, first: datetime,
                     last: datetime) -> tuple[Any, ...]:
        """``_stmt_row`` as a tuple in ``STATEMENT_COLUMNS`` order."""
        return (entity_id, s.dataset, s.prop, s.value, s.original, s.lang, first, last)

    @staticmethod
    def _stmt_row(entity_id: str, s: Statement, first: datetime, last: datetime) -> dict[str, Any]:
        return {
            "entity_id": entity_id,
            "dataset": s.dataset,
            "prop": s.prop,
            "value": s.value,
            "original": s.original,
            "lang": s.lang,
            "first_seen": first,
            "last_seen": last,
        }

    def list_imports(self, dataset: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        q = select(tables.imports).order_by(tables.imports.c.id.desc()).limit(limit)
        if dataset:
            q = q.where(tables.imports.c.dataset == dataset)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]


