"""Payment screening reports as records (JSON lines), CSV rows and a readable table.

JSON: a ``message`` record first, then one ``transaction`` record per
transaction with its parties (each with its hits and their explanations) and
the crypto addresses found (each with the listings it matches). CSV: one row
per party and hit, plus one row per listed wallet found.
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

from ctnode.payments.screen import PartyResult, PaymentReport, TransactionResult
from ctnode.payments.wallets import WalletFinding
from ctnode.travel.report import explain, hit_record, issue_records


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
        "identifiers": [
            {"scheme": i.scheme, "value": i.value, "issuer": i.issuer} for i in p.identifiers
        ],
        "birth_date": p.birth_date,
        "birth_place": p.birth_place,
        "birth_country": p.birth_country,
        "where": p.where,
        "screened": r is not None,
        "screening_id": r.screening_id if r else None,
        "error": r.error if r else None,
        "hits": [hit_record(h) for h in r.reportable] if r else [],
        "suppressed": [h.entity_id for h in r.suppressed] if r else [],
    }


def wallet_record(w: WalletFinding) -> dict[str, Any]:
    return {
        "address": w.address,
        "chain": w.chain,
        "kind": w.kind,
        "valid": w.valid,
        "reason": w.reason,
        "where": w.where,
        "screening_id": w.screening_id,
        "listed": [
            {
                "entity_id": lw.entity_id,
                "list": lw.dataset,
                "reference": lw.reference,
                "currency": lw.currency,
                "holder": lw.holder,
            }
            for lw in w.listed
        ],
    }


def transaction_record(tr: TransactionResult) -> dict[str, Any]:
    tx = tr.transaction
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
        "parties": [party_record(p) for p in tr.parties],
        "wallets": [wallet_record(w) for w in tr.wallets],
        "hits": tr.hit_count,
    }


def records(report: PaymentReport) -> Iterator[dict[str, Any]]:
    m = report.message
    yield {
        "type": "message",
        "format": m.format,
        "namespace": m.namespace,
        "message_id": m.message_id,
        "app_header": m.app_header,
        "transactions": len(m.transactions),
        "declared_count": m.declared_count,
        "schema_valid": m.schema_valid,
        "hits": report.hit_count,
        "issues": issue_records(m.issues),
        "skipped": len(m.skipped),
        "record_id": report.message_id,
        "seconds": round(report.seconds, 3),
    }
    for tr in report.transactions:
        yield transaction_record(tr)


def to_jsonl(report: PaymentReport) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(report))


CSV_COLUMNS = (
    "transaction",
    "role",
    "name",
    "identifiers",
    "screening_id",
    "hit_rank",
    "list",
    "reference",
    "matched_name",
    "score",
    "band",
    "explanation",
)


def to_csv(report: PaymentReport) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for tr in report.transactions:
        ref = tr.transaction.ref
        for pr in tr.parties:
            p, r = pr.party, pr.result
            ids = " ".join(f"{i.scheme}:{i.value}" for i in p.identifiers)
            base = [ref, p.role, p.name or "", ids, r.screening_id if r else ""]
            hits = r.reportable if r else []
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
        for w in tr.wallets:
            for lw in w.listed:
                writer.writerow(
                    [
                        ref,
                        "wallet",
                        w.address,
                        f"{w.chain} {w.where}",
                        w.screening_id or "",
                        1,
                        lw.dataset,
                        lw.reference or "",
                        w.address,
                        "1.000",
                        "match",
                        f"listed {w.chain} wallet found exactly in {w.where}",
                    ]
                )
    return buf.getvalue()


def render_table(report: PaymentReport, console: Console) -> None:
    m = report.message
    head = Text()
    head.append(f"{m.format}", style="bold")
    head.append(
        f"{' with AppHdr' if m.app_header else ''} message {m.message_id or '?'}: "
        f"{len(m.transactions)} transactions, {report.hit_count} hits, "
        f"{report.seconds:.2f} s"
    )
    if m.schema_valid is not None:
        head.append(f", XSD {'valid' if m.schema_valid else 'INVALID'}")
    head.append("\n")
    table = Table(show_lines=True)
    for col in ("transaction", "party", "identifiers", "hits (score, band, why)"):
        table.add_column(col)
    for tr in report.transactions:
        tx = tr.transaction
        label = f"{tx.ref}\n{tx.amount or ''} {tx.currency or ''}".strip()
        for pr in tr.parties:
            p, r = pr.party, pr.result
            who = Text(p.name or "(no name)")
            who.append(f"\n{p.role}, {p.schema}", style="dim")
            ids = "\n".join(f"{i.scheme} {i.value}" for i in p.identifiers[:4])
            cell = Text()
            if r is None:
                cell.append("not screened (no name)", style="dim")
            elif r.error:
                cell.append(f"not screened: {r.error}", style="red")
            else:
                for h in r.reportable:
                    cell.append(
                        f"{h.score:.3f} {h.band}",
                        style="bold red" if h.band == "match" else "yellow",
                    )
                    cell.append(f" {h.dataset} {h.reference or ''} {h.matched_name}\n")
                    cell.append(explain(h) + "\n", style="dim")
                if not r.reportable:
                    cell.append("no hit", style="green")
            table.add_row(label, who, ids, cell)
            label = ""
        for w in tr.wallets:
            cell = Text()
            if w.listed:
                cell.append("1.000 match", style="bold red")
                cell.append(
                    " "
                    + ", ".join(f"{lw.dataset} {lw.reference or lw.entity_id}" for lw in w.listed)
                    + "\n"
                )
            else:
                cell.append(
                    "not listed" + ("" if w.valid else f" (invalid: {w.reason})"), style="dim"
                )
            table.add_row(label, Text(f"{w.chain} wallet\n{w.where}"), w.address, cell)
            label = ""
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
