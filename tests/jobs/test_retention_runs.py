"""The retention sweep runs by itself: inside the server on the scheduler (an idle node masks
too), and from cron or a systemd timer as the documented command, with cron's bare
environment, no terminal and another working directory."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from ctnode.api.app import create_app
from ctnode.clock import utcnow
from ctnode.model.access import SYSTEM
from ctnode.node import Node
from tests.conftest import TRAVEL_FIXTURES
from tests.jobs.test_scheduler import _wait

RAW = (TRAVEL_FIXTURES / "pnrgov_short_names.edi").read_bytes()


def _old_message(node: Node) -> str:
    return node.retention.record(kind="manifest", fmt="PNRGOV 13:1", raw=RAW, actor="t",
                                 source="api", summary={}, now=utcnow() - timedelta(hours=25))


def _masked(node: Node, message_id: str) -> bool:
    row = node.retention.get_message(message_id)
    return row is not None and row["raw"] is None and bool(row["masked"])


def test_an_idle_server_masks_old_messages_on_its_own(empty_node: Node) -> None:
    message_id = _old_message(empty_node)
    empty_node.jobs.first_delay = 0.05
    with TestClient(create_app(empty_node)):
        assert _wait(lambda: _masked(empty_node, message_id), 10.0)
    (entry,) = empty_node.audit.entries(event="travel.retention")
    assert entry.actor == SYSTEM.name and entry.detail == {"masked": 1, "deleted": 0}
    row = empty_node.retention.get_message(message_id)
    assert row is not None and "VEDENOV" not in row["masked"] and "TIF+XX+" in row["masked"]


def test_the_documented_cron_line_runs_the_sweep(empty_node: Node, tmp_path: Path) -> None:
    message_id = _old_message(empty_node)
    ctnode = Path(sys.executable).parent / "ctnode"  # the installed console script
    cron_env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SHELL": "/bin/sh",
                "LOGNAME": os.environ.get("LOGNAME", "ctnode"),
                "CTNODE_DATA_DIR": str(empty_node.settings.data_dir),
                "CTNODE_DATABASE_URL": empty_node.settings.store_url}
    done = subprocess.run([str(ctnode), "jobs", "run", "retention"], env=cron_env, cwd=tmp_path,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "masked 1 raw messages, deleted 0"
    assert _masked(empty_node, message_id)
    (entry,) = empty_node.audit.entries(event="travel.retention")
    assert entry.actor != SYSTEM.name  # the operator who ran it
