"""The ``threatexchange`` CLI's signal files (python-threatexchange 1.2.17, tested).

Three shapes, each read row by row with line numbers and written so the library reads it back:

- **signal file**: what ``threatexchange``'s ``file`` exchange (``LocalFileSignalExchangeAPI``)
  fetches: one ``<signal type> <signal>`` per line, e.g. ``pdq f8f8f0ce...``.
- **simple state file** ``simple.<INDICATOR_TYPE>.te``: the CLI's compact cache, CSV rows
  ``indicator, first descriptor id, added on, space-separated labels``; rows are built with
  the library's own ``CliIndicatorSerialization`` / ``SimpleDescriptorRollup`` and written
  with ``CliIndicatorSerialization.store``.
- **dataset CSV**: ``threatexchange dataset -P --csv``: ``signal_type, signal_str, collab,
  category, tags``; categories are the library's ``AggregateSignalOpinionCategory`` names.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from threatexchange.cli.dataset.simple_serialization import CliIndicatorSerialization
from threatexchange.exchanges.clients.fb_threatexchange.descriptor import SimpleDescriptorRollup
from threatexchange.exchanges.fetch_state import AggregateSignalOpinionCategory

from ctnode.hashes.formats.common import (
    ImportResult,
    Where,
    allow_long_fields,
    make_record,
    name_match,
    parse_time,
    read_text,
    record_tags,
    split_tags,
)
from ctnode.hashes.model import Bank, HashFormatError, HashRecord, Label, Provenance, SignalType
from ctnode.hashes.signals import parse_signal_type

#: Our signal types under python-threatexchange's names (SignalType.get_name()).
TE_NAMES = {
    SignalType.PDQ: "pdq",
    SignalType.MD5: "video_md5",
    SignalType.SHA256: "video_sha256",
    SignalType.VPDQ: "vpdq",
}
#: ThreatExchange indicator types (INDICATOR_TYPE) for the simple state files. vPDQ has none.
INDICATOR_TYPES = {
    SignalType.PDQ: "HASH_PDQ",
    SignalType.MD5: "HASH_VIDEO_MD5",
    SignalType.SHA256: "HASH_VIDEO_SHA256",
}
_SIMPLE_NAME = re.compile(r"^simple\.([A-Za-z0-9_]+)\.te$")
DATASET_COLUMNS = ["signal_type", "signal_str", "collab", "category", "tags"]


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def read_signal_file(
    path: Path, bank: Bank, *, signal_type: SignalType | None = None, now: datetime | None = None
) -> ImportResult:
    """``<signal type> <signal>`` per line (or bare signals when ``signal_type`` is given)."""
    text = read_text(path)
    out = ImportResult()
    prov = Provenance("file", path.name, _now(now), source_format="te-signal-file")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if signal_type is None:
            name, _, value = line.partition(" ")
            if not value:
                raise HashFormatError(
                    "expected '<signal type> <signal>'", source=path.name, line=number
                )
            kind = _signal_type(name, path.name, number)
        else:
            kind, value = signal_type, line
        where = Where(path.name, number, "signal")
        out.add(make_record(bank, kind, value.strip(), prov, where))
    return out


def write_signal_file(records: Iterable[HashRecord], path: Path) -> int:
    rows = [f"{TE_NAMES[r.signal_type]} {r.value}\n" for r in records]
    path.write_text("".join(rows), encoding="utf-8")
    return len(rows)


def read_simple_file(path: Path, bank: Bank, *, now: datetime | None = None) -> ImportResult:
    """One ``simple.<INDICATOR_TYPE>.te`` file of the CLI's state directory."""
    match = name_match(_SIMPLE_NAME, path, "simple.<INDICATOR_TYPE>.te (e.g. simple.HASH_PDQ.te)")
    indicator_type = match.group(1)
    kind = _signal_type(indicator_type, path.name, None)
    out = ImportResult()
    columns = "indicator, descriptor id, added on, labels"
    for where, row in sized_rows(path, columns, "indicator"):
        try:
            item = CliIndicatorSerialization(
                indicator_type, row[0], SimpleDescriptorRollup.from_row(row[1:])
            )
        except ValueError:
            raise where.error("descriptor id must be an integer", "first_descriptor_id") from None
        original = str(item.rollup.first_descriptor_id)
        out.add(rollup_record(bank, kind, item.indicator, item.rollup, where, original, now))
    return out


def rollup_record(
    bank: Bank,
    kind: SignalType,
    indicator: str,
    rollup: SimpleDescriptorRollup,
    where: Where,
    original_id: str,
    now: datetime | None,
    *,
    source_format: str = "te-simple",
    note: str = "",
) -> HashRecord:
    """A record from a row the library read into a ``SimpleDescriptorRollup`` (the CLI's simple
    state files and HMA 1.x data files share it): added date, labels and TLP from its tags."""
    added = (
        _now(now)
        if rollup.added_on in ("", SimpleDescriptorRollup.IS_MY_OPINION)
        else parse_time(rollup.added_on, source=where.source, line=where.line)
    )
    prov = Provenance(
        "file", where.source, added, original_id=original_id, source_format=source_format
    )
    return make_record(
        bank, kind, indicator, prov, where, split_tags(sorted(rollup.labels)), note=note
    )


def rollup_of(record: HashRecord, descriptor_id: int) -> SimpleDescriptorRollup:
    """The library's rollup of one record: its added date and our labels and TLP as tags."""
    added = record.provenance.added_at.isoformat()
    return SimpleDescriptorRollup(descriptor_id, added, set(record_tags(record)))


def write_simple_files(records: Iterable[HashRecord], state_dir: Path) -> tuple[list[Path], int]:
    """Write ``simple.<INDICATOR_TYPE>.te`` files with the library's own writer.
    Returns the paths and how many records had no ThreatExchange indicator type (vPDQ)."""
    items = []
    skipped = 0
    for number, rec in enumerate(records):
        indicator_type = INDICATOR_TYPES.get(rec.signal_type)
        if indicator_type is None:
            skipped += 1
            continue
        original = rec.provenance.original_id
        rollup = rollup_of(rec, int(original) if original.isdigit() else number + 1)
        items.append(CliIndicatorSerialization(indicator_type, rec.value, rollup))
    state_dir.mkdir(parents=True, exist_ok=True)
    return CliIndicatorSerialization.store(state_dir, items), skipped


def read_dataset_csv(path: Path, bank: Bank, *, now: datetime | None = None) -> ImportResult:
    """``threatexchange dataset -P --csv`` output. POSITIVE_CLASS rows are banked; INVESTIGATION_SEED
    rows are banked with the label ``under_review``; NEGATIVE_CLASS and DISPUTED rows are skipped."""
    rows = csv_rows(read_text(path), path.name)
    out = ImportResult()
    header = next(rows, None)
    if header is None:
        return out
    if [h.strip() for h in header[1]] != DATASET_COLUMNS:
        raise HashFormatError(
            f"header must be {','.join(DATASET_COLUMNS)}", source=path.name, line=header[0]
        )
    prov = Provenance("file", path.name, _now(now), source_format="te-dataset-csv")
    for number, row in rows:
        if len(row) != len(DATASET_COLUMNS):
            raise HashFormatError(
                f"expected {len(DATASET_COLUMNS)} columns, got {len(row)}",
                source=path.name,
                line=number,
            )
        name, value, collab, category_text, tags_text = row
        kind = _signal_type(name, path.name, number)
        try:
            category = AggregateSignalOpinionCategory[category_text.strip()]
        except KeyError:
            known = ", ".join(c.name for c in AggregateSignalOpinionCategory)
            raise HashFormatError(
                f"unknown category {category_text!r}; known: {known}",
                source=path.name,
                line=number,
                field="category",
            ) from None
        if category in (
            AggregateSignalOpinionCategory.NEGATIVE_CLASS,
            AggregateSignalOpinionCategory.DISPUTED,
        ):
            out.skipped.append(f"line {number}: {category.name} opinion, not banked")
            continue
        tagging = split_tags(tags_text.split())
        if category is AggregateSignalOpinionCategory.INVESTIGATION_SEED:
            tagging = tagging.with_label(Label.UNDER_REVIEW)
        note = f"ThreatExchange collaboration {collab}" if collab else ""
        where = Where(path.name, number, "signal_str")
        out.add(make_record(bank, kind, value, prov, where, tagging, note=note))
    return out


def write_dataset_csv(records: Iterable[HashRecord], path: Path) -> int:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, DATASET_COLUMNS)
        writer.writeheader()
        count = 0
        for rec in records:
            category = (
                AggregateSignalOpinionCategory.INVESTIGATION_SEED
                if Label.UNDER_REVIEW in rec.labels
                else AggregateSignalOpinionCategory.POSITIVE_CLASS
            )
            writer.writerow(
                {
                    "signal_type": TE_NAMES[rec.signal_type],
                    "signal_str": rec.value,
                    "collab": rec.bank,
                    "category": category.name,
                    "tags": " ".join(record_tags(rec)),
                }
            )
            count += 1
    return count


def _signal_type(name: str, source: str, line: int | None) -> SignalType:
    try:
        return parse_signal_type(name)
    except HashFormatError as exc:
        raise HashFormatError(exc.reason, source=source, line=line, field="signal_type") from None


def sized_rows(path: Path, columns: str, field: str) -> Iterator[tuple[Where, list[str]]]:
    """The CSV rows of a file, each with where it stands, refusing a row without ``columns``."""
    count = len(columns.split(","))
    for number, row in csv_rows(read_text(path), path.name):
        where = Where(path.name, number, field)
        if len(row) != count:
            raise where.error(f"expected {count} columns ({columns}), got {len(row)}", "")
        yield where, row


def csv_rows(text: str, source: str) -> Iterator[tuple[int, list[str]]]:
    allow_long_fields(text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row in reader:
            if row:
                yield reader.line_num, row
    except csv.Error as exc:
        raise HashFormatError(f"bad CSV: {exc}", source=source, line=reader.line_num) from None
