"""Matching a large batch on worker processes (``ctnode screen --batch``).

The command's process loads the name index, then forks the workers: they start at once and
share the index with it (the memory-mapped files, and every page the parent holds, copy on
write). Each worker matches slices of the batch (a query's subject key and its hits) and
sends them back; the parent takes them in input order and does everything else: decisions,
review rows, the audit entry, the output. Only the parent uses the store, so a batch writes
the same rows, the same audit entry and the same output lines whatever the number of
workers (one SQLite writer; no PostgreSQL connection crosses a fork).

A table some queries need and the others do not, loaded on first use and costly to load
(rigour's Han name words, for the rare long Han name: about 0.6 s of CPU from the dictionary
when they are not yet kept beside the index, ``transliterate.HAN_WORDS``), would be loaded
by every worker that meets one such query. The caller may name such a table per query
(``group``): the queries of one table (up to a slice's worth, or up to half a worker's share
of the batch: the UN batch's 389 organisations among 7,492) are matched together, in a task
of their own handed out first, so that one worker alone loads it; the caller loads the
tables of larger groups before the fork (``prepare``), once for all.

Workers are forked, never spawned (a spawned worker would import everything and load the
index again), so this runs only on systems with ``fork`` (Linux, the BSDs, macOS) and only
from a command: a server (threads) screens its batches in its own process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass

from ctnode.errors import Unavailable
from ctnode.model.screening import Hit, ScreenQuery

AUTO_WORKERS_MAX = 4  # workers when CTNODE_BATCH_WORKERS is 0: one per core, at most this many
SLICE_MAX = 64  # queries a worker matches per task (smaller for a small batch: even shares)
# A named group (queries that load a table on first use) matched by one worker as one task:
# at most this share of a worker's part of the batch (or one slice), so the others keep busy
GROUP_SHARE = 0.5
# The batch's end in finer tasks: its last TAIL_SLICES * workers tasks' worth of queries in
# tasks of a TAIL_PART of a slice, so that the workers end nearly together (a worker that
# takes a whole slice last keeps the batch waiting for it while the other core is idle)
TAIL_SLICES = 2
TAIL_PART = 4
# The youngest-generation garbage collection threshold while a batch's queries are matched
# in this process, or its workers' answers taken: Python's 700 made a worker collect its
# growing caches over and over (the UN batch's matching cost 8.3-9.4 CPU-s in one process
# so, 7.7 with this); the older generations' thresholds are kept, so cycles are still
# collected
GC_YOUNG = 100_000
# A forked worker's: what a young collection goes over is what the process kept since the
# last (the threshold counts objects made less objects freed), and a worker keeps its caches:
# at 100,000 the UN batch's two workers collected 8 times, 0.35 CPU-s at load 6, and freed
# nothing; at 1,000,000 they do not collect. (The parent keeps GC_YOUNG: what it kept is
# gone over once its batch ends, when it restores Python's threshold, with the workers done.)
GC_WORKER = 1_000_000


@dataclass(slots=True)
class Matched:
    """What matching found for one query: its names (as checked), subject key and hits."""

    names: list[str]
    subject: str
    hits: list[Hit]


MatchOne = Callable[[ScreenQuery], Matched]


def cores() -> int:
    """The processor cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether worker processes can be forked here."""
    return "fork" in multiprocessing.get_all_start_methods()


def attempt(match: MatchOne, query: ScreenQuery) -> Matched | None:
    """``match(query)``, or None when it raised: the caller runs the query again where its
    answer is due, so that the error is raised in its place in the batch's order."""
    try:
        return match(query)
    except Exception:  # noqa: BLE001 - any error: raised again, in order, when run again
        return None


# Batches now collecting rarely in this process (collecting_rarely), and what was set before
# the first of them: the youngest generation's threshold and whether the heap was frozen.
_rarely_lock = threading.Lock()
_rarely_users = 0
_rarely_before: tuple[tuple[int, ...], bool] = ((700, 10, 10), False)


@contextmanager
def collecting_rarely() -> Iterator[None]:
    """While a batch's queries are matched in this process, or its workers' answers taken:
    what the process held before stays out of its garbage collections (``gc.freeze``: the
    index, never traversed again), and its youngest generation is collected every
    ``GC_YOUNG`` allocations, not Python's 700 (the matcher's caches grow through a batch,
    and were traversed over and over: 1.4 CPU-s of the UN batch matched in one process).
    The older generations' thresholds are kept, so cycles are still collected. Batches run
    at once by a server's threads share the setting; the last one to end restores it (and
    unfreezes the heap unless it was frozen before: an index of 100,000 names or more
    freezes itself)."""
    global _rarely_users, _rarely_before
    with _rarely_lock:
        if _rarely_users == 0:
            threshold = gc.get_threshold()
            _rarely_before = (threshold, gc.get_freeze_count() > 0)
            gc.freeze()
            gc.set_threshold(GC_YOUNG, *threshold[1:])
        _rarely_users += 1
    try:
        yield
    finally:
        with _rarely_lock:
            _rarely_users -= 1
            if _rarely_users == 0:
                before, was_frozen = _rarely_before
                # what the batch left goes to the oldest generation with the rest (frozen,
                # then unfrozen or kept frozen): restoring the young threshold would
                # otherwise have the next allocation traverse all of it at once
                if not was_frozen:
                    gc.freeze()
                    gc.unfreeze()
                gc.set_threshold(*before)


def match_here(match: MatchOne, queries: Iterable[ScreenQuery]) -> Iterator[Matched | None]:
    """Each query's :func:`attempt`, in input order, matched in this process (a batch on one
    worker), collecting garbage as a worker does while it runs (:func:`collecting_rarely`)."""
    with collecting_rarely():
        for query in queries:
            yield attempt(match, query)


# Set in a worker only (by _start, right after the fork): what it matches.
_job: tuple[MatchOne, Sequence[ScreenQuery]] | None = None


def _start(match: MatchOne, queries: Sequence[ScreenQuery]) -> None:
    global _job
    # Ctrl-C reaches the whole process group: the parent stops the batch and the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.set_threshold(GC_WORKER, *gc.get_threshold()[1:])
    _job = (match, queries)


def _match_slice(positions: Sequence[int]) -> list[Matched | None]:
    assert _job is not None, "a batch slice is matched only in a forked worker"
    match, queries = _job
    return [attempt(match, queries[i]) for i in positions]


def slices(queries: Sequence[ScreenQuery], step: int,
           group: Callable[[ScreenQuery], str | None] | None = None,
           alone: int | None = None, tail: int = 0) -> list[Sequence[int]]:
    """The positions each task matches: runs of ``step`` queries in order; with ``group``,
    first each named group of at most ``alone`` (default ``step``) queries as one task (all
    such groups as one task when they hold at most ``alone`` together), then the others.
    (A larger group stays in place: each worker that meets it loads its table once, a small
    share of its work, and the answers stream in order.) The last ``tail`` queries are in
    runs of a ``TAIL_PART`` of ``step`` (at least one query)."""
    return _slices(len(queries), step, _named(queries, group), alone, tail)


def _named(queries: Sequence[ScreenQuery], group: Callable[[ScreenQuery], str | None] | None,
           ) -> dict[str, list[int]]:
    """The positions of each named group's queries."""
    named: dict[str, list[int]] = {}
    for i, query in enumerate(queries if group is not None else ()):
        key = group(query) if group is not None else None
        if key is not None:
            named.setdefault(key, []).append(i)
    return named


def _slices(size: int, step: int, named: dict[str, list[int]],
            alone: int | None = None, tail: int = 0) -> list[Sequence[int]]:
    most = step if alone is None else alone
    first = [run for run in named.values() if len(run) <= most]
    if len(first) > 1 and sum(map(len, first)) <= most:
        # one task for them all: a query may need the tables of two groups (a company's
        # name in Han), and one worker then loads both
        first = [sorted(i for run in first for i in run)]
    taken = {i for run in first for i in run}
    rest: Sequence[int] = [i for i in range(size) if i not in taken] if taken else range(size)
    end = len(rest)
    if tail > 0:  # the end in finer runs (whole runs of ``step`` before it)
        end = max(0, end - tail)
        end -= end % step
    fine = max(1, step // TAIL_PART)
    return [*first, *(rest[s:s + step] for s in range(0, end, step)),
            *(rest[s:s + fine] for s in range(end, len(rest), fine))]


def match_forked(match: MatchOne, queries: Sequence[ScreenQuery], workers: int,
                 group: Callable[[ScreenQuery], str | None] | None = None,
                 prepare: Callable[[frozenset[str]], None] | None = None,
                 ) -> Iterator[Matched | None]:
    """Each query's :func:`attempt`, in input order, matched by ``workers`` forked processes.

    The workers are forked now (before the caller starts any thread: a progress bar), and
    get the queries by position; what they answer streams back in order, as it is consumed.
    ``group(query)`` names the costly table a query loads on first use, if any (see the
    module): the queries of a group of up to a slice, or up to GROUP_SHARE of a worker's
    share of the batch, are matched together, first, by one worker (the others take the
    slices meanwhile). ``prepare`` is called just before the fork with the names of the
    groups too large for that (the tables every worker may meet: worth loading once, here,
    and sharing); the tables of the other groups are best left to the one worker that
    matches them.
    """
    size = len(queries)
    step = max(1, min(SLICE_MAX, size // (workers * 8)))
    alone = max(step, int(size / workers * GROUP_SHARE))
    named = _named(queries, group)
    if prepare is not None:
        prepare(frozenset(k for k, run in named.items() if len(run) > alone))
    tasks = _slices(size, step, named, alone, tail=TAIL_SLICES * workers * step)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start, initargs=(match, queries))
    # what this process holds now stays out of the workers' garbage collections: never
    # traversed there, so neither copied page by page nor paid for in CPU (and left frozen
    # here when it was frozen before); nor is it collected here while the tasks are handed
    # out (Python's threshold of 700 had three collections of 14 ms each there)
    with collecting_rarely():
        try:
            # submitted at once: the workers are forked here, then share the slices in order
            answers = pool.map(_match_slice, tasks)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return _drain(pool, tasks, answers)


def _drain(pool: ProcessPoolExecutor, tasks: list[Sequence[int]],
           answers: Iterator[list[Matched | None]]) -> Iterator[Matched | None]:
    # While the answers are loaded here (thousands of hits, each with its explanations and
    # phrases), what this process held before stays out of its garbage collections: each
    # collection of the oldest generation would go over all of it again (unpickling a
    # 7,492-query batch's answers took 0.6 s of CPU so, 0.2 s with it frozen).
    # answers of a group's slices (handed out first) wait here until their turn comes
    early: dict[int, Matched | None] = {}
    due = 0
    answered = False
    with collecting_rarely():
        try:
            for positions, found in zip(tasks, answers, strict=True):
                if (not early and positions[0] == due
                        and positions[-1] == due + len(found) - 1):
                    yield from found  # the usual case: the next run, in order, no gap
                    due += len(found)
                    continue
                early.update(zip(positions, found, strict=True))
                while due in early:
                    yield early.pop(due)
                    due += 1
            answered = True
        except BrokenProcessPool as exc:
            raise Unavailable(
                f"a batch worker process ended unexpectedly ({exc}); run the batch again, "
                "with --workers 1 if memory is short") from None
        finally:
            # every answer in: the workers end on their own, reaped by the pool's thread
            # (joined when this process exits) while this one goes on with the last answers
            # (waiting here kept the batch's last page waiting for their exits); else
            # (an error, the caller stopped early) the pool is stopped and waited for
            pool.shutdown(wait=not answered, cancel_futures=True)
