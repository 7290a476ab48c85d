"""Compiled look-ups of a loaded index's hashed keys (``_reach.c``; optional)."""

from collections.abc import Callable
from typing import Any

from typing_extensions import Buffer

class KeyTable:
    def __init__(self, slots: Buffer, blob: Buffer, offsets: Buffer) -> None: ...
    def row(self, key: str, /) -> int: ...

class Lookup:
    def __init__(self, table: KeyTable, value_of: Callable[[int], object],
                 seen: dict[str, Any], more: dict[str, Any], limit: int) -> None: ...
    def get(self, key: str, /) -> Any: ...
