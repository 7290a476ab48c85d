"""The node's name index, kept in step with the store and on disk.

The index lives in files under the node's data folder (``<data_dir>/index``, written by
:mod:`ctnode.match.persist`), stamped with the store they were built from and the store's
change mark. Any process (the server, a ``ctnode screen`` command, a worker) loads them
instead of analysing every listed name again:

* files for this store at the store's mark: loaded as they are;
* files at an older mark: loaded, the entities changed since read from the store and
  applied (added, changed, delisted), the files written again;
* files missing, for another store or matcher version, at a newer mark than the store, or
  corrupt: rebuilt from the store, with a one-line message (never used silently).

Writing happens under a file lock (``index/lock``), so processes (and hosts sharing one
PostgreSQL store, each with its own data folder) never write over each other; a process
that waited for the lock uses what the other wrote when it fits.

A running process notices a newer index without asking the store on every screen: it
looks at the stamp file (one ``stat``), and asks the store for its change mark at most
every :data:`STORE_CHECK_SECONDS` (for writers that bypass the lists service). The lists
service calls :meth:`MatchIndex.updated` after every import and peer delta (an import
listener ``node.py`` wires): the delta is applied and the files written at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import heapq
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctnode import collector
from ctnode.errors import NotFound
from ctnode.match import Matcher, NaiveMatcher, Thresholds, kept, persist
from ctnode.model.entities import MATCH_PROPS, Entity
from ctnode.model.lists import ImportReport
from ctnode.model.screening import ScreenQuery
from ctnode.settings import Settings
from ctnode.store.contracts import EntityStore

log = logging.getLogger(__name__)

STORE_CHECK_SECONDS = 30.0  # the store's change mark is asked at most this often on screens


def store_identity(store_url: str) -> str:
    """A short fingerprint of the store the index is built from (credentials left out)."""
    scheme, _, rest = store_url.partition("://")
    host_and_path = rest.rsplit("@", 1)[-1]
    return hashlib.sha256(f"{scheme}://{host_and_path}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class VerifyReport:
    """What ``ctnode index verify`` found."""

    problem: str | None  # why the files were not current before (they are now)
    records: int
    stored: int
    queries: int
    differ: list[str]  # query names the index answered differently from the reference
    seconds: float

    @property
    def ok(self) -> bool:
        return self.records == self.stored and not self.differ


def _sample_queries(matcher: Matcher, rng: random.Random, n: int) -> list[ScreenQuery]:
    """Queries from listed names: as listed, a part dropped, a letter dropped, reordered."""
    names = matcher.listed_names()
    out: list[ScreenQuery] = []
    for name, schema in rng.sample(names, min(n, len(names))):
        parts = name.split()
        kind = rng.randrange(4)
        if kind == 1 and len(parts) > 2:
            parts.pop(rng.randrange(len(parts)))
        elif kind == 2:
            i = rng.randrange(len(parts))
            if len(parts[i]) > 3:
                j = rng.randrange(1, len(parts[i]) - 1)
                parts[i] = parts[i][:j] + parts[i][j + 1:]
        elif kind == 3:
            rng.shuffle(parts)
        out.append(ScreenQuery(names=[" ".join(parts)], schema=schema))
    return out


def _entity_id(entity: Entity) -> str:
    return entity.id


_MATCH_PROP_SET = frozenset(MATCH_PROPS)


@dataclass
class Handed:
    """A first import's entities, handed to the index to build from (``updated``)."""

    dataset: str
    import_id: int
    entities: list[Entity]

    def consume(self) -> Iterator[Entity]:
        """The entities the store would give the index (those with a value it reads), by
        id; each slot emptied once yielded, so memory goes down as the index grows."""
        entities = self.entities
        entities.sort(key=_entity_id)
        for i in range(len(entities)):
            entity = entities[i]
            entities[i] = _GONE
            if any(st.prop in _MATCH_PROP_SET for st in entity.statements):
                yield entity
        entities.clear()


_GONE = Entity(id="", schema="Thing", dataset="")


@dataclass(frozen=True)
class IndexState:
    """What ``ctnode index`` reports about the files."""

    folder: Path
    stamp: dict[str, Any] | None
    store_mark: int
    problem: str | None  # why the files would not be used as they are (None: current)


class MatchIndex:
    """The node's :class:`Matcher`, the store mark it is at, and its files."""

    def __init__(self, settings: Settings, entities: EntityStore,
                 announce: Callable[[str], None] | None = None,
                 inform: Callable[[str], None] | None = None) -> None:
        """``announce`` says why an index was rebuilt (stale, foreign, corrupt: always
        said); ``inform`` that a data folder's first index is being built (by default the
        same as ``announce`` when given, else logged at INFO)."""
        self.entities = entities
        self.thresholds = Thresholds(match=settings.match_threshold,
                                     report=settings.report_threshold)
        self.max_candidates = settings.max_candidates
        self.folder = settings.data_dir / "index"
        # tables worked out from a package's data (rigour's Han words, read on a long Han
        # name: 0.6 s of CPU; its number words; nameparser's titles) kept beside the index
        kept.keep_in(self.folder)
        self.expect = {"store": store_identity(settings.store_url)}
        self.matcher = Matcher(self.thresholds, self.max_candidates)
        self.announce: Callable[[str], None] = announce or log.warning
        self.inform: Callable[[str], None] = inform or announce or log.info
        self._mark = -1
        self._seen_stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._pending: list[threading.Thread] = []
        # list changes announced (updated) and those a catch-up has covered: the hot path
        # answers without the lock only when every announced change is in the matcher
        self._announced = 0
        self._covered = 0

    # -- the hot path ----------------------------------------------------------------

    def refresh(self, force: bool = False) -> Matcher:
        """The matcher, brought up to date first (cheap when nothing changed: a ``stat`` of
        the stamp file; the store is asked at most every STORE_CHECK_SECONDS)."""
        if force:
            return self.rebuild()
        if self._mark >= 0 and self._covered >= self._announced:
            if (self._stamp_key() == self._seen_stamp
                    and time.monotonic() - self._checked < STORE_CHECK_SECONDS):
                return self.matcher
        with self._lock:
            self._catch_up()
        return self.matcher

    @property
    def built(self) -> bool:
        """Whether the index has been built or loaded once (``/readyz`` answers ok only then)."""
        return self._mark >= 0

    def updated(self, report: ImportReport | None = None) -> None:
        """The lists changed (an import listener): apply the delta and write the files, on
        a thread of its own, so that the caller (a peer's delta being answered) does not
        wait for it; the next screen in this process waits for it (the lock), so it sees
        the change (until the delta is in, :meth:`refresh` takes the lock, even while the
        thread holds it). :meth:`wait` (called by ``Node.close``) lets a command finish it.

        A first import hands over its entities (``report.entities``, taken here): when
        they outnumber the records the index holds, the index is built from them and the
        store's other lists rather than read back from the store (:meth:`_build`)."""
        handed: Handed | None = None
        if report is not None and report.entities is not None:
            handed = Handed(report.dataset, report.import_id, report.entities)
            report.entities = None
        self._announced += 1
        self._checked = 0.0
        self._pending = [t for t in self._pending if t.is_alive()]
        thread = threading.Thread(target=self._update_now, args=(handed,),
                                  name="name-index-update", daemon=True)
        self._pending.append(thread)
        thread.start()

    def _update_now(self, handed: Handed | None = None) -> None:
        try:
            with self._lock:
                self._catch_up(handed)
        except Exception:  # the store holds the change; the next screen tries again
            log.exception("name index: applying a delta failed")
            self._checked = 0.0

    def wait(self) -> None:
        """Wait for the deltas being applied (a command that imported, before it exits)."""
        while self._pending:
            self._pending.pop().join()

    stale = updated  # the name the listener had before the index had files

    def prepare(self, han: bool = True, orgs: bool = True) -> None:
        """Load (or build) the index and load every script's transliteration rules now (a
        server), so that no live request pays for them; rigour's name tagger too when
        screens need it (an index without its symbol table: ``normalise.warm_up``). Without
        ``han`` or ``orgs``, not the Han and kana tables or the organisation tables (a batch
        that has one worker match the names that need them)."""
        from ctnode.match.normalise import warm_up

        matcher = self.refresh()
        warm_up(tagger=not matcher.use_symbol_table, han=han, orgs=orgs)

    # -- keeping up ------------------------------------------------------------------

    def _stamp_key(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.folder / persist.STAMP)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_ino)

    def _catch_up(self, handed: Handed | None = None) -> None:
        """Bring the matcher (and the files) to the store's mark. Called with the lock."""
        announced = self._announced  # changes announced before now are in the store
        self._checked = time.monotonic()
        mark = self.entities.change_mark()
        if handed is not None and not self._use_handed(handed):
            handed.entities.clear()  # not used: let them go before the delta is applied
            handed = None
        if handed is not None:
            with self._file_lock():
                self._build(mark, handed)
        elif self._mark < 0 or mark < self._mark:
            self._open(mark)
        elif mark > self._mark:
            self._apply_since(self._mark)
            self._mark = mark
            with self._file_lock():
                stamp = persist.read_stamp(self.folder)
                if (stamp is None or stamp.get("mark", -1) < mark
                        or stamp.get("store") != self.expect["store"]):
                    self._save(mark)
        self._seen_stamp = self._stamp_key()
        self._covered = max(self._covered, announced)

    def _open(self, mark: int) -> None:
        """First use (or the store went back): the files, caught up, or a rebuild."""
        try:
            matcher, stamp = persist.load(self.folder, self.thresholds, self.max_candidates,
                                          self.expect)
        except persist.IndexUnusable as exc:
            if exc.reason == persist.NO_INDEX:
                if mark > 0:
                    self.inform("name index: none in this data folder yet; building it "
                                "from the store (once)")
            else:
                self.announce(f"name index: {exc.reason}; rebuilding it from the store")
            self._rebuild_locked(mark)
            return
        at = int(stamp.get("mark", -1))
        if at > mark:
            self.announce(f"name index: built at store mark {at}, the store is at {mark} "
                          "(restored from a backup?); rebuilding it from the store")
            self._rebuild_locked(mark)
            return
        self.matcher, self._mark = matcher, at
        if at < mark:
            self._apply_since(at)
            self._mark = mark
            with self._file_lock():
                current = persist.read_stamp(self.folder)
                if current is None or current.get("mark", -1) < mark:
                    self._save(mark)

    def _apply_since(self, mark: int) -> None:
        for entity_id in self.entities.changed_since(mark):
            try:
                self.matcher.add(self.entities.get_entity(entity_id))
            except NotFound:
                self.matcher.remove(entity_id)

    def _rebuild_locked(self, mark: int) -> None:
        with self._file_lock():
            # another process may have built it while this one waited for the lock
            try:
                matcher, stamp = persist.load(self.folder, self.thresholds,
                                              self.max_candidates, {**self.expect, "mark": mark})
            except persist.IndexUnusable:
                self._build(mark)
                return
            self.matcher, self._mark = matcher, int(stamp["mark"])

    def _use_handed(self, handed: Handed) -> bool:
        """Whether to build from an import's entities: they outnumber the records of the
        index (in memory, else as its files say), and they are still the whole dataset
        as the store holds it (its newest import, as many records)."""
        if self._mark >= 0:
            held = len(self.matcher)
        else:
            stamp = persist.read_stamp(self.folder)
            held = int(stamp.get("records", 0)) if stamp is not None else 0
        if len(handed.entities) < held:
            return False
        newest = self.entities.list_imports(handed.dataset, limit=1)
        return (bool(newest) and newest[0]["id"] == handed.import_id
                and self.entities.count_entities(dataset=handed.dataset)
                == len(handed.entities))

    def _build(self, mark: int, handed: Handed | None = None) -> None:
        """Build from the store; with ``handed``, from that list's entities and the store's
        other lists, in the same order as from the store (by id), so the index is the same;
        each handed entity is let go once the index has taken it."""
        # the cyclic collector paused from here to the files written (the build pauses it
        # too): the kept tables' work and the save would set it off over the handed
        # entities or the new index, where it finds nothing to free (issue 11)
        with collector.paused():
            # the tables kept beside the index first: rigour's Han words are worked out
            # from the dictionary's text, which a large build lets go (read again: 1.6 s)
            kept.write_all(self.folder)
            matcher = Matcher(self.thresholds, self.max_candidates)
            if handed is None:
                matcher.build(self.entities.iter_for_matching(MATCH_PROPS))
            else:
                others = self.entities.iter_for_matching(MATCH_PROPS, exclude=handed.dataset)
                matcher.build(heapq.merge(others, handed.consume(), key=_entity_id))
            self.matcher, self._mark = matcher, mark
            self._save(mark)

    def _save(self, mark: int) -> persist.Saved:
        return persist.save(self.matcher, self.folder, {**self.expect, "mark": mark})

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / "lock").open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- ctnode index ----------------------------------------------------------------

    def verify(self, sample: int = 300, seed: int = 1,
               progress: Callable[[int], None] | None = None) -> VerifyReport:
        """Check the index in use against the store and against the naive reference: the
        files whole and current, one record per stored entity the index reads (one with a
        name, date or document: a wallet alone has none), and ``sample`` queries made
        from listed names (as listed, a part dropped, a letter dropped, parts swapped)
        answered exactly as :class:`~ctnode.match.naive.NaiveMatcher` answers them over
        the same records (the same hits, scores and matched names: the guarantee holds for
        screens at the reporting threshold; below it the index scores at most
        ``max_candidates`` records)."""
        problem = self.state().problem
        matcher = self.refresh()
        stored = self.entities.count_for_matching(MATCH_PROPS)
        naive = NaiveMatcher.over(matcher)
        rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
        differ: list[str] = []
        started = time.monotonic()
        queries = _sample_queries(matcher, rng, sample)
        for i, query in enumerate(queries):
            fast = [(h.entity_id, h.score, h.matched_name) for h in matcher.screen(query)]
            slow = [(h.entity_id, h.score, h.matched_name) for h in naive.screen(query)]
            if fast != slow:
                differ.append(query.names[0])
            if progress:
                progress(i + 1)
        return VerifyReport(problem, len(matcher), stored, len(queries), differ,
                            time.monotonic() - started)

    def rebuild(self) -> Matcher:
        """Build the index from the store and write its files, whatever is there now."""
        with self._lock:
            announced = self._announced
            self._checked = time.monotonic()
            mark = self.entities.change_mark()
            with self._file_lock():
                self._build(mark)
            self._seen_stamp = self._stamp_key()
            self._covered = max(self._covered, announced)
        return self.matcher

    def state(self) -> IndexState:
        """The files' stamp and whether they would be used as they are."""
        mark = self.entities.change_mark()
        stamp = persist.read_stamp(self.folder)
        problem: str | None = None
        try:
            persist.load(self.folder, self.thresholds, self.max_candidates,
                         {**self.expect, "mark": mark})
        except persist.IndexUnusable as exc:
            problem = exc.reason
        return IndexState(self.folder, stamp, mark, problem)
