"""Coverage: which lists a screen looked at, and a loud marker when it could miss someone.

A quiet "no hit" is the worst answer a screening node can give for a listed person. So
every answer says what it screened against (each list's name, version, own date, age
and size) and carries a warning when the answer cannot be trusted to be complete:

- ``no_lists``: no list holds a listed record (an empty store): nobody can be found;
- ``demo_only``: only the fictional demo list is loaded: real listed people are missed;
- ``demo_list``: the fictional demo list is screened beside real lists;
- ``stale_list``: a list is older than ``CTNODE_LIST_MAX_AGE_DAYS`` counted from its own
  date (the UN file's ``dateGenerated``, a CSV mapping's or ``--version``'s date);
- ``unknown_list``: a query asked for a list the node does not hold.

The age is counted from the list's own date, never from when it was imported: a list
imported today that was generated months ago is as old as it says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from ctnode import clock
from ctnode.model.screening import Coverage, CoverageWarning, ListCoverage

DEMO_DATASETS = frozenset({"un_sc_demo"})
_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


def list_date(version: str | None) -> date | None:
    """A list's own date from its version (``2026-01-01T00:00:00.000Z``, ``2026-05-13``)."""
    m = _DATE.match(version or "")
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def coverage_of(
    datasets: Iterable[Mapping[str, Any]],
    *,
    max_age_days: int,
    now: datetime | None = None,
    only: Iterable[str] | None = None,
) -> Coverage:
    """The coverage of a screen over ``datasets`` (rows of ``EntityStore.list_datasets``:
    ``name``, ``title``, ``version``, ``imported_at``, ``entities``); ``only`` restricts it to
    the lists a query named."""
    today = (now or clock.utcnow()).date()
    rows = {str(d["name"]): d for d in datasets}
    warnings: list[CoverageWarning] = []
    names = sorted(rows)
    if only is not None:
        wanted = list(dict.fromkeys(only))
        for name in wanted:
            if name not in rows:
                warnings.append(CoverageWarning(
                    "unknown_list", f"list {name!r} is not held by this node: it was not screened"))
        names = [n for n in wanted if n in rows]
    lists: list[ListCoverage] = []
    for name in names:
        d = rows[name]
        own = list_date(d.get("version"))
        age = (today - own).days if own else None
        entities = int(d.get("entities") or 0)
        stale = age is not None and age > max_age_days and entities > 0
        lists.append(ListCoverage(
            name=name, title=str(d.get("title") or name), version=d.get("version"),
            list_date=own.isoformat() if own else None, age_days=age,
            imported_at=_iso(d.get("imported_at")), entities=entities,
            demo=name in DEMO_DATASETS, stale=stale,
        ))
    held = [c for c in lists if c.entities > 0]
    real = [c for c in held if not c.demo]
    if not held:
        warnings.append(CoverageWarning(
            "no_lists", "no list is loaded: this answer cannot find anyone; import a list "
            "(ctnode import un-sc FILE) or start the node with `ctnode up`"))
    elif not real:
        warnings.append(CoverageWarning(
            "demo_only", "only the FICTIONAL demo list is loaded: real listed people are not "
            "found; import the real UN list (ctnode import un-sc FILE)"))
    elif len(real) < len(held):
        warnings.append(CoverageWarning(
            "demo_list", "the FICTIONAL demo list is screened beside the real lists"))
    for c in lists:
        if c.stale:
            warnings.append(CoverageWarning(
                "stale_list", f"list {c.name!r} is {c.age_days} days old (its own date "
                f"{c.list_date}; the limit is {max_age_days} days): later listings are missing; "
                "import the current list"))
    return Coverage(tuple(lists), tuple(warnings), max_age_days)
