"""SQL for the content-hash tables (``schema_hashes``): banks, records, hits. Core only.

Rows go in and out as the engine's own types (``ctnode.hashes.model``: ``Bank``,
``HashRecord``); the integer key of a record is what the matcher indexes it under.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Text, delete, func, select, type_coerce, update

from ctnode.clock import as_utc, utcnow
from ctnode.errors import NotFound
from ctnode.hashes.model import (
    Bank,
    BankKind,
    HashRecord,
    Label,
    Provenance,
    RecordStatus,
    SignalType,
)
from ctnode.model.tlp import TLP
from ctnode.store import schema_hashes as tables
from ctnode.store.database import Database, chunks

_BANK_FIELDS = (
    "enabled",
    "kind",
    "pdq_threshold",
    "vpdq_query_match_percent",
    "vpdq_compared_match_percent",
    "description",
    "owner",
    "default_tlp",
)


def _aware(value: datetime) -> datetime:
    return as_utc(value) or value


def bank_of(row: Any) -> Bank:
    m = row._mapping if hasattr(row, "_mapping") else row
    return Bank(
        name=m["name"],
        enabled=bool(m["enabled"]),
        kind=BankKind(m["kind"]),
        pdq_threshold=int(m["pdq_threshold"]),
        vpdq_query_match_percent=float(m["vpdq_query_match_percent"]),
        vpdq_compared_match_percent=float(m["vpdq_compared_match_percent"]),
        description=m["description"],
        owner=m["owner"],
        default_tlp=TLP(m["default_tlp"]),
    )


def record_of(row: Any, cache: dict[Any, Any] | None = None) -> HashRecord:
    """A record from its row. ``cache`` (one per read of many rows) shares the provenance,
    labels and tags rows have in common (an import's rows share them), and takes labels and
    tags as the JSON text ``iter_records`` reads, decoding each distinct text once."""
    m = row._mapping if hasattr(row, "_mapping") else row
    memo: dict[Any, Any] = {} if cache is None else cache
    prov_key = (m["source_kind"], m["source"], m["added_at"], m["original_id"], m["source_format"])
    provenance = memo.get(prov_key)
    if provenance is None:
        provenance = memo[prov_key] = Provenance(
            m["source_kind"],
            m["source"],
            _aware(m["added_at"]),
            original_id=m["original_id"],
            source_format=m["source_format"],
        )
    labels, tags = m["labels"], m["tags"]
    if isinstance(labels, str):
        if ("labels", labels) not in memo:
            memo["labels", labels] = frozenset(Label(x) for x in json.loads(labels) or ())
        if ("tags", tags) not in memo:
            memo["tags", tags] = tuple(json.loads(tags) or ())
        labels, tags = memo["labels", labels], memo["tags", tags]
    return HashRecord(
        record_id=m["record_id"],
        bank=m["bank"],
        signal_type=SignalType(m["signal_type"]),
        value=m["value"],
        provenance=provenance,
        labels=frozenset(Label(x) for x in labels or ())
        if not isinstance(labels, frozenset)
        else labels,
        tags=tuple(tags or ()),
        tlp=TLP(m["tlp"]),
        quality=m["quality"],
        status=RecordStatus(m["status"]),
        note=m["note"],
    )


def _record_row(rec: HashRecord, actor: str, now: datetime) -> dict[str, Any]:
    """The row of a record: its wire form flattened, TLP by value, times as datetimes."""
    row = rec.as_dict()
    row.update(row.pop("provenance"))
    row.update(tlp=rec.tlp.value, added_at=rec.provenance.added_at)
    return {**row, "changed_at": now, "changed_by": actor}


def _times(row: dict[str, Any]) -> dict[str, Any]:
    """A row with its times as aware UTC datetimes (SQLite returns them naive)."""
    for name in ("kept_at", "expires_at"):
        if row.get(name) is not None:
            row[name] = as_utc(row[name])
    return row


class SqlHashes:
    """Hash banks, records and hits (``ctnode.store.contracts.HashStore``)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.engine = db.engine

    # -- banks ----------------------------------------------------------------------------

    def put_bank(self, conn: Connection, bank: Bank, actor: str) -> bool:
        """Create or change a bank; True when it was new."""
        now = utcnow()
        values = {f: getattr(bank, f) for f in _BANK_FIELDS}
        values["kind"] = bank.kind.value
        values["default_tlp"] = bank.default_tlp.value
        t = tables.hash_banks
        exists = conn.execute(select(t.c.name).where(t.c.name == bank.name)).first()
        if exists:
            conn.execute(update(t).where(t.c.name == bank.name).values(**values, changed_at=now))
            return False
        conn.execute(
            t.insert().values(
                name=bank.name, **values, created_at=now, created_by=actor, changed_at=now
            )
        )
        return True

    def get_bank(self, name: str) -> Bank:
        t = tables.hash_banks
        with self.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.name == name)).first()
        if row is None:
            raise NotFound(f"no hash bank named {name!r}")
        return bank_of(row)

    def list_banks(self) -> list[Bank]:
        t = tables.hash_banks
        with self.engine.connect() as conn:
            return [bank_of(r) for r in conn.execute(select(t).order_by(t.c.name))]

    def bank_counts(self) -> dict[str, dict[str, int]]:
        """bank → status → number of records."""
        r = tables.hash_records
        out: dict[str, dict[str, int]] = {}
        q = select(r.c.bank, r.c.status, func.count()).group_by(r.c.bank, r.c.status)
        with self.engine.connect() as conn:
            for bank, status, n in conn.execute(q):
                out.setdefault(bank, {})[status] = int(n)
        return out

    def delete_bank(self, conn: Connection, name: str) -> int:
        """Delete a bank with its records and hits (explicitly, not by cascade)."""
        r, h = tables.hash_records, tables.hash_hits
        keys = select(r.c.id).where(r.c.bank == name).scalar_subquery()
        conn.execute(delete(h).where(h.c.record_key.in_(keys)))
        ids = select(r.c.record_id).where(r.c.bank == name).scalar_subquery()
        conn.execute(delete(tables.hash_copies).where(tables.hash_copies.c.record_id.in_(ids)))
        gone = conn.execute(delete(r).where(r.c.bank == name)).rowcount or 0
        conn.execute(delete(tables.hash_banks).where(tables.hash_banks.c.name == name))
        return int(gone)

    # -- records --------------------------------------------------------------------------

    def put_records(
        self, conn: Connection, records: list[HashRecord], actor: str
    ) -> tuple[list[int], int]:
        """Insert new records, refresh existing ones (same record id: same bank, type, value).
        Returns every record's key, in order, and how many were new."""
        r = tables.hash_records
        now = utcnow()
        keys: dict[str, int] = {}
        new = 0
        for part in chunks(records):
            ids = [rec.record_id for rec in part]
            found = dict(
                conn.execute(select(r.c.record_id, r.c.id).where(r.c.record_id.in_(ids))).all()
            )
            fresh = []
            waiting: set[str] = set()  # new in this chunk (a file may hold a hash twice)
            for rec in part:
                row = _record_row(rec, actor, now)
                if rec.record_id in found:
                    conn.execute(update(r).where(r.c.id == found[rec.record_id]).values(**row))
                    keys[rec.record_id] = int(found[rec.record_id])
                elif rec.record_id not in keys and rec.record_id not in waiting:
                    waiting.add(rec.record_id)
                    fresh.append({**row, "stored_at": now, "benign_matches": 0})
            if fresh:
                self.db.insert(conn, r, fresh)
                new += len(fresh)
                made = conn.execute(
                    select(r.c.record_id, r.c.id).where(
                        r.c.record_id.in_([f["record_id"] for f in fresh])
                    )
                )
                keys.update({rid: int(key) for rid, key in made})
        return [keys[rec.record_id] for rec in records], new

    def set_status(
        self, conn: Connection, keys: list[int], status: RecordStatus, actor: str
    ) -> None:
        r = tables.hash_records
        for part in chunks(keys):
            conn.execute(
                update(r)
                .where(r.c.id.in_(part))
                .values(status=status.value, changed_at=utcnow(), changed_by=actor)
            )

    def iter_records(
        self, *, bank: str | None = None, statuses: Iterable[RecordStatus] | None = None
    ) -> Iterator[tuple[int, HashRecord]]:
        r = tables.hash_records
        # labels and tags as their JSON text: record_of decodes each distinct text once
        cols = [
            type_coerce(c, Text).label(c.name) if c.name in ("labels", "tags") else c
            for c in r.c
            if c.name not in ("stored_at", "changed_at", "changed_by", "benign_matches")
        ]
        q = select(*cols).order_by(r.c.id)
        if bank is not None:
            q = q.where(r.c.bank == bank)
        if statuses is not None:
            q = q.where(r.c.status.in_([s.value for s in statuses]))
        cache: dict[Any, Any] = {}
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=5000).execute(q):
                yield int(row.id), record_of(row, cache)

    def find_records(self, record_ids: list[str]) -> dict[str, tuple[int, HashRecord]]:
        r = tables.hash_records
        out: dict[str, tuple[int, HashRecord]] = {}
        with self.engine.connect() as conn:
            for part in chunks(record_ids):
                for row in conn.execute(select(r).where(r.c.record_id.in_(part))):
                    out[row.record_id] = (int(row.id), record_of(row))
        return out

    def add_copies(self, conn: Connection, peer_id: str, record_ids: list[str]) -> None:
        """Note that ``peer_id`` was sent these records (once each)."""
        c = tables.hash_copies
        for part in chunks(sorted(set(record_ids))):
            held = set(
                conn.execute(
                    select(c.c.record_id).where(c.c.peer_id == peer_id, c.c.record_id.in_(part))
                ).scalars()
            )
            fresh = [{"record_id": r, "peer_id": peer_id} for r in part if r not in held]
            if fresh:
                conn.execute(c.insert(), fresh)

    def drop_copies(self, conn: Connection, peer_id: str, record_ids: list[str]) -> None:
        """Forget the copies ``peer_id`` was told to remove."""
        c = tables.hash_copies
        for part in chunks(sorted(set(record_ids))):
            conn.execute(delete(c).where(c.c.peer_id == peer_id, c.c.record_id.in_(part)))

    def copies_of(self, record_ids: list[str]) -> dict[str, set[str]]:
        """record id → the peers holding a copy of it (records no peer holds are left out)."""
        c = tables.hash_copies
        out: dict[str, set[str]] = {}
        with self.engine.connect() as conn:
            for part in chunks(sorted(set(record_ids))):
                for rid, peer in conn.execute(
                    select(c.c.record_id, c.c.peer_id).where(c.c.record_id.in_(part))
                ):
                    out.setdefault(rid, set()).add(peer)
        return out

    # -- forensics store ------------------------------------------------------------------

    def add_forensic(self, conn: Connection, row: dict[str, Any]) -> None:
        conn.execute(tables.hash_forensics.insert().values(**row))

    def list_forensics(self, *, limit: int = 100) -> list[dict[str, Any]]:
        """The kept items, newest first, without their content."""
        f = tables.hash_forensics
        cols = [c for c in f.c if c.name != "sealed"]
        with self.engine.connect() as conn:
            rows = conn.execute(select(*cols).order_by(f.c.kept_at.desc()).limit(limit))
            return [_times(dict(r._mapping)) for r in rows]

    def get_forensic(self, item_id: str) -> dict[str, Any]:
        """One kept item with its sealed content; ``NotFound`` when absent (or purged)."""
        f = tables.hash_forensics
        with self.engine.connect() as conn:
            row = conn.execute(select(f).where(f.c.id == item_id)).first()
        if row is None:
            raise NotFound(f"forensic item {item_id} not found (never kept, or purged)")
        return _times(dict(row._mapping))

    def purge_forensics(self, conn: Connection, before: datetime) -> list[str]:
        """Delete the items that expire at or before ``before``; their ids."""
        f = tables.hash_forensics
        ids = list(conn.execute(select(f.c.id).where(f.c.expires_at <= before)).scalars())
        for part in chunks(ids):
            conn.execute(delete(f).where(f.c.id.in_(part)))
        return ids

    def change_mark(self) -> tuple[int, str, str]:
        """Changes when any bank or record changes (what another process's matcher checks).
        Index-served: the newest key and change time, not a count of the records."""
        r, b = tables.hash_records, tables.hash_banks
        with self.engine.connect() as conn:
            key, last = conn.execute(select(func.max(r.c.id), func.max(r.c.changed_at))).one()
            banks = conn.execute(select(func.count(), func.max(b.c.changed_at))).one()
        return int(key or 0), str(last), f"{banks[0]}|{banks[1]}"

    def add_benign(self, conn: Connection, keys: list[int]) -> None:
        r = tables.hash_records
        conn.execute(
            update(r).where(r.c.id.in_(keys)).values(benign_matches=r.c.benign_matches + 1)
        )

    def flood_counts(self, conn: Connection, keys: list[int]) -> dict[int, int]:
        """key → analysts' 'not terrorist content' decisions + matches beside a benign bank."""
        r, h = tables.hash_records, tables.hash_hits
        out = {
            int(k): int(n)
            for k, n in conn.execute(select(r.c.id, r.c.benign_matches).where(r.c.id.in_(keys)))
        }
        q = (
            select(h.c.record_key, func.count())
            .where(h.c.record_key.in_(keys), h.c.decision == "not_terrorist_content")
            .group_by(h.c.record_key)
        )
        for key, n in conn.execute(q):
            out[int(key)] = out.get(int(key), 0) + int(n)
        return out

    # -- hits -----------------------------------------------------------------------------

    def add_hits(self, conn: Connection, hits: list[dict[str, Any]]) -> None:
        if hits:
            conn.execute(tables.hash_hits.insert(), hits)

    def get_hit(self, hit_id: str) -> dict[str, Any]:
        h = tables.hash_hits
        found = self.db.query(select(h).where(h.c.id == hit_id))
        if not found:
            raise NotFound(f"no hash hit with id {hit_id!r}")
        return found[0]

    def list_hits(
        self, *, decided: bool | None = None, bank: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        h = tables.hash_hits
        q = select(h).order_by(h.c.at.desc(), h.c.id).limit(limit)
        if decided is not None:
            q = q.where(h.c.decision.is_not(None) if decided else h.c.decision.is_(None))
        if bank is not None:
            q = q.where(h.c.bank == bank)
        return self.db.query(q)

    def decide_hit(
        self, conn: Connection, hit_id: str, *, decision: str, comment: str, actor: str
    ) -> None:
        h = tables.hash_hits
        conn.execute(
            update(h)
            .where(h.c.id == hit_id)
            .values(decision=decision, comment=comment, decided_by=actor, decided_at=utcnow())
        )
