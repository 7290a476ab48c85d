"""Time: everything ctnode stores is UTC, and every timestamp it signs or hashes has one form."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; treat them as the UTC they were written as."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def format_ts(at: datetime) -> str:
    """The one text form of a timestamp in hashed, signed or exchanged data (microseconds, Z)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_ts(text: str) -> datetime:
    """A timestamp written by :func:`format_ts` (or any ISO 8601 form with ``Z``) back."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
