"""Manifest screening reports as records (JSON lines), CSV rows and a readable table.

The JSON shape is what API clients depend on: a ``manifest`` record first, then
one ``traveller`` record per traveller, each with its hits and their
explanations. The CSV has one row per traveller and hit (a traveller without a
hit has one row with empty hit columns).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ctnode.model.screening import Hit
from ctnode.travel.issues import Issue
from ctnode.travel.model import Traveller
from ctnode.travel.screen import ManifestReport, SubjectResult


def hit_record(hit: Hit) -> dict[str, Any]:
    return {
        "entity_id": hit.entity_id,
        "list": hit.dataset,
        "reference": hit.reference,
        "matched_name": hit.matched_name,
        "caption": hit.caption,
        "schema": hit.schema,
        "score": round(hit.score, 4),
        "band": hit.band,
        "status": hit.status,
        "explanation": [
            {
                "feature": e.feature,
                "query_value": e.query_value,
                "candidate_value": e.candidate_value,
                "contribution": round(e.contribution, 4),
                "detail": e.detail,
            }
            for e in hit.explanation
        ],
    }


def issue_records(issues: list[Issue]) -> list[dict[str, object]]:
    return [i.as_dict() for i in issues]


def explain(hit: Hit) -> str:
    return "; ".join(f"{e.contribution:+.2f} {e.feature}: {e.detail}" for e in hit.explanation)


def traveller_record(t: Traveller, r: SubjectResult) -> dict[str, Any]:
    return {
        "type": "traveller",
        "ref": t.ref,
        "role": t.role,
        "name": r.query.names[0] if r.query.names else t.raw_name,
        "raw_name": t.raw_name,
        "names_screened": r.query.names,
        "title": t.title,
        "birth_date": t.birth_date,
        "birth_date_raw": t.birth_date_raw,
        "sex": t.sex,
        "nationalities": t.nationalities,
        "documents": [
            {
                "type": d.type,
                "number": d.number,
                "issuing_state": d.issuing_state,
                "expiry": d.expiry,
            }
            for d in t.documents
        ],
        "pnr": t.pnr,
        "embarkation": t.embarkation,
        "debarkation": t.debarkation,
        "where": t.where,
        "screening_id": r.screening_id,
        "error": r.error,
        "hits": [hit_record(h) for h in r.reportable],
        "suppressed": [h.entity_id for h in r.suppressed],
    }


def records(report: ManifestReport) -> Iterator[dict[str, Any]]:
    m = report.manifest
    yield {
        "type": "manifest",
        "kind": m.kind,
        "version": m.version,
        "list_type": m.list_type,
        "sender": m.sender,
        "recipient": m.recipient,
        "message_ref": m.message_ref,
        "flights": [
            {
                "flight": leg.flight,
                "carrier": leg.carrier,
                "from": leg.departure_airport,
                "to": leg.arrival_airport,
                "departure": leg.departure,
                "arrival": leg.arrival,
            }
            for leg in m.legs
        ],
        "pnrs": m.pnrs,
        "travellers": len(m.travellers),
        "declared_count": m.declared_count,
        "travellers_with_hits": report.hit_count,
        "issues": issue_records(m.issues),
        "skipped": len(m.skipped),
        "message_id": report.message_id,
        "seconds": round(report.seconds, 3),
    }
    for t, r in zip(m.travellers, report.results, strict=True):
        yield traveller_record(t, r)


def to_jsonl(report: ManifestReport) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(report))


CSV_COLUMNS = (
    "ref",
    "role",
    "name",
    "birth_date",
    "nationalities",
    "documents",
    "pnr",
    "screening_id",
    "hit_rank",
    "list",
    "reference",
    "matched_name",
    "score",
    "band",
    "explanation",
)


def to_csv(report: ManifestReport) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for t, r in zip(report.manifest.travellers, report.results, strict=True):
        base = [
            t.ref,
            t.role,
            r.query.names[0] if r.query.names else t.raw_name,
            t.birth_date or "",
            " ".join(t.nationalities),
            " ".join(d.number for d in t.documents),
            t.pnr or "",
            r.screening_id or "",
        ]
        hits = r.reportable
        if not hits:
            writer.writerow([*base, "", "", "", "", "", "", ""])
        for i, h in enumerate(hits, 1):
            writer.writerow(
                [
                    *base,
                    i,
                    h.dataset,
                    h.reference or "",
                    h.matched_name,
                    f"{h.score:.3f}",
                    h.band,
                    explain(h),
                ]
            )
    return buf.getvalue()


_BAND = {"match": "bold red", "possible": "yellow"}


def render_table(report: ManifestReport, console: Console, *, all_travellers: bool = True) -> None:
    m = report.manifest
    head = Text()
    head.append(f"{m.kind} {m.version or ''} {m.list_type or ''}".strip(), style="bold")
    head.append(f" from {m.sender or '?'} to {m.recipient or '?'}\n")
    for leg in m.legs:
        head.append(f"  flight {leg.label}" + (f" → {leg.arrival}" if leg.arrival else "") + "\n")
    if m.pnrs:
        head.append(f"  PNRs: {', '.join(m.pnrs)}\n")
    head.append(
        f"  {len(m.travellers)} travellers screened"
        + (f" (message declares {m.declared_count})" if m.declared_count is not None else "")
        + f", {report.hit_count} with hits, {report.seconds:.2f} s\n"
    )
    table = Table(show_lines=True)
    for col in ("#", "traveller", "born / sex / nat.", "documents", "hits (score, band, why)"):
        table.add_column(col)
    for t, r in zip(m.travellers, report.results, strict=True):
        hits = r.reportable
        if not hits and not all_travellers:
            continue
        who = Text(r.query.names[0] if r.query.names else t.raw_name)
        who.append(f"\n{t.role}" + (f", PNR {t.pnr}" if t.pnr else ""), style="dim")
        if len(r.query.names) > 1:
            who.append("\nalso: " + " | ".join(r.query.names[1:]), style="dim")
        facts = " / ".join(
            x for x in (t.birth_date or "?", t.sex or "?", ",".join(t.nationalities) or "?")
        )
        docs = "\n".join(
            f"{d.type or '?'} {d.number} {d.issuing_state or ''}".strip() for d in t.documents
        )
        cell = Text()
        for h in hits:
            cell.append(f"{h.score:.3f} {h.band}", style=_BAND.get(h.band, ""))
            cell.append(f" {h.dataset} {h.reference or ''} {h.matched_name}\n")
            cell.append(explain(h) + "\n", style="dim")
        if r.error:
            cell.append(f"not screened: {r.error}", style="red")
        elif not hits:
            cell.append("no hit", style="green")
        table.add_row(t.ref, who, facts, docs, cell)
    parts: list[Any] = [head, table]
    if m.issues:
        issues = Text("Issues:\n", style="bold")
        for i in m.issues:
            issues.append(
                f"  {i.severity}{' (skipped)' if i.skipped else ''}: {i.message} [{i.where}]\n",
                style="red" if i.severity == "error" else "yellow",
            )
        parts.append(issues)
    console.print(Group(*parts))
