"""Country names and codes → FollowTheMoney country codes (ISO 3166-1 alpha-2, lower case).

The one place the node reads a country: list parsers (names such as "Iran (Islamic
Republic of)"), travel documents (ICAO alpha-3 codes and oddities such as ``D``) and
screening queries all call :func:`country_code`. The names come from the data file
``countries.json`` beside this module (a table generated with followthemoney's
registry; ``python -m ctnode.ingest.countries --regenerate`` rewrites it), so the slow
first call of ``registry.country.clean`` (it builds a transliterated index of every
territory name) is needed only for rare spellings.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

DATA_FILE = "countries.json"
_SPACES = re.compile(r"\s+")
# Cheap spelling variants tried before the (slow to warm up) registry: "St. Kitts & Nevis".
_EXPANSIONS = {"&": " and ", "st": "saint", "is": "islands", "rep": "republic",
               "dem": "democratic"}
_ABBREVIATIONS = re.compile(r"&|\b(?:st|is|rep|dem)\b\.?")


@cache
def table() -> dict[str, Any]:
    """The data file: ``names`` (name → code), ``icao`` (ICAO code → code or null),
    ``not_available`` (values that mean no country)."""
    data: dict[str, Any] = json.loads(files(__package__).joinpath(DATA_FILE).read_text("utf-8"))
    data["codes"] = frozenset(data["names"].values())
    data["not_available"] = frozenset(data["not_available"])
    return data


def normalise_name(name: str) -> str:
    """The form names are looked up in: case-folded, whitespace collapsed."""
    return _SPACES.sub(" ", name).strip().casefold()


@lru_cache(maxsize=4096)
def country_code(value: str | None) -> str | None:
    """FtM country code for a country name, ISO code or ICAO code; None when unknown or
    "not available"."""
    if not value:
        return None
    data = table()
    code = value.strip().upper().replace("<", "")
    if code in data["icao"]:
        found: str | None = data["icao"][code]
        return found
    key = normalise_name(value)
    if not key or key in data["not_available"]:
        return None
    found = data["names"].get(key)
    if found is not None:
        return found
    if key in data["codes"]:
        return key
    if len(code) == 3 and code.isalpha():
        from rigour.territories.lookup import lookup_by_identifier

        territory = lookup_by_identifier(code)
        if territory is not None and territory.ftm_country:
            return str(territory.ftm_country)
    variant = _ABBREVIATIONS.sub(lambda m: _EXPANSIONS[m.group(0).rstrip(".")], key)
    found = data["names"].get(_SPACES.sub(" ", variant).strip().removeprefix("the "))
    if found is not None:
        return found
    from followthemoney import registry

    cleaned: str | None = registry.country.clean(value)
    return cleaned


# Codes a node may name as its country besides ISO 3166-1 alpha-2: regional and international
# bodies that run a node (docs/federation.md lists them). At most 8 characters.
BODIES: dict[str, str] = {
    "UN": "United Nations (Security Council committees, CTED, UNOCT, UNODC)",
    "EU": "European Union",
    "INTERPOL": "International Criminal Police Organization",
    "EUROPOL": "European Union Agency for Law Enforcement Cooperation",
    "AFRIPOL": "African Union Mechanism for Police Cooperation",
    "AUC": "African Union Commission",
    "ASEAN": "Association of Southeast Asian Nations",
    "GCC": "Gulf Cooperation Council",
    "OSCE": "Organization for Security and Co-operation in Europe",
    "OAS": "Organization of American States (CICTE)",
    "CIS": "Commonwealth of Independent States (Anti-Terrorism Center)",
    "SCO": "Shanghai Cooperation Organisation (RATS)",
    "CARICOM": "Caribbean Community (IMPACS)",
    "GCTF": "Global Counterterrorism Forum",
}


# Codes the country table still knows (old lists name them) that ISO 3166-1 withdrew.
WITHDRAWN = frozenset({"DD", "ZR", "YU", "CS", "SU", "TP", "AN", "BU"})


def user_assigned(code: str) -> bool:
    """ISO 3166-1 user-assigned alpha-2 codes (AA, QM-QZ, XA-XZ, ZZ): for exercises and tests."""
    return code == "AA" or code == "ZZ" or (len(code) == 2 and (
        (code[0] == "Q" and "M" <= code[1] <= "Z") or (code[0] == "X" and code[1].isalpha())))


def node_country(value: str) -> str | None:
    """The code a node names as its country, upper case: ISO 3166-1 alpha-2 (assigned or
    user-assigned) or a body in ``BODIES``; None when it is neither."""
    code = value.strip().upper()
    if code in BODIES:
        return code
    if len(code) == 2 and code.isascii() and code.isalpha() and code not in WITHDRAWN and (
            code.lower() in table()["codes"] or user_assigned(code)):
        return code
    return None


def not_available(value: str) -> bool:
    """Whether a country field says "not available" (``N/A``, ``unknown``) instead of a country."""
    return normalise_name(value) in table()["not_available"]
