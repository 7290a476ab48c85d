"""The SQL store: one database, an implementation of each area's contract over it.

``SqlStore(url)`` serves both backends (SQLite, the embedded default, and PostgreSQL,
the production store); the whole test suite runs on both. This package holds the
node's only SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from sqlalchemy import Connection

from ctnode.store.audit import SqlAudit
from ctnode.store.contracts import (
    AuditStore,
    BiometricStore,
    EntityStore,
    FederationStore,
    FileReportStore,
    HashStore,
    IntelStore,
    KeyStore,
    LibraryStore,
    MessageStore,
    MonitoringStore,
    ReviewStore,
    StatsStore,
    UserStore,
)
from ctnode.store.database import Database
from ctnode.store.entities import SqlEntities
from ctnode.store.federation import SqlFederation
from ctnode.store.keys import SqlKeys
from ctnode.store.messages import SqlMessages
from ctnode.store.monitoring import SqlMonitoring
from ctnode.store.review import SqlReview


class SqlStore:
    """The node's store (``ctnode.store.contracts.Store``). ``url`` is a SQLAlchemy URL."""

    def __init__(self, url: str) -> None:
        self.db = db = Database(url)
        self.url = url
        self.dialect = db.dialect
        self.engine = db.engine
        self.entities: EntityStore = SqlEntities(db)
        self.review: ReviewStore = SqlReview(db)
        self.keys: KeyStore = SqlKeys(db)
        self.audit: AuditStore = SqlAudit(db)
        self.federation: FederationStore = SqlFederation(db)
        self.messages: MessageStore = SqlMessages(db)
        self.monitoring: MonitoringStore = SqlMonitoring(db)

    # Areas a name screen never touches are built (and their modules imported) on first use:
    # the biometric, content-hash, threat-intelligence and library stores bring PostgreSQL
    # dialect modules and numpy code a ``ctnode screen NAME`` process does not need.
    @cached_property
    def biometrics(self) -> BiometricStore:
        from ctnode.store.biometrics import SqlBiometrics

        return SqlBiometrics(self.db)

    @cached_property
    def hashes(self) -> HashStore:
        from ctnode.store.hashes import SqlHashes

        return SqlHashes(self.db)

    @cached_property
    def intel(self) -> IntelStore:
        from ctnode.store.intel import SqlIntel

        return SqlIntel(self.db)

    @cached_property
    def library(self) -> LibraryStore:
        from ctnode.store.library import SqlLibrary

        return SqlLibrary(self.db)

    @cached_property
    def users(self) -> UserStore:
        from ctnode.store.users import SqlUsers

        return SqlUsers(self.db)

    @cached_property
    def stats(self) -> StatsStore:
        from ctnode.store.stats import SqlStats

        return SqlStats(self.db)

    @cached_property
    def file_reports(self) -> FileReportStore:  # the console's file reports
        from ctnode.store.file_reports import SqlFileReports

        return SqlFileReports(self.db)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction across areas; committed on success, rolled back on any error."""
        with self.db.begin() as conn:
            yield conn

    def upgrade(self) -> None:
        self.db.upgrade()

    def protect(self) -> list[str]:
        """Owner-only database files (SQLite); what had to be tightened."""
        return self.db.protect()

    def scrub(self) -> None:
        """Leave no copy of deleted rows in the WAL or free pages (see ``Database.scrub``)."""
        self.db.scrub()

    def close(self) -> None:
        self.db.close()
