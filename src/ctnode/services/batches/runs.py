"""Files screened in the background, for the console: progress while a file is screened,
then its report, kept in the store for the person who sent it.

While a file is screened its progress is in this process's memory; its row is in the store
from the start (``console_file_reports``). When it ends, its report (what the console shows
of it, and its exports: CSV, JSON lines, with and without the subjects that need no review)
is sealed with the node's data key, bound to the row's id (``services/datakey``: the report
names the people screened), and kept for ``CTNODE_FILE_REPORT_HOURS``; the job
``file-reports`` deletes it afterwards. So a report survives a restart of the node; a file
still being screened when the node stopped is shown as interrupted.

A report is shown to its owner and to admins only (another person's is as unknown as a
report that never was); every opening of a report page or export is audited
(``screen.report.view``). A person has at most ``MAX_RUNNING_PER_OWNER`` files screening at
once. What a run does is the service the CLI and API call (``Batches``, ``Manifests``,
``Payments``), with the same audit.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from ctnode.clock import as_utc, utcnow
from ctnode.errors import Conflict, CTNodeError, NotFound
from ctnode.model.access import Actor
from ctnode.services.batches import reports
from ctnode.services.batches.reports import Report
from ctnode.services.context import Context

log = logging.getLogger(__name__)

# Files one person may have screening at the same time.
MAX_RUNNING_PER_OWNER = 2
# Recent files listed on the page.
RECENT = 20
# Opened reports kept in memory for the next page of the same report (the store is the truth).
OPENED = 8
INTERRUPTED = "interrupted: the node stopped while the file was screened"

Progress = Callable[[int, int], None]
# What the console shows of a finished report (JSON-able), and how many subjects it has and
# how many need review.
View = Callable[[Report], tuple[dict[str, Any], int, int]]


class Sealer(Protocol):
    def seal(self, plaintext: bytes, context: str) -> bytes: ...
    def open(self, ciphertext: bytes, context: str) -> bytes: ...


@dataclass(slots=True)
class FileRun:
    """One file being (or having been) screened."""

    id: str
    owner: str  # the actor's name: only they (and admins) see the run
    kind: str  # batch, manifest, payments
    filename: str
    started_at: datetime
    done: int = 0
    total: int = 0
    status: str = "running"  # running, done, failed
    error: str | None = None  # why it failed (a service's refusal, with its status)
    error_code: str | None = None  # the refusal's code (``errors.CTNodeError.code``)
    error_status: int = 0
    ended_at: datetime | None = None
    subjects: int = 0
    to_review: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def progress(self, done: int, total: int) -> None:
        with self.lock:
            self.done, self.total = done, total

    @property
    def percent(self) -> int:
        if self.status != "running":
            return 100
        return int(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True, slots=True)
class OpenReport:
    """A finished run's report, opened: the console's view and the exports."""

    run: FileRun
    view: dict[str, Any]
    exports: dict[str, str]

    def export(self, fmt: str, hits_only: bool) -> str:
        """``csv`` or ``jsonl``, the whole report or only what needs review."""
        return self.exports[f"{fmt}_hits" if hits_only else fmt]


def _exports(report: Report) -> dict[str, str]:
    return {"csv": reports.to_csv(report), "csv_hits": reports.to_csv(report, hits_only=True),
            "jsonl": reports.to_jsonl(report),
            "jsonl_hits": reports.to_jsonl(report, hits_only=True)}


def _run_of(row: dict[str, Any]) -> FileRun:
    status = row["status"]
    error, code, error_status = row["error"], row["error_code"], row["error_status"]
    if status == "running":  # in the store, not in this process: the node stopped meanwhile
        status, error, code, error_status = "failed", INTERRUPTED, "interrupted", 500
    return FileRun(id=row["id"], owner=row["owner"], kind=row["kind"], filename=row["filename"],
                   started_at=as_utc(row["started_at"]) or utcnow(), status=status, error=error,
                   error_code=code, error_status=error_status,
                   ended_at=as_utc(row["ended_at"]), subjects=row["subjects"],
                   to_review=row["to_review"])


class FileRuns:
    """The console's file runs of one node: progress in memory, reports in the store."""

    def __init__(self, ctx: Context, key: Sealer) -> None:
        self.ctx = ctx
        self.key = key
        self.store = ctx.store.file_reports
        self._running: dict[str, FileRun] = {}
        self._opened: OrderedDict[str, OpenReport] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, actor: Actor, kind: str, filename: str,
              work: Callable[[Progress], Report], view: View) -> FileRun:
        """Start ``work`` (given a progress callback) on its own thread; the run at once.
        When it ends, ``view`` makes what the console shows of the report, kept sealed."""
        owner = actor.name
        run = FileRun(id=uuid.uuid4().hex, owner=owner, kind=kind, filename=filename[:200],
                      started_at=utcnow())
        with self._lock:
            running = sum(1 for r in self._running.values() if r.owner == owner)
            if running >= MAX_RUNNING_PER_OWNER:
                raise Conflict(f"{running} files are still being screened for you: wait "
                               "until one has finished")
            self._running[run.id] = run
        try:
            self.store.add_report({
                "id": run.id, "owner": owner, "kind": kind, "filename": run.filename,
                "status": "running", "subjects": 0, "to_review": 0, "error": None,
                "error_code": None, "error_status": 0, "report_sealed": None,
                "started_at": run.started_at, "ended_at": None,
                "expires_at": run.started_at + self._keep()})
        except Exception:
            with self._lock:
                self._running.pop(run.id, None)
            raise
        threading.Thread(target=self._run, args=(run, work, view),
                         name=f"file-run-{run.id[:8]}", daemon=True).start()
        return run

    def _keep(self) -> timedelta:
        return timedelta(hours=self.ctx.settings.file_report_hours)

    def _run(self, run: FileRun, work: Callable[[Progress], Report], view: View) -> None:
        values: dict[str, Any]
        try:
            report = work(run.progress)
            shown, run.subjects, run.to_review = view(report)
            doc = {"view": shown, "exports": _exports(report)}
            sealed = self.key.seal(json.dumps(doc, ensure_ascii=False).encode(),
                                   f"file-report:{run.id}")
            values = {"status": "done", "subjects": run.subjects, "to_review": run.to_review,
                      "report_sealed": sealed}
        except CTNodeError as exc:
            run.error, run.error_code, run.error_status = exc.message, exc.code, exc.status_code
            values = {"status": "failed", "error": exc.message[:2000], "error_code": exc.code,
                      "error_status": exc.status_code}
        except Exception:  # a thread must not die silently: log it, show the run as failed
            log.exception("screening the file %s failed", run.filename)
            run.error, run.error_code, run.error_status = (
                "internal error (see the server's log)", "internal_error", 500)
            values = {"status": "failed", "error": run.error, "error_code": run.error_code,
                      "error_status": 500}
        run.ended_at = utcnow()
        try:
            self.store.finish_report(run.id, {**values, "ended_at": run.ended_at,
                                              "expires_at": run.ended_at + self._keep()})
        except Exception:
            log.exception("keeping the report of %s failed", run.filename)
        finally:
            # The status and the run's place in memory change together: a reader (the
            # progress poll, then the report page it reloads) sees a running run, or the
            # stored row of an ended one, never an ended run still in memory, which the page
            # would show as "could not be screened" without its report.
            with self._lock:
                run.status = values["status"]
                self._running.pop(run.id, None)

    def _visible(self, actor: Actor, run_id: str) -> FileRun | dict[str, Any]:
        """The running run or the stored row, if ``actor`` may see it (owner, or an admin)."""
        with self._lock:
            running = self._running.get(run_id)
        found: FileRun | dict[str, Any] | None = running
        if found is None:
            found = self.store.get_report(run_id)
            if found is not None and as_utc(found["expires_at"]) <= utcnow():  # type: ignore[operator]
                found = None  # past its retention, not yet swept
        owner = found.owner if isinstance(found, FileRun) else found["owner"] if found else ""
        if found is None or (owner != actor.name and actor.role != "admin"):
            raise NotFound("no such file screening (reports are kept "
                           f"{self.ctx.settings.file_report_hours} hours)")
        return found

    def get(self, actor: Actor, run_id: str) -> FileRun:
        """A run's status and progress (no personal data; not audited)."""
        found = self._visible(actor, run_id)
        return found if isinstance(found, FileRun) else _run_of(found)

    def open(self, actor: Actor, run_id: str, what: str) -> FileRun | OpenReport:
        """A run; once done, its report opened (audited ``screen.report.view`` with ``what``:
        the page or the export format)."""
        found = self._visible(actor, run_id)
        if isinstance(found, FileRun):
            return found
        run = _run_of(found)
        if run.status != "done":
            return run
        self.ctx.audit.record("screen.report.view", actor,
                              detail={"report": run.id, "owner": run.owner, "kind": run.kind,
                                      "what": what})
        with self._lock:
            opened = self._opened.get(run.id)
            if opened is not None:
                self._opened.move_to_end(run.id)
                return opened
        row = self.store.get_report(run.id, sealed=True)
        if row is None or not row["report_sealed"]:  # swept meanwhile
            raise NotFound("no such file screening (reports are kept "
                           f"{self.ctx.settings.file_report_hours} hours)")
        doc = json.loads(self.key.open(bytes(row["report_sealed"]), f"file-report:{run.id}"))
        opened = OpenReport(run=run, view=doc["view"], exports=doc["exports"])
        with self._lock:
            self._opened[run.id] = opened
            while len(self._opened) > OPENED:
                self._opened.popitem(last=False)
        return opened

    def of(self, actor: Actor) -> list[FileRun]:
        """This person's recent runs, newest first (the running ones with their progress)."""
        now = utcnow()
        with self._lock:
            running = dict(self._running)
        runs = [running.get(row["id"]) or _run_of(row)
                for row in self.store.reports_of(actor.name, RECENT)
                if as_utc(row["expires_at"]) > now]  # type: ignore[operator]
        return runs

    def erase_expired(self, actor: Actor, *, audit_idle: bool = True) -> int:
        """Delete the reports past ``CTNODE_FILE_REPORT_HOURS`` (the job ``file-reports``);
        audited when it deleted any, or when run on demand (``audit_idle``)."""
        n = self.store.delete_expired(utcnow())
        with self._lock:
            self._opened.clear()
        if n or audit_idle:
            self.ctx.audit.record("screen.report.erase", actor, detail={"erased": n})
        return n
