"""Screening the subjects of one file (travellers, payment parties) with ``screen_many``.

A subject that occurs twice in one file (the same debtor on every transaction of a
pain.001 payment block) is screened once; a subject that cannot be screened (a
600-character name) is reported with the reason while the others are screened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ctnode.errors import InvalidInput
from ctnode.model.access import Actor, Purpose
from ctnode.model.screening import Hit, ScreenQuery
from ctnode.services.screening.query import clean_names
from ctnode.services.screening.service import Screening

# Hits kept per screened subject in a report.
HITS_PER_SUBJECT = 5


@dataclass(slots=True)
class SubjectResult:
    """The screening of one traveller or payment party."""

    label: str
    query: ScreenQuery
    screening_id: str | None = None
    hits: list[Hit] = field(default_factory=list)
    suppressed: list[Hit] = field(default_factory=list)  # marked with their decisions
    error: str | None = None  # why this subject could not be screened (the rest still was)
    warnings: list[str] = field(default_factory=list)  # what of the query matching left out

    @property
    def reportable(self) -> list[Hit]:
        return [h for h in self.hits if h.reportable]


def screen_subjects(screening: Screening, subjects: list[tuple[str, ScreenQuery]], actor: Actor,
                    purpose: Purpose, *, source: str,
                    progress: Callable[[int, int], None] | None = None,
                    limit: int = HITS_PER_SUBJECT) -> list[SubjectResult]:
    """Screen each subject once (duplicates share the result), in order."""
    unique: dict[tuple[Any, ...], int] = {}
    queries: list[ScreenQuery] = []
    refused: dict[int, str] = {}
    for i, (_label, query) in enumerate(subjects):
        try:
            query.names = clean_names(query.names)
        except InvalidInput as exc:  # e.g. a 600-character name: skip it, screen the others
            refused[i] = exc.message
            continue
        if query.key() not in unique:
            unique[query.key()] = len(queries)
            queries.append(query)
    total = len(queries)
    tick = (lambda done: progress(done, total)) if progress else None
    results = list(screening.screen_many(queries, actor, purpose, limit=limit, source=source,
                                         progress=tick)) if queries else []
    out: list[SubjectResult] = []
    for i, (label, query) in enumerate(subjects):
        if i in refused:
            out.append(SubjectResult(label=label, query=query, error=refused[i]))
            continue
        res = results[unique[query.key()]]
        out.append(SubjectResult(label=label, query=query, screening_id=res.screening_id,
                                 hits=list(res.hits), suppressed=list(res.suppressed),
                                 warnings=list(res.warnings)))
    return out
