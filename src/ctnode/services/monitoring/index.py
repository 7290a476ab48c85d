"""The reverse index: which watched subjects a changed listed record could hit.

Screening asks "which listed records does this subject resemble?"; a list change asks
the reverse, "which subjects does this changed record resemble?". :class:`SubjectIndex`
keeps a :class:`~ctnode.match.reverse.SubjectMatcher` (a ``Matcher`` kept for look-ups
only: a person's name is held as its postings, not its text) whose records are the
watched subjects (their names, dates and nationalities), weighed with the listed
corpus's rarity statistics, and asks it, for a changed record, which subjects have a
name it reaches (a token's skeleton, a one-edit typo, a symbol, an initial, an acronym
...) with a score bound that can still reach the report threshold (``Matcher.reach``:
the bound of one direction is at least half the other's, and closer to it for names of
like weight).
Each (subject, record) pair found is then scored by the node's own matcher, so the
scores are exactly those of a screen; the full re-screen of every subject
(``Monitoring.rescreen_all``) is the naive reference a test holds it to.

The index is built from the store on first use and kept in step: subjects added since
(by this process or another) are read by their sequence number before each look-up;
removed subjects are dropped here, and any the index still holds are skipped when their
row is gone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from ctnode.match import Thresholds
from ctnode.match.corpus import ListedRecord, entity_names
from ctnode.match.details import bonus_bound
from ctnode.match.reverse import SubjectMatcher
from ctnode.match.score import Rarity
from ctnode.model.entities import Entity
from ctnode.model.monitoring import SubjectFields
from ctnode.model.screening import SCHEMAS, ScreenQuery
from ctnode.settings import Settings
from ctnode.store.contracts import MonitoringStore

WATCH_DATASET = "watch"  # the dataset name subjects carry inside the reverse index


def subject_entity(subject_id: str, fields: SubjectFields) -> Entity:
    """A watched subject as a record of the reverse index."""
    entity = Entity(id=subject_id, schema=fields.schema, dataset=WATCH_DATASET)
    for name in fields.names:
        entity.add("name", name)
    for value in fields.birth_dates:
        entity.add("birthDate", value)
    for value in fields.nationalities:
        entity.add("nationality", value)
    for value in fields.documents:
        entity.add("passportNumber", value)
    return entity


def entity_query(entity: Entity) -> ScreenQuery | None:
    """A listed record as a query of the reverse index: every name it is matched by."""
    names = [name for name, _factor in entity_names(entity)]
    if not names:
        return None
    schema = entity.schema if entity.schema in SCHEMAS else "Thing"
    return ScreenQuery(names=names, schema=schema, birth_dates=entity.get("birthDate"),
                       nationalities=entity.get("nationality"))


class SubjectIndex:
    """The watched subjects as a ``Matcher``, for the reverse look-up of a changed record."""

    def __init__(self, settings: Settings, store: MonitoringStore,
                 open_fields: Callable[[str, bytes], SubjectFields],
                 rarity: Callable[[], Rarity]) -> None:
        self.settings = settings
        self.store = store
        self.open_fields = open_fields  # (subject id, sealed fields) -> the fields
        self.rarity = rarity  # the listed corpus's rarity statistics, which the scores use
        # A pair can reach the report threshold only if its name score reaches it less the
        # most the details can add (Matcher.reach turns it into this index's bounds).
        self.floor = settings.report_threshold - bonus_bound(True, True, True)
        self.matcher = self._new_matcher()
        self._seq = -1  # the highest subject sequence number read; -1: not built
        self._lock = threading.Lock()

    def _new_matcher(self) -> SubjectMatcher:
        return SubjectMatcher(Thresholds(match=self.settings.match_threshold,
                                         report=self.settings.report_threshold))

    @property
    def built(self) -> bool:
        return self._seq >= 0

    def __len__(self) -> int:
        return len(self.matcher)

    def refresh(self, progress: Callable[[int], None] | None = None) -> None:
        """Build the index on first use; afterwards read subjects added since (by any process)."""
        with self._lock:
            if self._seq < 0 or self.matcher.rarity is not self.rarity():
                self._build(progress)  # first use, or the lists were rebuilt
                return
            if self.store.last_seq() <= self._seq:
                return
            for subject_id, seq, sealed in self.store.iter_sealed(after_seq=self._seq):
                self.matcher.add(subject_entity(subject_id, self.open_fields(subject_id, sealed)))
                self._seq = max(self._seq, seq)

    def _build(self, progress: Callable[[int], None] | None) -> None:
        top = self.store.last_seq()
        count = 0

        def entities() -> Iterable[Entity]:
            nonlocal count
            for subject_id, _seq, sealed in self.store.iter_sealed():
                count += 1
                if progress and count % 10_000 == 0:
                    progress(count)
                yield subject_entity(subject_id, self.open_fields(subject_id, sealed))

        matcher = self._new_matcher()
        # no symbol table: this index is never saved, and the listed record it is asked
        # with has its tokens' symbols from rigour (cached), as a build's names have
        matcher.build_subjects(entities(), self.rarity())
        self.matcher = matcher
        self._seq = top

    def remove(self, subject_ids: Iterable[str]) -> None:
        with self._lock:
            for subject_id in subject_ids:
                self.matcher.remove(subject_id)

    def reach(self, entity: Entity) -> set[str]:
        """Ids of the subjects the listed record ``entity`` could hit (a superset)."""
        query = entity_query(entity)
        if query is None:
            return set()
        return self.matcher.reach(query, max(0.0, self.floor))

    def bounds(self, entity: Entity, bonus: float) -> dict[str, float]:
        """The subjects the listed record ``entity`` could hit, each with an upper bound of
        the name score of the pair (the subject screened, the record scored); ``bonus``: the
        most the record's own details can add (``bonus_bound`` of what the record has), so
        that only names that can reach the report threshold with it are looked up."""
        query = entity_query(entity)
        if query is None:
            return {}
        floor = max(0.0, self.settings.report_threshold - bonus)
        return self.matcher.reach_bounds(query, floor)

    def record(self, subject_id: str) -> ListedRecord | None:
        """The cleaned details (dates, nationalities, documents, schema) of a subject held."""
        return self.matcher.record(subject_id)
