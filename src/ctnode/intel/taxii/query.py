"""TAXII 2.1 URL filters and pagination, parsed into one typed query.

Filters (TAXII 2.1 section 3.4): ``added_after`` (a timestamp; only records added
strictly later), ``limit``, ``next`` (the opaque token of the previous page),
``match[id]``, ``match[type]``, ``match[version]`` (``last``, the default, ``first``,
``all``, or STIX timestamps) and ``match[spec_version]`` (default: for each object,
only its newest spec version). Several values of one filter are separated by commas
and OR'd; different filters are AND'd. Unknown ``match[...]`` keys are ignored, as the
specification lets a server do; a malformed value of a known filter is a 400.

The ``next`` token is the position after the last record of the page, by
``(date_added, seq)``, base64url-encoded: stateless, so any node process (and the SQL
store, with a keyset condition) can continue a page that another one served.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from ctnode.intel.taxii.media import TaxiiBadRequest
from ctnode.intel.timestamps import format_timestamp
from ctnode.intel.timestamps import parse_timestamp as _parse_timestamp
from ctnode.model.tlp import TLP

# Page size when the client gives no limit, and the most a page may hold.
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10000
VERSION_KEYWORDS = frozenset({"first", "last", "all"})
SPEC_VERSIONS = frozenset({"2.0", "2.1"})
STIX_TYPE = re.compile(r"^[a-z0-9][a-z0-9-]{1,249}$")
_STIX_ID = re.compile(
    r"^[a-z0-9][a-z0-9-]{1,249}--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)

# Which parameters each TAXII endpoint takes.
OBJECTS_PARAMS = frozenset(
    {
        "added_after",
        "limit",
        "next",
        "match[id]",
        "match[type]",
        "match[version]",
        "match[spec_version]",
    }
)
OBJECT_PARAMS = frozenset({"added_after", "limit", "next", "match[version]", "match[spec_version]"})
VERSIONS_PARAMS = frozenset({"added_after", "limit", "next", "match[spec_version]"})


def parse_timestamp(value: str, name: str = "timestamp") -> datetime:
    """``timestamps.parse_timestamp``, failing as a TAXII 400."""
    try:
        return _parse_timestamp(value, name)
    except ValueError as exc:
        raise TaxiiBadRequest(str(exc)) from None


@dataclass(frozen=True, slots=True)
class Cursor:
    """Position after the last record of a page."""

    date_added: datetime
    seq: int

    def encode(self) -> str:
        raw = f"{format_timestamp(self.date_added)}|{self.seq}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            padded = token + "=" * (-len(token) % 4)
            raw = base64.urlsafe_b64decode(padded.encode()).decode()
            stamp, _, seq = raw.partition("|")
            return cls(parse_timestamp(stamp), int(seq))
        except (binascii.Error, UnicodeDecodeError, ValueError, TaxiiBadRequest):
            raise TaxiiBadRequest(f"next: {token!r} is not a token this server gave out") from None


@dataclass(frozen=True, slots=True)
class VersionMatch:
    """``match[version]``: any of first / last / all, and exact versions."""

    first: bool = False
    last: bool = True
    all: bool = False
    exact: frozenset[datetime] = frozenset()


@dataclass(frozen=True, slots=True)
class ObjectQuery:
    """One TAXII request's filters and page position, validated.

    ``tlp_levels`` is not a TAXII parameter: the service sets it to the levels the
    requester may receive (``tlp.allowed_levels``), so the store filters before it
    pages and a page is never short because of withheld objects.
    """

    added_after: datetime | None = None
    limit: int = DEFAULT_LIMIT
    next: Cursor | None = None
    ids: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    versions: VersionMatch = field(default_factory=VersionMatch)
    spec_versions: frozenset[str] = frozenset()
    tlp_levels: frozenset[TLP] | None = None

    def with_id(self, object_id: str) -> ObjectQuery:
        """The same query narrowed to one object (``GET .../objects/{id}/``)."""
        return replace(self, ids=frozenset({object_id}))


def _values(
    raw: str, name: str, valid: Callable[[str], object] | None = None, what: str = ""
) -> list[str]:
    """The comma-separated values of one filter; each must pass ``valid`` (else a 400 saying
    the value is not ``what``)."""
    values = [v.strip() for v in raw.split(",")]
    if not values or any(not v for v in values):
        raise TaxiiBadRequest(f"{name}: empty value in {raw!r}")
    bad = [v for v in values if valid is not None and not valid(v)]
    if bad:
        raise TaxiiBadRequest(f"{name}: {bad[0]!r} is not {what}")
    return values


def parse_query(
    params: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    allowed: frozenset[str] = OBJECTS_PARAMS,
    default_limit: int = DEFAULT_LIMIT,
    max_limit: int = MAX_LIMIT,
) -> ObjectQuery:
    """Parse the query string of a TAXII request (pairs, so a repeated key is seen)."""
    pairs = list(params.items()) if isinstance(params, Mapping) else list(params)
    seen: dict[str, str] = {}
    for key, value in pairs:
        if key in seen and key in allowed:
            raise TaxiiBadRequest(f"{key}: given twice; put several values in one, comma-separated")
        seen[key] = value
    out: dict[str, object] = {"limit": min(default_limit, max_limit)}
    for key, value in seen.items():
        if key not in allowed:
            continue  # a filter this endpoint does not take: ignored, as TAXII allows
        if key == "added_after":
            out["added_after"] = parse_timestamp(value, "added_after")
        elif key == "limit":
            try:
                limit = int(value)
            except ValueError:
                raise TaxiiBadRequest(f"limit: {value!r} is not a whole number") from None
            if limit < 1:
                raise TaxiiBadRequest("limit: must be at least 1")
            out["limit"] = min(limit, max_limit)
        elif key == "next":
            out["next"] = Cursor.decode(value)
        elif key == "match[id]":
            out["ids"] = frozenset(_values(value, key, _STIX_ID.match, "a STIX identifier"))
        elif key == "match[type]":
            out["types"] = frozenset(_values(value, key, STIX_TYPE.match, "a STIX type name"))
        elif key == "match[version]":
            words = _values(value, key)
            exact = frozenset(
                parse_timestamp(w, "match[version]") for w in words if w not in VERSION_KEYWORDS
            )
            out["versions"] = VersionMatch(
                first="first" in words, last="last" in words, all="all" in words, exact=exact
            )
        elif key == "match[spec_version]":
            specs = _values(value, key, SPEC_VERSIONS.__contains__, "a STIX version (2.0, 2.1)")
            out["spec_versions"] = frozenset(specs)
    return ObjectQuery(**out)  # type: ignore[arg-type]
