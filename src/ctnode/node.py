"""The composition root: one ``Node`` builds the store, the audit log, the services' context
and every service once, wires what follows an import, and lists the periodic jobs.

It holds no rules. The edges (API, CLI, web) hold a ``Node`` and call its services:
``node.screening.screen(...)``, ``node.lists.import_source(...)``,
``node.federation.network.screen(...)``. A service never sees the node, only its
narrow ``Context`` (settings, store, audit log, keyed hash, permission check).
"""

from __future__ import annotations

from ctnode.audit.log import AuditLog
from ctnode.federation.parts import Federation
from ctnode.federation.transport import download
from ctnode.jobs.scheduler import Job, Scheduler
from ctnode.model.access import SYSTEM
from ctnode.services.access import Access
from ctnode.services.audit_trail import AuditTrail
from ctnode.services.batches.manifest import Manifests
from ctnode.services.batches.payments import Payments
from ctnode.services.batches.retention import Retention
from ctnode.services.biometrics.parts import Biometrics
from ctnode.services.context import Context, load_secret
from ctnode.services.hashes import Hashes
from ctnode.services.lists import Lists
from ctnode.services.review import Review
from ctnode.services.screening.index import MatchIndex
from ctnode.services.screening.service import Screening
from ctnode.settings import Settings
from ctnode.store.sql import SqlStore


class Node:
    """One ctnode node: its settings, store and audit log, and every service over them."""

    def __init__(self, settings: Settings | None = None, *, upgrade: bool = True) -> None:
        self.settings = settings = settings or Settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = SqlStore(settings.store_url)
        if upgrade:
            self.store.upgrade()
        self.audit = AuditLog(self.store.audit)
        self.context = ctx = Context(
            settings, self.store, self.audit, load_secret(settings.data_dir / "audit-hash.key")
        )
        # -- the services, each built once over the context --
        self.access = Access(ctx)
        self.audit_trail = AuditTrail(ctx)
        self.index = MatchIndex(settings, self.store.entities)
        self.screening = Screening(ctx, self.index)
        self.lists = Lists(ctx, download)
        self.review = Review(ctx, self.screening)
        self.retention = Retention(ctx)
        self.manifests = Manifests(ctx, self.screening, self.retention)
        self.payments = Payments(ctx, self.screening, self.retention)
        self.biometrics = Biometrics.build(ctx)
        self.hashes = Hashes.build(ctx)
        self.federation = Federation.build(
            ctx,
            screening=self.screening,
            lists=self.lists,
            biometrics=self.biometrics,
            hashes=self.hashes,
        )
        # -- what follows an import: listeners, not calls up a layer --
        self.lists.on_import(self.index.stale)
        self.lists.on_import(self.federation.updates.after_import)
        # a bank's changes go to its subscribers; its publisher hears of matches here
        self.hashes.banks.on_change(self.federation.hashes.after_change)
        self.hashes.matching.on_notice(self.federation.hashes.after_notice)
        # -- the periodic jobs, run inside the server (see ctnode.jobs.scheduler) --
        self.jobs = Scheduler(
            [
                Job(
                    "retention",
                    "mask and delete screened manifests and payment files as the policy says",
                    every=settings.retention_sweep_minutes * 60,
                    # scheduled: audited when it changed something; on demand: always
                    run=lambda actor: self.retention.run(actor, audit_idle=actor != SYSTEM),
                ),
            ],
            self.audit,
        )
        if settings.bootstrap_admin_key:
            self.access.ensure_bootstrap_key(settings.bootstrap_admin_key)

    def start(self) -> None:
        """Get ready to serve: build the match indexes (names, content hashes), warm up, start
        the periodic jobs."""
        self.index.prepare()
        self.hashes.index.prepare()
        if self.settings.jobs_enabled:
            self.jobs.start()

    def close(self) -> None:
        self.jobs.stop()
        self.federation.close()
        self.store.close()
