"""The node key's bulk opening (an index build): the same plaintexts and checks as one by one."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctnode.biometrics.crypto import KeyError_, NodeKey


def test_open_concat_joins_what_open_returns_one_by_one(tmp_path: Path) -> None:
    key = NodeKey.load_or_create(tmp_path)
    items = [(key.seal(bytes([i]) * 8, f"template:{i}"), f"template:{i}") for i in range(5)]
    assert key.open_concat(items) == b"".join(key.open(ct, c) for ct, c in items)
    assert key.open_concat([]) == b""


def test_open_concat_refuses_a_swapped_or_foreign_ciphertext(tmp_path: Path) -> None:
    key = NodeKey.load_or_create(tmp_path)
    a, b = key.seal(b"a" * 8, "template:a"), key.seal(b"b" * 8, "template:b")
    with pytest.raises(KeyError_, match="another record"):
        key.open_concat([(a, "template:a"), (b, "template:a")])
    other = NodeKey.load_or_create(tmp_path / "other")
    with pytest.raises(KeyError_, match="does not decrypt"):
        other.open_concat([(a, "template:a")])
    with pytest.raises(KeyError_, match="does not decrypt"):
        key.open_concat([(a[:-1] + bytes([a[-1] ^ 1]), "template:a")])
