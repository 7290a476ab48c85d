"""Compiled look-ups of a loaded index's hashed keys (``_reach.c``; optional)."""

from typing_extensions import Buffer

class KeyTable:
    def __init__(self, slots: Buffer, blob: Buffer, offsets: Buffer) -> None: ...
    def row(self, key: str, /) -> int: ...
