"""The SQL store: one database, an implementation of each area's contract over it.

``SqlStore(url)`` serves both backends (SQLite, the embedded default, and PostgreSQL,
the production store); the whole test suite runs on both. This package holds the
node's only SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from ctnode.store.audit import SqlAudit
from ctnode.store.biometrics import SqlBiometrics
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
from ctnode.store.file_reports import SqlFileReports
from ctnode.store.hashes import SqlHashes
from ctnode.store.intel import SqlIntel
from ctnode.store.keys import SqlKeys
from ctnode.store.library import SqlLibrary
from ctnode.store.messages import SqlMessages
from ctnode.store.monitoring import SqlMonitoring
from ctnode.store.review import SqlReview
from ctnode.store.stats import SqlStats
from ctnode.store.users import SqlUsers


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
        self.biometrics: BiometricStore = SqlBiometrics(db)
        self.messages: MessageStore = SqlMessages(db)
        self.monitoring: MonitoringStore = SqlMonitoring(db)
        self.hashes: HashStore = SqlHashes(db)
        self.intel: IntelStore = SqlIntel(db)
        self.library: LibraryStore = SqlLibrary(db)
        self.users: UserStore = SqlUsers(db)
        self.file_reports: FileReportStore = SqlFileReports(db)  # the console's file reports
        self.stats: StatsStore = SqlStats(db)  # the console's dashboard

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
