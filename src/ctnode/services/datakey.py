"""The node's data key, read (or made) on first use: it seals biometric images and templates,
subjects under watch, the screened subject of a screening with hits (review) and the
console's TOTP secrets (``ctnode.biometrics.crypto.NodeKey``: XSalsa20-Poly1305, each
ciphertext bound to its record). The engine module is imported only when a key is used, so
a node that never seals anything neither reads nor makes a key file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ctnode.biometrics.crypto import NodeKey


class LazyKey:
    """The node's data key (``biometric.key`` in the key folder), opened on first use."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._key: NodeKey | None = None

    @property
    def key(self) -> NodeKey:
        if self._key is None:
            from ctnode.biometrics.crypto import NodeKey

            self._key = NodeKey.load_or_create(self.data_dir)
        return self._key

    def seal(self, plaintext: bytes, context: str) -> bytes:
        return self.key.seal(plaintext, context)

    def open(self, ciphertext: bytes, context: str) -> bytes:
        return self.key.open(ciphertext, context)

    def open_concat(self, items: list[tuple[bytes, str]]) -> bytes:
        return self.key.open_concat(items)
