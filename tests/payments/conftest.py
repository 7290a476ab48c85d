"""Fixtures of the payment tests.

``formats`` is the shared sample-message folder (``$CTNODE_SHARED_DATA/formats``,
default ``<repo>/../shared/data/formats``; tests using it skip with the reason when
it is absent); ``FIXTURES`` holds our own small messages. End-to-end tests use the
lead's ``node`` fixture (a real node on SQLite and PostgreSQL with the demo list).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


def formats_dir() -> Path:
    base = Path(os.environ.get("CTNODE_SHARED_DATA", REPO.parent / "shared" / "data"))
    return base / "formats"


@pytest.fixture(scope="session")
def formats() -> Path:
    path = formats_dir()
    if not (path / "README.md").exists():
        reason = f"shared sample messages not found at {path} (set CTNODE_SHARED_DATA)"
        print(f"\n[ctnode tests] skipped: {reason}")
        pytest.skip(reason)
    return path
