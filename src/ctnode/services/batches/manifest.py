"""Screening a passenger manifest: one query per traveller, hits to the review queue, audited.

The file is parsed by ``ctnode.travel`` (PAXLST, PNRGOV, MRZ), each traveller is
screened under every name form it carries (``subjects``), the raw message is kept
under the retention policy (``retention``) and the run is audited as
``screen.manifest`` with counts and ids, never names.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ctnode.model.access import NO_PURPOSE, Actor, Purpose
from ctnode.model.countries import country_code
from ctnode.model.messages import Issue
from ctnode.model.screening import Coverage, ScreenQuery
from ctnode.services.batches.retention import Retention
from ctnode.services.batches.subjects import SubjectResult, screen_subjects
from ctnode.services.context import Context
from ctnode.services.screening.query import build_query
from ctnode.services.screening.service import Screening
from ctnode.travel.model import Manifest, Traveller
from ctnode.travel.parse import parse_manifest


@dataclass(slots=True)
class ManifestReport:
    """A screened manifest: the parsed message, one result per traveller, what was skipped."""

    manifest: Manifest
    results: list[SubjectResult]
    message_id: str | None = None  # row in travel_messages (retention)
    seconds: float = 0.0
    coverage: Coverage | None = None  # the lists screened, and why the answer may miss someone

    @property
    def hit_count(self) -> int:
        return sum(1 for r in self.results if r.reportable)


def traveller_query(t: Traveller) -> ScreenQuery:
    """The screening query for a traveller: every name form, birth date, nationality, documents."""
    names = t.names or [" ".join(p for p in (t.given_names, t.surname) if p) or t.raw_name]
    nationalities = [c for c in (country_code(n) for n in t.nationalities) if c]
    return build_query(
        names,
        birth_dates=[t.birth_date] if t.birth_date else [],
        nationalities=list(dict.fromkeys(nationalities)),
        documents=list(dict.fromkeys(d.number for d in t.documents if d.number)),
        dates_clean=True,
        names_later=True,
    )


def manifest_summary(manifest: Manifest, results: list[SubjectResult]) -> dict[str, Any]:
    """What is kept about a run beyond the raw message's retention: no names, no documents."""
    return {
        "kind": manifest.kind,
        "version": manifest.version,
        "list_type": manifest.list_type,
        "flights": [leg.label for leg in manifest.legs],
        "travellers": len(manifest.travellers),
        "declared_count": manifest.declared_count,
        "with_hits": sum(1 for r in results if r.reportable),
        "screening_ids": sorted({r.screening_id for r in results if r.screening_id}),
        "issues": len(manifest.issues),
        "skipped": len(manifest.skipped),
    }


class Manifests:
    """Manifest screening for one node."""

    def __init__(self, ctx: Context, screening: Screening, retention: Retention) -> None:
        self.ctx = ctx
        self.screening = screening
        self.retention = retention

    def screen(self, data: bytes, actor: Actor, purpose: Purpose = NO_PURPOSE, *,
               source: str = "manifest", channel: str = "cli",
               progress: Callable[[int, int], None] | None = None) -> ManifestReport:
        """Parse and screen a PAXLST / PNRGOV / MRZ file; audited as ``screen.manifest``.

        A file that cannot be read at all raises ``InvalidInput`` (audited as
        ``screen.manifest.refused``); a partly readable one is screened and the
        report lists what was skipped.
        """
        self.ctx.require(actor, "screen")
        started = time.perf_counter()
        self.retention.sweep()
        try:
            manifest = parse_manifest(data)
        except Exception as exc:  # audit the refusal whatever it was, then re-raise unchanged
            self.ctx.audit.record("screen.manifest.refused", actor, purpose=purpose,
                                  detail={"channel": channel, "bytes": len(data),
                                          "error": str(exc)[:300]})
            raise
        subjects = [(f"{t.ref} {t.names[0] if t.names else t.raw_name}", traveller_query(t))
                    for t in manifest.travellers]
        results = screen_subjects(self.screening, subjects, actor, purpose, source=source,
                                  progress=progress)
        for t, r in zip(manifest.travellers, results, strict=True):
            if r.error:
                manifest.issues.append(Issue.of("error", "issue.traveller_not_screened",
                                                t.where, skipped=True, reason=r.error))
        summary = manifest_summary(manifest, results)
        fmt = f"{manifest.kind} {manifest.version or ''}".strip()
        message_id = self.retention.record(kind="manifest", fmt=fmt, raw=data, actor=actor.name,
                                           source=channel, summary=summary)
        self.ctx.audit.record(
            "screen.manifest", actor, purpose=purpose,
            result_ids=sorted({h.entity_id for r in results for h in r.reportable}),
            detail={**summary, "message_id": message_id, "channel": channel},
        )
        return ManifestReport(manifest=manifest, results=results, message_id=message_id,
                              seconds=time.perf_counter() - started,
                              coverage=self.screening.coverage())
