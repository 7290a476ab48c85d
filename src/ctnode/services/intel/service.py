"""Threat intelligence: collections of STIX 2.1 objects, imports (files, MISP events), exports,
watchlist links, and the objects' versions. Every action is checked against
``model/access.PERMISSIONS`` and audited.

An import is one transaction: the objects, their watchlist links and the audit entry commit
together; content that fails validation is refused whole (``intel.import.failed``) and the
store is left exactly as it was.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ctnode.audit.events import EventName
from ctnode.clock import utcnow
from ctnode.errors import CTNodeError, InvalidInput, NotFound
from ctnode.intel.taxii.collection import AddOutcome, ObjectRecord
from ctnode.intel.taxii.query import STIX_TYPE, Cursor, ObjectQuery, VersionMatch
from ctnode.intel.timestamps import parse_timestamp
from ctnode.intel.watchlist import check_list_references, extract_list_references
from ctnode.model.access import Actor
from ctnode.model.entities import Entity
from ctnode.model.tlp import TLP, Recipient, allowed_levels
from ctnode.services.context import Context
from ctnode.store.contracts import Row, Tx

# ctnode.intel.stix (the STIX checker: stix2 and its pattern grammar, 0.17 s of CPU) is
# imported by the functions that check or write STIX, not with this module: a server that
# builds its routes (the TAXII router imports this module) answers sooner without it
if TYPE_CHECKING:
    from ctnode.intel.stix import StixContent

# The most objects one import may hold (larger files: split them, or pull over TAXII).
MAX_IMPORT_OBJECTS = 500_000
# Objects a page of the console's list shows; relationships and sightings an object's page
# shows at most (each kind).
BROWSE_PAGE = 50
MAX_AROUND = 200
# The properties by which a relationship or a sighting names the object a page shows.
AROUND_REFS = {"relationship": ("source_ref", "target_ref"), "sighting": ("sighting_of_ref",)}
# A person reads every level inside the node (``may_share``: local); TAXII clients and peers
# get less (services/intel/taxii.py, federation/intel_exchange.py).
PERSON_LEVELS = allowed_levels(Recipient("local"))
STIX_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,249}--[0-9a-fA-F-]{36}$")
_ALIAS_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True, slots=True)
class IntelChange:
    """What changed in one collection (after the transaction committed): the object versions
    newly added and the object ids whose versions were deleted. Listeners (``on_change``)
    share this node's own collections with subscribed peers and send sightings of a peer's
    objects back to their producer."""

    collection: Row
    added: list[dict[str, Any]]
    removed: list[str] = field(default_factory=list)
    source: str = ""


def newly_added(
    objects: Sequence[Mapping[str, Any]], outcomes: Sequence[AddOutcome]
) -> list[dict[str, Any]]:
    """The objects ``add_objects`` stored (not those already present), in order."""
    return [dict(obj) for obj, out in zip(objects, outcomes, strict=True) if out.message is None]


@dataclass(slots=True)
class ImportResult:
    """What one import did: per type counts, added and already present, the links made."""

    collection_id: str
    source: str
    counts: dict[str, int]
    added: int
    present: int
    links: list[str] = field(default_factory=list)  # watchlist entity ids referenced
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the MISP converter's remarks

    def as_dict(self) -> dict[str, Any]:
        return {
            "collection": self.collection_id,
            "source": self.source,
            "counts": self.counts,
            "added": self.added,
            "already_present": self.present,
            "links": self.links,
            "warnings": self.warnings,
            "notes": self.notes,
        }


def summary(record: ObjectRecord) -> dict[str, Any]:
    """What a list shows of one object version: id, type, a name, TLP, version, added,
    revoked."""
    obj = record.obj
    name = obj.get("name") or obj.get("value") or obj.get("relationship_type")
    return {
        "id": record.id,
        "type": record.type,
        "name": str(name) if name is not None else None,
        "tlp": record.tlp.value,
        "version": record.version,
        "date_added": record.date_added,
        "revoked": bool(obj.get("revoked")),
    }


def _instant(value: Any) -> datetime | None:
    """A STIX timestamp as an instant (None when absent; validated content has no other)."""
    try:
        return parse_timestamp(str(value)) if value else None
    except ValueError:
        return None


@dataclass(slots=True)
class ObjectList:
    """One page of a collection's objects for a person: the collection (with its number of
    object versions), the types it holds, the page's summaries, the position of the next
    page (None on the last)."""

    collection: Row
    types: list[str]
    records: list[dict[str, Any]]
    next: str | None


class Intel:
    """Collections, imports, exports and links of one node's threat intelligence."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.store.intel
        self.default_tlp = TLP.parse(ctx.settings.intel_default_tlp)
        self._listeners: list[Callable[[IntelChange], object]] = []

    def on_change(self, listener: Callable[[IntelChange], object]) -> None:
        """Call ``listener`` after objects are added to or deleted from a collection."""
        self._listeners.append(listener)

    def changed(self, change: IntelChange) -> None:
        """Tell the listeners (callers do, after their transaction committed)."""
        if change.added or change.removed:
            for listener in self._listeners:
                listener(change)

    @staticmethod
    def warm_up() -> None:
        """Load the STIX 2 library now (a server warming up), not on the first TAXII add:
        ``ctnode.intel.stix`` imports it on first use."""
        import stix2  # noqa: F401

    @contextmanager
    def audited(self, event: EventName, actor: Actor, **entry: Any) -> Iterator[Tx]:
        """One transaction whose writes commit together with their audit entry."""
        with self.ctx.store.begin() as conn:
            yield conn
            self.ctx.audit.record(event, actor, conn=conn, **entry)

    # -- collections --------------------------------------------------------------------

    def create_collection(
        self,
        actor: Actor,
        *,
        title: str,
        alias: str | None = None,
        description: str | None = None,
        writable: bool = True,
    ) -> Row:
        """A new collection (a UUID id, as TAXII clients expect); ``alias`` names it in URLs."""
        self.ctx.require(actor, "intel.admin")
        title = title.strip()
        if not title or len(title) > 200:
            raise InvalidInput("a collection needs a title of 1 to 200 characters")
        if alias is not None:
            if not alias or len(alias) > 64 or not set(alias) <= _ALIAS_CHARS:
                raise InvalidInput("alias: 1-64 characters of a-z, 0-9, '-' and '_'")
            if self.store.find_collection(alias) is not None:
                raise InvalidInput(f"alias: a collection {alias!r} exists already")
        row = {
            "id": str(uuid.uuid4()),
            "title": title,
            "description": description or None,
            "alias": alias,
            "writable": writable,
            "created_at": utcnow(),
            "created_by": actor.name,
        }
        detail = {"collection": row["id"], "alias": alias, "title": title, "writable": writable}
        with self.audited("intel.collection.add", actor, detail=detail) as conn:
            self.store.add_collection(conn, row)
        return row

    def collection(self, key: str) -> Row:
        """A collection by id or alias (no permission needed to name one; reading needs it)."""
        row = self.store.find_collection(key)
        if row is None:
            raise NotFound(f"no collection {key!r} (see `ctnode intel collections`)")
        return row

    def own_collection(self, key: str) -> Row:
        """A collection this node may write: not a copy of a peer's (only its publisher
        changes a copy, through signed deltas)."""
        row = self.collection(key)
        if row.get("owner"):
            raise InvalidInput(
                f"collection {row['id']} is a copy of {row['owner']}'s: only its publisher "
                "changes it"
            )
        return row

    def list_collections(self, actor: Actor) -> list[Row]:
        self.ctx.require(actor, "intel.read")
        counts = self.store.count_objects()
        return [
            {**row, "objects": counts.get(row["id"], 0)} for row in self.store.list_collections()
        ]

    # -- imports ------------------------------------------------------------------------

    def import_stix(
        self,
        actor: Actor,
        data: bytes | str | Mapping[str, Any],
        *,
        collection: str,
        source: str,
        allow_custom: bool = False,
    ) -> ImportResult:
        """Validate STIX 2.1 content (a bundle, an envelope, a list or one object) and add it."""
        self.ctx.require(actor, "intel.write")
        col = self.own_collection(collection)
        from ctnode.intel.stix import parse_stix

        try:
            content = parse_stix(
                data, allow_custom=allow_custom, source=source, max_objects=MAX_IMPORT_OBJECTS
            )
        except CTNodeError as exc:
            self._refused(actor, col["id"], source, exc)
            raise
        return self.add_content(actor, col["id"], content, source=source)

    def import_misp(
        self, actor: Actor, data: bytes | str | Mapping[str, Any], *, collection: str, source: str
    ) -> ImportResult:
        """A MISP event (MISP's JSON export) converted to STIX 2.1 by misp-stix, then added."""
        self.ctx.require(actor, "intel.write")
        col = self.own_collection(collection)
        try:
            from ctnode.intel.misp import misp_to_stix  # MISP's libraries: on first use

            converted = misp_to_stix(data if isinstance(data, bytes | str) else dict(data))
        except CTNodeError as exc:
            self._refused(actor, col["id"], source, exc)
            raise
        result = self.add_content(
            actor,
            col["id"],
            converted.content,
            source=f"{source} (MISP event {converted.event_uuid})",
        )
        result.notes = converted.notes
        return result

    def _refused(self, actor: Actor, collection_id: str, source: str, exc: CTNodeError) -> None:
        self.ctx.audit.record(
            "intel.import.failed",
            actor,
            detail={"collection": collection_id, "source": source, "reason": exc.message[:2000]},
        )

    def add_content(
        self, actor: Actor, collection_id: str, content: StixContent, *, source: str
    ) -> ImportResult:
        """Add validated content in one transaction with its audit entry."""
        links: list[str] = []
        for obj in content.objects:
            links += [
                f"{i.object_id}: {i.message}"
                for i in check_list_references(obj)
                if i.severity == "error"
            ]
        if links:
            raise InvalidInput(f"{source}: " + "; ".join(links[:20]))
        with self.ctx.store.begin() as conn:
            outcomes = self.add_objects(conn, actor, collection_id, content.objects, source=source)
            result = ImportResult(
                collection_id=collection_id,
                source=source,
                counts=content.counts(),
                added=sum(1 for o in outcomes if o.message is None),
                present=sum(1 for o in outcomes if o.message == "already present"),
                links=sorted({r["entity_id"] for o in content.objects for r in self._links_of(o)}),
                warnings=[str(w) for w in content.warnings[:100]],
            )
            self.ctx.audit.record(
                "intel.import",
                actor,
                conn=conn,
                detail={
                    k: v for k, v in result.as_dict().items() if k not in {"warnings", "notes"}
                },
            )
        self.changed(IntelChange(self.collection(collection_id),
                                 newly_added(content.objects, outcomes), source=source))
        return result

    @staticmethod
    def _links_of(obj: Mapping[str, Any]) -> list[Row]:
        return [{"entity_id": r.entity_id} for r in extract_list_references(obj)]

    def add_objects(
        self,
        conn: Tx,
        actor: Actor,
        collection_id: str,
        objects: Iterable[Mapping[str, Any]],
        *,
        source: str,
    ) -> list[AddOutcome]:
        """Add validated objects in the caller's transaction (TAXII POST, pulls, imports)."""
        return self.store.add_objects(
            conn,
            collection_id,
            objects,
            utcnow(),
            source=source,
            actor=actor.name,
            default_tlp=self.default_tlp,
        )

    # -- reading ------------------------------------------------------------------------

    def versions(self, actor: Actor, object_id: str, collection: str) -> list[ObjectRecord]:
        """Every version of one object in a collection, oldest first."""
        self.ctx.require(actor, "intel.read")
        col = self.collection(collection)
        query = ObjectQuery(
            ids=frozenset({object_id}),
            limit=10_000,
            versions=VersionMatch(last=False, all=True),
            spec_versions=frozenset({"2.0", "2.1"}),
        )
        records = self.store.select(col["id"], query).records
        if not records:
            raise NotFound(f"no object {object_id} in collection {col['id']}")
        return sorted(records, key=lambda r: (r.version, r.seq))

    def show(self, actor: Actor, object_id: str, collection: str) -> dict[str, Any]:
        """An object's newest version, its version list, and the watchlist records it names
        (each with the record's name and status as the lists hold it)."""
        records = self.versions(actor, object_id, collection)
        entities = []
        for link in self.store.links(object_id=object_id):
            entry: dict[str, Any] = {
                "entity_id": link["entity_id"],
                "reference": link["reference"],
                "dataset": link["dataset"],
            }
            entity = self._record(link)
            if entity is not None:
                entry |= {
                    "entity_id": entity.id,
                    "caption": entity.caption,
                    "status": entity.status,
                    "schema": entity.schema,
                }
            else:
                entry |= {"caption": None, "status": "not on this node's lists"}
            entities.append(entry)
        newest = records[-1]
        self.ctx.audit.record(
            "intel.view",
            actor,
            result_ids=[object_id],
            detail={"collection": collection, "versions": len(records)},
        )
        return {
            "object": dict(newest.obj),
            "tlp": newest.tlp.value,
            "versions": [r.version_text for r in records],
            "watchlist": entities,
        }

    def browse(
        self,
        actor: Actor,
        collection: str,
        *,
        types: Iterable[str] = (),
        after: str | None = None,
        limit: int = BROWSE_PAGE,
    ) -> ObjectList:
        """One page of a collection's objects for a person (the console's list): the newest
        version of each, in the order added, ``types`` only if given, from the position
        ``after`` (the ``next`` of the page before). A person reads every TLP level (inside
        the node, ``model/tlp.may_share``). Audited as ``intel.read`` with what was served."""
        self.ctx.require(actor, "intel.read")
        col = self.collection(collection)
        wanted = frozenset(t.strip() for t in types if t.strip())
        bad = sorted(t for t in wanted if not STIX_TYPE.match(t))
        if bad:
            raise InvalidInput(f"type: {bad[0]!r} is not a STIX type name")
        cursor = None
        if after:
            try:
                cursor = Cursor.decode(after)
            except CTNodeError:
                raise InvalidInput(f"after: {after[:80]!r} is not a position this node gave "
                                   "out") from None
        query = ObjectQuery(types=wanted, limit=max(1, min(limit, 1000)), next=cursor,
                            tlp_levels=PERSON_LEVELS)
        page = self.store.select(col["id"], query)
        self.ctx.audit.record(
            "intel.read",
            actor,
            detail={"endpoint": "console", "collection": col["id"], "types": sorted(wanted),
                    "after": bool(after), "count": len(page.records), "more": page.more},
        )
        return ObjectList(
            collection={**col, "objects": self.store.count_objects(col["id"]).get(col["id"], 0)},
            types=self.store.types(col["id"]),
            records=[summary(r) for r in page.records],
            next=page.next if page.more else None,
        )

    def object_page(self, actor: Actor, object_id: str, collection: str) -> dict[str, Any]:
        """What a person reads of one object (``show``, audited as ``intel.view``), and what
        the collection says around it: the relationships and sightings that name it (newest
        versions, at most ``MAX_AROUND`` each) and every object it names itself (its
        ``*_ref`` and ``*_refs`` properties but its markings), each with the type and name of
        the object at the other end when the collection holds it."""
        self.ctx.require(actor, "intel.read")
        if not STIX_ID.match(object_id):
            raise NotFound(f"no object {object_id[:300]!r}: not a STIX identifier")
        shown = self.show(actor, object_id, collection)
        col = self.collection(collection)
        obj = shown["object"]
        around = self.store.referring(col["id"], object_id, refs=AROUND_REFS,
                                      limit=2 * MAX_AROUND)
        relationships: list[dict[str, Any]] = []
        sightings: list[dict[str, Any]] = []
        for r in around:
            other = r.obj
            if r.type == "relationship" and object_id in (other.get("source_ref"),
                                                          other.get("target_ref")):
                outgoing = other.get("source_ref") == object_id
                relationships.append({
                    "id": r.id, "relationship_type": other.get("relationship_type"),
                    "outgoing": outgoing,
                    "other": str(other.get("target_ref" if outgoing else "source_ref")),
                    "description": other.get("description"), "tlp": r.tlp.value,
                })
            elif r.type == "sighting" and other.get("sighting_of_ref") == object_id:
                sightings.append({
                    "id": r.id, "first_seen": _instant(other.get("first_seen")),
                    "last_seen": _instant(other.get("last_seen")), "count": other.get("count"),
                    "where": [str(w) for w in other.get("where_sighted_refs") or ()],
                    "by": other.get("created_by_ref"), "tlp": r.tlp.value,
                })
        references = [
            {"property": prop, "id": str(ref)}
            for prop, value in obj.items()
            if prop != "object_marking_refs" and (prop.endswith("_ref") or prop.endswith("_refs"))
            for ref in (value if isinstance(value, list) else [value])
            if isinstance(ref, str)
        ]
        ends = {x["other"] for x in relationships} | {x["id"] for x in references} | {
            w for s in sightings for w in [*s["where"], s["by"] or ""] if w}
        found = self._summaries(col["id"], ends)
        return {
            **shown,
            "collection": col,
            "relationships": relationships[:MAX_AROUND],
            "sightings": sightings[:MAX_AROUND],
            "references": references,
            "objects": found,
        }

    def _summaries(self, collection_id: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The newest version's summary of each of ``ids`` the collection holds."""
        wanted = sorted({i for i in ids if STIX_ID.match(i)})
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), 500):
            chunk = frozenset(wanted[start:start + 500])
            page = self.store.select(collection_id, ObjectQuery(ids=chunk, limit=len(chunk)))
            out |= {r.id: summary(r) for r in page.records}
        return out

    def _record(self, link: Row) -> Entity | None:
        """The record a link names: by its id, else by its list and reference (a copy of a
        peer's list names its records ``<publisher>:<id>``; a national list may name them
        otherwise than ``<list>-<reference>``)."""
        entities = self.ctx.store.entities
        try:
            return entities.get_entity(link["entity_id"])
        except NotFound:
            pass
        try:
            return entities.find_by_reference(link["reference"], dataset=link["dataset"])
        except NotFound:
            return None

    def linked_to(self, actor: Actor, entity_id: str) -> list[Row]:
        """The threat actors and intrusion sets that name a watchlist record (by its id, or
        by its list and reference)."""
        self.ctx.require(actor, "intel.read")
        rows = self.store.links(entity_id=entity_id)
        try:
            entity = self.ctx.store.entities.get_entity(entity_id)
        except NotFound:
            entity = None
        if entity is not None and entity.reference:
            held = {(r["collection_id"], r["object_id"]) for r in rows}
            rows += [r for r in self.store.links(dataset=entity.dataset,
                                                 reference=entity.reference)
                     if (r["collection_id"], r["object_id"]) not in held]
        self.ctx.audit.record(
            "intel.view",
            actor,
            result_ids=[r["object_id"] for r in rows],
            detail={"entity_id": entity_id},
        )
        return rows

    # -- exports and deletion -----------------------------------------------------------

    def objects(
        self,
        actor: Actor,
        collection: str,
        *,
        types: Iterable[str] = (),
        all_versions: bool = False,
    ) -> list[dict[str, Any]]:
        """Every object of a collection (newest versions unless ``all_versions``), in the order
        added: what an export writes. Audited as ``intel.export``."""
        self.ctx.require(actor, "intel.read")
        col = self.collection(collection)
        query = ObjectQuery(
            types=frozenset(types),
            limit=10_000,
            versions=VersionMatch(last=not all_versions, all=all_versions),
        )
        out: list[dict[str, Any]] = []
        while True:
            page = self.store.select(col["id"], query)
            out += [dict(r.obj) for r in page.records]
            if not page.more or page.next is None:
                break
            query = ObjectQuery(
                types=query.types,
                limit=query.limit,
                versions=query.versions,
                next=Cursor.decode(page.next),
            )
        return out

    def export_stix(
        self,
        actor: Actor,
        collection: str,
        *,
        types: Iterable[str] = (),
        all_versions: bool = False,
    ) -> dict[str, Any]:
        objects = self.objects(actor, collection, types=types, all_versions=all_versions)
        self.ctx.audit.record(
            "intel.export",
            actor,
            detail={"collection": collection, "format": "stix", "objects": len(objects)},
        )
        from ctnode.intel.stix import make_bundle

        return make_bundle(objects)

    def export_misp(
        self, actor: Actor, collection: str, *, types: Iterable[str] = ()
    ) -> tuple[dict[str, Any], list[str]]:
        """The collection's newest versions as one MISP event (``{"Event": ...}``) and the
        converter's notes."""
        objects = self.objects(actor, collection, types=types)
        if not objects:
            raise NotFound(f"collection {collection!r} holds no objects to export")
        from ctnode.intel.misp import stix_to_misp  # MISP's libraries: on first use

        exported = stix_to_misp(objects)
        self.ctx.audit.record(
            "intel.export",
            actor,
            detail={"collection": collection, "format": "misp", "objects": len(objects)},
        )
        return exported.event, exported.notes

    def delete(
        self, actor: Actor, collection: str, object_id: str, query: ObjectQuery | None = None
    ) -> int:
        """Delete versions of one object (all by default); how many went."""
        self.ctx.require(actor, "intel.admin")
        col = self.own_collection(collection)
        with self.ctx.store.begin() as conn:
            n = self.store.delete_object(conn, col["id"], object_id, query)
            if n == 0:
                raise NotFound(f"no such version of {object_id} in collection {col['id']}")
            self.ctx.audit.record(
                "intel.delete",
                actor,
                conn=conn,
                result_ids=[object_id],
                detail={"collection": col["id"], "versions": n},
            )
        self.changed(IntelChange(col, [], [object_id], source=f"delete:{actor.name}"))
        return n

    # -- copies of peers' collections (federation/intel_exchange) ------------------------

    def newest_objects(self, collection_id: str) -> list[dict[str, Any]]:
        """The newest version of every object of a collection (what a full share sends)."""
        query = ObjectQuery(limit=10_000, versions=VersionMatch(last=True))
        out: list[dict[str, Any]] = []
        while True:
            page = self.store.select(collection_id, query)
            out += [dict(r.obj) for r in page.records]
            if not page.more or page.next is None:
                return out
            query = replace(query, next=Cursor.decode(page.next))

    def copy_collection(self, owner: str, collection: Mapping[str, Any]) -> Row:
        """The collection holding this node's copy of ``owner``'s collection (made on first
        use: a UUID derived from both, read-only to TAXII clients)."""
        copy_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"ctnode:{owner}:{collection['id']}"))
        row = self.store.find_collection(copy_id)
        title = f"{str(collection.get('title') or collection['id'])[:150]} (from {owner})"
        if row is not None:
            return row
        row = {
            "id": copy_id,
            "title": title,
            "description": (str(collection.get("description") or "")[:2000] or None),
            "alias": None,
            "writable": False,
            "created_at": utcnow(),
            "created_by": f"peer:{owner}",
            "owner": owner,
        }
        with self.ctx.store.begin() as conn:
            self.store.add_collection(conn, row)
        return row

    def apply_peer(
        self,
        actor: Actor,
        owner: str,
        collection: Mapping[str, Any],
        objects: list[dict[str, Any]],
        removed: list[str],
    ) -> dict[str, Any]:
        """Apply a publisher's delta to this node's copy: the objects validated as any import
        (refused whole otherwise), revoked objects and removed ids gone from the copy, in one
        transaction with its audit entry."""
        from ctnode.intel.stix import parse_stix

        source = f"peer:{owner}"
        try:
            content = parse_stix(objects, allow_custom=True, source=source,
                                 max_objects=MAX_IMPORT_OBJECTS)
        except CTNodeError as exc:
            raise InvalidInput(exc.message) from None
        col = self.copy_collection(owner, collection)
        gone = sorted(set(removed) | {str(o["id"]) for o in content.objects if o.get("revoked")})
        keep = [o for o in content.objects if str(o["id"]) not in set(gone)]
        deleted = 0
        with self.ctx.store.begin() as conn:
            for object_id in gone:
                deleted += self.store.delete_object(conn, col["id"], object_id)
            outcomes = self.add_objects(conn, actor, col["id"], keep, source=source)
            result = {
                "collection": col["id"],
                "added": sum(1 for o in outcomes if o.message is None),
                "already_present": sum(1 for o in outcomes if o.message),
                "removed_objects": len(gone),
                "removed_versions": deleted,
            }
            self.ctx.audit.record("intel.import", actor, conn=conn, result_ids=gone[:1000],
                                  detail={"source": source, **result})
        self.changed(IntelChange(col, newly_added(keep, outcomes), gone, source=source))
        return result

    def add_sighting(
        self, actor: Actor, collection_id: str, sighting: dict[str, Any], *, source: str
    ) -> dict[str, Any]:
        """A peer's sighting of one of this collection's objects, validated and added (as
        any import) to the collection that holds the object sighted."""
        from ctnode.intel.stix import parse_stix

        col = self.own_collection(collection_id)
        try:
            content = parse_stix([sighting], allow_custom=True, source=source)
        except CTNodeError as exc:
            raise InvalidInput(exc.message) from None
        [obj] = content.objects
        if obj.get("type") != "sighting":
            raise InvalidInput(f"{source}: a {obj.get('type')} is not a sighting")
        ref = str(obj.get("sighting_of_ref") or "")
        query = ObjectQuery(ids=frozenset({ref}), limit=1,
                            versions=VersionMatch(last=False, all=True))
        if not self.store.select(col["id"], query).records:
            raise NotFound(f"{source}: no object {ref} in collection {col['id']}")
        return self.add_content(actor, col["id"], content, source=source).as_dict()
