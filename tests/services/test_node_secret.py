"""The node-local secret (keyed hashes of the audit log): one per data folder, even when a
server and a command start together on a new folder."""

from __future__ import annotations

import secrets
import stat
from pathlib import Path

import pytest

from ctnode.services import context
from ctnode.services.context import load_secret


def test_a_secret_is_made_once_owner_only_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "audit-hash.key"
    first = load_secret(path)
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(path) == first
    assert sorted(p.name for p in path.parent.iterdir()) == ["audit-hash.key"]  # no temp left


def test_a_process_that_loses_the_race_reads_the_winners_secret(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process writes the secret after this one saw none and before it wrote its own:
    this one must answer with the other's (else their keyed hashes differ for good)."""
    path = tmp_path / "audit-hash.key"
    winner = b"W" * 32
    real = secrets.token_bytes

    def token_bytes_while_another_wins(size: int) -> bytes:
        path.write_bytes(winner)  # the other process, in between
        return real(size)

    monkeypatch.setattr(context.secrets, "token_bytes", token_bytes_while_another_wins)
    assert load_secret(path) == winner
    assert path.read_bytes() == winner
    assert [p.name for p in tmp_path.iterdir()] == ["audit-hash.key"]
