"""Hash banks and the hashes in them: create, change, enable/disable, delete; add and remove
hashes (removal leaves a tombstone); import and export in HMA, ThreatExchange and STIX formats.

Every action is checked against ``model/access.PERMISSIONS`` and audited in the same
transaction as the change. Imports are all or nothing: the whole file is parsed first
(errors name file, line and field), then stored in one transaction.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from types import ModuleType
from typing import Any

from ctnode.audit.events import EventName
from ctnode.errors import Conflict, InvalidInput, NotFound, Refused
from ctnode.hashes import model as hm
from ctnode.hashes.formats import common
from ctnode.hashes.model import Bank, HashRecord, RecordStatus
from ctnode.model.access import Actor
from ctnode.model.tlp import Recipient, may_share
from ctnode.services.context import Context
from ctnode.services.hashes.index import HashIndex

Reader = Callable[[Path, Bank], common.ImportResult]


def _formats() -> tuple[ModuleType, ModuleType, ModuleType]:
    """The format modules (hma, stix, te), imported on first use: they load threatexchange
    and stix2, which a server or a command that reads no hash file should not pay for."""
    from ctnode.hashes.formats import hma, stix, te

    return hma, stix, te


#: Import formats: name → (reader, what it is).
READERS: dict[str, tuple[Reader, str]] = {
    "hma2": (lambda p, b: _formats()[0].read_hma2(p, bank=b), "HMA 2.x bank export (JSON)"),
    "hma1": (lambda p, b: _formats()[0].read_hma1(p, b),
             "HMA 1.x data file <privacy group>.<indicator type>.te"),
    "te-signals": (lambda p, b: _formats()[2].read_signal_file(p, b),
                   "threatexchange signal file: '<type> <signal>' lines"),
    "te-simple": (lambda p, b: _formats()[2].read_simple_file(p, b),
                  "threatexchange state file simple.<TYPE>.te"),
    "te-dataset": (lambda p, b: _formats()[2].read_dataset_csv(p, b),
                   "threatexchange dataset -P --csv"),
    "stix": (lambda p, b: _formats()[1].read_stix(p, b), "STIX 2.1 bundle"),
}
#: Export formats: name → (file name or directory, what it is).
EXPORTS: dict[str, str] = {
    "hma2": "HMA 2.x bank export (JSON, one file)",
    "hma1": "HMA 1.x data files, one per indicator type (a directory)",
    "te-signals": "threatexchange signal file (one file)",
    "te-simple": "threatexchange state files simple.<TYPE>.te (a directory)",
    "te-dataset": "threatexchange dataset CSV (one file)",
    "stix": "STIX 2.1 bundle of indicators (one file)",
}
_ORGANISATION = Recipient("organisation")


@dataclass(frozen=True, slots=True)
class BankChange:
    """What an admin may change on a bank; None leaves a field as it is."""

    enabled: bool | None = None
    pdq_threshold: int | None = None
    vpdq_query_match_percent: float | None = None
    description: str | None = None
    default_tlp: str | None = None


@dataclass(frozen=True, slots=True)
class NewHashes:
    """Hashes an analyst adds by hand (or from ``ctnode hashes hash`` output)."""

    signal_type: hm.SignalType
    values: tuple[str, ...]
    labels: frozenset[hm.Label] = frozenset()
    tlp: str | None = None
    note: str = ""
    source: str = ""  # who reported it; the actor when empty


@dataclass(frozen=True, slots=True)
class NewFiles:
    """Files held on this node, hashed and banked (their content is not kept)."""

    labels: frozenset[hm.Label] = frozenset()
    tlp: str | None = None
    note: str = ""
    source: str = ""  # who reported them; the actor when empty
    # Bank the PDQ hashes of each image's standard crops too (signals.pdq.BANK_CROPS), as
    # derived records of the picture's own PDQ record: a cropped or captioned copy then matches.
    derived: bool = True


@dataclass(slots=True)
class ChangeReport:
    """The outcome of an add, import or removal."""

    bank: str
    added: int = 0  # new records
    refreshed: int = 0  # records already there, updated (or restored from removed)
    removed: int = 0
    skipped: list[str] = field(default_factory=list)
    record_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "bank": self.bank,
            "added": self.added,
            "refreshed": self.refreshed,
            "removed": self.removed,
            "skipped": self.skipped,
            "record_ids": self.record_ids[:1000],
        }


@dataclass(frozen=True, slots=True)
class Export:
    """Exported records: the files written, the counts, and why records were left out."""

    paths: tuple[Path, ...]
    written: int
    withheld: dict[str, int]  # reason → count


def bank_dict(bank: Bank, counts: dict[str, int] | None = None) -> dict[str, Any]:
    return {
        "name": bank.name,
        "enabled": bank.enabled,
        "kind": bank.kind.value,
        "pdq_threshold": bank.pdq_threshold,
        "vpdq_query_match_percent": bank.vpdq_query_match_percent,
        "vpdq_compared_match_percent": bank.vpdq_compared_match_percent,
        "description": bank.description,
        "owner": bank.owner,
        "default_tlp": bank.default_tlp.label,
        "hashes": dict(counts or {}),
    }


@dataclass(frozen=True, slots=True)
class BankDelta:
    """What changed in a bank after a commit: records added or refreshed, record ids removed.
    Listeners (``node.py`` wires the federation's) send it on to subscribed peers."""

    bank: Bank
    records: tuple[HashRecord, ...] = ()
    removed: tuple[str, ...] = ()


Listener = Callable[[BankDelta], object]


class HashBanks:
    """Banks and their hashes, over the store and the node's matcher."""

    def __init__(self, ctx: Context, index: HashIndex) -> None:
        self.ctx = ctx
        self.index = index
        self.store = ctx.store.hashes
        self._listeners: list[Listener] = []

    def on_change(self, listener: Listener) -> None:
        """Call ``listener`` after every committed change to a bank's hashes."""
        self._listeners.append(listener)

    def _changed(self, delta: BankDelta) -> None:
        for listener in self._listeners:
            listener(delta)

    # -- banks ----------------------------------------------------------------------------

    def list_banks(self, actor: Actor) -> list[dict[str, Any]]:
        self.ctx.require(actor, "hashes.view")
        counts = self.store.bank_counts()
        return [bank_dict(b, counts.get(b.name)) for b in self.store.list_banks()]

    def get_bank(self, actor: Actor, name: str) -> dict[str, Any]:
        self.ctx.require(actor, "hashes.view")
        bank = self.store.get_bank(name)
        return bank_dict(bank, self.store.bank_counts().get(name))

    def create_bank(self, actor: Actor, bank: Bank) -> dict[str, Any]:
        self.ctx.require(actor, "hashes.banks")
        with self.ctx.store.begin() as conn:
            if not self.store.put_bank(conn, bank, actor.name):
                raise Conflict(f"hash bank {bank.name} exists; change it instead")
            self.ctx.audit.record("hashes.bank.create", actor, conn=conn, detail=bank_dict(bank))
        self.index.put_bank(bank)
        return bank_dict(bank)

    def change_bank(self, actor: Actor, name: str, change: BankChange) -> dict[str, Any]:
        """Enable/disable, threshold, description, default TLP: effective for the next match."""
        self.ctx.require(actor, "hashes.banks")
        old = self.store.get_bank(name)
        values: dict[str, Any] = {
            k: v for k, v in asdict(change).items() if v is not None and k != "default_tlp"
        }
        if change.default_tlp is not None:
            values["default_tlp"] = hm.parse_tlp(change.default_tlp, field="default_tlp")
        if not values:
            raise InvalidInput("nothing to change: give enabled, pdq_threshold, ...")
        new = replace(old, **values)  # validates the threshold and percentages
        changed = {k: str(v) for k, v in values.items()}
        with self.ctx.store.begin() as conn:
            self.store.put_bank(conn, new, actor.name)
            self.ctx.audit.record(
                "hashes.bank.change", actor, conn=conn, detail={"bank": name, "changed": changed}
            )
        self.index.put_bank(new)
        return bank_dict(new, self.store.bank_counts().get(name))

    def delete_bank(self, actor: Actor, name: str) -> int:
        """Delete a bank, its hashes and their hits. Peers' copies are not touched: to delist
        hashes everywhere, remove them (tombstones) instead."""
        self.ctx.require(actor, "hashes.banks")
        self.store.get_bank(name)
        with self.ctx.store.begin() as conn:
            gone = self.store.delete_bank(conn, name)
            self.ctx.audit.record(
                "hashes.bank.delete", actor, conn=conn, detail={"bank": name, "records": gone}
            )
        self.index.drop_bank(name)
        return gone

    # -- records --------------------------------------------------------------------------

    def list_records(
        self, actor: Actor, bank: str, *, status: RecordStatus | None = None, limit: int = 1000
    ) -> list[dict[str, Any]]:
        self.ctx.require(actor, "hashes.view")
        self.store.get_bank(bank)
        statuses = None if status is None else [status]
        out = []
        for _key, rec in self.store.iter_records(bank=bank, statuses=statuses):
            out.append(rec.as_dict())
            if len(out) >= limit:
                break
        return out

    def add(self, actor: Actor, bank_name: str, new: NewHashes) -> ChangeReport:
        """Add hashes by hand; each is validated (the error names the value's position)."""
        self.ctx.require(actor, "hashes.edit")
        bank = self.store.get_bank(bank_name)
        if not new.values:
            raise InvalidInput("no hash given")
        tlp = hm.parse_tlp(new.tlp) if new.tlp else None
        prov = hm.Provenance("local", new.source or actor.name, datetime.now(UTC))
        tagging = common.Tagging(new.labels, tlp, ())
        records = [
            common.make_record(
                bank,
                new.signal_type,
                value,
                prov,
                common.Where("input", None, f"values[{i}]"),
                tagging,
                note=new.note,
            )
            for i, value in enumerate(new.values)
        ]
        return self._store(actor, bank, records, "hashes.add", {"source_kind": "local"})

    def add_files(
        self, actor: Actor, bank_name: str, files: Iterable[hm.FileHashes], new: NewFiles
    ) -> ChangeReport:
        """Bank every hash of files this node hashed (``HashMatching.hash_files``/``hash_bytes``):
        MD5, SHA-256, PDQ, vPDQ, and with ``new.derived`` the PDQ of each image's standard crops
        as derived records of the same item (provenance ``derived:<crop>``, ``original_id`` the
        picture's PDQ record), which match as that item and are removed with it."""
        self.ctx.require(actor, "hashes.edit")
        bank = self.store.get_bank(bank_name)
        tlp = hm.parse_tlp(new.tlp) if new.tlp else None
        tagging = common.Tagging(new.labels, tlp, ())
        now = datetime.now(UTC)
        who = new.source or actor.name
        records: list[HashRecord] = []
        derived = 0
        for fh in files:
            prov = hm.Provenance("local", who, now, source_format="file")
            where = common.Where(fh.name)
            for kind, value in fh.signals().items():
                rec = common.make_record(bank, kind, value, prov, where, tagging, note=new.note)
                if kind is hm.SignalType.PDQ and fh.pdq is not None:
                    rec = replace(rec, quality=fh.pdq.quality)
                records.append(rec)
                if kind is not hm.SignalType.PDQ or fh.pdq is None or not new.derived:
                    continue
                seen = {value}
                for crop, crop_value in fh.pdq.crops:
                    if crop_value in seen:
                        continue  # a flat picture whose crop hashes the same
                    seen.add(crop_value)
                    origin = hm.Provenance(
                        "local", who, now, rec.record_id, f"{hm.DERIVED}{crop}"
                    )
                    records.append(
                        common.make_record(
                            bank, kind, crop_value, origin, where, tagging, note=new.note
                        )
                    )
                    derived += 1
        if not records:
            raise InvalidInput("no file given")
        detail = {"source_kind": "local", "files": True, "derived": derived}
        return self._store(actor, bank, records, "hashes.add", detail)

    def remove(self, actor: Actor, bank_name: str, record_ids: Iterable[str]) -> ChangeReport:
        """Delist hashes: each becomes a tombstone (status ``removed``) that no longer matches,
        kept so the removal can reach every copy. An item's derived hashes (its crops) go with it."""
        self.ctx.require(actor, "hashes.edit")
        self.store.get_bank(bank_name)
        wanted = list(dict.fromkeys(record_ids))
        if not wanted:
            raise InvalidInput("no record id given")
        children = [
            r.record_id
            for _, r in self.index.current().derived(wanted)
            if r.bank == bank_name and r.status is not RecordStatus.REMOVED
        ]
        wanted += [r for r in children if r not in wanted]
        found = self.store.find_records(wanted)
        missing = [r for r in wanted if r not in found or found[r][1].bank != bank_name]
        if missing:
            raise InvalidInput(f"not in bank {bank_name}: {', '.join(missing[:5])}")
        keys = [found[r][0] for r in wanted if found[r][1].status is not RecordStatus.REMOVED]
        report = ChangeReport(bank_name, removed=len(keys), record_ids=wanted)
        with self.ctx.store.begin() as conn:
            self.store.set_status(conn, keys, RecordStatus.REMOVED, actor.name)
            self.ctx.audit.record(
                "hashes.remove",
                actor,
                conn=conn,
                result_ids=wanted,
                detail={"bank": bank_name, "removed": len(keys)},
            )
        self.index.set_status(keys, RecordStatus.REMOVED)
        self._changed(BankDelta(self.store.get_bank(bank_name), removed=tuple(wanted)))
        return report

    def _store(
        self,
        actor: Actor,
        bank: Bank,
        records: list[HashRecord],
        event: EventName,
        detail: dict[str, Any],
        skipped: list[str] | None = None,
    ) -> ChangeReport:
        report = ChangeReport(bank.name, skipped=list(skipped or ()))
        with self.ctx.store.begin() as conn:
            keys, new = self.store.put_records(conn, records, actor.name)
            report.added, report.refreshed = new, len(records) - new
            report.record_ids = [r.record_id for r in records]
            self.ctx.audit.record(
                event,
                actor,
                conn=conn,
                result_ids=report.record_ids[:1000],
                detail={
                    **detail,
                    "bank": bank.name,
                    "added": report.added,
                    "refreshed": report.refreshed,
                    "skipped": len(report.skipped),
                },
            )
        self.index.add(list(zip(keys, records, strict=True)))
        self._changed(BankDelta(bank, records=tuple(records)))
        return report

    # -- a peer's bank --------------------------------------------------------------------

    def apply_peer(
        self,
        actor: Actor,
        sender: str,
        bank_name: str,
        records: list[HashRecord],
        removed: list[str],
    ) -> dict[str, Any]:
        """A publisher's delta: its bank (made here, owned by ``sender``, on first contact),
        records added or refreshed, removed ones tombstoned. One transaction; the listeners
        are not told (a peer's bank is not passed on)."""
        try:
            bank = self.store.get_bank(bank_name)
        except NotFound:
            bank = Bank(bank_name, owner=sender, description=f"published by {sender}")
            with self.ctx.store.begin() as conn:
                self.store.put_bank(conn, bank, actor.name)
            self.index.put_bank(bank)
        if bank.owner != sender:
            raise Refused(
                f"bank {bank_name} here is not {sender}'s (owner: {bank.owner or 'this node'})",
                "bank_conflict",
            )
        found = self.store.find_records(removed) if removed else {}
        gone = [found[r][0] for r in removed if r in found and found[r][1].bank == bank_name]
        with self.ctx.store.begin() as conn:
            keys, new = self.store.put_records(conn, records, actor.name) if records else ([], 0)
            self.store.set_status(conn, gone, RecordStatus.REMOVED, actor.name)
            self.ctx.audit.record(
                "hashes.add",
                actor,
                conn=conn,
                result_ids=[r.record_id for r in records][:1000],
                detail={
                    "bank": bank_name,
                    "source_kind": "node",
                    "source": sender,
                    "added": new,
                    "refreshed": len(records) - new,
                    "removed": len(gone),
                },
            )
        self.index.add(list(zip(keys, records, strict=True)))
        self.index.set_status(gone, RecordStatus.REMOVED)
        return {
            "bank": bank_name,
            "added": new,
            "refreshed": len(records) - new,
            "removed": len(gone),
            "not_held": sorted(set(removed) - {r for r in removed if r in found}),
        }

    # -- import and export ----------------------------------------------------------------

    def import_file(self, actor: Actor, bank_name: str, path: Path, fmt: str) -> ChangeReport:
        """Import a file into a bank, all or nothing. The bank must exist."""
        self.ctx.require(actor, "hashes.edit")
        if fmt not in READERS:
            raise InvalidInput(f"unknown import format {fmt!r}; known: {', '.join(READERS)}")
        bank = self.store.get_bank(bank_name)
        try:
            result = READERS[fmt][0](path, bank)
        except InvalidInput as exc:
            self.ctx.audit.record(
                "hashes.import.failed",
                actor,
                detail={"bank": bank_name, "format": fmt, "file": path.name, "reason": exc.message},
            )
            raise
        records = [r if r.bank == bank.name else replace(r, bank=bank.name) for r in result.records]
        detail = {"format": fmt, "file": path.name}
        return self._store(actor, bank, records, "hashes.import", detail, result.skipped)

    def import_bytes(
        self, actor: Actor, bank_name: str, data: bytes, file_name: str, fmt: str
    ) -> ChangeReport:
        """An uploaded hash file (the name matters for HMA 1.x and the CLI's state files).
        It is written to a private temporary folder, read, and deleted."""
        name = Path(file_name).name
        if not name or name in (".", "..") or len(name) > 200:
            raise InvalidInput("file name must be a plain file name")
        with tempfile.TemporaryDirectory(prefix="ctnode-hashes-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            return self.import_file(actor, bank_name, path, fmt)

    def export(self, actor: Actor, bank_name: str, fmt: str, dest: Path) -> Export:
        """Write a bank's active hashes. TLP:RED hashes never leave the node and are counted as
        withheld. ``dest``: a file for one-file formats, a directory for the others."""
        self.ctx.require(actor, "hashes.export")
        if fmt not in EXPORTS:
            raise InvalidInput(f"unknown export format {fmt!r}; known: {', '.join(EXPORTS)}")
        bank = self.store.get_bank(bank_name)
        withheld: dict[str, int] = {}
        records = []
        for _key, rec in self.store.iter_records(bank=bank_name, statuses=[RecordStatus.ACTIVE]):
            decision = may_share(rec.tlp, _ORGANISATION)
            if decision.allowed:
                records.append(rec)
            else:
                withheld[decision.reason] = withheld.get(decision.reason, 0) + 1
        paths, written, unsupported = _write(fmt, bank, records, dest)
        if unsupported:
            withheld[f"no {fmt} form for this signal type"] = unsupported
        self.ctx.audit.record(
            "hashes.export",
            actor,
            result_ids=[r.record_id for r in records][:1000],
            detail={"bank": bank_name, "format": fmt, "written": written, "withheld": withheld},
        )
        return Export(tuple(paths), written, withheld)

    def export_bytes(self, actor: Actor, bank_name: str, fmt: str) -> tuple[bytes, str, Export]:
        """An export as one download: the file itself, or a zip of a directory format."""
        with tempfile.TemporaryDirectory(prefix="ctnode-hashes-") as tmp:
            single = fmt in ("hma2", "te-signals", "te-dataset", "stix")
            name = f"{bank_name}.{_SUFFIX.get(fmt, 'zip')}"
            dest = Path(tmp) / (name if single else bank_name)
            result = self.export(actor, bank_name, fmt, dest)
            if single:
                return dest.read_bytes(), name, result
            buffer = BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in result.paths:
                    archive.write(path, path.name)
            return buffer.getvalue(), name, result


_SUFFIX = {"hma2": "json", "te-signals": "txt", "te-dataset": "csv", "stix": "json"}


def _write(
    fmt: str, bank: Bank, records: list[HashRecord], dest: Path
) -> tuple[list[Path], int, int]:
    """(paths written, records written, records the format has no form for)."""
    hma, stix, te = _formats()
    if fmt == "hma2":
        return [dest], hma.write_hma2(bank, records, dest), 0
    if fmt == "te-signals":
        return [dest], te.write_signal_file(records, dest), 0
    if fmt == "te-dataset":
        return [dest], te.write_dataset_csv(records, dest), 0
    if fmt == "stix":
        written, skipped = stix.write_stix(records, dest)
        return [dest], written, skipped
    if fmt == "hma1":
        paths, skipped = hma.write_hma1(records, dest, privacy_group=bank.name)
    else:
        paths, skipped = te.write_simple_files(records, dest)
    return list(paths), len(records) - skipped, skipped
