"""A numpy array that grows by doubling (amortised O(1) appends without Python objects per row)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


class Growing:
    def __init__(self, dtype: Any, row_shape: tuple[int, ...], capacity: int = 1024) -> None:
        self._data: npt.NDArray[Any] = np.zeros((capacity, *row_shape), dtype=dtype)
        self._n = 0

    def extend(self, rows: npt.NDArray[Any]) -> None:
        need = self._n + len(rows)
        if need > len(self._data):
            size = max(need, 2 * len(self._data))
            grown = np.zeros((size, *self._data.shape[1:]), dtype=self._data.dtype)
            grown[: self._n] = self._data[: self._n]
            self._data = grown
        self._data[self._n : need] = rows
        self._n = need

    def view(self) -> npt.NDArray[Any]:
        return self._data[: self._n]

    def replace(self, rows: npt.NDArray[Any]) -> None:
        self._data = np.array(rows, copy=True)
        self._n = len(rows)

    def __len__(self) -> int:
        return self._n

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)
