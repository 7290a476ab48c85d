"""What every format shares: the import result, record ids, size limits, safe reading, dates."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ctnode.hashes import model as m
from ctnode.hashes.signals import normalise
from ctnode.model.tlp import TLP

#: Largest file any format reader accepts (bytes).
MAX_FILE_BYTES = 512 * 1024**2
#: Most records one import may create.
MAX_RECORDS = 20_000_000


@dataclass(slots=True)
class ImportResult:
    """What a file held: records ready to bank, banks it described, rows deliberately skipped.

    Readers raise ``HashFormatError`` on the first malformed row (file, line, field), so an
    import is all or nothing: the caller stores ``records`` only when the whole file parsed.
    """

    records: list[m.HashRecord] = field(default_factory=list)
    banks: list[m.Bank] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "line 7: NEGATIVE_CLASS opinion, not banked"

    def add(self, record: m.HashRecord) -> None:
        if len(self.records) >= MAX_RECORDS:
            raise m.HashFormatError(f"more than {MAX_RECORDS:,} records in one import")
        self.records.append(record)


def record_id_for(bank: str, signal_type: m.SignalType, value: str) -> str:
    """Stable id of a hash in a bank: the same hash in the same bank has the same id on every node."""
    digest = hashlib.sha256(f"{bank}\x1f{signal_type.value}\x1f{value}".encode()).hexdigest()
    return f"h-{digest[:24]}"


def read_text(path: Path) -> str:
    """A whole text file, size-checked, UTF-8 (with or without BOM); errors name the file."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise m.HashFormatError(f"cannot read: {exc.strerror}", source=path.name) from None
    if size > MAX_FILE_BYTES:
        raise m.HashFormatError(
            f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}", source=path.name
        )
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise m.HashFormatError("not UTF-8 text", source=path.name, line=line) from None


def allow_long_fields(text: str) -> None:
    """Let the csv module read fields as long as this text (vPDQ values are long). The limit is
    process-wide and python-threatexchange's loaders shrink it to a file's size, so it is set
    before every read rather than once."""
    csv.field_size_limit(max(len(text) + 1, 131072))


def name_match(pattern: re.Pattern[str], path: Path, expected: str) -> re.Match[str]:
    """The parts of a file name that carries meaning (HMA 1.x, the CLI's state files)."""
    found = pattern.match(path.name)
    if not found:
        raise m.HashFormatError(f"file name must be {expected}", source=path.name)
    return found


def load_json(text: str, *, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise m.HashFormatError(f"not JSON: {exc.msg}", source=source, line=exc.lineno) from None
    except RecursionError:
        raise m.HashFormatError("JSON nested too deeply", source=source) from None


def parse_time(
    text: object, *, source: str, line: int | None = None, field: str = "added_on"
) -> datetime:
    """ISO 8601 or a Unix timestamp (seconds) → aware UTC datetime."""
    if isinstance(text, bool):
        raise m.HashFormatError(f"not a time: {text!r}", source=source, line=line, field=field)
    try:
        if isinstance(text, int | float):
            return datetime.fromtimestamp(float(text), UTC)
        if isinstance(text, str):
            stripped = text.strip()
            if stripped.replace(".", "", 1).isdigit():
                return datetime.fromtimestamp(float(stripped), UTC)
            value = datetime.fromisoformat(stripped.replace("Z", "+00:00"))
            return value if value.tzinfo else value.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise m.HashFormatError(
        f"not a time: {str(text)[:60]!r}", source=source, line=line, field=field
    )


@dataclass(frozen=True, slots=True)
class Where:
    """Where a value was read: the file, its line (text formats) and the field or JSON path."""

    source: str
    line: int | None = None
    field: str = ""

    def error(self, message: str, field: str | None = None) -> m.HashFormatError:
        return m.HashFormatError(
            message,
            source=self.source,
            line=self.line,
            field=self.field if field is None else field,
        )


@dataclass(frozen=True, slots=True)
class Tagging:
    """Labels in our taxonomy, a TLP marking if the source gave one, the source's tags verbatim."""

    labels: frozenset[m.Label] = frozenset()
    tlp: TLP | None = None
    tags: tuple[str, ...] = ()

    def with_label(self, label: m.Label) -> Tagging:
        return Tagging(self.labels | {label}, self.tlp, self.tags)


def split_tags(tags: list[str] | tuple[str, ...]) -> Tagging:
    """Free tags from another system → labels we recognise, a TLP tag if any, the tags verbatim."""
    labels: set[m.Label] = set()
    tlp: TLP | None = None
    for tag in tags:
        low = tag.strip().lower()
        if low.startswith("tlp:") or low.startswith("tlp_"):
            try:
                tlp = m.parse_tlp(low)
            except m.HashFormatError:
                pass  # kept verbatim in tags below
            continue
        try:
            labels.add(m.Label.parse(tag))
        except m.HashFormatError:
            pass  # not in our taxonomy: kept verbatim only
    return Tagging(frozenset(labels), tlp, tuple(t for t in tags if t))


def make_record(
    bank: m.Bank,
    signal_type: m.SignalType,
    value: str,
    provenance: m.Provenance,
    where: Where,
    tagging: Tagging = Tagging(),
    *,
    status: m.RecordStatus = m.RecordStatus.ACTIVE,
    note: str = "",
) -> m.HashRecord:
    """Validate one value (errors name file, line, field) and build its record."""
    try:
        clean = normalise(signal_type, value, field=where.field)
    except m.HashFormatError as exc:
        raise where.error(exc.reason) from None
    return m.HashRecord(
        record_id=record_id_for(bank.name, signal_type, clean),
        bank=bank.name,
        signal_type=signal_type,
        value=clean,
        provenance=provenance,
        labels=tagging.labels,
        tags=tagging.tags,
        tlp=tagging.tlp or bank.default_tlp,
        status=status,
        note=note,
    )


def record_tags(record: m.HashRecord) -> list[str]:
    """Our labels and TLP as the free tags other systems carry (labels first, then TLP)."""
    return [*sorted(label.value for label in record.labels), record.tlp.label.lower()]
