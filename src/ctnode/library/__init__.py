"""Best-practice library engine: documents, their metadata, text extraction, per-language
analysis, query parsing, snippets and a naive reference search.

An engine in the layer order: it imports ``ctnode.model``, ``ctnode.errors`` and
``ctnode.model.tlp`` (TLP, which the integration step moves to ``ctnode.model``), and
third-party libraries. The full-text index itself lives in the store (SQLite FTS5,
PostgreSQL); this package decides what goes into it and how a query reads.

- ``model``: topic taxonomy, ``DocumentMeta``, ``parse_meta``.
- ``extract``: Markdown, HTML and PDF to plain text, safely.
- ``language``: stemmer and segmentation per language.
- ``analysis``: text -> index terms with positions (``analyse``, ``index_text``, ``tsvector_literal``).
- ``query``: what a person types -> ``ParsedQuery`` -> per language ``CompiledQuery`` (FTS5, tsquery).
- ``snippets``: highlighted passages.
- ``search``: the ``LibraryIndex`` contract and ``NaiveLibraryIndex``.
"""
