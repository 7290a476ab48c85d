"""A batch matched by forked worker processes answers exactly as one process does (issue 11),
on SQLite and PostgreSQL: the same hits, suppressions, warnings and errors in the same
order, one ``screen.batch`` audit entry, the same review rows; decisions are read for many
subjects at once."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from ctnode.errors import InvalidInput, Unavailable
from ctnode.model.access import Purpose
from ctnode.model.screening import ScreenQuery, ScreenResult
from ctnode.node import Node
from ctnode.services.screening.query import build_query
from ctnode.services.screening.service import BATCH_ROWS
from ctnode.services.screening.workers import (
    AUTO_WORKERS_MAX,
    GC_WORKER,
    GC_YOUNG,
    Matched,
    collecting_rarely,
    cores,
    match_forked,
    match_here,
    slices,
)
from ctnode.store.review import DECISION_KEYS_PER_QUERY
from tests.conftest import ANALYST, SCREENER

P = Purpose("screening", "test", "case-1")
PERSON = "Faris Nadir"
PERSON_ID = "un_sc-DMi.001"
GROUP = "Brigade of the Silver Crescent"

# forks of this (the test) process, counted by a hook: proof that workers were forked
FORKS: list[int] = []
os.register_at_fork(after_in_parent=lambda: FORKS.append(1))


def _queries() -> list[ScreenQuery]:
    """Subjects with hits, one a decision suppresses, names with no hit, a malformed date."""
    out = []
    for i in range(30):
        out.append(build_query([PERSON], birth_dates=["1975-04-17"]))  # suppressed below
        out.append(build_query([GROUP], schema="Organization"))
        out.append(build_query([f"Jonathan Quigley-Smithers {i}"]))
        out.append(build_query(["Faris Nadyr"], birth_dates=["1975-13-40"]))  # a warning
    # a long Han name (matched in a slice of its own, handed out first) among the others
    out[58] = build_query(["法里斯纳迪尔"])
    return out


def _wire(results: list[ScreenResult]) -> list[dict[str, Any]]:
    return [{"subject": r.subject_key, "query_hash": r.query_hash,
             "reviewed": r.screening_id is not None,
             "hits": [h.as_dict() for h in r.hits],
             "suppressed": [h.as_dict() for h in r.suppressed],
             "warnings": r.warnings} for r in results]


def test_a_batch_on_two_workers_answers_as_one_process(node: Node) -> None:
    first = node.screening.screen(build_query([PERSON], birth_dates=["1975-04-17"]),
                                  SCREENER, P)
    did = node.review.decide(ANALYST, entity_id=PERSON_ID, decision="false_positive",
                             comment="other person", screening_id=first.screening_id)
    node.settings.batch_parallel_min = 10
    answers, rows = {}, {}
    for workers in (1, 2):
        forks = len(FORKS)
        before = node.store.review.count_screenings()
        answers[workers] = _wire(list(node.screening.screen_many(
            _queries(), SCREENER, P, workers=workers)))
        assert len(FORKS) - forks == (0 if workers == 1 else 2)
        rows[workers] = node.store.review.count_screenings() - before
    assert answers[1] == answers[2]
    assert rows[1] == rows[2] == sum(a["reviewed"] for a in answers[2]) >= 60
    assert len(answers[2]) == 120
    person = answers[2][0]
    assert person["hits"] == [] and person["suppressed"][0]["suppressed"]["decision_id"] == did
    assert answers[2][1]["hits"] and answers[2][2]["hits"] == []
    assert answers[2][3]["warnings"] and answers[2][3]["hits"][0]["entity_id"] == PERSON_ID
    batches = list(node.audit.entries(event="screen.batch"))
    assert [e.detail["subjects"] for e in batches] == [120, 120]
    assert batches[0].result_ids == batches[1].result_ids


def test_a_small_batch_stays_in_one_process(node: Node) -> None:
    node.settings.batch_parallel_min = 1000
    forks = len(FORKS)
    assert len(list(node.screening.screen_many(_queries(), SCREENER, P, workers=2))) == 120
    assert len(FORKS) == forks


def test_the_number_of_workers(node: Node) -> None:
    screening, settings = node.screening, node.settings
    settings.batch_parallel_min = 100
    assert settings.batch_workers == 0  # the default: one per core, at most four
    assert screening.batch_workers(None, 5000) == min(cores(), AUTO_WORKERS_MAX)
    assert screening.batch_workers(3, 5000) == 3
    assert screening.batch_workers(3, 99) == 1  # below the threshold
    assert screening.batch_workers(1, 5000) == 1
    assert screening.batch_workers(8, 101) == 8
    settings.batch_workers = 2
    assert screening.batch_workers(None, 5000) == 2
    assert screening.batch_workers(0, 5000) == min(cores(), AUTO_WORKERS_MAX)


def test_an_error_is_raised_in_its_place(node: Node) -> None:
    """A query that fails (here a name longer than a query may hold) stops the batch where
    it stands, after the results before it, with its own error, on workers as in one process."""
    node.settings.batch_parallel_min = 2
    for workers in (1, 2):
        queries = [build_query([GROUP], schema="Organization") for _ in range(40)]
        queries[25] = ScreenQuery(names=["x" * 5000])
        results = node.screening.screen_many(queries, SCREENER, P, workers=workers)
        got = [next(results) for _ in range(25)]
        assert all(r.hits for r in got)
        with pytest.raises(InvalidInput, match="name longer than"):
            next(results)


def _pid_of(query: ScreenQuery) -> Matched:
    if query.names[0] == "die":
        os._exit(3)  # a worker killed (out of memory, a signal)
    return Matched(query.names, str(os.getpid()), [])


def test_workers_answer_in_order_from_their_own_processes() -> None:
    queries = [ScreenQuery(names=[f"q{i}"]) for i in range(200)]
    found = list(match_forked(_pid_of, queries, 2))
    assert [m.names[0] for m in found if m] == [f"q{i}" for i in range(200)]
    pids = {m.subject for m in found if m}
    # (both workers usually take slices; on a busy machine one may take them all)
    assert 1 <= len(pids) <= 2 and str(os.getpid()) not in pids
    queries[150] = ScreenQuery(names=["die"])
    with pytest.raises(Unavailable, match="batch worker process ended"):
        list(match_forked(_pid_of, queries, 2))


def _han_group(query: ScreenQuery) -> str | None:
    return "han" if query.names[0].startswith("han") else None


def test_the_slices_hand_out_a_groups_queries_first() -> None:
    queries = [ScreenQuery(names=[f"han{i}" if i in (3, 9, 10) else f"q{i}"])
               for i in range(12)]
    assert [list(t) for t in slices(queries, 5)] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9],
                                                     [10, 11]]
    assert [list(t) for t in slices(queries, 5, _han_group)] == [
        [3, 9, 10], [0, 1, 2, 4, 5], [6, 7, 8, 11]]
    assert [list(t) for t in slices(queries, 3, _han_group)] == [
        [3, 9, 10], [0, 1, 2], [4, 5, 6], [7, 8, 11]]
    # more than a slice's worth: left in place (each worker loads the table once)
    assert [list(t) for t in slices(queries, 2, _han_group)] == [
        [0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [10, 11]]


def test_a_groups_queries_are_answered_in_their_place_by_one_worker() -> None:
    """The queries of a costly table (a long Han name) are matched together, first, by one
    worker; their answers still come back in input order among the others."""
    marked = {0, 57, 58, 130, 199}
    queries = [ScreenQuery(names=[f"han{i}" if i in marked else f"q{i}"]) for i in range(200)]
    found = list(match_forked(_pid_of, queries, 2, group=_han_group))
    assert [m.names[0] for m in found if m] == [q.names[0] for q in queries]
    assert len({found[i].subject for i in marked if found[i]}) == 1
    queries[57] = ScreenQuery(names=["die"])  # a worker dies: the batch says so
    with pytest.raises(Unavailable, match="batch worker process ended"):
        list(match_forked(_pid_of, queries, 2, group=_han_group))


def test_the_tables_every_worker_may_meet_are_prepared_before_the_fork() -> None:
    """``prepare`` is called once, before the workers are forked, with the groups too large
    for one slice (every worker may load their tables: loaded once, shared); a group one
    worker matches is left to it."""
    called: list[tuple[frozenset[str], int]] = []

    def prepare(shared: frozenset[str]) -> None:
        called.append((shared, len(FORKS)))

    few = [ScreenQuery(names=[f"han{i}" if i in (3, 9) else f"q{i}"]) for i in range(200)]
    forks = len(FORKS)
    assert len(list(match_forked(_pid_of, few, 2, group=_han_group, prepare=prepare))) == 200
    assert called == [(frozenset(), forks)]
    # 200 queries on 2 workers: slices of 12; a group of up to 50 (half a worker's share)
    # is one task
    for marked, shared in ((50, frozenset()), (51, frozenset({"han"}))):
        many = [ScreenQuery(names=[f"han{i}" if i < marked else f"q{i}"]) for i in range(200)]
        called.clear()
        forks = len(FORKS)
        found = list(match_forked(_pid_of, many, 2, group=_han_group, prepare=prepare))
        assert [m.names[0] for m in found if m] == [q.names[0] for q in many]
        assert called == [(shared, forks)]
        if not shared:  # matched by one worker
            assert len({found[i].subject for i in range(marked) if found[i]}) == 1  # type: ignore[union-attr]


def _han_or_org_group(query: ScreenQuery) -> str | None:
    name = query.names[0]
    return "han" if name.startswith("han") else "org" if name.startswith("org") else None


def test_small_groups_together_are_one_task() -> None:
    """Groups that fit in one task together are one task (a query may load both groups'
    tables: one worker loads them all); else one task each."""
    queries = [ScreenQuery(names=["han0" if i == 7 else f"org{i}" if i % 5 == 0 else f"q{i}"])
               for i in range(40)]
    orgs = list(range(0, 40, 5))
    tasks = [list(t) for t in slices(queries, 5, _han_or_org_group, alone=9)]
    assert tasks[0] == sorted([*orgs, 7]) and all(len(t) <= 5 for t in tasks[1:])
    tasks = [list(t) for t in slices(queries, 5, _han_or_org_group, alone=8)]
    assert sorted(tasks[:2]) == sorted([[7], orgs])
    assert sorted(i for t in tasks for i in t) == list(range(40))


def test_a_group_of_up_to_half_a_workers_share_is_one_task() -> None:
    queries = [ScreenQuery(names=[f"han{i}" if i % 4 == 0 else f"q{i}"]) for i in range(40)]
    tasks = [list(t) for t in slices(queries, 5, _han_group, alone=10)]
    assert tasks[0] == list(range(0, 40, 4)) and all(len(t) == 5 for t in tasks[1:])
    assert [list(t) for t in slices(queries, 5, _han_group, alone=9)] == [
        list(range(s, s + 5)) for s in range(0, 40, 5)]


@pytest.mark.parametrize(("han_names", "org_names", "loaded_first"), [
    (0, 0, (False, False)), (1, 3, (False, False)), (60, 0, (True, False)),
    (0, 60, (False, True)), (55, 55, (True, True))])
def test_a_batch_loads_costly_tables_before_the_fork_only_for_many_names_that_need_them(
        node: Node, monkeypatch: pytest.MonkeyPatch, han_names: int, org_names: int,
        loaded_first: tuple[bool, bool]) -> None:
    """Names in Han or kana, and the queries read as organisations' names, are matched
    together by one worker, which loads their tables (ICU's Han rules, the Japanese
    reading; rigour's organisation tagger, legal forms, number words): the parent does not
    load them for all before it forks, unless there are more of them than one worker
    should match alone (200 queries: 50). The answers are the same either way."""
    node.settings.batch_parallel_min = 10
    asked: list[tuple[bool, bool]] = []
    prepare = node.index.prepare

    def recorded(han: bool = True, orgs: bool = True) -> None:
        asked.append((han, orgs))
        prepare(han=han, orgs=orgs)

    monkeypatch.setattr(node.index, "prepare", recorded)
    queries = [build_query([PERSON]) for _ in range(200)]
    for i in range(han_names):
        queries[2 * i] = build_query(["法里斯纳迪尔" if i % 2 else "金铁三"])
    for i in range(org_names):
        queries[2 * i + 1] = build_query([GROUP], schema="Organization")
    results = list(node.screening.screen_many(queries, SCREENER, P, workers=2))
    assert asked == [loaded_first]
    alone = list(node.screening.screen_many(queries, SCREENER, P, workers=1))
    assert _wire(results) == _wire(alone)


def test_decisions_are_read_for_many_subjects_at_once(node: Node) -> None:
    review = node.store.review
    keys = [f"subject-{i:05d}" for i in range(DECISION_KEYS_PER_QUERY * 2 + 7)]
    decided = {keys[3]: "un_sc-DMi.001", keys[DECISION_KEYS_PER_QUERY + 4]: "un_sc-DMe.001",
               keys[-1]: "un_sc-DMi.001"}
    def decide(did: str, subject: str, entity_id: str, decision: str) -> None:
        time.sleep(0.002)  # one after the other: "the newest" is well defined
        with node.store.begin() as conn:
            review.add_decision(conn, {
                "id": did, "entity_id": entity_id, "subject_key": subject,
                "screening_id": None, "decision": decision, "comment": "", "actor": "a"})

    for n, (subject, entity_id) in enumerate(decided.items()):
        decide(f"d-{n}-0", subject, entity_id, "unsure")
        decide(f"d-{n}-1", subject, entity_id, "false_positive")  # the newest stands
    # revoked below: the one before it stands again
    decide("d-revoked", keys[3], "un_sc-DMi.001", "confirmed")
    with node.store.begin() as conn:
        review.revoke_decision(conn, "d-revoked", actor="a", reason="mistake")
    many = review.latest_decisions_many(keys)
    assert set(many) == set(decided)
    for subject, entity_id in decided.items():
        assert set(many[subject]) == {entity_id}
        assert many[subject][entity_id]["decision"] == "false_positive"
        assert many[subject] == review.latest_decisions(subject)
    assert review.latest_decisions_many([]) == {}
    assert review.latest_decisions("subject-none") == {}


def test_the_answers_are_loaded_with_the_rest_of_the_process_frozen() -> None:
    """While a forked batch's answers are loaded, what the parent held before stays out of
    its garbage collections (gc.freeze); after the batch the process is as it was: unfrozen,
    or still frozen when it was frozen before (an index of 100,000 names or more)."""
    import gc

    queries = [ScreenQuery(names=[f"q{i}"]) for i in range(100)]
    gc.unfreeze()
    try:
        during = []
        for m in match_forked(_pid_of, queries, 2):
            during.append(gc.get_freeze_count())
            assert m is not None
        assert min(during) > 0
        assert gc.get_freeze_count() == 0  # as before the batch
        gc.freeze()
        frozen = gc.get_freeze_count()
        assert len(list(match_forked(_pid_of, queries, 2))) == 100
        # left frozen (less what was freed since: the first batch's pool, which ends on
        # its own once every answer is in)
        assert gc.get_freeze_count() > frozen // 2 > 0
    finally:
        gc.unfreeze()


def _gc_young(query: ScreenQuery) -> Matched:
    import gc

    return Matched(query.names, str(gc.get_threshold()[0]), [])


def test_workers_and_their_parent_collect_garbage_less_often_during_a_batch() -> None:
    """A worker collects its youngest generation every GC_WORKER allocations (the parent,
    while it loads the answers, every GC_YOUNG), not Python's 700 (a worker's growing caches
    were traversed over and over; at 100,000 the UN batch's workers still collected 8 times
    and freed nothing); the older generations' thresholds are kept, and the parent's
    thresholds are as before once the batch is over."""
    assert GC_WORKER >= 10 * GC_YOUNG
    import gc

    queries = [ScreenQuery(names=[f"q{i}"]) for i in range(100)]
    before = gc.get_threshold()
    assert before[0] < GC_YOUNG
    during = []
    for m in match_forked(_gc_young, queries, 2):
        during.append(gc.get_threshold())
        assert m is not None and m.subject == str(GC_WORKER)  # in each worker
    assert set(during) == {(GC_YOUNG, *before[1:])}
    assert gc.get_threshold() == before


def test_a_batch_in_one_process_collects_garbage_as_a_worker_does() -> None:
    """Matched in this process (one worker), a batch's queries run with the heap held before
    frozen and the youngest generation collected every GC_YOUNG allocations, as in a worker
    (in one process the UN batch spent 1.4 CPU-s in collections so, 0.3 with it); after the
    batch the process is as it was."""
    import gc

    queries = [ScreenQuery(names=[f"q{i}"]) for i in range(10)]
    before = gc.get_threshold()
    gc.unfreeze()
    during = []
    for m in match_here(_gc_young, queries):
        assert m is not None and m.subject == str(GC_YOUNG)
        during.append((gc.get_threshold(), gc.get_freeze_count() > 0))
    assert set(during) == {((GC_YOUNG, *before[1:]), True)}
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    # a batch left before its end (the caller stopped reading) restores it too
    first = match_here(_gc_young, queries)
    next(first)
    first.close()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_batches_at_once_share_the_collector_setting_until_the_last_ends() -> None:
    """A server's threads may run batches at once: the setting is restored when the last of
    them ends, not by the first (which would leave the others collecting every 700), and a
    heap frozen before stays frozen."""
    import gc

    before = gc.get_threshold()
    gc.unfreeze()
    with collecting_rarely():
        with collecting_rarely():
            assert gc.get_threshold()[0] == GC_YOUNG
        assert gc.get_threshold()[0] == GC_YOUNG and gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    gc.freeze()
    try:
        with collecting_rarely():
            pass
        assert gc.get_freeze_count() > 0  # left frozen, as it was
    finally:
        gc.unfreeze()


def test_screening_a_batch_in_one_process_collects_rarely_while_it_runs(node: Node) -> None:
    """The service matches a batch on one worker (``workers=1``) collecting rarely: seen from
    its caller while the batch's queries are still being matched (the answers are read a
    page of BATCH_ROWS at a time), and as before once the batch is over."""
    import gc

    batch = (_queries() * (BATCH_ROWS // 120 + 1))[:BATCH_ROWS + 20]
    before = gc.get_threshold()
    results = node.screening.screen_many(batch, SCREENER, P, workers=1)
    next(results)  # the first page is matched; the rest not yet
    assert gc.get_threshold() == (GC_YOUNG, *before[1:])
    assert len(list(results)) == BATCH_ROWS + 19
    assert gc.get_threshold() == before


def test_a_batchs_explanation_records_are_the_explanations_records(node: Node) -> None:
    """The review rows' sealed explanations (``explanation_records``, each phrase's record
    made once per batch) are each explanation's ``as_record()``, in every row."""
    from ctnode.services.screening.service import explanation_records

    hits = [h for q in _queries()[:8] for h in node.index.refresh().screen(q, limit=5)]
    assert hits
    memo: dict[int, Any] = {}
    for _ in range(2):  # the second time from the records made the first
        for h in hits:
            assert explanation_records(h.explanation, memo) == [
                e.as_record() for e in h.explanation]
    said = {id(p) for h in hits for e in h.explanation for p in e.phrases}
    assert set(memo) == said


def test_the_batchs_end_is_in_finer_tasks() -> None:
    """The last ``tail`` queries are handed out in tasks of a TAIL_PART of a slice (the
    workers end nearly together), after whole slices; every query once, in order."""
    queries = [ScreenQuery(names=[f"han{i}" if i in (3, 9) else f"q{i}"]) for i in range(90)]
    tasks = [list(t) for t in slices(queries, 8, tail=20)]
    assert [len(t) for t in tasks] == [8] * 8 + [2] * 13
    assert [i for t in tasks for i in t] == list(range(90))
    # with a group handed out first: the others' end as finely
    tasks = [list(t) for t in slices(queries, 8, _han_group, tail=20)]
    assert tasks[0] == [3, 9] and [len(t) for t in tasks[1:]] == [8] * 8 + [2] * 12
    assert sorted(i for t in tasks for i in t) == list(range(90))
    # none finer without ``tail``; a slice below TAIL_PART queries: tasks of one
    assert [len(t) for t in slices(queries, 8)] == [8] * 11 + [2]
    assert [len(t) for t in slices(queries[:10], 3, tail=4)] == [3, 3, 1, 1, 1, 1]
    # match_forked hands out the end so: every answer in its place
    found = list(match_forked(_pid_of, queries, 2))
    assert [m.names[0] for m in found if m] == [q.names[0] for q in queries]


def _slow_exit(query: ScreenQuery) -> Matched:
    """A worker that takes 3 s to end once the batch is over (a finaliser run at its exit)."""
    import multiprocessing.util

    multiprocessing.util.Finalize(None, time.sleep, args=(3.0,), exitpriority=10)
    return Matched(query.names, str(os.getpid()), [])


def test_the_last_answers_are_not_kept_waiting_for_the_workers_exit() -> None:
    """Once every answer is in, the workers' exits are not waited for (the pool's own thread
    reaps them): the batch's last answers are taken at once."""
    queries = [ScreenQuery(names=[f"q{i}"]) for i in range(40)]
    started = time.monotonic()
    found = list(match_forked(_slow_exit, queries, 2))
    assert time.monotonic() - started < 2.5
    assert [m.names[0] for m in found if m] == [q.names[0] for q in queries]


def test_a_batchs_last_rows_are_written_a_page_at_a_time(
        node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows are written BATCH_ROWS at a time, but the batch's last BATCH_ROWS subjects a
    page of BATCH_TAIL_PAGE at a time (a forked batch's last answers come when its workers
    end: little is left to write then); the audit entry with the last; every row once."""
    from ctnode.services.screening.service import BATCH_TAIL_PAGE

    written: list[int] = []
    add = node.screening.review.add_screenings

    def counted(conn: Any, rows: list[dict[str, Any]]) -> None:
        written.append(len(rows))
        add(conn, rows)

    monkeypatch.setattr(node.screening.review, "add_screenings", counted)
    batch = [build_query([GROUP], schema="Organization") for _ in range(BATCH_ROWS + 200)]
    before = node.store.review.count_screenings()
    results = list(node.screening.screen_many(batch, SCREENER, P, workers=1))
    assert all(r.screening_id for r in results)  # a row each
    assert sum(written) == node.store.review.count_screenings() - before == len(batch)
    assert written[0] == BATCH_ROWS and 0 < written[-1] <= BATCH_TAIL_PAGE
    assert [e.detail["subjects"] for e in node.audit.entries(event="screen.batch")] == [
        len(batch)]


def test_what_a_batch_left_goes_to_the_oldest_generation_at_its_end() -> None:
    """At the end of a batch (the collector's setting restored, the heap unfrozen) what the
    batch allocated and still holds is in the oldest generation with the rest: restoring
    Python's young threshold of 700 would otherwise have the next allocation traverse all of
    it at once (66 ms at the end of the UN batch, with the parent alone)."""
    import gc

    gc.unfreeze()
    with collecting_rarely():
        kept = [[i] for i in range(5_000)]
    oldest = gc.get_objects(generation=2)
    assert any(x is kept for x in oldest) and any(x is kept[0] for x in oldest)
    assert gc.get_freeze_count() == 0
    gc.freeze()  # a heap frozen before stays frozen: the batch's objects stay collectable
    try:
        with collecting_rarely():
            held = [[i] for i in range(100)]
        assert gc.get_freeze_count() > 0
        assert not any(x is held for x in gc.get_objects(generation=2))
    finally:
        gc.unfreeze()


def test_handing_out_a_batchs_tasks_collects_no_garbage(monkeypatch: pytest.MonkeyPatch,
                                                       ) -> None:
    """While the tasks are handed out (the workers forked, the futures made) the heap is
    frozen and the young generation collected every GC_YOUNG allocations: with Python's 700
    the UN batch's parent collected three times there, 14 ms each."""
    import gc
    from concurrent.futures import ProcessPoolExecutor

    seen: list[tuple[int, bool]] = []
    handing_out = ProcessPoolExecutor.map

    def map_(self: ProcessPoolExecutor, *args: Any, **kwargs: Any) -> Any:
        seen.append((gc.get_threshold()[0], gc.get_freeze_count() > 0))
        return handing_out(self, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "map", map_)
    before = gc.get_threshold()
    queries = [ScreenQuery(names=[f"q{i}"]) for i in range(40)]
    assert all(m is not None for m in match_forked(_gc_young, queries, 2))
    assert seen == [(GC_YOUNG, True)]
    assert gc.get_threshold() == before


def test_a_batch_makes_rows_only_for_subjects_with_hits(node: Node,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A subject without hits gets no review row made (no id, no sealed subject: its row was
    made and dropped), and its result is as before: no screening id, its query hash."""
    from ctnode.services.screening.service import Screening, query_hash

    made: list[str] = []
    row = Screening.screening_row

    def counted(self: Screening, *args: Any, **kwargs: Any) -> dict[str, Any]:
        made.append(args[3])
        return row(self, *args, **kwargs)

    monkeypatch.setattr(Screening, "screening_row", counted)
    results = list(node.screening.screen_many(_queries(), SCREENER, P, workers=1))
    with_hits = [r.subject_key for r in results if r.hits]
    assert made == with_hits and 0 < len(with_hits) < len(results)
    for r in results:
        assert r.query_hash == query_hash(r.subject_key, "batch")
        assert (r.screening_id is None) == (not r.hits)
