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
import threading
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ctnode.audit.log import AuditLog
from ctnode.services.access import Access
from ctnode.services.audit_trail import AuditTrail
from ctnode.services.context import Context, load_secret
from ctnode.services.datakey import LazyKey
from ctnode.services.screening.index import MatchIndex
from ctnode.services.screening.notices import HitNoticeOutbox
from ctnode.services.screening.service import Screening
from ctnode.settings import Settings
from ctnode.store.sql import SqlStore

if TYPE_CHECKING:
    from collections.abc import Callable

    from ctnode.federation.network_screening import NetworkScreening
    from ctnode.federation.parts import Federation
    from ctnode.jobs.scheduler import Scheduler
    from ctnode.services.batches.batch import Batches
    from ctnode.services.batches.manifest import Manifests
    from ctnode.services.batches.payments import Payments
    from ctnode.services.batches.retention import Retention
    from ctnode.services.batches.runs import FileRuns
    from ctnode.services.biometrics.parts import Biometrics
    from ctnode.services.dashboard import Dashboard
    from ctnode.services.hashes import Hashes
    from ctnode.services.intel.pulls import Pulls
    from ctnode.services.intel.service import Intel, IntelChange
    from ctnode.services.intel.taxii import Taxii
    from ctnode.services.library import Library
    from ctnode.services.list_uploads import StagedLists
    from ctnode.services.lists import Lists
    from ctnode.services.monitoring.service import Monitoring
    from ctnode.services.users import Users
from ctnode.services.review import Review

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
    """One ctnode node: its settings, store and audit log, and every service over them.

    The services a name screen needs (access, audit trail, the match index, screening)
    are built at once; the others on first use (``cached_property``), so that a
    ``ctnode screen NAME`` never imports the list parsers, the federation or the image
    libraries (issue 11, lean start). Each is still built once per node.
    """

    def __init__(self, settings: Settings | None = None, *, upgrade: bool = True) -> None:
        self.settings = settings = settings or Settings()
        # The data folder and the key folder are owner-only (0700), the SQLite files 0600:
        # made so, and checked (tightened, and said so) at every start.
        self.tightened = protect_folder(settings.data_dir)
        if settings.keys_dir is not None:
            self.tightened += protect_folder(settings.keys_dir)
        self.store = SqlStore(settings.store_url)
        if upgrade:
            self.store.upgrade()  # one query when the schema stamp is current
        self.tightened += self.store.protect()
        for what in self.tightened:
            log.warning("store permissions tightened: %s", what)
        self.audit = AuditLog(self.store.audit)
        self.context = ctx = Context(
            settings, self.store, self.audit, load_secret(settings.key_dir / "audit-hash.key")
        )
        # -- the services a screen needs, built now --
        self.access = Access(ctx)
        self.audit_trail = AuditTrail(ctx)
        self.index = MatchIndex(settings, self.store.entities)
        # the node's data key, opened on first use (it seals the screened subject of a
        # screening with hits for its reviewers, TOTP secrets, biometrics, watched subjects)
        self.data_key = LazyKey(settings.key_dir)
        self.screening = Screening(ctx, self.index, self.data_key)
        # hits on a list held as a copy are queued for its publisher (issue 13), from every
        # screen path and process; the server sends them (at once, and on its job
        # hit-notices), a command-line process only queues them
        self.hit_outbox = HitNoticeOutbox(ctx)
        self.screening.on_hits(self.hit_outbox.after_screen)
        if settings.bootstrap_admin_key:
            self.access.ensure_bootstrap_key(settings.bootstrap_admin_key)
        # start(): the warm-up's thread (a server), its end, and what it raised
        self._warming: threading.Thread | None = None
        self._warm = threading.Event()
        self._warm_error: Exception | None = None
        self._sends_notices = False  # start() wired the hit notices' sending

    # -- the others, each built once on first use --

    @cached_property
    def lists(self) -> Lists:
        from ctnode.federation.transport import download
        from ctnode.services.lists import Lists

        lists = Lists(self.context, download)
        # -- what follows an import: listeners, not calls up a layer --
        lists.on_import(self.index.updated)
        lists.on_import(self.screening.coverage_stale)
        lists.on_import(self.hit_outbox.lists_changed)
        lists.on_import(lambda report: self.federation.updates.after_import(report))
        # after the index saw the change
        lists.on_import(lambda report: self.monitoring.on_change(report))
        return lists

    @cached_property
    def staged_lists(self) -> StagedLists:
        """Uploaded lists between their dry-run preview and their import (console; memory)."""
        from ctnode.services.list_uploads import StagedLists

        return StagedLists()

    @cached_property
    def users(self) -> Users:
        """The console's people and sessions (``services/users.py``)."""
        from ctnode.services.users import Users

        # TOTP secrets are sealed with the node's data key, as biometric images are
        return Users(self.context, self.data_key)

    @cached_property
    def dashboard(self) -> Dashboard:
        """Activity per day and the node's health, for the console (``services/dashboard.py``)."""
        from ctnode.services.dashboard import Dashboard

        return Dashboard(self.context, self.screening)

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
    def batches(self) -> Batches:
        """Batch files (JSON lines, CSV of subjects) screened at once."""
        from ctnode.services.batches.batch import Batches

        return Batches(self.context, self.screening)

    @cached_property
    def file_runs(self) -> FileRuns:
        """Files screened in the background for the console: progress in memory, each report
        kept in the store sealed with the data key (``CTNODE_FILE_REPORT_HOURS``)."""
        from ctnode.services.batches.runs import FileRuns

        return FileRuns(self.context, self.data_key)

    @cached_property
    def biometrics(self) -> Biometrics:
        from ctnode.services.biometrics.parts import Biometrics

        return Biometrics.build(self.context)

    @cached_property
    def monitoring(self) -> Monitoring:
        from ctnode.services.monitoring.service import Monitoring

        # subjects under watch are sealed with the node's data key, as biometric images are
        return Monitoring(self.context, self.screening, self.data_key,
                          notify=self._webhook() if self.settings.watch_webhook_url else None)

    def _webhook(self) -> Callable[[list[dict[str, Any]]], object]:
        """Monitoring alerts to the configured webhook, through the node's one transport."""
        from ctnode.federation.transport import post_webhook

        url, timeout = self.settings.watch_webhook_url, self.settings.fetch_timeout

        def send(alerts: list[dict[str, Any]]) -> object:
            return post_webhook(url, {"type": "ctnode.watch.alerts", "alerts": alerts}, timeout)

        return send

    @cached_property
    def hashes(self) -> Hashes:
        from ctnode.services.hashes import Hashes

        hashes = Hashes.build(self.context)
        # a bank's changes go to its subscribers; its publisher hears of matches here
        hashes.banks.on_change(lambda delta: self.federation.hashes.after_change(delta))
        hashes.matching.on_notice(
            lambda kind, records: self.federation.hashes.after_notice(kind, records))
        return hashes

    @cached_property
    def intel(self) -> Intel:
        from ctnode.services.intel.service import Intel

        intel = Intel(self.context)
        # a change of this node's own collection reaches its subscribers; a sighting of a
        # peer's object goes back to its producer
        intel.on_change(self._intel_changed)
        return intel

    def _intel_changed(self, change: IntelChange) -> None:
        # without an active peer nothing is shared nor sent back: a one-off import need not
        # build the federation (a second or more of imports, FollowTheMoney's model among them)
        if "federation" not in self.__dict__ and not self.store.federation.list_peers():
            return
        self.federation.intel.after_change(change)

    @cached_property
    def taxii(self) -> Taxii:
        from ctnode.services.intel.taxii import Taxii

        return Taxii(self.context, self.intel)

    @cached_property
    def library(self) -> Library:
        from ctnode.services.library import Library

        library = Library(self.context)
        # documents added and withdrawn here reach the peers subscribed to the library
        library.on_change(lambda change: self.federation.library.after_change(change))
        return library

    @cached_property
    def pulls(self) -> Pulls:
        from ctnode.federation.transport import TaxiiHttpClient
        from ctnode.services.intel.pulls import Pulls

        verify = self.settings.federation_verify_tls
        return Pulls(self.context, self.intel, lambda user, password, token: TaxiiHttpClient(
            user=user, password=password, token=token, verify=verify))

    @cached_property
    def network(self) -> NetworkScreening:
        """Screening across the network, alone: ``ctnode screen NAME --network`` builds and
        imports no other federation part (the list, hash and biometric exchanges import the
        list parsers and FollowTheMoney: about 2 s of a command's start). ``federation``
        holds this one, with its context."""
        from ctnode.federation.context import FederationContext
        from ctnode.federation.network_screening import NetworkScreening

        return NetworkScreening(FederationContext(self.context), self.screening)

    @cached_property
    def federation(self) -> Federation:
        from ctnode.federation.parts import Federation

        federation = Federation.build(
            self.context, network=self.network, lists=self.lists, biometrics=self.biometrics,
            hashes=self.hashes, intel=self.intel, library=self.library,
            outbox=self.hit_outbox,
        )
        return federation

    @cached_property
    def jobs(self) -> Scheduler:
        """The periodic jobs, run inside the server (see ctnode.jobs.scheduler)."""
        from ctnode.jobs.scheduler import Job, Scheduler
        from ctnode.model.access import SYSTEM

        def sweep(name: str, about: str, erase: Callable[..., Any]) -> Job:
            """A retention sweep: every CTNODE_RETENTION_SWEEP_MINUTES; audited when it
            changed something if scheduled, always when run on demand."""
            return Job(name, about, every=self.settings.retention_sweep_minutes * 60,
                       run=lambda actor: erase(actor, audit_idle=actor != SYSTEM))

        return Scheduler(
            [
                sweep("retention",
                      "mask and delete screened manifests and payment files as the policy says",
                      lambda actor, **kw: self.retention.run(actor, **kw)),
                sweep("review-subjects",
                      "erase the screened subjects of screenings with hits past their retention",
                      lambda actor, **kw: self.review.erase_subjects(actor, **kw)),
                sweep("file-reports",
                      "delete the console's file reports past CTNODE_FILE_REPORT_HOURS",
                      lambda actor, **kw: self.file_runs.erase_expired(actor, **kw)),
                Job(
                    "refusals",
                    "write the per-minute counts of strangers' repeated refusals to the audit log",
                    every=60,
                    run=lambda _actor: self.audit.refusals.flush(),
                ),
                Job(
                    "watch-expiry",
                    "remind owners of watched subjects about to expire; delete expired ones",
                    every=self.settings.watch_expiry_sweep_minutes * 60,
                    run=lambda actor: self.monitoring.run_expiry(actor),
                ),
                Job(
                    "intel-pull",
                    "pull every enabled TAXII source into its collection (ctnode intel sources)",
                    every=self.settings.intel_pull_minutes * 60,
                    run=lambda actor: self.pulls.pull_all(actor),
                ),
                Job(
                    "audit-checkpoint",
                    "sign an audit checkpoint when one is due and send it to every peer",
                    every=self.settings.checkpoint_check_seconds,
                    run=lambda actor: self.federation.checkpoints.anchor(actor),
                ),
                Job(
                    "hit-notices",
                    "send the hit notices waiting for their publishers (queued by every "
                    "screen, the command line's too)",
                    every=self.settings.hit_notice_retry_seconds,
                    run=lambda actor: self.federation.notices.deliver_pending(actor),
                ),
                Job(
                    "disclosure-expiry",
                    "delete released disclosure fields past their expiry (both sides) and "
                    "scrub the store",
                    every=self.settings.federation_disclosure_expiry_seconds,
                    run=lambda _actor: self.federation.disclosure.expire(),
                ),
                Job(
                    "key-expiry",
                    "remind (audit) when this node's key nears the end of its planned life",
                    every=24 * 3600,
                    run=lambda actor: self.federation.keys.check_expiry(actor),
                ),
                Job(
                    "hash-forensics",
                    "delete forensic content past its retention (CTNODE_HASH_FORENSICS_DAYS)",
                    every=self.settings.hash_forensics_sweep_minutes * 60,
                    run=lambda actor: self.hashes.forensics.purge(actor),
                ),
                Job(
                    "biometric-index",
                    "rebuild a held face index when another host changed the templates",
                    every=self.settings.face_index_check_minutes * 60,
                    run=lambda actor: self.biometrics.search.faces.check(),
                ),
            ],
            self.audit,
        )

    def start(self, background: bool = False) -> None:
        """Get ready to serve: load (or build) the name index, then build every other
        service, load the other indexes (content hashes, the watched subjects' reverse
        index), warm up the name analyser (every script's transliteration rules, rigour's
        name tagger) and start the jobs, so that no live request pays for them.

        With ``background`` (a server started by ``ctnode up`` or ``ctnode serve``) all but
        the name index happens on a thread of its own while the server already answers
        (issue 11: serving within seconds): a request that needs a part not built yet builds
        it or waits for it (each service is a ``cached_property``, built once under its
        lock on Python 3.11; each index loads under its own lock), so answers are the same,
        only the first ones slower; ``/readyz`` answers 503 until :attr:`ready`."""
        self.index.refresh()  # screens are answered from the index from the first request
        # a server sends the hit notices its own screens queue at once (in the background)
        if not self._sends_notices:
            self._sends_notices = True
            self.hit_outbox.on_queued(lambda: self.federation.notices.deliver_soon())
        if background:
            self._warming = threading.Thread(target=self._warm_up, name="node-warm-up",
                                             daemon=True)
            self._warming.start()
        else:
            self._warm_up()

    def _warm_up(self) -> None:
        try:
            for service in ("lists", "review", "manifests", "payments", "biometrics",
                            "federation", "monitoring", "hashes", "intel", "taxii", "library",
                            "pulls"):
                getattr(self, service)
            self.screening.warm_up()
            self.intel.warm_up()
            self.index.prepare()  # the analyser's tables and rigour's tagger
            self.hashes.index.prepare()
            self.monitoring.prepare()  # the reverse index over the watched subjects
        except Exception as exc:  # the server answers what it can; /readyz says it is not ready
            if self._warming is None:
                raise
            self._warm_error = exc
            log.exception("starting the node: warming up failed")
        if self.settings.jobs_enabled:
            self.jobs.start()
        self._warm.set()

    @property
    def ready(self) -> bool:
        """Whether the node has started and everything is built and warm: the name index
        loaded, every service and index built, the analyser warmed up (``/readyz``)."""
        return self._warm.is_set() and self._warm_error is None and self.index.built

    def close(self) -> None:
        if self._warming is not None:
            self._warming.join()  # a server stopped while it was warming up
        self.index.wait()  # an import's delta reaches the index files before the end
        built = self.__dict__
        if "jobs" in built:
            self.jobs.stop()
        self.audit.refusals.flush(force=True)
        if "federation" in built:
            self.federation.close()
        self.store.close()
