"""Screening a batch file: JSON lines or CSV of subjects, each screened, hits to the review queue.

The file has the fields of a screen (``name``/``names``, ``schema``, ``birthDate``,
``nationality``, ``document``) and an optional ``id`` (the caller's own reference), read by
the same readers as a file put under watch (``services/monitoring/files``): a bad line
refuses the whole file with its line and field named, and nothing is screened. Each
subject is screened once (``subjects``) and audited as a screening with ``source="batch"``,
as ``ctnode screen --batch`` and ``POST /screen/batch`` are.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ctnode.errors import InvalidInput, TooLarge
from ctnode.model.access import NO_PURPOSE, Actor, Purpose
from ctnode.model.screening import Coverage
from ctnode.services.batches.subjects import SubjectResult, screen_subjects
from ctnode.services.context import Context
from ctnode.services.monitoring.files import read_subjects
from ctnode.services.screening.query import build_query
from ctnode.services.screening.service import Screening

# The formats of a batch file (a manifest or a payment file has its own service).
BATCH_FORMATS: tuple[str, ...] = ("jsonl", "csv")


@dataclass(slots=True)
class BatchReport:
    """A screened batch file: one result per subject, in file order."""

    fmt: str
    results: list[SubjectResult]
    seconds: float = 0.0
    coverage: Coverage | None = None  # the lists screened, and why the answer may miss someone

    @property
    def hit_count(self) -> int:
        return sum(1 for r in self.results if r.reportable)


class Batches:
    """Batch-file screening for one node."""

    def __init__(self, ctx: Context, screening: Screening) -> None:
        self.ctx = ctx
        self.screening = screening

    def screen(self, data: bytes, fmt: str, actor: Actor, purpose: Purpose = NO_PURPOSE, *,
               name: str = "file",
               progress: Callable[[int, int], None] | None = None) -> BatchReport:
        """Read a JSON lines or CSV file of subjects (all or nothing) and screen each one.

        At most ``max_batch`` subjects (a larger file is refused, 413, before any screen).
        """
        self.ctx.require(actor, "screen")
        if fmt not in BATCH_FORMATS:
            raise InvalidInput(f"unknown batch format {fmt!r} (one of {', '.join(BATCH_FORMATS)})")
        started = time.perf_counter()
        subjects = read_subjects(data, fmt, name)
        limit = self.ctx.settings.max_batch
        if len(subjects) > limit:
            raise TooLarge(f"{name}: {len(subjects)} subjects exceed the limit of {limit} "
                           "(CTNODE_MAX_BATCH)")
        labelled = [
            (s.label or f"#{i}", build_query(
                s.names, schema=s.schema, birth_dates=s.birth_dates,
                nationalities=s.nationalities, documents=s.documents, dates_clean=True))
            for i, s in enumerate(subjects, 1)
        ]
        results = screen_subjects(self.screening, labelled, actor, purpose, source="batch",
                                  progress=progress)
        return BatchReport(fmt=fmt, results=results, seconds=time.perf_counter() - started,
                           coverage=self.screening.coverage())
