"""The store: entities with statements (provenance), imports, decisions, keys and the audit log.

One implementation over SQLAlchemy Core serves both backends (SQLite, the
embedded default, and PostgreSQL, the production store); the whole test suite
runs on both.
"""

from ctnode.store.sql import ImportReport, Store

__all__ = ["ImportReport", "Store"]
