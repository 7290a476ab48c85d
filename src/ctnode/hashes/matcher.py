"""The matcher: banks and their hashes, indexed per signal type; a hash or a file → hits.

``HashMatcher`` is the engine the service layer holds (one per node, built by the
composition root, fed by the store): it keeps the banks' rules, one index per
signal type and the records under the store's integer keys. Adding, removing,
quarantining and bank changes take effect at once, without a rebuild.

A query is one hash (``match_value``) or a file's hashes (``match_hashes``): PDQ
is searched with all 8 dihedral variants and the caption-bar crops
(``pdq.QUERY_CROPS``) when the node computed them; each
candidate is held against *its own bank's* threshold; disabled banks, quarantined
and removed records never match. Hits in ``BankKind.BENIGN`` banks are returned
too, marked by their bank, so the service can suppress or flag the other hits.

A *derived* record (a standard crop of a banked picture, ``HashRecord.derivation``) matches
as its item: the hit names the item's record, with the variant ``<query variant>~<crop>``,
and it never matches while the item itself is removed or quarantined.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from ctnode.hashes import hasher
from ctnode.hashes.index import ExactIndex, FaissMihIndex, PdqIndex, VpdqIndex
from ctnode.hashes.model import (
    MIN_PDQ_QUALITY,
    Bank,
    FileHashes,
    HashFormatError,
    HashRecord,
    MatchHit,
    RecordStatus,
    SignalType,
    VpdqFrame,
)
from ctnode.hashes.signals import normalise, pdq, vpdq


class HashMatcher:
    """Banks + indexes. Keys are the caller's integers (the store's primary keys)."""

    def __init__(
        self,
        *,
        pdq_index: Callable[[], PdqIndex] = FaissMihIndex,
        vpdq_frame_index: Callable[[], PdqIndex] = FaissMihIndex,
    ) -> None:
        self.banks: dict[str, Bank] = {}
        self._records: dict[int, HashRecord] = {}
        self._key_of: dict[str, int] = {}  # record id → key
        self._children: dict[str, set[int]] = {}  # item's record id → keys of its derived hashes
        self._pdq = pdq_index()
        self._vpdq = VpdqIndex(vpdq_frame_index)
        self._exact = {SignalType.MD5: ExactIndex(), SignalType.SHA256: ExactIndex()}

    # -- banks --------------------------------------------------------------------------------

    def put_bank(self, bank: Bank) -> None:
        """Create or change a bank (threshold, enabled, kind): effective for the next query."""
        self.banks[bank.name] = bank

    def drop_bank(self, name: str) -> int:
        """Remove a bank and every record in it from matching."""
        keys = [k for k, r in self._records.items() if r.bank == name]
        self.remove(keys)
        self.banks.pop(name, None)
        return len(keys)

    # -- records ------------------------------------------------------------------------------

    def add(self, items: Iterable[tuple[int, HashRecord]]) -> int:
        """Index records (their bank must exist). A key already present is replaced."""
        pdq_keys: list[int] = []
        pdq_values: list[str] = []
        count = 0
        for key, record in items:
            if record.bank not in self.banks:
                raise HashFormatError(f"no bank named {record.bank!r}", field="bank")
            if key in self._records:
                self.remove([key])
            self._records[key] = record
            self._key_of[record.record_id] = key
            if record.derivation:
                self._children.setdefault(record.item, set()).add(key)
            count += 1
            if record.status is not RecordStatus.ACTIVE:
                continue  # kept for lookups, never indexed
            if record.signal_type is SignalType.PDQ:
                pdq_keys.append(key)
                pdq_values.append(record.value)
            elif record.signal_type is SignalType.VPDQ:
                self._vpdq.add(key, vpdq.parse(record.value))
            else:
                self._exact[record.signal_type].add(key, record.value)
        if pdq_keys:
            self._pdq.add(np.asarray(pdq_keys, dtype=np.int64), pdq.to_bytes(pdq_values))
        return count

    def settle(self) -> None:
        """After a bulk load in batches: let the PDQ index lay itself out for the whole bank
        (``ClusterPdqIndex`` chooses its pivots again; the other indexes need nothing)."""
        recluster = getattr(self._pdq, "recluster", None)
        if recluster is not None:
            recluster()

    def remove(self, keys: Iterable[int]) -> int:
        """Stop matching these keys and forget them."""
        gone = list(dict.fromkeys(k for k in keys if k in self._records))
        self._unindex(gone)
        for key in gone:
            rec = self._records.pop(key)
            if self._key_of.get(rec.record_id) == key:
                del self._key_of[rec.record_id]
            if rec.derivation:
                kids = self._children.get(rec.item)
                if kids is not None:
                    kids.discard(key)
                    if not kids:
                        del self._children[rec.item]
        return len(gone)

    def set_status(self, key: int, status: RecordStatus) -> HashRecord:
        """Quarantine, restore or tombstone one record in place (no rebuild)."""
        old = self._records[key]
        if old.status is status:
            return old
        new = replace(old, status=status)
        self.remove([key])
        self.add([(key, new)])
        return new

    def record(self, key: int) -> HashRecord | None:
        return self._records.get(key)

    def derived(self, record_ids: Iterable[str]) -> list[tuple[int, HashRecord]]:
        """The derived hashes (crops) of these items, so a removal can take them along."""
        out = []
        for rid in record_ids:
            for key in sorted(self._children.get(rid, ())):
                out.append((key, self._records[key]))
        return out

    def __len__(self) -> int:
        return len(self._records)

    def _unindex(self, keys: Sequence[int]) -> None:
        by_type: dict[SignalType, list[int]] = {}
        for key in keys:
            rec = self._records[key]
            if rec.status is RecordStatus.ACTIVE:
                by_type.setdefault(rec.signal_type, []).append(key)
        if SignalType.PDQ in by_type:
            self._pdq.remove(by_type[SignalType.PDQ])
        if SignalType.VPDQ in by_type:
            self._vpdq.remove(by_type[SignalType.VPDQ])
        for kind in (SignalType.MD5, SignalType.SHA256):
            if kind in by_type:
                self._exact[kind].remove(by_type[kind])

    # -- matching -----------------------------------------------------------------------------

    def match_value(
        self, signal_type: SignalType, value: str, *, banks: Iterable[str] | None = None
    ) -> list[MatchHit]:
        """Hits for one hash given as text (validated first; raises HashFormatError)."""
        value = normalise(signal_type, value)
        wanted = self._wanted(banks)
        if signal_type is SignalType.PDQ:
            return self._match_pdq([("original", value)], None, wanted)
        if signal_type is SignalType.VPDQ:
            return self._match_vpdq(vpdq.parse(value), wanted)
        return self._match_exact(signal_type, value, wanted)

    def match_hashes(
        self, hashes: FileHashes, *, banks: Iterable[str] | None = None
    ) -> list[MatchHit]:
        """Hits for everything a hashed file carries (file hashes, PDQ with variants, vPDQ)."""
        wanted = self._wanted(banks)
        hits = self._match_exact(SignalType.MD5, hashes.md5, wanted)
        hits += self._match_exact(SignalType.SHA256, hashes.sha256, wanted)
        if hashes.pdq is not None:
            variants = list(hashes.pdq.variants) or [("original", hashes.pdq.value)]
            variants += [(n, v) for n, v in hashes.pdq.crops if n in pdq.QUERY_CROPS]
            hits += self._match_pdq(variants, hashes.pdq.quality, wanted)
        if hashes.vpdq:
            hits += self._match_vpdq(list(hashes.vpdq), wanted)
        return _ordered(hits)

    def match_file(
        self,
        path: Path,
        options: hasher.HashOptions | None = None,
        *,
        banks: Iterable[str] | None = None,
    ) -> tuple[FileHashes, list[MatchHit]]:
        hashes = hasher.hash_file(path, options)
        return hashes, self.match_hashes(hashes, banks=banks)

    def _wanted(self, banks: Iterable[str] | None) -> dict[str, Bank]:
        names = set(self.banks) if banks is None else set(banks)
        unknown = names - set(self.banks)
        if unknown:
            raise HashFormatError(f"no bank named {sorted(unknown)[0]!r}", field="banks")
        return {n: b for n, b in self.banks.items() if n in names and b.enabled}

    def _usable(self, key: int, wanted: dict[str, Bank]) -> tuple[HashRecord, Bank] | None:
        rec = self._records.get(key)
        if rec is None or rec.status is not RecordStatus.ACTIVE:
            return None
        bank = wanted.get(rec.bank)
        return None if bank is None else (rec, bank)

    def _match_pdq(
        self, variants: list[tuple[str, str]], quality: int | None, wanted: dict[str, Bank]
    ) -> list[MatchHit]:
        if not wanted:
            return []
        radius = max(b.pdq_threshold for b in wanted.values())
        found = self._pdq.search(pdq.to_bytes([v for _, v in variants]), radius)
        best: dict[int, tuple[int, str]] = {}
        for (name, _), matches in zip(variants, found, strict=True):
            for key, dist in matches:
                rec = self._records.get(key)
                if rec is not None and rec.derivation:
                    # a crop of a banked picture matches as the picture itself
                    name_here = f"{name}~{rec.derivation}"
                    key = self._key_of.get(rec.item, key)
                else:
                    name_here = name
                if key not in best or dist < best[key][0]:
                    best[key] = (dist, name_here)
        low = quality is not None and quality < MIN_PDQ_QUALITY
        hits = []
        for key, (dist, name) in best.items():
            usable = self._usable(key, wanted)
            if usable is None or dist > usable[1].pdq_threshold:
                continue
            rec, bank = usable
            hits.append(
                MatchHit(
                    rec, bank, dist, bank.pdq_threshold, SignalType.PDQ, name, low_quality_query=low
                )
            )
        return _ordered(hits)

    def _match_vpdq(self, frames: list[VpdqFrame], wanted: dict[str, Bank]) -> list[MatchHit]:
        hits = []
        for key, q_pct, b_pct in self._vpdq.search(frames):
            usable = self._usable(key, wanted)
            if usable is None:
                continue
            rec, bank = usable
            if q_pct >= bank.vpdq_query_match_percent and b_pct >= bank.vpdq_compared_match_percent:
                hits.append(
                    MatchHit(
                        rec,
                        bank,
                        0,
                        self._vpdq.frame_threshold,
                        SignalType.VPDQ,
                        query_match_percent=q_pct,
                        compared_match_percent=b_pct,
                    )
                )
        return _ordered(hits)

    def _match_exact(
        self, signal_type: SignalType, value: str, wanted: dict[str, Bank]
    ) -> list[MatchHit]:
        hits = []
        for key in self._exact[signal_type].search(value):
            usable = self._usable(key, wanted)
            if usable is not None:
                hits.append(MatchHit(usable[0], usable[1], 0, 0, signal_type))
        return hits


def _ordered(hits: list[MatchHit]) -> list[MatchHit]:
    return sorted(
        hits,
        key=lambda h: (
            h.distance,
            -(h.query_match_percent or 0.0),
            h.bank.name,
            h.record.record_id,
        ),
    )
