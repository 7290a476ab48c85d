"""Uploaded list files between their dry-run preview and their import (the console's Lists
import): held in this process's memory only, for the person who uploaded them, for
``STAGE_MINUTES``; applying one takes it out. The import itself is ``Lists.import_list``
(permission ``import``, audited, refusals of issue 10: older versions, other publishers, mass delistings)."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from ctnode.clock import utcnow
from ctnode.errors import NotFound

# Minutes an uploaded list waits for its import after the preview.
STAGE_MINUTES = 30
# Uploaded lists held at most (the oldest goes first).
MAX_STAGED = 10


@dataclass(frozen=True, slots=True)
class StagedList:
    """An uploaded list file and how to read it."""

    token: str
    owner: str
    kind: str  # un-sc, ftm
    filename: str
    data: bytes
    dataset: str | None
    version: str | None
    publisher: str | None  # who publishes it, as the person said (the Source field)
    at: datetime


class StagedLists:
    """The uploaded lists of one node process awaiting their import."""

    def __init__(self) -> None:
        self._staged: dict[str, StagedList] = {}
        self._lock = threading.Lock()

    def stage(self, owner: str, *, kind: str, filename: str, data: bytes,
              dataset: str | None, version: str | None,
              publisher: str | None = None) -> StagedList:
        staged = StagedList(token=uuid.uuid4().hex, owner=owner, kind=kind,
                            filename=filename[:200], data=data, dataset=dataset,
                            version=version, publisher=publisher, at=utcnow())
        with self._lock:
            self._forget_old()
            while len(self._staged) >= MAX_STAGED:
                oldest = min(self._staged.values(), key=lambda s: s.at)
                del self._staged[oldest.token]
            self._staged[staged.token] = staged
        return staged

    def take(self, owner: str, token: str) -> StagedList:
        """The owner's staged list, removed from the stage (another's is unknown)."""
        with self._lock:
            self._forget_old()
            staged = self._staged.get(token)
            if staged is None or staged.owner != owner:
                raise NotFound(f"no uploaded list waits under this token (uploads wait "
                               f"{STAGE_MINUTES} minutes): upload it again")
            del self._staged[token]
        return staged

    def _forget_old(self) -> None:
        cutoff = utcnow() - timedelta(minutes=STAGE_MINUTES)
        for token in [t for t, s in self._staged.items() if s.at < cutoff]:
            del self._staged[token]
