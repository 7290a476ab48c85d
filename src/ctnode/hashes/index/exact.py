"""Exact-match index for MD5 and SHA-256: a dictionary from hash value to ids."""

from __future__ import annotations

from collections.abc import Iterable


class ExactIndex:
    def __init__(self) -> None:
        self._by_value: dict[str, list[int]] = {}
        self._value_of: dict[int, str] = {}

    def add(self, ident: int, value: str) -> None:
        if ident in self._value_of:
            self.remove([ident])
        self._by_value.setdefault(value, []).append(ident)
        self._value_of[ident] = value

    def remove(self, ids: Iterable[int]) -> int:
        count = 0
        for ident in ids:
            value = self._value_of.pop(ident, None)
            if value is None:
                continue
            holders = self._by_value[value]
            holders.remove(ident)
            if not holders:
                del self._by_value[value]
            count += 1
        return count

    def search(self, value: str) -> list[int]:
        return sorted(self._by_value.get(value, ()))

    def __len__(self) -> int:
        return len(self._value_of)
