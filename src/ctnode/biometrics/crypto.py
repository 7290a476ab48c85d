"""Encryption at rest of biometric images and templates with a node key (XSalsa20-Poly1305).

The key is 32 random bytes in ``DATA_DIR/biometric.key``, created on first use
with owner-only permissions (0600); a key file readable by group or others is
refused. Each ciphertext is bound to the row it belongs to (the row id is
sealed with the plaintext and checked on opening), so ciphertexts cannot be
swapped between records.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from nacl.bindings import crypto_secretbox_open
from nacl.exceptions import CryptoError
from nacl.secret import SecretBox
from nacl.utils import random

from ctnode.errors import CTNodeError

KEY_FILE = "biometric.key"


class KeyError_(CTNodeError):  # "KeyError" is a builtin
    """The biometric key file is missing, unreadable, of the wrong size or too widely readable."""

    code = "biometric_key_error"


class NodeKey:
    """The node's secret box for biometric data."""

    def __init__(self, key: bytes) -> None:
        if len(key) != SecretBox.KEY_SIZE:
            raise KeyError_(f"biometric key must be {SecretBox.KEY_SIZE} bytes, found {len(key)}")
        self._box = SecretBox(key)
        self._key = bytes(key)

    @classmethod
    def load_or_create(cls, data_dir: Path) -> NodeKey:
        path = data_dir / KEY_FILE
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(random(SecretBox.KEY_SIZE))
            try:
                os.link(tmp, path)  # atomic; fails if another process created the key first
            except FileExistsError:
                pass
            tmp.unlink(missing_ok=True)
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise KeyError_(f"{path} is readable by others (mode {mode:o}); run: chmod 600 {path}")
        return cls(path.read_bytes())

    def seal(self, plaintext: bytes, context: str) -> bytes:
        ctx = context.encode()
        return bytes(self._box.encrypt(len(ctx).to_bytes(2, "big") + ctx + plaintext))

    def open(self, ciphertext: bytes, context: str) -> bytes:
        try:
            raw = self._box.decrypt(ciphertext)
        except CryptoError as exc:
            raise KeyError_("a biometric record does not decrypt with this node's key") from exc
        n = int.from_bytes(raw[:2], "big")
        if raw[2 : 2 + n].decode() != context:
            raise KeyError_("a biometric ciphertext belongs to another record")
        return raw[2 + n :]

    def open_concat(self, items: list[tuple[bytes, str]]) -> bytes:
        """Open many ciphertexts (each with its context) and return their plaintexts joined.

        The bulk path of an index build (a million templates): the same checks as ``open``
        without a Python object per message.
        """
        nonce = SecretBox.NONCE_SIZE
        parts: list[bytes] = []
        try:
            for ct, context in items:
                raw = crypto_secretbox_open(ct[nonce:], ct[:nonce], self._key)
                n = int.from_bytes(raw[:2], "big")
                if raw[2 : 2 + n] != context.encode():
                    raise KeyError_("a biometric ciphertext belongs to another record")
                parts.append(raw[2 + n :])
        except CryptoError as exc:
            raise KeyError_("a biometric record does not decrypt with this node's key") from exc
        return b"".join(parts)
