"""The one scheduler for periodic work, run inside the server.

A job is a name, an interval and a call (``Job``); ``ctnode.node`` lists the node's
jobs, and the API's lifespan starts the scheduler with the server and stops it with
it. Every job can also be run once from the command line (``ctnode jobs run NAME``),
from cron or a systemd timer on a node that runs no server.

Adding a job is one entry in ``Node.jobs`` (``ctnode/node.py``): a ``Job`` with a name,
a one-line description, its interval (a setting, documented in
``docs/configuration.md``) and the service call it makes. A job runs on the
scheduler's one thread, so jobs never overlap; a failing job is logged and audited
(``job.failed``) and runs again at its next time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ctnode.audit.log import AuditLog
from ctnode.errors import NotFound
from ctnode.model.access import SYSTEM, Actor

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    """One periodic job: ``run(actor)`` every ``every`` seconds (first soon after the start).
    The scheduler runs it as ``SYSTEM``; ``ctnode jobs run`` as the operator."""

    name: str
    description: str
    every: float
    run: Callable[[Actor], object]


class Scheduler:
    """Runs due jobs on one background thread, until stopped."""

    def __init__(self, jobs: list[Job], audit: AuditLog, *, first_delay: float = 5.0) -> None:
        self.jobs = {job.name: job for job in jobs}
        self.audit = audit
        self.first_delay = first_delay
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._due: dict[str, float] = {}

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def job(self, name: str) -> Job:
        try:
            return self.jobs[name]
        except KeyError:
            raise NotFound(f"no job {name!r} (jobs: {', '.join(sorted(self.jobs))})") from None

    def run(self, name: str, actor: Actor) -> object:
        """Run one job now for ``actor``, on the caller's thread; its result (errors raised)."""
        return self.job(name).run(actor)

    def start(self) -> None:
        """Start the thread (once); each job first runs ``first_delay`` seconds from now."""
        if self.running or not self.jobs:
            return
        self._stop.clear()
        start = time.monotonic() + self.first_delay
        self._due = dict.fromkeys(self.jobs, start)
        self._thread = threading.Thread(target=self._loop, name="ctnode-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread; a job that is running is let finish (up to ``timeout`` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic()
            for name, due in sorted(self._due.items(), key=lambda kv: kv[1]):
                if due > now or self._stop.is_set():
                    continue
                self._run_logged(self.jobs[name])
                self._due[name] = time.monotonic() + self.jobs[name].every
            wait = min(self._due.values()) - time.monotonic()
            self._stop.wait(max(wait, 0.05))

    def _run_logged(self, job: Job) -> None:
        try:
            job.run(SYSTEM)
        except Exception as exc:  # a failing job must not stop the others: log, audit, go on
            log.exception("job %s failed", job.name)
            try:
                self.audit.record("job.failed", SYSTEM,
                                  detail={"job": job.name, "error": str(exc)[:500]})
            except Exception:  # the store itself may be what failed; the log line stays
                log.exception("could not audit the failure of job %s", job.name)
