"""Hasher-Matcher-Actioner bank exports, both generations.

**HMA 2.x (OpenMediaMatch)** has no single export file; its curation API speaks a bank as
``BankConfig`` (``name``, ``matching_enabled_ratio``) and each piece of banked content as
``BankContentResponse`` (``id``, ``disable_until_ts``, ``original_media_uri``, ``bank``,
``signals`` {signal type name: value}, ``metadata`` {``content_id``, ``content_uri``,
``json``, ``collab``}, ``note``), the shape ``GET /c/bank/<name>/content/<id>?include_signals=true``
returns. Our export is one JSON document ``{"bank": BankConfig, "content": [BankContentResponse...]}``;
each item's ``signals`` object is exactly the body ``POST /c/bank/<name>/signal`` accepts, so a
script can load it into HMA item by item. Our labels, TLP, tags and provenance travel in
``metadata.json.ctnode``. Checked against the OpenMediaMatch schemas in ThreatExchange's
repository (``hasher-matcher-actioner/src/OpenMediaMatch/schemas/curation.py``).

**HMA 1.x** (the AWS deployment) kept each ThreatExchange privacy group's hashes as CSV data
files ``<privacy group>.<indicator type>.te`` (e.g. ``258601789084078.hash_pdq.te``): rows
``hash, indicator id, descriptor id, added on, space-separated tags``, read and written by
python-threatexchange's ``HMASerialization``, which is what we use here too.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from threatexchange.cli.dataset.simple_serialization import HMASerialization

from ctnode.hashes.formats.common import (
    ImportResult,
    Tagging,
    Where,
    load_json,
    make_record,
    name_match,
    parse_time,
    read_text,
)
from ctnode.hashes.formats.te import INDICATOR_TYPES, TE_NAMES, rollup_of, rollup_record, sized_rows
from ctnode.hashes.model import (
    Bank,
    HashFormatError,
    HashRecord,
    Label,
    Provenance,
    RecordStatus,
    SignalType,
    parse_tlp,
    validate_bank_name,
)
from ctnode.hashes.signals import parse_signal_type

#: HMA 1.x matched PDQ and video MD5 only.
HMA1_TYPES: dict[SignalType, str] = {
    k: v for k, v in INDICATOR_TYPES.items() if k in (SignalType.PDQ, SignalType.MD5)
}
_HMA1_NAME = re.compile(r"^(?P<group>[^.]+)\.(?P<type>hash_[a-z0-9_]+)\.te$")


# -- HMA 2.x --------------------------------------------------------------------------------------


def write_hma2(bank: Bank, records: Iterable[HashRecord], path: Path) -> int:
    """One bank as HMA 2.x bank config + bank content items (one item per record)."""
    config = {"name": bank.name, "matching_enabled_ratio": 1.0 if bank.enabled else 0.0}
    content = []
    for number, rec in enumerate(records, start=1):
        content.append(
            {
                "id": number,
                "disable_until_ts": 1 if rec.status is RecordStatus.ACTIVE else 0,
                "original_media_uri": None,
                "bank": config,
                "signals": {TE_NAMES[rec.signal_type]: rec.value},
                "metadata": {
                    "content_id": rec.record_id,
                    "content_uri": None,
                    "json": {
                        "ctnode": {
                            "labels": sorted(label.value for label in rec.labels),
                            "tlp": rec.tlp.label,
                            "tags": list(rec.tags),
                            "source": rec.provenance.source,
                            "source_kind": rec.provenance.source_kind,
                            "added_at": rec.provenance.added_at.isoformat(),
                            "original_id": rec.provenance.original_id,
                        }
                    },
                },
                "note": rec.note or None,
            }
        )
    path.write_text(json.dumps({"bank": config, "content": content}, indent=1), encoding="utf-8")
    return len(content)


def read_hma2(path: Path, *, bank: Bank | None = None, now: datetime | None = None) -> ImportResult:
    """An HMA 2.x bank export (ours or assembled from HMA's API). ``bank`` overrides the file's
    bank name (e.g. to import a peer's bank under a local name)."""
    data = load_json(read_text(path), source=path.name)
    src = path.name
    config: Any = None
    items: Any = data
    if isinstance(data, dict):
        items = data.get("content")
        config = data.get("bank")
        if not isinstance(items, list):
            raise HashFormatError("expected a 'content' list", source=src, field="content")
    elif isinstance(data, list):
        pass
    else:
        raise HashFormatError(
            "expected a JSON object with 'bank' and 'content', or a list of content", source=src
        )
    out = ImportResult()
    target = bank or _bank_from_config(config, items, src)
    out.banks.append(target)
    imported_at = now or datetime.now(UTC)
    for number, item in enumerate(items):
        where = f"content[{number}]"
        if not isinstance(item, dict):
            raise HashFormatError("content item must be an object", source=src, field=where)
        signals = item.get("signals")
        if not isinstance(signals, dict) or not signals:
            raise HashFormatError(
                "'signals' must be a non-empty object {signal type: value}",
                source=src,
                field=f"{where}.signals",
            )
        meta = item.get("metadata") or {}
        if not isinstance(meta, dict):
            raise HashFormatError(
                "'metadata' must be an object", source=src, field=f"{where}.metadata"
            )
        ours = ((meta.get("json") or {}) if isinstance(meta.get("json"), dict) else {}).get(
            "ctnode"
        ) or {}
        if not isinstance(ours, dict):
            raise HashFormatError(
                "'metadata.json.ctnode' must be an object",
                source=src,
                field=f"{where}.metadata.json.ctnode",
            )
        tagging = _ours(ours, src, where)
        added = (
            parse_time(ours["added_at"], source=src, field=f"{where}.metadata.json.ctnode.added_at")
            if "added_at" in ours
            else imported_at
        )
        original = str(item.get("id", "")) if item.get("id") is not None else ""
        prov = Provenance("file", src, added, original_id=original, source_format="hma2-json")
        disabled = item.get("disable_until_ts", 1)
        if not isinstance(disabled, int) or isinstance(disabled, bool) or disabled < 0:
            raise HashFormatError(
                "'disable_until_ts' must be a non-negative integer",
                source=src,
                field=f"{where}.disable_until_ts",
            )
        status = RecordStatus.QUARANTINED if disabled == 0 else RecordStatus.ACTIVE
        note = item.get("note") or ""
        if not isinstance(note, str):
            raise HashFormatError("'note' must be a string", source=src, field=f"{where}.note")
        for name, value in signals.items():
            at = Where(src, None, f"{where}.signals.{name}")
            try:
                kind = parse_signal_type(str(name), field=at.field)
            except HashFormatError as exc:
                raise at.error(exc.reason) from None
            if not isinstance(value, str):
                raise at.error("signal value must be a string")
            out.add(make_record(target, kind, value, prov, at, tagging, status=status, note=note))
    return out


def _bank_from_config(config: Any, items: list[Any], src: str) -> Bank:
    if config is None and items and isinstance(items[0], dict):
        config = items[0].get("bank")
    if not isinstance(config, dict) or not isinstance(config.get("name"), str):
        raise HashFormatError(
            "no bank name: give 'bank': {'name': ...} or choose a bank",
            source=src,
            field="bank.name",
        )
    ratio = config.get("matching_enabled_ratio", 1.0)
    if not isinstance(ratio, int | float) or isinstance(ratio, bool) or not 0.0 <= ratio <= 1.0:
        raise HashFormatError(
            "'matching_enabled_ratio' must be a number 0-1",
            source=src,
            field="bank.matching_enabled_ratio",
        )
    try:
        name = validate_bank_name(config["name"])
    except HashFormatError as exc:
        raise HashFormatError(exc.reason, source=src, field="bank.name") from None
    return Bank(name=name, enabled=ratio > 0.0)


def _ours(ours: dict[str, Any], src: str, where: str) -> Tagging:
    base = f"{where}.metadata.json.ctnode"
    raw_labels = ours.get("labels", [])
    raw_tags = ours.get("tags", [])
    if not isinstance(raw_labels, list) or not all(isinstance(x, str) for x in raw_labels):
        raise HashFormatError(
            "'labels' must be a list of strings", source=src, field=f"{base}.labels"
        )
    if not isinstance(raw_tags, list) or not all(isinstance(x, str) for x in raw_tags):
        raise HashFormatError("'tags' must be a list of strings", source=src, field=f"{base}.tags")
    try:
        labels = frozenset(Label.parse(x) for x in raw_labels)
        tlp = parse_tlp(ours["tlp"]) if isinstance(ours.get("tlp"), str) else None
    except HashFormatError as exc:
        raise HashFormatError(exc.reason, source=src, field=f"{base}.{exc.field}") from None
    return Tagging(labels, tlp, tuple(raw_tags))


# -- HMA 1.x --------------------------------------------------------------------------------------


def read_hma1(path: Path, bank: Bank, *, now: datetime | None = None) -> ImportResult:
    """One HMA 1.x data file ``<privacy group>.<indicator type>.te``, rows via ``HMASerialization``."""
    match = name_match(
        _HMA1_NAME, path, "<privacy group>.<indicator type>.te, e.g. 1234.hash_pdq.te"
    )
    indicator_type = match.group("type").upper()
    try:
        kind = parse_signal_type(indicator_type)
    except HashFormatError as exc:
        raise HashFormatError(exc.reason, source=path.name, field="indicator type") from None
    group = match.group("group")
    out = ImportResult()
    columns = "hash, indicator id, descriptor id, added on, tags"
    for where, row in sized_rows(path, columns, "hash"):
        try:
            item = HMASerialization.from_csv_row(row, indicator_type)
        except ValueError:
            raise where.error("descriptor id must be an integer", "descriptor_id") from None
        note = f"ThreatExchange privacy group {group}"
        record = rollup_record(
            bank,
            kind,
            item.indicator,
            item.rollup,
            where,
            item.indicator_id,
            now,
            source_format="hma1-te",
            note=note,
        )
        out.add(record)
    return out


def write_hma1(
    records: Iterable[HashRecord], directory: Path, *, privacy_group: str
) -> tuple[list[Path], int]:
    """HMA 1.x data files, one per indicator type. Returns the paths and the number of records
    HMA 1.x has no type for (SHA-256, vPDQ)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", privacy_group):
        raise HashFormatError(
            "privacy group must be letters, digits, _ or -", field="privacy_group"
        )
    rows: dict[str, list[HMASerialization]] = {}
    skipped = 0
    for number, rec in enumerate(records, start=1):
        indicator_type = HMA1_TYPES.get(rec.signal_type)
        if indicator_type is None:
            skipped += 1
            continue
        original = rec.provenance.original_id
        ident = original if original.isdigit() else str(number)
        item = HMASerialization(rec.value, indicator_type, ident, rollup_of(rec, number))
        rows.setdefault(indicator_type, []).append(item)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for indicator_type, items in sorted(rows.items()):
        path = directory / f"{privacy_group}.{indicator_type.lower()}.te"
        with path.open("w", encoding="utf-8", newline="") as stream:
            csv.writer(stream).writerows(item.as_csv_row() for item in items)
        paths.append(path)
    return paths, skipped
