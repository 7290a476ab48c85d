"""Screen a manifest through the node: one query per traveller, hits to the review queue, audited.

``screen_subjects`` is shared with ``ctnode.payments.screen``: it screens a list
of (label, query) pairs with ``Node.screen_many`` and screens a subject that
occurs twice in one file (the same debtor on every transaction of a pain.001
payment block) only once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ctnode.errors import InvalidInput
from ctnode.model.screening import Hit, ScreenQuery
from ctnode.node import Actor, Node, Purpose
from ctnode.travel import retention
from ctnode.travel.issues import Issue
from ctnode.travel.model import Manifest, Traveller
from ctnode.travel.names import country_code
from ctnode.travel.parse import parse_manifest

# Hits kept per screened subject in a report.
HITS_PER_SUBJECT = 5


@dataclass(slots=True)
class SubjectResult:
    """The screening of one traveller or payment party."""

    label: str
    query: ScreenQuery
    screening_id: str | None = None
    hits: list[Hit] = field(default_factory=list)
    suppressed: list[Hit] = field(default_factory=list)
    error: str | None = None  # why this subject could not be screened (the rest still was)

    @property
    def reportable(self) -> list[Hit]:
        return [h for h in self.hits if h.band != "no match"]


@dataclass(slots=True)
class ManifestReport:
    """A screened manifest: the parsed message, one result per traveller, what was skipped."""

    manifest: Manifest
    results: list[SubjectResult]
    message_id: str | None = None  # row in travel_messages (retention)
    seconds: float = 0.0

    @property
    def hit_count(self) -> int:
        return sum(1 for r in self.results if r.reportable)


def _query_key(q: ScreenQuery) -> tuple[Any, ...]:
    return (
        q.schema,
        tuple(q.names),
        tuple(q.birth_dates),
        tuple(q.nationalities),
        tuple(q.documents),
    )


def screen_subjects(
    node: Node,
    subjects: list[tuple[str, ScreenQuery]],
    actor: Actor,
    purpose: Purpose | None,
    *,
    source: str,
    progress: Callable[[int, int], None] | None = None,
    limit: int = HITS_PER_SUBJECT,
) -> list[SubjectResult]:
    """Screen each subject once (duplicates share the result), in order."""
    unique: dict[tuple[Any, ...], int] = {}
    queries: list[ScreenQuery] = []
    refused: dict[int, str] = {}
    for i, (_label, query) in enumerate(subjects):
        try:
            node.validate_query(query)
        except InvalidInput as exc:  # e.g. a 600-character name: skip it, screen the others
            refused[i] = exc.message
            continue
        key = _query_key(query)
        if key not in unique:
            unique[key] = len(queries)
            queries.append(query)
    total = len(queries)
    tick = (lambda done: progress(done, total)) if progress else None
    results = (
        list(node.screen_many(queries, actor, purpose, limit=limit, source=source, progress=tick))
        if queries
        else []
    )
    out: list[SubjectResult] = []
    for i, (label, query) in enumerate(subjects):
        if i in refused:
            out.append(SubjectResult(label=label, query=query, error=refused[i]))
            continue
        res = results[unique[_query_key(query)]]
        out.append(
            SubjectResult(
                label=label,
                query=query,
                screening_id=res.screening_id,
                hits=list(res.hits),
                suppressed=list(res.suppressed),
            )
        )
    return out


def traveller_query(t: Traveller) -> ScreenQuery:
    """The screening query for a traveller: every name form, birth date, nationality, documents."""
    names = t.names or [" ".join(p for p in (t.given_names, t.surname) if p) or t.raw_name]
    nationalities = [c for c in (country_code(n) for n in t.nationalities) if c]
    return ScreenQuery(
        names=names,
        schema="Person",
        birth_dates=[t.birth_date] if t.birth_date else [],
        nationalities=list(dict.fromkeys(nationalities)),
        documents=list(dict.fromkeys(d.number for d in t.documents if d.number)),
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


def screen_manifest(
    node: Node,
    data: bytes,
    actor: Actor,
    purpose: Purpose | None = None,
    *,
    source: str = "manifest",
    channel: str = "cli",
    progress: Callable[[int, int], None] | None = None,
) -> ManifestReport:
    """Parse and screen a PAXLST / PNRGOV / MRZ file; audited as ``screen.manifest``.

    A file that cannot be read at all raises ``InvalidInput`` (audited as
    ``screen.manifest.refused``); a partly readable one is screened and the
    report lists what was skipped.
    """
    node.require(actor, "screen")
    started = time.perf_counter()
    retention.sweep(node.store.engine, node.settings)
    try:
        manifest = parse_manifest(data)
    except Exception as exc:  # audit the refusal whatever it was, then re-raise unchanged
        node.audit(
            "screen.manifest.refused",
            actor,
            purpose=purpose,
            detail={"channel": channel, "bytes": len(data), "error": str(exc)[:300]},
        )
        raise
    subjects = [
        (f"{t.ref} {t.names[0] if t.names else t.raw_name}", traveller_query(t))
        for t in manifest.travellers
    ]
    results = screen_subjects(node, subjects, actor, purpose, source=source, progress=progress)
    for t, r in zip(manifest.travellers, results, strict=True):
        if r.error:
            manifest.issues.append(
                Issue("error", f"traveller not screened: {r.error}", t.where, skipped=True)
            )
    summary = manifest_summary(manifest, results)
    fmt = f"{manifest.kind} {manifest.version or ''}".strip()
    message_id = retention.record(
        node.store.engine,
        node.settings,
        kind="manifest",
        fmt=fmt,
        raw=data,
        actor=actor.name,
        source=channel,
        summary=summary,
    )
    node.audit(
        "screen.manifest",
        actor,
        purpose=purpose,
        result_ids=sorted({h.entity_id for r in results for h in r.reportable}),
        detail={**summary, "message_id": message_id, "channel": channel},
    )
    return ManifestReport(
        manifest=manifest,
        results=results,
        message_id=message_id,
        seconds=time.perf_counter() - started,
    )
