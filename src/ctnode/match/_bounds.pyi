"""The compiled first steps of :func:`ctnode.match.bounds.bounds_large` (``_bounds.c``)."""

from array import array
from typing import Any

def gather(
    finding: list[Any],
    skipped: list[Any],
    totals: array[float],
    floor: float | None,
    consts: tuple[float | bool, ...],
    want_rows: bool,
    final: bool,
    /,
) -> tuple[
    bytearray,
    bytearray,
    bytearray,
    bytearray,
    bytearray | None,
    dict[int, tuple[bytearray, bytearray]],
    tuple[bytearray, bytearray, bytearray, bytearray, bytearray] | None,
]: ...

def look_up(
    ids: Any,
    a: Any,
    c: Any,
    qw: Any,
    found_by: dict[int, tuple[Any, Any]],
    skipped: list[Any],
    totals: array[float],
    floor: float | None,
    consts: tuple[float | bool, ...],
    /,
) -> list[tuple[int, float]]: ...

def look_up_all(
    ids: Any,
    a: Any,
    c: Any,
    qw: Any,
    floors: Any,
    found_by: dict[int, tuple[Any, Any]],
    skipped: list[Any],
    totals: array[float],
    consts: tuple[float | bool, ...],
    /,
) -> list[tuple[int, float]]: ...
