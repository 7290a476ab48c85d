"""The node key: created 0600, refused when readable by others, ciphertexts bound to their row."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ctnode.biometrics.crypto import KEY_FILE, KeyError_, NodeKey


def test_key_file_is_owner_only_and_stable(tmp_path: Path) -> None:
    key = NodeKey.load_or_create(tmp_path)
    mode = stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode)
    assert mode == 0o600
    sealed = key.seal(b"template bytes", "template:1")
    assert b"template bytes" not in sealed
    again = NodeKey.load_or_create(tmp_path)
    assert again.open(sealed, "template:1") == b"template bytes"


def test_ciphertext_cannot_move_to_another_row(tmp_path: Path) -> None:
    key = NodeKey.load_or_create(tmp_path)
    sealed = key.seal(b"image", "sample:a")
    with pytest.raises(KeyError_):
        key.open(sealed, "sample:b")
    other = NodeKey.load_or_create(tmp_path / "other")
    with pytest.raises(KeyError_):
        other.open(sealed, "sample:a")


def test_world_readable_key_is_refused(tmp_path: Path) -> None:
    NodeKey.load_or_create(tmp_path)
    os.chmod(tmp_path / KEY_FILE, 0o644)
    with pytest.raises(KeyError_) as err:
        NodeKey.load_or_create(tmp_path)
    assert "chmod 600" in str(err.value)
