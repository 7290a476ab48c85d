"""Files screened in the background, for the console: progress while a file is screened,
then its report for the person who sent it.

A run is held in this process's memory only (the report names the subjects screened): it
is shown to its owner alone, and forgotten ``RUN_KEEP_MINUTES`` after it ended or when a
newer run pushes it out (at most ``MAX_RUNS`` kept). A person has at most
``MAX_RUNNING_PER_OWNER`` files screening at once. What a run does is the service the CLI
and API call (``Batches``, ``Manifests``, ``Payments``), with the same audit.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ctnode.clock import utcnow
from ctnode.errors import Conflict, CTNodeError, NotFound
from ctnode.services.batches.reports import Report

log = logging.getLogger(__name__)

# Minutes a finished run's report stays available to its owner.
RUN_KEEP_MINUTES = 60
# Runs kept in memory at most (the oldest finished one goes first).
MAX_RUNS = 50
# Files one person may have screening at the same time.
MAX_RUNNING_PER_OWNER = 2

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class FileRun:
    """One file being (or having been) screened."""

    id: str
    owner: str  # the actor's name: only they see the run
    kind: str  # batch, manifest, payments
    filename: str
    started_at: datetime
    done: int = 0
    total: int = 0
    status: str = "running"  # running, done, failed
    report: Report | None = None
    error: str | None = None  # why it failed (a service's refusal, with its status)
    error_status: int = 0
    ended_at: datetime | None = None
    # what an edge derived once from the finished report (the console's rows), kept with it
    views: dict[str, Any] = field(default_factory=dict, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def progress(self, done: int, total: int) -> None:
        with self.lock:
            self.done, self.total = done, total

    @property
    def percent(self) -> int:
        if self.status != "running":
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class FileRuns:
    """The background runs of one node process."""

    def __init__(self) -> None:
        self._runs: dict[str, FileRun] = {}
        self._lock = threading.Lock()

    def start(self, owner: str, kind: str, filename: str,
              work: Callable[[Progress], Report]) -> FileRun:
        """Start ``work`` (given a progress callback) on its own thread; the run at once."""
        run = FileRun(id=uuid.uuid4().hex, owner=owner, kind=kind, filename=filename[:200],
                      started_at=utcnow())
        with self._lock:
            self._forget_old()
            running = sum(1 for r in self._runs.values()
                          if r.owner == owner and r.status == "running")
            if running >= MAX_RUNNING_PER_OWNER:
                raise Conflict(f"{running} files are still being screened for you: wait "
                                  "until one has finished")
            self._runs[run.id] = run
        threading.Thread(target=self._run, args=(run, work), name=f"file-run-{run.id[:8]}",
                         daemon=True).start()
        return run

    def _run(self, run: FileRun, work: Callable[[Progress], Report]) -> None:
        try:
            report = work(run.progress)
        except CTNodeError as exc:
            run.error, run.error_status = exc.message, exc.status_code
            run.status = "failed"
        except Exception:  # a thread must not die silently: log it, show the run as failed
            log.exception("screening the file %s failed", run.filename)
            run.error, run.error_status = "internal error (see the server's log)", 500
            run.status = "failed"
        else:
            run.report = report
            run.status = "done"
        run.ended_at = utcnow()

    def get(self, owner: str, run_id: str) -> FileRun:
        """A run of this owner (another's is as unknown as a run that never was)."""
        with self._lock:
            run = self._runs.get(run_id)
        if run is None or run.owner != owner:
            raise NotFound("no such file screening (reports are kept "
                           f"{RUN_KEEP_MINUTES} minutes)")
        return run

    def of(self, owner: str) -> list[FileRun]:
        """This owner's runs, newest first."""
        with self._lock:
            self._forget_old()
            runs = [r for r in self._runs.values() if r.owner == owner]
        return sorted(runs, key=lambda r: r.started_at, reverse=True)

    def _forget_old(self) -> None:
        cutoff = utcnow() - timedelta(minutes=RUN_KEEP_MINUTES)
        for run_id in [k for k, r in self._runs.items() if r.ended_at and r.ended_at < cutoff]:
            del self._runs[run_id]
        ended = sorted((r for r in self._runs.values() if r.ended_at),
                       key=lambda r: r.started_at)
        while len(self._runs) >= MAX_RUNS and ended:
            del self._runs[ended.pop(0).id]
