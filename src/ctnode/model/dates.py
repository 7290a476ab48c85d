"""Dates of birth as ISO prefixes (``1970``, ``1970-05``, ``1970-05-12``)."""

from __future__ import annotations

import re
from datetime import date

_FORMATS = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), ("y", "m", "d")),  # ISO: two digits each
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})-(\d{2})$"), ("y", "m")),
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


# Hijri (Islamic) calendar. Dates in the Umm al-Qura range (1343-1500 AH, 1924-2077 CE) are
# converted with the hijridate library (Umm al-Qura tables as published by Saudi Arabia,
# which UN and Gulf documents use); dates outside it with the standard tabular (civil,
# arithmetic) Islamic calendar, which can differ from an observed calendar by a day or two.
_HIJRI_EPOCH_JDN = 1948440  # Julian day number of 1 Muharram 1 AH (civil epoch) minus one


def _tabular_hijri_jdn(year: int, month: int, day: int) -> int:
    return (day + (59 * (month - 1) + 1) // 2 + (year - 1) * 354 + (3 + 11 * year) // 30
            + _HIJRI_EPOCH_JDN - 1)


def hijri_to_gregorian(year: int, month: int, day: int) -> date:
    """The Gregorian date of a Hijri date; ``ValueError`` naming the problem when it is none."""
    if not 1 <= month <= 12:
        raise ValueError(f"Hijri date {day}/{month}/{year}: month {month} out of range")
    if not 1 <= day <= 30:
        raise ValueError(f"Hijri date {day}/{month}/{year}: day {day} out of range")
    if 1343 <= year <= 1500:
        from hijridate import Hijri

        try:
            converted: date = Hijri(year, month, day).to_gregorian()
        except ValueError as exc:
            raise ValueError(f"Hijri date {day}/{month}/{year}: {exc}") from None
        return converted
    if not 1 <= year <= 2000:
        raise ValueError(f"Hijri date {day}/{month}/{year}: year {year} out of range")
    return date.fromordinal(_tabular_hijri_jdn(year, month, day) - 1721425)


def hijri_year_to_gregorian(year: int) -> tuple[int, int]:
    """The Gregorian years a Hijri year overlaps (a Hijri year is 354 or 355 days long)."""
    first = hijri_to_gregorian(year, 1, 1).year
    last = hijri_to_gregorian(year, 12, 29).year
    return first, last
