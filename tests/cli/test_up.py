"""The README's first command: `ctnode up` creates the store, loads a list and serves, securely."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ctnode.node import Node
from ctnode.services.lists import DEMO_DATASET
from tests.conftest import ADMIN


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_fallback_then_real_list(empty_node: Node, shared_data: Path, tmp_path: Path) -> None:
    empty_node.settings.un_sc_source = str(tmp_path / "missing.xml")
    how, report = empty_node.lists.ensure_un_list(ADMIN)
    assert how == "demo" and report is not None and report.dataset == DEMO_DATASET
    assert "missing.xml" in (empty_node.lists.last_source_error or "")
    assert empty_node.store.entities.count_entities(dataset="un_sc") == 0
    # Next start, same failure: the demo stays, nothing is imported twice.
    assert empty_node.lists.ensure_un_list(ADMIN) == ("demo", None)
    # Once the source is readable, the real list loads and the demo records are delisted.
    empty_node.settings.un_sc_source = str(shared_data / "un-sc-consolidated.xml")
    how, report = empty_node.lists.ensure_un_list(ADMIN)
    assert how == "source" and report is not None and len(report.added) == 1009
    assert empty_node.store.entities.count_entities(dataset=DEMO_DATASET, status="listed") == 0
    assert empty_node.lists.ensure_un_list(ADMIN) == ("present", None)


def test_up_serves_on_loopback_with_a_key(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "CTNODE_DATA_DIR": str(tmp_path / "var"),
        "CTNODE_UN_SC_SOURCE": str(tmp_path / "unreachable.xml"),
        "CTNODE_PORT": str(port),
    }
    env.pop("CTNODE_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ctnode.cli", "up"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        end = time.monotonic() + 240  # not a timed test: the start's speed is a benchmark
        while time.monotonic() < end and proc.poll() is None:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            proc.kill()
            pytest.fail(f"ctnode up did not start: {proc.stdout.read() if proc.stdout else ''}")
        key_file = tmp_path / "var" / "admin.key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        key = key_file.read_text().strip()
        assert httpx.post(f"{base}/screen", json={"name": "x"}).status_code == 401
        r = httpx.post(
            f"{base}/screen", json={"name": "Faris Nadir al-Qamari"}, headers={"X-API-Key": key}
        )
        assert r.status_code == 200
        assert r.json()["hits"][0]["list"] == DEMO_DATASET
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert "FICTIONAL DEMO" in out
    assert f"127.0.0.1:{port}" in out
    # the import report is readable lines, not a Python dict
    assert "imported un_sc_demo version" in out and "  added 16, changed 0" in out
    assert "{'dataset'" not in out


def test_up_refuses_a_public_bind_outside_development(tmp_path: Path) -> None:
    env = {**os.environ, "CTNODE_DATA_DIR": str(tmp_path / "var"), "CTNODE_HOST": "0.0.0.0"}
    env.pop("CTNODE_MODE", None)
    r = subprocess.run(
        [sys.executable, "-m", "ctnode.cli", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    (line,) = r.stderr.splitlines()  # one line, however long
    assert line.startswith("configuration error: ") and "refusing to bind to 0.0.0.0" in line
