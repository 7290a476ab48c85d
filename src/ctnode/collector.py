"""Python's cyclic garbage collector, paused for work that makes millions of objects and
no reference cycles: a parse, a store write, an index build or load. Each full pass of the
collector goes over the whole growing heap and frees nothing there (at 200,000 persons an
import's passes were 13% of its CPU; issue 11). Reference counting still frees everything
that is let go; the collector is put back as it was, also after an error."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_ending = 0  # blocks under way after which the process ends (``paused(then_ends=True)``)


@contextmanager
def paused(*, then_ends: bool = False) -> Iterator[None]:
    """The collector off inside the block, and back on after it if it was on before (so
    nested pauses keep it off until the outermost one ends). ``then_ends``: the process
    ends after the block (a command such as ``ctnode import``), so work inside it skips
    collections made only for a long life afterwards (:func:`process_ends`)."""
    global _ending
    collecting = gc.isenabled()
    gc.disable()
    _ending += then_ends
    try:
        yield
    finally:
        _ending -= then_ends
        if collecting:
            gc.enable()


def process_ends() -> bool:
    """Whether the process ends once the work under way is done (a ``then_ends`` pause)."""
    return _ending > 0
