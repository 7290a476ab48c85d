"""Dates of birth as ISO prefixes (``1970``, ``1970-05``, ``1970-05-12``)."""

from __future__ import annotations

import re
from datetime import date

_FORMATS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), ("y", "m")),
    (re.compile(r"^(\d{4})$"), ("y",)),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), ("y", "m", "d")),
)


def normalise_birth_date(text: str) -> str:
    """Turn a user-supplied date into an ISO prefix; raise ``ValueError`` naming the problem."""
    value = text.strip()
    for pattern, parts in _FORMATS:
        m = pattern.match(value)
        if not m:
            continue
        got = dict(zip(parts, (int(g) for g in m.groups()), strict=True))
        year = got["y"]
        if not 1850 <= year <= 2100:
            raise ValueError(f"birth date {text!r}: year {year} out of range")
        if "m" not in got:
            return f"{year:04d}"
        if not 1 <= got["m"] <= 12:
            raise ValueError(f"birth date {text!r}: month {got['m']} out of range")
        if "d" not in got:
            return f"{year:04d}-{got['m']:02d}"
        try:
            return date(year, got["m"], got["d"]).isoformat()
        except ValueError:
            raise ValueError(f"birth date {text!r} is not a calendar date") from None
    raise ValueError(f"birth date {text!r}: use YYYY-MM-DD, YYYY-MM, YYYY or DD.MM.YYYY")
