"""Maintainer tool: regenerate the country-name table (``ctnode/model/countries.json``).

Run after upgrading followthemoney or rigour, or to add spellings a new list uses::

    python -m ctnode.ingest.countries --regenerate [NAME ...]

Every territory name rigour knows, the names already in the table and ``NAME ...`` are
looked up with ``followthemoney.registry.country.clean``; the answers replace the
table's ``names``. ``tests/model/test_countries.py`` checks that table and registry agree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import ctnode.model.countries as countries


def regenerate(extra_names: list[str]) -> Path:
    """Rewrite the ``names`` of ``countries.json`` from rigour's territory names plus
    ``extra_names``; returns the file written."""
    from followthemoney import registry
    from rigour._core import territories_jsonl
    from rigour.data import iter_jsonl_text
    from rigour.territories.territory import get_index

    path = Path(countries.__file__).with_name(countries.DATA_FILE)
    data = json.loads(path.read_text(encoding="utf-8"))
    names = set(data["names"]) | {countries.normalise_name(n) for n in extra_names}
    index = get_index()
    for item in iter_jsonl_text(territories_jsonl()):
        territory = index.get(item["code"])
        if territory is None or not territory.ftm_country:
            continue
        for name in [*item.get("names_strong", []), territory.name, territory.full_name]:
            if name:
                names.add(countries.normalise_name(name))
    table = {}
    for name in sorted(names):
        code = registry.country.clean(name) if len(name) > 3 else None
        if code:
            table[name] = code
    data["names"] = table
    path.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    if sys.argv[1:2] == ["--regenerate"]:
        print(regenerate(sys.argv[2:]))
    else:
        print("usage: python -m ctnode.ingest.countries --regenerate [NAME ...]")
