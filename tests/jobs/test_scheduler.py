"""The one scheduler: jobs run at their interval on one thread, a failing job is audited and the
others go on, the server starts and stops it, and each job runs once on demand."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ctnode.api.app import create_app
from ctnode.cli.main import app as cli_app
from ctnode.clock import utcnow
from ctnode.errors import NotFound
from ctnode.jobs.scheduler import Job, Scheduler
from ctnode.model.access import SYSTEM, Actor
from ctnode.node import Node
from tests.conftest import ADMIN


def _wait(condition: object, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_jobs_run_at_their_interval_and_a_failure_is_audited(empty_node: Node) -> None:
    runs: list[str] = []
    actors: list[Actor] = []

    def tick(actor: Actor) -> None:
        runs.append("tick")
        actors.append(actor)

    def broken(_actor: Actor) -> None:
        runs.append("broken")
        raise RuntimeError("the disk is full")

    scheduler = Scheduler(
        [Job("tick", "counts", every=0.05, run=tick), Job("broken", "fails", every=0.05,
                                                           run=broken)],
        empty_node.audit, first_delay=0.0,
    )
    scheduler.start()
    try:
        assert _wait(lambda: runs.count("tick") >= 3 and runs.count("broken") >= 2)
        assert scheduler.running
    finally:
        scheduler.stop()
    assert not scheduler.running
    stopped_at = len(runs)
    time.sleep(0.2)
    assert len(runs) == stopped_at  # stopped means stopped
    assert set(actors) == {SYSTEM}
    failures = list(empty_node.audit.entries(event="job.failed"))
    assert failures and failures[0].detail == {"job": "broken", "error": "the disk is full"}
    assert failures[0].actor == SYSTEM.name


def test_jobs_never_overlap(empty_node: Node) -> None:
    inside = threading.Event()
    overlaps: list[int] = []
    lock = threading.Lock()

    def slow(_actor: Actor) -> None:
        if not lock.acquire(blocking=False):
            overlaps.append(1)
            return
        try:
            inside.set()
            time.sleep(0.1)
        finally:
            lock.release()

    scheduler = Scheduler([Job("a", "slow", every=0.01, run=slow),
                           Job("b", "slow", every=0.01, run=slow)], empty_node.audit,
                          first_delay=0.0)
    scheduler.start()
    try:
        assert inside.wait(5)
        time.sleep(0.4)
    finally:
        scheduler.stop()
    assert overlaps == []


def test_a_job_runs_once_on_demand_for_the_caller(empty_node: Node) -> None:
    assert set(empty_node.jobs.jobs) == {"retention", "review-subjects", "file-reports", "refusals",
                                         "watch-expiry", "intel-pull", "audit-checkpoint",
                                         "key-expiry", "biometric-index", "hash-forensics",
                                         "hit-notices", "disclosure-expiry"}
    result = empty_node.jobs.run("retention", ADMIN)
    assert (result.masked, result.deleted) == (0, 0)  # type: ignore[attr-defined]
    (entry,) = empty_node.audit.entries(event="travel.retention")
    assert entry.actor == ADMIN.name  # on demand, audited even when nothing was due
    with pytest.raises(NotFound, match="no job 'nightly'"):
        empty_node.jobs.run("nightly", ADMIN)


def test_the_scheduled_retention_sweep_masks_and_deletes(empty_node: Node) -> None:
    now = utcnow()
    kept = empty_node.retention.record(kind="manifest", fmt="PAXLST", raw=b"UNH+1+PAXLST'",
                                       actor="t", source="cli", summary={},
                                       now=now - timedelta(hours=30))
    gone = empty_node.retention.record(kind="payment", fmt="MT103", raw=b":20:X", actor="t",
                                       source="cli", summary={}, now=now - timedelta(days=31))
    empty_node.jobs.job("retention").run(SYSTEM)  # what the scheduler's thread calls
    row = empty_node.retention.get_message(kept)
    assert row is not None and row["raw"] is None and row["masked"]
    assert empty_node.retention.get_message(gone) is None
    (entry,) = empty_node.audit.entries(event="travel.retention")
    assert entry.actor == SYSTEM.name and entry.detail == {"masked": 1, "deleted": 1}
    empty_node.jobs.job("retention").run(SYSTEM)
    assert len(list(empty_node.audit.entries(event="travel.retention"))) == 1  # idle: quiet


def test_the_server_starts_and_stops_the_jobs(empty_node: Node) -> None:
    assert not empty_node.jobs.running
    with TestClient(create_app(empty_node)) as client:
        assert client.get("/healthz").status_code == 200
        assert empty_node.jobs.running
    assert not empty_node.jobs.running


def test_jobs_can_be_left_to_cron(empty_node: Node) -> None:
    empty_node.settings.jobs_enabled = False
    with TestClient(create_app(empty_node)):
        assert not empty_node.jobs.running


def test_cli_lists_and_runs_jobs(tmp_path: Path) -> None:
    env = {"CTNODE_DATA_DIR": str(tmp_path), "CTNODE_DATABASE_URL": "",
           "CTNODE_MODE": "development"}
    runner = CliRunner()
    r = runner.invoke(cli_app, ["jobs", "run", "retention"], env=env)  # no store here yet
    assert r.exit_code == 1 and "no node data here" in r.output
    assert runner.invoke(cli_app, ["db", "upgrade"], env=env).exit_code == 0
    r = runner.invoke(cli_app, ["jobs", "list"], env=env)
    assert r.exit_code == 0 and "retention" in r.output and "every 15 min" in r.output
    r = runner.invoke(cli_app, ["jobs", "run", "retention"], env=env)
    assert r.exit_code == 0 and "masked 0 raw messages, deleted 0" in r.output
    r = runner.invoke(cli_app, ["jobs", "run", "nightly"], env=env)
    assert r.exit_code == 1 and "no job 'nightly'" in r.output
