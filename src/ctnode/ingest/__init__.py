"""Ingest: read watchlists from their source formats into entities.

One module per source format, all returning :class:`~ctnode.ingest.base.ParsedList`:

* :mod:`ctnode.ingest.un_sc` — UN Security Council Consolidated List (official XML);
* :mod:`ctnode.ingest.ftm` — FollowTheMoney JSON lines (and export back to FtM);
* :mod:`ctnode.ingest.csv_list` — any CSV, through a declarative mapping file;
* :mod:`ctnode.ingest.fetch` — getting a source's bytes from a URL or a path.

Parsers never touch the store; the store's import code applies the delta.
"""

from ctnode.ingest.base import ParsedList
from ctnode.ingest.csv_list import CsvMapping, load_mapping, parse_csv
from ctnode.ingest.fetch import fetch_source
from ctnode.ingest.ftm import entity_to_ftm, parse_ftm
from ctnode.ingest.un_sc import parse_un_sc

__all__ = [
    "CsvMapping",
    "ParsedList",
    "entity_to_ftm",
    "fetch_source",
    "load_mapping",
    "parse_csv",
    "parse_ftm",
    "parse_un_sc",
]
