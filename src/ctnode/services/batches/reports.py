"""A screened manifest or payment file as records (JSON lines) and CSV rows.

The JSON shape is what API clients depend on. Manifest: a ``manifest`` record first,
then one ``traveller`` record per traveller, each with its hits and their
explanations. Payments: a ``message`` record first, then one ``transaction`` record
per transaction with its parties (each with its hits) and the crypto addresses found
(each with the listings it matches). Batch file (JSON lines, CSV of subjects): a
``batch`` record first, then one ``subject`` record per subject. The first record
carries ``coverage`` (the lists screened and any warning that the answer may miss someone); a hit an analyst's
false-positive decision suppresses is listed under ``suppressed``, marked with the
decision. CSV: one row per subject and hit (a subject without a hit has one row with
empty hit columns; a suppressed hit has ``suppressed_by`` filled), plus one row per
listed wallet.

``hits_only`` (``--hits-only``, ``?hits_only=true``) leaves out every subject with
nothing to review, in every format: a traveller or party is kept when it has a
reportable hit, a hit hidden by a decision, or could not be screened; a transaction
when one of its parties is kept or one of its wallets is listed (then only those
parties and wallets). The first record says ``"hits_only": true`` and still counts
every subject.
The readable tables are the CLI's (``ctnode.cli.batches``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from ctnode.model.messages import Issue
from ctnode.model.records import attrs_of
from ctnode.model.screening import Hit
from ctnode.payments.wallets import WalletFinding
from ctnode.services.batches.batch import BatchReport
from ctnode.services.batches.manifest import ManifestReport
from ctnode.services.batches.payments import PartyResult, PaymentReport, TransactionResult
from ctnode.services.batches.subjects import SubjectResult
from ctnode.travel.model import Traveller

Report = ManifestReport | PaymentReport | BatchReport
HIT_COLUMNS = ("hit_rank", "list", "reference", "matched_name", "score", "band", "explanation",
               "suppressed_by")


def hit_record(hit: Hit) -> dict[str, Any]:
    """A hit in a report: its one wire form, and ``matched_name`` (the same as ``name``,
    kept for one release for clients of the first report shape; see CHANGELOG.md)."""
    return {**hit.as_dict(), "matched_name": hit.matched_name}


def issue_records(issues: list[Issue]) -> list[dict[str, object]]:
    return [i.as_dict() for i in issues]


def needs_review(r: SubjectResult | None) -> bool:
    """Whether a subject stays in a ``hits_only`` report: a hit, a suppressed hit, or not
    screened."""
    return r is not None and bool(r.reportable or r.suppressed or r.error)


def _hit_cells(rank: int, h: Hit) -> list[Any]:
    sup = h.suppressed
    return [rank, h.dataset, h.reference or "", h.matched_name, f"{h.score:.3f}", h.band, h.why(),
            f"decision {sup.decision_id} by {sup.by} at {sup.at}" if sup else ""]


# -- manifests ------------------------------------------------------------------------------


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
        "documents": [{"type": d.type, "number": d.number, "issuing_state": d.issuing_state,
                       "expiry": d.expiry} for d in t.documents],
        "pnr": t.pnr,
        "embarkation": t.embarkation,
        "debarkation": t.debarkation,
        "where": t.where,
        **_screened(r),
    }


def _screened(r: SubjectResult | None) -> dict[str, Any]:
    """A subject record's screening fields (a payment party may not have been screened)."""
    return {
        "screening_id": r.screening_id if r else None,
        "error": r.error if r else None,
        "hits": [hit_record(h) for h in r.reportable] if r else [],
        "suppressed": [hit_record(h) for h in r.suppressed] if r else [],
        "warnings": r.warnings if r else [],
    }


def _run(report: ManifestReport | PaymentReport, issues: list[Issue], skipped: int,
         id_key: str, hits_only: bool) -> dict[str, Any]:
    """The end of a report's first record: what the reading found, the stored record's id,
    the time taken, the lists' coverage."""
    return {
        "issues": issue_records(issues),
        "skipped": skipped,
        id_key: report.message_id,
        "seconds": round(report.seconds, 3),
        "coverage": report.coverage.as_dict() if report.coverage else None,
        "hits_only": hits_only,
    }


def manifest_records(report: ManifestReport, *,
                     hits_only: bool = False) -> Iterator[dict[str, Any]]:
    m = report.manifest
    yield {
        "type": "manifest",
        **attrs_of(m, "kind", "version", "list_type", "sender", "recipient", "message_ref"),
        "flights": [{"flight": leg.flight, "carrier": leg.carrier, "from": leg.departure_airport,
                     "to": leg.arrival_airport, "departure": leg.departure,
                     "arrival": leg.arrival} for leg in m.legs],
        "pnrs": m.pnrs,
        "travellers": len(m.travellers),
        "declared_count": m.declared_count,
        "travellers_with_hits": report.hit_count,
        **_run(report, m.issues, len(m.skipped), "message_id", hits_only),
    }
    for t, r in zip(m.travellers, report.results, strict=True):
        if not hits_only or needs_review(r):
            yield traveller_record(t, r)


MANIFEST_COLUMNS = ("ref", "role", "name", "birth_date", "nationalities", "documents", "pnr",
                    "screening_id", *HIT_COLUMNS)


def _manifest_rows(report: ManifestReport, hits_only: bool) -> Iterator[list[Any]]:
    for t, r in zip(report.manifest.travellers, report.results, strict=True):
        if hits_only and not needs_review(r):
            continue
        base = [t.ref, t.role, r.query.names[0] if r.query.names else t.raw_name,
                t.birth_date or "", " ".join(t.nationalities),
                " ".join(d.number for d in t.documents), t.pnr or "", r.screening_id or ""]
        yield from _with_hits(base, [*r.reportable, *r.suppressed])


# -- payments -------------------------------------------------------------------------------


def party_record(pr: PartyResult) -> dict[str, Any]:
    p, r = pr.party, pr.result
    return {
        "role": p.role,
        "kind": p.kind,
        "name": p.name,
        "names_screened": r.query.names if r else [],
        "schema": p.schema,
        "address": p.address,
        "country": p.country,
        "identifiers": [{"scheme": i.scheme, "value": i.value, "issuer": i.issuer}
                        for i in p.identifiers],
        "birth_date": p.birth_date,
        "birth_place": p.birth_place,
        "birth_country": p.birth_country,
        "where": p.where,
        "screened": r is not None,
        **_screened(r),
    }


def wallet_record(w: WalletFinding) -> dict[str, Any]:
    return {
        "address": w.address, "chain": w.chain, "kind": w.kind, "valid": w.valid,
        "reason": w.reason, "where": w.where, "screening_id": w.screening_id,
        "listed": [{"entity_id": lw.entity_id, "list": lw.dataset, "reference": lw.reference,
                    "currency": lw.currency, "holder": lw.holder} for lw in w.listed],
    }


def shown_parts(tr: TransactionResult,
                hits_only: bool) -> tuple[list[PartyResult], list[WalletFinding]]:
    """The parties and wallets of a transaction a report shows (all, or those to review)."""
    if not hits_only:
        return tr.parties, tr.wallets
    return [p for p in tr.parties if needs_review(p.result)], [w for w in tr.wallets if w.listed]


def transaction_record(tr: TransactionResult, *, hits_only: bool = False) -> dict[str, Any]:
    tx = tr.transaction
    parties, wallets = shown_parts(tr, hits_only)
    return {
        "type": "transaction",
        "ref": tx.ref,
        "uetr": tx.uetr,
        "amount": tx.amount,
        "currency": tx.currency,
        "date": tx.date,
        "purpose": tx.purpose,
        "remittance": tx.remittance,
        "where": tx.where,
        "parties": [party_record(p) for p in parties],
        "wallets": [wallet_record(w) for w in wallets],
        "hits": tr.hit_count,
    }


def payment_records(report: PaymentReport, *,
                    hits_only: bool = False) -> Iterator[dict[str, Any]]:
    m = report.message
    yield {
        "type": "message",
        **attrs_of(m, "format", "namespace", "message_id", "app_header"),
        "transactions": len(m.transactions),
        "declared_count": m.declared_count,
        "schema_valid": m.schema_valid,
        "hits": report.hit_count,
        **_run(report, m.issues, len(m.skipped), "record_id", hits_only),
    }
    for tr in report.transactions:
        parties, wallets = shown_parts(tr, hits_only)
        if parties or wallets or not hits_only:
            yield transaction_record(tr, hits_only=hits_only)


PAYMENT_COLUMNS = ("transaction", "role", "name", "identifiers", "screening_id", *HIT_COLUMNS)


def _payment_rows(report: PaymentReport, hits_only: bool) -> Iterator[list[Any]]:
    for tr in report.transactions:
        ref = tr.transaction.ref
        parties, wallets = shown_parts(tr, hits_only)
        for pr in parties:
            p, r = pr.party, pr.result
            ids = " ".join(f"{i.scheme}:{i.value}" for i in p.identifiers)
            base = [ref, p.role, p.name or "", ids, r.screening_id if r else ""]
            yield from _with_hits(base, [*r.reportable, *r.suppressed] if r else [])
        for w in wallets:
            for lw in w.listed:
                yield [ref, "wallet", w.address, f"{w.chain} {w.where}", w.screening_id or "", 1,
                       lw.dataset, lw.reference or "", w.address, "1.000", "match",
                       f"listed {w.chain} wallet found exactly in {w.where}", ""]


# -- batch files (JSON lines, CSV) ------------------------------------------------------------


def subject_record(r: SubjectResult) -> dict[str, Any]:
    q = r.query
    return {
        "type": "subject",
        "id": r.label,
        "schema": q.schema,
        "name": q.names[0] if q.names else "",
        "names_screened": q.names,
        "birth_dates": q.birth_dates,
        "nationalities": q.nationalities,
        "documents": q.documents,
        "screening_id": r.screening_id,
        "error": r.error,
        "hits": [hit_record(h) for h in r.reportable],
        "suppressed": [hit_record(h) for h in r.suppressed],
        "warnings": r.warnings,
    }


def batch_records(report: BatchReport, *, hits_only: bool = False) -> Iterator[dict[str, Any]]:
    yield {
        "type": "batch",
        "format": report.fmt,
        "subjects": len(report.results),
        "subjects_with_hits": report.hit_count,
        "seconds": round(report.seconds, 3),
        "coverage": report.coverage.as_dict() if report.coverage else None,
        "hits_only": hits_only,
    }
    for r in report.results:
        if not hits_only or needs_review(r):
            yield subject_record(r)


BATCH_COLUMNS = ("id", "name", "birth_dates", "nationalities", "documents", "screening_id",
                 *HIT_COLUMNS)


def _batch_rows(report: BatchReport, hits_only: bool) -> Iterator[list[Any]]:
    for r in report.results:
        if hits_only and not needs_review(r):
            continue
        q = r.query
        base = [r.label, q.names[0] if q.names else "", " ".join(q.birth_dates),
                " ".join(q.nationalities), " ".join(q.documents), r.screening_id or ""]
        yield from _with_hits(base, [*r.reportable, *r.suppressed])


# -- either ---------------------------------------------------------------------------------


def _with_hits(base: list[Any], hits: list[Hit]) -> Iterator[list[Any]]:
    if not hits:
        yield [*base, *([""] * len(HIT_COLUMNS))]
    for i, h in enumerate(hits, 1):
        yield [*base, *_hit_cells(i, h)]


def records(report: Report, *, hits_only: bool = False) -> Iterator[dict[str, Any]]:
    """The report's records: the file's first, then one per traveller, transaction or
    subject."""
    if isinstance(report, ManifestReport):
        return manifest_records(report, hits_only=hits_only)
    if isinstance(report, BatchReport):
        return batch_records(report, hits_only=hits_only)
    return payment_records(report, hits_only=hits_only)


def to_jsonl(report: Report, *, hits_only: bool = False) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n"
                   for r in records(report, hits_only=hits_only))


def to_csv(report: Report, *, hits_only: bool = False) -> str:
    if isinstance(report, ManifestReport):
        return _csv(MANIFEST_COLUMNS, _manifest_rows(report, hits_only))
    if isinstance(report, BatchReport):
        return _csv(BATCH_COLUMNS, _batch_rows(report, hits_only))
    return _csv(PAYMENT_COLUMNS, _payment_rows(report, hits_only))


def _csv(columns: tuple[str, ...], rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    writer.writerows(rows)
    return buf.getvalue()
