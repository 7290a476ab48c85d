"""Country names to FollowTheMoney country codes (ISO 3166-1 alpha-2, lower case).

``followthemoney``'s ``registry.country.clean`` is the reference, but its first
call builds a transliterated index of every territory name (1-4 s, 11 s under
a profiler). Lists use a few hundred spellings, so they are looked up first in
``country_names.COUNTRY_CODES``, a table generated with the registry itself;
anything else (codes, rare spellings) falls back to the registry.
``tests/ingest/test_countries.py`` checks that table and registry agree.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path

from followthemoney import registry

from ctnode.ingest.country_names import COUNTRY_CODES

# Values that mean "not available" rather than a country (FtM would read "na" as Namibia).
NULL_COUNTRIES = frozenset(
    {"na", "n/a", "n.a.", "unknown", "none", "none identified", "-", "stateless"}
)
_SPACES = re.compile(r"\s+")
# Cheap spelling variants tried before the (slow to warm up) registry: "St. Kitts & Nevis".
_EXPANSIONS = {"&": " and ", "st": "saint", "is": "islands", "rep": "republic", "dem": "democratic"}
_ABBREVIATIONS = re.compile(r"&|\b(?:st|is|rep|dem)\b\.?")
_CODES = frozenset(COUNTRY_CODES.values())


def normalize(name: str) -> str:
    return _SPACES.sub(" ", name).strip().casefold()


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """FtM country code for a country name or code, or None when unknown or "not available"."""
    key = normalize(name)
    if not key or key in NULL_COUNTRIES:
        return None
    code = COUNTRY_CODES.get(key)
    if code is not None:
        return code
    if key in _CODES:
        return key
    variant = _ABBREVIATIONS.sub(lambda m: _EXPANSIONS[m.group(0).rstrip(".")], key)
    variant = _SPACES.sub(" ", variant).strip()
    code = COUNTRY_CODES.get(variant.removeprefix("the "))
    if code is not None:
        return code
    cleaned: str | None = registry.country.clean(name)
    return cleaned


def regenerate(extra_names: list[str]) -> Path:
    """Rewrite ``country_names.py`` from rigour's territory names plus ``extra_names``."""
    from rigour._core import territories_jsonl
    from rigour.data import iter_jsonl_text
    from rigour.territories.territory import get_index

    names = set(COUNTRY_CODES) | {normalize(n) for n in extra_names}
    index = get_index()
    for data in iter_jsonl_text(territories_jsonl()):
        territory = index.get(data["code"])
        if territory is None or not territory.ftm_country:
            continue
        for name in [*data.get("names_strong", []), territory.name, territory.full_name]:
            if name:
                names.add(normalize(name))
    table = {}
    for name in sorted(names):
        code = registry.country.clean(name) if len(name) > 3 else None
        if code:
            table[name] = code
    path = Path(__file__).with_name("country_names.py")
    head = path.read_text(encoding="utf-8").split("COUNTRY_CODES:")[0]
    body = "".join(f"    {k!r}: {v!r},\n" for k, v in table.items())
    path.write_text(f"{head}COUNTRY_CODES: dict[str, str] = {{\n{body}}}\n", encoding="utf-8")
    return path


if __name__ == "__main__":  # python -m ctnode.ingest.countries --regenerate [NAME ...]
    if sys.argv[1:2] == ["--regenerate"]:
        print(regenerate(sys.argv[2:]))
