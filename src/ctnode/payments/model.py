"""Typed results of the payment parsers: messages, transactions, parties and identifiers."""

from __future__ import annotations

from dataclasses import dataclass, field

from ctnode.model.messages import Issue


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier of a party: ``scheme`` is BIC, LEI, IBAN, ACCOUNT, CCPT (passport), ..."""

    scheme: str
    value: str
    issuer: str | None = None


@dataclass(slots=True)
class Party:
    """One party or agent of a payment, with everything that identifies it.

    ``names`` are the forms screened, the declared one first; further entries
    are variants (``Surname, Given`` turned round; a name joined across a
    35-character line break, with and without a blank).
    """

    role: str  # debtor, creditor, ultimate debtor, ..., debtor agent, intermediary agent 1, ...
    kind: str  # party | agent
    name: str | None = None
    names: list[str] = field(default_factory=list)
    schema: str = "LegalEntity"  # Person, Organization or LegalEntity (unknown)
    address: list[str] = field(default_factory=list)
    country: str | None = None  # ISO alpha-2 as sent
    identifiers: list[Identifier] = field(default_factory=list)
    birth_date: str | None = None
    birth_place: str | None = None
    birth_country: str | None = None
    where: str = ""

    def ids(self, scheme: str) -> list[str]:
        return [i.value for i in self.identifiers if i.scheme == scheme]


@dataclass(slots=True)
class Transaction:
    """One credit transfer: its references, amount, parties and free texts."""

    ref: str
    uetr: str | None = None
    amount: str | None = None
    currency: str | None = None
    date: str | None = None
    parties: list[Party] = field(default_factory=list)
    remittance: list[str] = field(default_factory=list)
    purpose: str | None = None
    texts: list[tuple[str, str]] = field(default_factory=list)  # (where, text) for wallet search
    where: str = ""


@dataclass(slots=True)
class PaymentMessage:
    """One payment file: ISO 20022 document (with or without AppHdr) or SWIFT MT103 message(s)."""

    format: str  # e.g. pacs.008.001.08, pain.001.001.03, MT103
    namespace: str | None = None
    message_id: str | None = None
    app_header: bool = False
    declared_count: int | None = None
    transactions: list[Transaction] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    schema_valid: bool | None = None  # None: not validated

    @property
    def skipped(self) -> list[Issue]:
        return [i for i in self.issues if i.skipped]
