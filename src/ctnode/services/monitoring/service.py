"""Monitoring: subjects under watch, re-screened the moment a list changes.

The rules: putting a subject under watch needs ``watch.add``, a purpose and a legal basis,
an owner (the caller by default) and an expiry (``CTNODE_WATCH_DEFAULT_DAYS`` by default,
capped at ``CTNODE_WATCH_MAX_DAYS``; travellers from a manifest only when asked, for at most
``CTNODE_WATCH_TRAVELLER_MAX_DAYS``). The identifying fields are sealed with the node's
data key, as biometric images are. A new subject is screened at once.

After every list change (an import listener ``node.py`` wires: UN and national imports,
a peer's delta and delisting) each changed record is looked up in the reverse index
(:mod:`ctnode.services.monitoring.index`), and every (subject, record) pair it reaches,
or that held a hit before, is scored by the node's matcher. A new hit, a hit in another
band, or a hit gone goes to the review queue (source ``watch``) and to the subject's
owner as an alert (and to ``CTNODE_WATCH_WEBHOOK_URL`` when set, without names); a hit
an analyst decided was a false positive for that subject never alerts again.
:meth:`Monitoring.rescreen_all` re-screens every subject in full: the naive reference.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any, Protocol

from ctnode.clock import as_utc, utcnow
from ctnode.errors import Forbidden, InvalidInput, NotFound
from ctnode.match.details import bonus_bound, details_value
from ctnode.model.access import SYSTEM, Actor, Purpose, allowed
from ctnode.model.lists import ImportReport
from ctnode.model.monitoring import HitChange, HitState, SubjectFields, WatchedSubject
from ctnode.model.screening import Hit, ScreenQuery
from ctnode.services.context import Context
from ctnode.services.monitoring.files import read_subjects
from ctnode.services.monitoring.index import SubjectIndex
from ctnode.services.screening.query import build_query
from ctnode.services.screening.service import Screening, query_hash
from ctnode.store.contracts import Row

log = logging.getLogger(__name__)
BATCH = 1000  # subjects read, screened and written per step
Notify = Callable[[list[dict[str, Any]]], object]
Progress = Callable[[int, int], None]


class Sealer(Protocol):
    """Seals and opens with the node's data key (``ctnode.biometrics.crypto.NodeKey``)."""

    def seal(self, plaintext: bytes, context: str) -> bytes: ...
    def open(self, ciphertext: bytes, context: str) -> bytes: ...


@dataclass(slots=True)
class WatchResult:
    """Subjects put under watch, and what their first screen raised."""

    subjects: list[WatchedSubject]
    capped: bool  # the expiry asked for was beyond the policy and was cut to it
    alerts: list[Row] = field(default_factory=list)


@dataclass(slots=True)
class RescreenReport:
    """What one re-screen looked at and found."""

    cause: str
    records: int = 0  # changed listed records looked up
    reached: int = 0  # (subject, record) pairs the reverse index reached (before the details)
    pairs: int = 0  # (subject, record) pairs scored (the full re-screen: subjects screened)
    subjects: int = 0  # subjects re-scored
    changes: list[HitChange] = field(default_factory=list)
    alerts: list[Row] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # of the thread that re-screened
    # of ``seconds``: the wait for the match index to take the change in (the import's
    # own work, done on the index's thread; the re-screen scores with the new lists)
    index_wait: float = 0.0

    def summary(self) -> dict[str, Any]:
        kinds: dict[str, int] = {}
        for c in self.changes:
            if c.kind and not c.suppressed:
                kinds[c.kind] = kinds.get(c.kind, 0) + 1
        return {"cause": self.cause, "records": self.records, "reached": self.reached,
                "pairs": self.pairs,
                "subjects": self.subjects, "alerts": len(self.alerts), "by_kind": kinds,
                "suppressed": sum(1 for c in self.changes if c.kind and c.suppressed),
                "seconds": round(self.seconds, 3), "cpu_seconds": round(self.cpu_seconds, 3),
                "index_wait": round(self.index_wait, 3)}


def changed_ids(report: ImportReport) -> list[str]:
    """The records of an import that can change screening results: added, relisted, delisted,
    and changed in what identifies (names, dates, nationality, documents)."""
    return list(dict.fromkeys([*report.added, *report.relisted, *report.changed_identifying,
                               *report.removed]))


def _state(hit: Hit) -> HitState:
    return HitState(hit.entity_id, hit.band, round(hit.score, 4))


class Monitoring:
    """The watch list of one node."""

    def __init__(self, ctx: Context, screening: Screening, key: Sealer,
                 notify: Notify | None = None) -> None:
        self.ctx = ctx
        self.screening = screening
        self.key = key
        self.notify = notify
        self.store = ctx.store.monitoring
        self.index = SubjectIndex(ctx.settings, self.store, self.open_sealed,
                                  lambda: screening.index.matcher.rarity)
        self.last: RescreenReport | None = None  # the last re-screen after a list change

    def prepare(self, progress: Callable[[int], None] | None = None) -> None:
        """Build the reverse index now (at server start), so that the first list change
        does not pay for it."""
        if self.store.count_subjects():
            self.index.refresh(progress)

    # -- sealing -------------------------------------------------------------------------

    def seal_fields(self, subject_id: str, fields: SubjectFields) -> bytes:
        data = json.dumps(fields.as_dict(), ensure_ascii=False, separators=(",", ":"))
        return self.key.seal(data.encode(), f"watch:{subject_id}")

    def open_fields(self, row: Row) -> SubjectFields:
        return self.open_sealed(row["id"], bytes(row["sealed"]))

    def open_sealed(self, subject_id: str, sealed: bytes) -> SubjectFields:
        return SubjectFields.from_dict(json.loads(self.key.open(sealed, f"watch:{subject_id}")))

    def subject(self, row: Row) -> WatchedSubject:
        return WatchedSubject(
            id=row["id"], fields=self.open_fields(row), subject_key=row["subject_key"],
            owner=row["owner"], purpose=row["purpose"], legal_basis=row["legal_basis"],
            case_ref=row["case_ref"], source=row["source"], created_by=row["created_by"],
            created_at=as_utc(row["created_at"]) or utcnow(),
            expires_at=as_utc(row["expires_at"]) or utcnow(),
            reminded_at=as_utc(row["reminded_at"]),
        )

    @staticmethod
    def query(fields: SubjectFields) -> ScreenQuery:
        return build_query(fields.names, schema=fields.schema, birth_dates=fields.birth_dates,
                           nationalities=fields.nationalities, documents=fields.documents,
                           dates_clean=True)

    # -- putting subjects under watch ----------------------------------------------------

    def expiry(self, expires: date | datetime | None, days: int | None,
               max_days: int) -> tuple[datetime, bool]:
        """The expiry of a new subject (given, or in ``days``, or the default) and whether
        it was cut to the policy's longest time."""
        now = utcnow()
        if expires is not None and days is not None:
            raise InvalidInput("give the expiry as a date or as a number of days, not both")
        if days is not None:
            if days < 1:
                raise InvalidInput("days must be at least 1")
            when = now + timedelta(days=days)
        elif isinstance(expires, datetime):
            when = as_utc(expires) or now
        elif isinstance(expires, date):
            when = datetime.combine(expires, dtime(0), UTC)
        else:
            when = now + timedelta(days=min(self.ctx.settings.watch_default_days, max_days))
        if when <= now:
            raise InvalidInput(f"expiry {when:%Y-%m-%d} is not in the future")
        limit = now + timedelta(days=max_days)
        return (limit, True) if when > limit else (when, False)

    def add(
        self,
        subjects: list[SubjectFields],
        actor: Actor,
        purpose: Purpose,
        *,
        owner: str | None = None,
        expires: date | datetime | None = None,
        days: int | None = None,
        source: str = "api",
        progress: Progress | None = None,
        event: str = "watch.add",
        file_detail: dict[str, Any] | None = None,
    ) -> WatchResult:
        """Put subjects under watch (one transaction, audited) and screen each at once."""
        self.ctx.require(actor, "watch.add")
        if not purpose.has_basis:
            raise InvalidInput("a subject is put under watch only with a purpose and a legal "
                               "basis (--purpose and --legal-basis, or X-Purpose and "
                               "X-Legal-Basis)")
        owner = (owner or actor.name).strip()
        if not owner or len(owner) > 128:
            raise InvalidInput("owner must be 1 to 128 characters")
        if not subjects:
            raise InvalidInput("no subjects to put under watch")
        travellers = source == "manifest"
        if travellers and expires is None and days is None:
            raise InvalidInput("travellers are put under watch only for a window you give "
                               "(days or expiry), at most "
                               f"{self.ctx.settings.watch_traveller_max_days} days")
        max_days = (self.ctx.settings.watch_traveller_max_days if travellers
                    else self.ctx.settings.watch_max_days)
        when, capped = self.expiry(expires, days, max_days)
        now = utcnow()
        rows: list[Row] = []
        for fields in subjects:
            query = self.query(fields)  # checks the fields again
            sid = str(uuid.uuid4())
            rows.append({
                "id": sid, "sealed": self.seal_fields(sid, fields),
                "subject_key": self.screening.subject_key(query), "schema": fields.schema,
                "owner": owner, "purpose": (purpose.purpose or "").strip(),
                "legal_basis": (purpose.legal_basis or "").strip(),
                "case_ref": purpose.case_ref, "source": source, "created_by": actor.name,
                "created_at": now, "expires_at": when, "reminded_at": None,
            })
        ids = [r["id"] for r in rows]
        with self.ctx.store.begin() as conn:
            self.store.add_subjects(conn, rows)
            self.ctx.audit.record(
                "watch.add" if event == "watch.add" else "watch.import", actor, purpose=purpose,
                result_ids=ids[:1000], conn=conn,
                detail={"subjects": len(ids), "owner": owner, "source": source,
                        "expires_at": when.isoformat(), "capped": capped,
                        **(file_detail or {})},
            )
        watched = [WatchedSubject(id=r["id"], fields=f, subject_key=r["subject_key"],
                                  owner=owner, purpose=r["purpose"],
                                  legal_basis=r["legal_basis"], case_ref=r["case_ref"],
                                  source=source, created_at=now, expires_at=when,
                                  created_by=actor.name)
                   for r, f in zip(rows, subjects, strict=True)]
        report = self._first_screen(rows, subjects, actor, progress)
        return WatchResult(watched, capped, report.alerts)

    def import_file(self, data: bytes, fmt: str, actor: Actor, purpose: Purpose, *,
                    name: str = "file", owner: str | None = None,
                    expires: date | datetime | None = None, days: int | None = None,
                    progress: Progress | None = None) -> WatchResult:
        """Put every subject of a file under watch (all or none; see ``files``)."""
        self.ctx.require(actor, "watch.add")
        subjects = read_subjects(data, fmt, name)
        source = {"manifest": "manifest", "payments": "payments"}.get(fmt, "import")
        return self.add(subjects, actor, purpose, owner=owner, expires=expires, days=days,
                        source=source, progress=progress, event="watch.import",
                        file_detail={"format": fmt, "file": name[-200:]})

    # -- reading and removing ------------------------------------------------------------

    def _scope(self, actor: Actor, everyone: bool) -> str | None:
        """The owner whose rows ``actor`` reads: their own, or everyone's (``watch.admin``)."""
        if everyone:
            self.ctx.require(actor, "watch.admin")
            return None
        return actor.name

    def list_subjects(self, actor: Actor, *, everyone: bool = False, limit: int = 100,
             offset: int = 0) -> list[WatchedSubject]:
        """Watched subjects (the caller's own; everyone's for an admin), oldest first."""
        self.ctx.require(actor, "watch.list")
        if not 1 <= limit <= 10_000 or offset < 0:
            raise InvalidInput("limit must be 1 to 10000 and offset at least 0")
        rows = self.store.list_subjects(owner=self._scope(actor, everyone), limit=limit,
                                        offset=offset)
        if rows:
            self.ctx.audit.record("watch.list", actor, result_ids=[r["id"] for r in rows])
        return [self.subject(r) for r in rows]

    def count(self, owner: str | None = None) -> int:
        return self.store.count_subjects(owner)

    def _owned(self, subject_id: str, actor: Actor) -> Row:
        row = self.store.get_subject(subject_id)
        if row is None:
            raise NotFound(f"no watched subject with id {subject_id!r}")
        if row["owner"] != actor.name and not allowed(actor, "watch.admin", set()):
            raise Forbidden(f"subject {subject_id} belongs to {row['owner']}")
        return row

    def get(self, subject_id: str, actor: Actor) -> tuple[WatchedSubject, list[Row]]:
        """One subject with the hits it has now (audited as ``watch.list``)."""
        self.ctx.require(actor, "watch.list")
        row = self._owned(subject_id, actor)
        hits = list(self.store.hits_of([subject_id]).get(subject_id, {}).values())
        self.ctx.audit.record("watch.list", actor, result_ids=[subject_id])
        return self.subject(row), sorted(hits, key=lambda h: -h["score"])

    def remove(self, subject_id: str, actor: Actor, reason: str | None = None) -> None:
        """Take a subject off the watch list (its hits are deleted; alerts stay)."""
        self.ctx.require(actor, "watch.remove")
        row = self._owned(subject_id, actor)
        with self.ctx.store.begin() as conn:
            self.store.delete_subjects(conn, [subject_id])
            self.ctx.audit.record("watch.remove", actor, result_ids=[subject_id], conn=conn,
                                  detail={"owner": row["owner"], "reason": (reason or "")[:500]})
        self.index.remove([subject_id])

    def alerts(self, actor: Actor, *, everyone: bool = False, unread: bool = False,
               subject_id: str | None = None, limit: int = 100) -> list[Row]:
        """Alerts to the caller (everyone's for an admin), newest first."""
        self.ctx.require(actor, "watch.alerts")
        if not 1 <= limit <= 10_000:
            raise InvalidInput("limit must be 1 to 10000")
        return self.store.list_alerts(owner=self._scope(actor, everyone), unread=unread,
                                      subject_id=subject_id, limit=limit)

    def mark_read(self, alert_ids: list[str], actor: Actor) -> int:
        """Acknowledge one's own alerts; returns how many were unread."""
        self.ctx.require(actor, "watch.alerts")
        with self.ctx.store.begin() as conn:
            return self.store.mark_alerts_read(conn, alert_ids, utcnow(), owner=actor.name)

    # -- re-screening --------------------------------------------------------------------

    def on_change(self, report: ImportReport) -> RescreenReport | None:
        """An import listener (``node.py`` wires it): re-screen after a list change."""
        ids = changed_ids(report)
        if not ids or self.store.count_subjects() == 0:
            return None
        version = f" {report.version}" if report.version else ""
        cause = f"{report.source} ({report.dataset}{version})"[:500]
        result = self.rescreen_changed(ids, cause)
        self.last = result
        return result

    def rescreen_changed(self, entity_ids: Iterable[str], cause: str, *,
                         apply: bool = True) -> RescreenReport:
        """Re-score the pairs the changed records reach (or held a hit), then alert."""
        started, cpu = time.perf_counter(), time.thread_time()
        report = self.plan_changed(entity_ids, cause)
        if apply:
            report.alerts = self._apply(report.changes, cause, SYSTEM)
        report.seconds = time.perf_counter() - started
        report.cpu_seconds = time.thread_time() - cpu
        return report

    def plan_changed(self, entity_ids: Iterable[str], cause: str = "") -> RescreenReport:
        """The changes of the subjects' hits that the given records cause (nothing written)."""
        waiting = time.perf_counter()
        matcher = self.screening.index.refresh()  # waits for the change to be in the index
        waited = time.perf_counter() - waiting
        self.index.refresh()
        ids = list(dict.fromkeys(entity_ids))
        report = RescreenReport(cause, records=len(ids), index_wait=waited)
        pairs: dict[str, set[str]] = {}
        for sid, eid in self.store.holders_of(ids):
            pairs.setdefault(sid, set()).add(eid)
        entities = self.ctx.store.entities
        report_at = matcher.thresholds.report
        for eid in ids:
            try:
                entity = entities.get_entity(eid)
            except NotFound:
                continue
            listed = matcher.record(eid)
            if entity.status != "listed" or listed is None or listed.status != "listed":
                continue  # a delisted record hits nobody: only held hits can change
            bonus = bonus_bound(bool(listed.dates), bool(listed.countries), bool(listed.docs))
            for sid, bound in self.index.bounds(entity, bonus).items():
                report.reached += 1
                subject = self.index.record(sid)
                if subject is None:
                    continue
                # the pair's own details are known before any name is scored (a date of
                # birth years apart takes 0.20): a pair whose name bound cannot reach the
                # report threshold with them is not scored (the indexed screen's rule)
                details = details_value(subject.dates, subject.countries, subject.docs,
                                        subject.schema, listed.dates, listed.countries,
                                        listed.docs, listed.schema)
                if round(min(1.0, bound + details), 4) < report_at:
                    continue
                pairs.setdefault(sid, set()).add(eid)
        report.pairs = sum(len(v) for v in pairs.values())
        subject_ids = sorted(pairs)
        for start in range(0, len(subject_ids), BATCH):
            rows = self.store.get_subjects(subject_ids[start:start + BATCH])
            held = self.store.hits_of(r["id"] for r in rows)
            for row in rows:
                scope = pairs[row["id"]]
                hits = matcher.score_records(self.query(self.open_fields(row)), scope)
                after = {h.entity_id: _state(h) for h in hits}
                report.changes.extend(self._diff(row, held.get(row["id"], {}), after, scope))
                report.subjects += 1
        return report

    def rescreen_all(self, actor: Actor, *, apply: bool = True,
                     progress: Progress | None = None) -> RescreenReport:
        """Screen every subject in full and compare with the hits held (the naive
        reference of the reverse index; also a repair after a rebuild of the lists)."""
        self.ctx.require(actor, "watch.admin")
        started, cpu = time.perf_counter(), time.thread_time()
        report = self.plan_full(progress=progress)
        if apply:
            report.alerts = self._apply(report.changes, report.cause, actor)
        report.seconds = time.perf_counter() - started
        report.cpu_seconds = time.thread_time() - cpu
        if apply:
            self.ctx.audit.record("watch.rescreen", actor, detail=report.summary())
        return report

    def plan_full(self, progress: Progress | None = None) -> RescreenReport:
        """The changes a full re-screen of every subject finds (nothing written)."""
        matcher = self.screening.index.refresh()
        limit = self.ctx.settings.watch_hit_limit
        report = RescreenReport("full re-screen")
        total = self.store.count_subjects()
        batch: list[Row] = []

        def flush() -> None:
            held = self.store.hits_of(r["id"] for r in batch)
            for row in batch:
                hits = matcher.screen(self.query(self.open_fields(row)), limit=limit)
                after = {h.entity_id: _state(h) for h in hits if h.reportable}
                report.changes.extend(self._diff(row, held.get(row["id"], {}), after, None))
                report.subjects += 1
            if progress:
                progress(report.subjects, total)
            batch.clear()

        for row in self.store.iter_subjects():
            batch.append(row)
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()
        report.pairs = report.subjects
        return report

    def _first_screen(self, rows: list[Row], subjects: list[SubjectFields], actor: Actor,
                      progress: Progress | None) -> RescreenReport:
        """A new subject is screened at once: every reportable hit is new."""
        matcher = self.screening.index.refresh()
        limit = self.ctx.settings.watch_hit_limit
        report = RescreenReport("added")
        for i, (row, fields) in enumerate(zip(rows, subjects, strict=True)):
            hits = matcher.screen(self.query(fields), limit=limit)
            after = {h.entity_id: _state(h) for h in hits if h.reportable}
            report.changes.extend(self._diff(row, {}, after, None))
            report.subjects += 1
            if progress and (i + 1) % 100 == 0:
                progress(i + 1, len(rows))
        report.alerts = self._apply(report.changes, "added", actor)
        return report

    def _diff(self, row: Row, held: dict[str, Row], after: dict[str, HitState],
              scope: set[str] | None) -> list[HitChange]:
        """The changes between held hits and new ones (within ``scope``: the records scored)."""
        before = {eid: HitState(eid, r["band"], round(float(r["score"]), 4))
                  for eid, r in held.items() if scope is None or eid in scope}
        out: list[HitChange] = []
        decisions: dict[str, Row] | None = None
        for eid in sorted(before.keys() | after.keys()):
            b, a = before.get(eid), after.get(eid)
            if b == a:
                continue
            change = HitChange(row["id"], eid, b, a)
            if change.kind is not None:
                if decisions is None:
                    # a false positive holds only for a subject identified beyond the name
                    identified = self.query(self.open_fields(row)).identified
                    decisions = (self.ctx.store.review.latest_decisions(row["subject_key"])
                                 if identified else {})
                d = decisions.get(eid)
                if d is not None and d["decision"] == "false_positive":
                    change = HitChange(row["id"], eid, b, a, suppressed=True)
            out.append(change)
        return out

    def _apply(self, changes: list[HitChange], cause: str, actor: Actor) -> list[Row]:
        """Write the new hit states; alerting changes go to the review queue and the owners."""
        if not changes:
            return []
        alerting = [c for c in changes if c.kind is not None and not c.suppressed]
        subjects = {r["id"]: r for r in self.store.get_subjects({c.subject_id for c in alerting})}
        now = utcnow()
        screenings: list[Row] = []
        alerts: list[Row] = []
        by_subject: dict[str, list[HitChange]] = {}
        for c in alerting:
            if c.subject_id in subjects:
                by_subject.setdefault(c.subject_id, []).append(c)
        for sid, items in by_subject.items():
            row = subjects[sid]
            screening_id = str(uuid.uuid4())
            screenings.append({
                "id": screening_id, "actor": actor.name, "source": "watch",
                "subject_key": row["subject_key"],
                "query_hash": query_hash(row["subject_key"], "watch"),
                "purpose": row["purpose"], "case_ref": row["case_ref"],
                "hits": [{"entity_id": c.entity_id,
                          "score": c.after.score if c.after else 0.0,
                          "band": c.after.band if c.after else "no match",
                          "change": c.kind,
                          "previous_band": c.before.band if c.before else None,
                          "watch_subject": sid} for c in items],
                "identified": self.query(self.open_fields(row)).identified,
            })
            for c in items:
                alerts.append({
                    "id": str(uuid.uuid4()), "subject_id": sid, "owner": row["owner"],
                    "kind": c.kind, "entity_id": c.entity_id,
                    "band": c.after.band if c.after else None,
                    "previous_band": c.before.band if c.before else None,
                    "score": c.after.score if c.after else None,
                    "screening_id": screening_id, "cause": cause[:500], "at": now,
                    "read_at": None,
                })
        upsert = [{"subject_id": c.subject_id, "entity_id": c.entity_id,
                   "band": c.after.band, "score": c.after.score}
                  for c in changes if c.after is not None]
        remove = [(c.subject_id, c.entity_id) for c in changes if c.after is None]
        for start in range(0, max(len(upsert), len(remove), len(alerts), 1), 5 * BATCH):
            end = start + 5 * BATCH
            with self.ctx.store.begin() as conn:
                self.store.set_hits(conn, upsert[start:end], remove[start:end])
                self.ctx.store.review.add_screenings(conn, screenings[start:end])
                self.store.add_alerts(conn, alerts[start:end])
                part = alerts[start:end]
                if part:
                    self.ctx.audit.record(
                        "watch.alert", actor, conn=conn,
                        result_ids=sorted({a["entity_id"] for a in part}),
                        detail={"cause": cause[:500], "alerts": len(part),
                                "subjects": sorted({a["subject_id"] for a in part})[:1000],
                                "kinds": sorted({a["kind"] for a in part}),
                                "screening_ids": [s["id"] for s in screenings[start:end]][:1000]},
                    )
        if alerts:
            self._notify(alerts)
        return alerts

    def _notify(self, alerts: list[Row]) -> None:
        if self.notify is None:
            return
        payload = [{**{k: a[k] for k in ("id", "subject_id", "owner", "kind", "entity_id",
                                         "band", "previous_band", "score", "screening_id",
                                         "cause")}, "at": a["at"].isoformat()}
                   for a in alerts]
        try:
            self.notify(payload)
        except Exception:  # a webhook that fails never undoes an alert (it is in the store)
            log.exception("watch webhook failed")

    # -- expiry --------------------------------------------------------------------------

    def run_expiry(self, actor: Actor) -> dict[str, int]:
        """Remind owners of subjects expiring within ``CTNODE_WATCH_REMIND_DAYS``, then delete
        the expired ones (the job ``watch-expiry``)."""
        now = utcnow()
        due = self.store.due_reminders(now, now + timedelta(
            days=self.ctx.settings.watch_remind_days))
        expired = self.store.expired(now)
        if due:
            alerts = [{
                "id": str(uuid.uuid4()), "subject_id": r["id"], "owner": r["owner"],
                "kind": "expiry", "entity_id": None, "band": None, "previous_band": None,
                "score": None, "screening_id": None,
                "cause": f"under watch until {as_utc(r['expires_at']):%Y-%m-%d %H:%M} UTC",
                "at": now, "read_at": None} for r in due]
            with self.ctx.store.begin() as conn:
                self.store.add_alerts(conn, alerts)
                self.store.mark_reminded(conn, [r["id"] for r in due], now)
                self.ctx.audit.record("watch.reminder", actor, conn=conn,
                                      result_ids=[r["id"] for r in due][:1000],
                                      detail={"subjects": len(due)})
            self._notify(alerts)
        if expired:
            with self.ctx.store.begin() as conn:
                self.store.delete_subjects(conn, expired)
                self.ctx.audit.record("watch.expired", actor, conn=conn,
                                      result_ids=expired[:1000],
                                      detail={"subjects": len(expired)})
            self.index.remove(expired)
        return {"reminded": len(due), "expired": len(expired)}
