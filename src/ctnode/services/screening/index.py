"""The in-memory match index, kept in step with the store.

Cheap when nothing changed (one indexed query, at most once a second); after an
import by this or another process it re-reads only the changed entities. The lists
service calls :meth:`MatchIndex.stale` after an import (an import listener), so the
next screen sees it at once.
"""

from __future__ import annotations

import threading
import time

from ctnode.errors import NotFound
from ctnode.match import Matcher, Thresholds
from ctnode.model.entities import MATCH_PROPS
from ctnode.model.lists import ImportReport
from ctnode.settings import Settings
from ctnode.store.contracts import EntityStore


class MatchIndex:
    """The node's ``Matcher`` and the store mark it was built at."""

    def __init__(self, settings: Settings, entities: EntityStore) -> None:
        self.entities = entities
        self.matcher = Matcher(
            Thresholds(match=settings.match_threshold, report=settings.report_threshold),
            max_candidates=settings.max_candidates,
        )
        self._mark = -1
        self._checked = 0.0
        self._lock = threading.Lock()

    def refresh(self, force: bool = False) -> Matcher:
        """The matcher, brought up to date with the store first."""
        now = time.monotonic()
        if not force and self._mark >= 0 and now - self._checked < 1.0:
            return self.matcher
        with self._lock:
            self._checked = now
            mark = self.entities.change_mark()
            if mark == self._mark and not force:
                return self.matcher
            if self._mark < 0 or force:
                self.matcher.build(self.entities.iter_for_matching(MATCH_PROPS))
            else:
                for entity_id in self.entities.changed_since(self._mark):
                    try:
                        self.matcher.add(self.entities.get_entity(entity_id))
                    except NotFound:
                        self.matcher.remove(entity_id)
            self._mark = mark
        return self.matcher

    @property
    def built(self) -> bool:
        """Whether the index has been built once (a node answers ``/readyz`` only then)."""
        return self._mark >= 0

    def stale(self, _report: ImportReport | None = None) -> None:
        """The store changed: look at it on the next screen (an import listener)."""
        self._checked = 0.0

    def prepare(self) -> None:
        """Build the index and load every script's transliteration rules now, so that no live
        request pays for them."""
        from ctnode.match.normalise import warm_up

        self.refresh(force=True)
        warm_up()
