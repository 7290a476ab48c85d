"""Screening a payment file: every named party, every listed wallet, audited.

Each party or agent with a name becomes one screening query (schema Person when the
message gives private identification, Organization for organisations and agents,
LegalEntity when it cannot tell; identity documents such as a passport number go
with it; the country of an address does not, as it is no nationality). A subject
that recurs in the file is screened once. Every text of every transaction is
searched for crypto addresses; a listed one (FtM ``CryptoWallet``) is an exact hit
with score 1.0 that enters the review queue like a name hit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ctnode.model.access import NO_PURPOSE, Actor, Purpose
from ctnode.model.messages import Issue
from ctnode.model.screening import Coverage, ScreenQuery
from ctnode.payments.model import Party, PaymentMessage, Transaction
from ctnode.payments.parse import parse_payments
from ctnode.payments.wallets import WalletFinding, WalletIndex
from ctnode.services.batches.retention import Retention
from ctnode.services.batches.subjects import SubjectResult, screen_subjects
from ctnode.services.context import Context
from ctnode.services.screening.query import build_query
from ctnode.services.screening.service import Screening

# Identifier schemes that are identity documents of a person (ISO 20022 / MT 50F codes).
PERSON_DOCUMENTS = {"CCPT", "NIDN", "ARNU", "DRLC", "SOSE", "PASSPORT", "IDCARD"}


@dataclass(slots=True)
class PartyResult:
    party: Party
    result: SubjectResult | None  # None: the party has no name (e.g. an agent given by BIC only)


@dataclass(slots=True)
class TransactionResult:
    transaction: Transaction
    parties: list[PartyResult] = field(default_factory=list)
    wallets: list[WalletFinding] = field(default_factory=list)

    @property
    def hit_count(self) -> int:
        names = sum(1 for p in self.parties if p.result and p.result.reportable)
        return names + sum(1 for w in self.wallets if w.listed)


@dataclass(slots=True)
class PaymentReport:
    message: PaymentMessage
    transactions: list[TransactionResult]
    message_id: str | None = None
    seconds: float = 0.0
    coverage: Coverage | None = None  # the lists screened, and why the answer may miss someone

    @property
    def hit_count(self) -> int:
        return sum(t.hit_count for t in self.transactions)


def party_query(party: Party) -> ScreenQuery | None:
    names = [n for n in party.names if n and n.strip()] or ([party.name] if party.name else [])
    if not names:
        return None
    docs = [i.value for i in party.identifiers if i.scheme.upper() in PERSON_DOCUMENTS]
    return build_query(
        names,
        schema=party.schema,
        birth_dates=[party.birth_date] if party.birth_date and party.schema == "Person" else [],
        documents=list(dict.fromkeys(docs)),
        dates_clean=True,
        names_later=True,
    )


def payment_summary(message: PaymentMessage, results: list[TransactionResult]) -> dict[str, Any]:
    """What is kept about a run beyond the raw message's retention: no names, no accounts."""
    party_results = [p.result for t in results for p in t.parties if p.result]
    return {
        "format": message.format,
        "app_header": message.app_header,
        "transactions": len(message.transactions),
        "declared_count": message.declared_count,
        "parties_screened": len(party_results),
        "parties_with_hits": sum(1 for r in party_results if r.reportable),
        "wallets_found": sum(len(t.wallets) for t in results),
        "listed_wallets": sum(1 for t in results for w in t.wallets if w.listed),
        "screening_ids": sorted({r.screening_id for r in party_results if r.screening_id}
                                | {w.screening_id for t in results for w in t.wallets
                                   if w.screening_id}),
        "schema_valid": message.schema_valid,
        "issues": len(message.issues),
        "skipped": len(message.skipped),
    }


class Payments:
    """Payment screening for one node."""

    def __init__(self, ctx: Context, screening: Screening, retention: Retention) -> None:
        self.ctx = ctx
        self.screening = screening
        self.retention = retention

    def wallet_index(self) -> WalletIndex:
        """The listed crypto wallets (FtM ``CryptoWallet`` entities), indexed by address."""
        return WalletIndex(self.ctx.store.entities.iter_entities(schema="CryptoWallet",
                                                                 status="listed"))

    def screen_message(self, message: PaymentMessage, actor: Actor,
                       purpose: Purpose = NO_PURPOSE, *, wallets: WalletIndex | None = None,
                       source: str = "payment",
                       progress: Callable[[int, int], None] | None = None
                       ) -> list[TransactionResult]:
        """Screen the parties and texts of a parsed payment message."""
        subjects: list[tuple[str, ScreenQuery]] = []
        slots: list[tuple[int, Party, int | None]] = []
        for ti, tx in enumerate(message.transactions):
            for party in tx.parties:
                query = party_query(party)
                if query is None:
                    slots.append((ti, party, None))
                    continue
                slots.append((ti, party, len(subjects)))
                subjects.append((f"{tx.ref} {party.role}: {query.names[0]}", query))
        results = screen_subjects(self.screening, subjects, actor, purpose, source=source,
                                  progress=progress)
        out = [TransactionResult(transaction=tx) for tx in message.transactions]
        for ti, party, idx in slots:
            result = results[idx] if idx is not None else None
            if result is not None and result.error:
                message.issues.append(Issue.of("error", "issue.party_not_screened", party.where,
                                               skipped=True, reason=result.error))
            out[ti].parties.append(PartyResult(party, result))
        index = wallets if wallets is not None else self.wallet_index()
        for tr in out:
            tr.wallets = index.scan(tr.transaction.texts)
            listed = [w for w in tr.wallets if w.listed]
            if listed:
                self._wallet_screening(listed, actor, purpose, source)
        return out

    def _wallet_screening(self, listed: list[WalletFinding], actor: Actor, purpose: Purpose,
                          source: str) -> None:
        """A listed wallet is an exact hit: it enters the analysts' review queue."""
        subject = self.ctx.keyed_hash({"wallets": sorted({w.address for w in listed})})
        row = self.screening.screening_row(actor, purpose, source, subject, [])
        row["hits"] = [{"entity_id": lw.entity_id, "score": 1.0, "band": "match"}
                       for w in listed for lw in w.listed]
        with self.ctx.store.begin() as conn:
            self.ctx.store.review.add_screenings(conn, [row])
        for w in listed:
            w.screening_id = row["id"]

    def screen(self, data: bytes, actor: Actor, purpose: Purpose = NO_PURPOSE, *,
               validate: bool | None = None, xsd_dir: Path | None = None,
               channel: str = "cli", wallets: WalletIndex | None = None,
               progress: Callable[[int, int], None] | None = None) -> PaymentReport:
        """Parse and screen an ISO 20022 or MT103 file; audited as ``screen.payments``.

        ``validate`` defaults to on when ``CTNODE_PAYMENTS_XSD_DIR`` is set.
        """
        self.ctx.require(actor, "screen")
        started = time.perf_counter()
        self.retention.sweep()
        configured = self.ctx.settings.payments_xsd_dir
        if validate is None:
            validate = bool(configured)
        folder = xsd_dir or (Path(configured) if configured else None)
        try:
            message = parse_payments(data, validate=validate, xsd_dir=folder)
        except Exception as exc:  # audit the refusal whatever it was, then re-raise unchanged
            self.ctx.audit.record("screen.payments.refused", actor, purpose=purpose,
                                  detail={"channel": channel, "bytes": len(data),
                                          "error": str(exc)[:300]})
            raise
        results = self.screen_message(message, actor, purpose, wallets=wallets,
                                      progress=progress)
        summary = payment_summary(message, results)
        message_id = self.retention.record(kind="payment", fmt=message.format, raw=data,
                                           actor=actor.name, source=channel, summary=summary)
        result_ids = {h.entity_id for t in results for p in t.parties if p.result
                      for h in p.result.reportable}
        result_ids |= {lw.entity_id for t in results for w in t.wallets for lw in w.listed}
        self.ctx.audit.record("screen.payments", actor, purpose=purpose,
                              result_ids=sorted(result_ids),
                              detail={**summary, "message_id": message_id, "channel": channel})
        return PaymentReport(message=message, transactions=results, message_id=message_id,
                             seconds=time.perf_counter() - started,
                             coverage=self.screening.coverage())
