"""The composition root: one ``Node`` builds the store, the audit log, the services' context
and every service once, wires what follows an import, and lists the periodic jobs.

It holds no rules. The edges (API, CLI, web) hold a ``Node`` and call its services:
``node.screening.screen(...)``, ``node.lists.import_source(...)``,
``node.federation.network.screen(...)``. A service never sees the node, only its
narrow ``Context`` (settings, store, audit log, keyed hash, permission check).
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

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
from ctnode.services.lists import Lists
from ctnode.services.review import Review
from ctnode.services.screening.index import MatchIndex
from ctnode.services.screening.service import Screening
from ctnode.settings import Settings
from ctnode.store.sql import SqlStore

log = logging.getLogger(__name__)


def protect_folder(folder: Path) -> list[str]:
    """Create ``folder`` owner-only (0700), or make an existing one so; what was tightened.
    Raises ``PermissionError`` when the folder belongs to someone else."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        os.chmod(folder, 0o700)
        return [f"{folder} was {mode:o}, now 700"]
    return []


class Node:
    """One ctnode node: its settings, store and audit log, and every service over them."""

    def __init__(self, settings: Settings | None = None, *, upgrade: bool = True) -> None:
        self.settings = settings = settings or Settings()
        # The data folder and the key folder are owner-only (0700), the SQLite files 0600:
        # made so, and checked (tightened, and said so) at every start.
        self.tightened = protect_folder(settings.data_dir)
        if settings.keys_dir is not None:
            self.tightened += protect_folder(settings.keys_dir)
        self.store = SqlStore(settings.store_url)
        if upgrade:
            self.store.upgrade()
        self.tightened += self.store.protect()
        for what in self.tightened:
            log.warning("store permissions tightened: %s", what)
        self.audit = AuditLog(self.store.audit)
        self.context = ctx = Context(
            settings, self.store, self.audit, load_secret(settings.key_dir / "audit-hash.key")
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
        self.federation = Federation.build(
            ctx, screening=self.screening, lists=self.lists, biometrics=self.biometrics
        )
        # -- what follows an import: listeners, not calls up a layer --
        self.lists.on_import(self.index.stale)
        self.lists.on_import(self.federation.updates.after_import)
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
                Job(
                    "refusals",
                    "write the per-minute counts of strangers' repeated refusals to the audit log",
                    every=60,
                    run=lambda _actor: self.audit.refusals.flush(),
                ),
            ],
            self.audit,
        )
        if settings.bootstrap_admin_key:
            self.access.ensure_bootstrap_key(settings.bootstrap_admin_key)

    def start(self) -> None:
        """Get ready to serve: build the match index, warm up, start the periodic jobs."""
        self.index.prepare()
        if self.settings.jobs_enabled:
            self.jobs.start()

    def close(self) -> None:
        self.jobs.stop()
        self.audit.refusals.flush(force=True)
        self.federation.close()
        self.store.close()
