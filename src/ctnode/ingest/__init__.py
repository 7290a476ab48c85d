"""Ingest: read watchlists from their source formats into entities.

One module per source format, all returning :class:`~ctnode.model.lists.ParsedList`:

* :mod:`ctnode.ingest.un_sc` — UN Security Council Consolidated List (official XML);
* :mod:`ctnode.ingest.ftm` — FollowTheMoney JSON lines (and export back to FtM);
* :mod:`ctnode.ingest.csv_list` — any CSV, through a declarative mapping file;
* :mod:`ctnode.ingest.fetch` — getting a source's bytes from a URL or a path;
* :mod:`ctnode.ingest.writing_systems` — which script a name is written in, its language.

Parsers never touch the store; the lists service (``ctnode.services.lists``) applies
the list. ``ctnode.ingest.countries`` is the maintainer tool that regenerates the
country-name table (``ctnode/model/countries.json``).
"""
