"""STIX and TAXII timestamps: RFC 3339 in UTC, read strictly and written with microseconds."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")
# the canonical form (UTC, at most microseconds), read without fromisoformat's detour
_CANONICAL = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z")


def object_version(obj: Mapping[str, Any]) -> str | None:
    """The version timestamp of an object (``modified``, else ``created``); None for SCOs.
    (Here, not in ``ctnode.intel.stix``: the store reads it without loading stix2.)"""
    value = obj.get("modified") or obj.get("created")
    return str(value) if value else None


def parse_timestamp(value: str, name: str = "timestamp") -> datetime:
    """A timestamp (``Z`` or an offset) as an aware UTC datetime; ``ValueError`` names ``name``.

    Fractions beyond microseconds are cut (Python's precision), never rounded up.
    """
    m = _CANONICAL.fullmatch(value)
    if m is not None:
        frac = m[7]
        try:
            return datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]),
                            int(frac.ljust(6, "0")) if frac else 0, tzinfo=UTC)
        except ValueError:
            raise ValueError(f"{name}: {value!r} is not a valid date and time") from None
    text = value.strip()
    if not _TIMESTAMP.match(text):
        raise ValueError(f"{name}: {value!r} is not a timestamp like 2026-03-14T09:30:00.000Z")
    main, _, rest = text.partition(".")
    if rest:
        digits = re.match(r"\d+", rest)
        assert digits is not None
        frac = digits.group(0)
        text = f"{main}.{frac[:6].ljust(6, '0')}{rest[len(frac) :]}"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a valid date and time") from None
    return parsed.astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    """UTC with microsecond precision (what TAXII recommends for date_added)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
