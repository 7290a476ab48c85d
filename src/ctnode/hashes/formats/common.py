"""What every format shares: the import result, record ids, size limits, safe reading, dates."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ctnode.hashes.model import (
    TLP,
    Bank,
    HashFormatError,
    HashRecord,
    Label,
    Provenance,
    RecordStatus,
    SignalType,
)
from ctnode.hashes.signals import normalise

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

    records: list[HashRecord] = field(default_factory=list)
    banks: list[Bank] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "line 7: NEGATIVE_CLASS opinion, not banked"

    def add(self, record: HashRecord) -> None:
        if len(self.records) >= MAX_RECORDS:
            raise HashFormatError(f"more than {MAX_RECORDS:,} records in one import")
        self.records.append(record)


def record_id_for(bank: str, signal_type: SignalType, value: str) -> str:
    """Stable id of a hash in a bank: the same hash in the same bank has the same id on every node."""
    digest = hashlib.sha256(f"{bank}\x1f{signal_type.value}\x1f{value}".encode()).hexdigest()
    return f"h-{digest[:24]}"


def read_text(path: Path) -> str:
    """A whole text file, size-checked, UTF-8 (with or without BOM); errors name the file."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise HashFormatError(f"cannot read: {exc.strerror}", source=path.name) from None
    if size > MAX_FILE_BYTES:
        raise HashFormatError(
            f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}", source=path.name
        )
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise HashFormatError("not UTF-8 text", source=path.name, line=line) from None


def allow_long_fields(text: str) -> None:
    """Let the csv module read fields as long as this text (vPDQ values are long). The limit is
    process-wide and python-threatexchange's loaders shrink it to a file's size, so it is set
    before every read rather than once."""
    csv.field_size_limit(max(len(text) + 1, 131072))


def load_json(text: str, *, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise HashFormatError(f"not JSON: {exc.msg}", source=source, line=exc.lineno) from None
    except RecursionError:
        raise HashFormatError("JSON nested too deeply", source=source) from None


def parse_time(
    text: object, *, source: str, line: int | None = None, field: str = "added_on"
) -> datetime:
    """ISO 8601 or a Unix timestamp (seconds) → aware UTC datetime."""
    if isinstance(text, bool):
        raise HashFormatError(f"not a time: {text!r}", source=source, line=line, field=field)
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
    raise HashFormatError(f"not a time: {str(text)[:60]!r}", source=source, line=line, field=field)


def split_tags(
    tags: list[str] | tuple[str, ...],
) -> tuple[frozenset[Label], TLP | None, tuple[str, ...]]:
    """Free tags from another system → (labels we recognise, a TLP tag if any, the tags verbatim)."""
    labels: set[Label] = set()
    tlp: TLP | None = None
    for tag in tags:
        low = tag.strip().lower()
        if low.startswith("tlp:") or low.startswith("tlp_"):
            try:
                tlp = TLP.parse(low)
            except HashFormatError:
                pass  # kept verbatim in tags below
            continue
        try:
            labels.add(Label.parse(tag))
        except HashFormatError:
            pass  # not in our taxonomy: kept verbatim only
    return frozenset(labels), tlp, tuple(t for t in tags if t)


def make_record(
    *,
    bank: Bank,
    signal_type: SignalType,
    value: str,
    provenance: Provenance,
    source: str,
    line: int | None,
    field: str,
    labels: frozenset[Label] = frozenset(),
    tags: tuple[str, ...] = (),
    tlp: TLP | None = None,
    status: RecordStatus = RecordStatus.ACTIVE,
    note: str = "",
) -> HashRecord:
    """Validate one value (errors name file, line, field) and build its record."""
    try:
        clean = normalise(signal_type, value, field=field)
    except HashFormatError as exc:
        raise HashFormatError(exc.reason, source=source, line=line, field=field) from None
    return HashRecord(
        record_id=record_id_for(bank.name, signal_type, clean),
        bank=bank.name,
        signal_type=signal_type,
        value=clean,
        provenance=provenance,
        labels=labels,
        tags=tags,
        tlp=tlp or bank.default_tlp,
        status=status,
        note=note,
    )


def record_tags(record: HashRecord) -> list[str]:
    """Our labels and TLP as the free tags other systems carry (labels first, then TLP)."""
    return [*sorted(label.value for label in record.labels), record.tlp.marking.lower()]
