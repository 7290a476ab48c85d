"""The composition root: one ``Node`` builds the store, the audit log, the services' context
and every service once, wires what follows an import, and lists the periodic jobs.

It holds no rules. The edges (API, CLI, web) hold a ``Node`` and call its services:
``node.screening.screen(...)``, ``node.lists.import_source(...)``,
``node.federation.network.screen(...)``. A service never sees the node, only its
narrow ``Context`` (settings, store, audit log, keyed hash, permission check).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from ctnode.audit.log import AuditLog
from ctnode.services.access import Access
from ctnode.services.audit_trail import AuditTrail
from ctnode.services.context import Context, load_secret
from ctnode.services.screening.index import MatchIndex
from ctnode.services.screening.service import Screening
from ctnode.settings import Settings
from ctnode.store.sql import SqlStore

if TYPE_CHECKING:
    from ctnode.federation.parts import Federation
    from ctnode.jobs.scheduler import Scheduler
    from ctnode.services.batches.manifest import Manifests
    from ctnode.services.batches.payments import Payments
    from ctnode.services.batches.retention import Retention
    from ctnode.services.biometrics.parts import Biometrics
    from ctnode.services.lists import Lists
    from ctnode.services.review import Review


class Node:
    """One ctnode node: its settings, store and audit log, and every service over them.

    The services a name screen needs (access, audit trail, the match index, screening)
    are built at once; the others on first use (``cached_property``), so that a
    ``ctnode screen NAME`` never imports the list parsers, the federation or the image
    libraries (issue 11, lean start). Each is still built once per node.
    """

    def __init__(self, settings: Settings | None = None, *, upgrade: bool = True) -> None:
        self.settings = settings = settings or Settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = SqlStore(settings.store_url)
        if upgrade:
            self.store.upgrade()  # one query when the schema stamp is current
        self.audit = AuditLog(self.store.audit)
        self.context = ctx = Context(
            settings, self.store, self.audit, load_secret(settings.data_dir / "audit-hash.key")
        )
        # -- the services a screen needs, built now --
        self.access = Access(ctx)
        self.audit_trail = AuditTrail(ctx)
        self.index = MatchIndex(settings, self.store.entities)
        self.screening = Screening(ctx, self.index)
        if settings.bootstrap_admin_key:
            self.access.ensure_bootstrap_key(settings.bootstrap_admin_key)

    # -- the others, each built once on first use --

    @cached_property
    def lists(self) -> Lists:
        from ctnode.federation.transport import download
        from ctnode.services.lists import Lists

        lists = Lists(self.context, download)
        # -- what follows an import: listeners, not calls up a layer --
        lists.on_import(self.index.updated)
        lists.on_import(lambda report: self.federation.updates.after_import(report))
        return lists

    @cached_property
    def review(self) -> Review:
        from ctnode.services.review import Review

        return Review(self.context, self.screening)

    @cached_property
    def retention(self) -> Retention:
        from ctnode.services.batches.retention import Retention

        return Retention(self.context)

    @cached_property
    def manifests(self) -> Manifests:
        from ctnode.services.batches.manifest import Manifests

        return Manifests(self.context, self.screening, self.retention)

    @cached_property
    def payments(self) -> Payments:
        from ctnode.services.batches.payments import Payments

        return Payments(self.context, self.screening, self.retention)

    @cached_property
    def biometrics(self) -> Biometrics:
        from ctnode.services.biometrics.parts import Biometrics

        return Biometrics.build(self.context)

    @cached_property
    def federation(self) -> Federation:
        from ctnode.federation.parts import Federation

        return Federation.build(
            self.context, screening=self.screening, lists=self.lists, biometrics=self.biometrics
        )

    @cached_property
    def jobs(self) -> Scheduler:
        """The periodic jobs, run inside the server (see ctnode.jobs.scheduler)."""
        from ctnode.jobs.scheduler import Job, Scheduler
        from ctnode.model.access import SYSTEM

        return Scheduler(
            [
                Job(
                    "retention",
                    "mask and delete screened manifests and payment files as the policy says",
                    every=self.settings.retention_sweep_minutes * 60,
                    # scheduled: audited when it changed something; on demand: always
                    run=lambda actor: self.retention.run(actor, audit_idle=actor != SYSTEM),
                ),
            ],
            self.audit,
        )

    def start(self) -> None:
        """Get ready to serve: build every service now (a server's first request must not
        pay for imports), load (or build) the match index, warm up, start the jobs."""
        for service in ("lists", "review", "manifests", "payments", "biometrics", "federation"):
            getattr(self, service)
        self.index.prepare()
        if self.settings.jobs_enabled:
            self.jobs.start()

    def close(self) -> None:
        self.index.wait()  # an import's delta reaches the index files before the end
        built = self.__dict__
        if "jobs" in built:
            self.jobs.stop()
        if "federation" in built:
            self.federation.close()
        self.store.close()
