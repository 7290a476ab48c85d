"""SWIFT MT103: free and structured parties, 35-character splits, several messages, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctnode.errors import InvalidInput, UnknownMessageType
from ctnode.payments.model import Party, Transaction
from ctnode.payments.mt103 import parse_mt103
from ctnode.payments.parse import parse_payments
from tests.conftest import PAYMENT_FIXTURES as FIXTURES


def party(tx: Transaction, role: str) -> Party:
    return next(p for p in tx.parties if p.role == role)


def test_50k_59_free_format_with_name_cut_at_35(samples: Path) -> None:
    msg = parse_mt103((samples / "mt103_50K_59_synthetic.fin").read_bytes())
    (tx,) = msg.transactions
    assert (tx.ref, tx.amount, tx.currency, tx.date) == ("SYNREF0001", "9500.00", "EUR",
                                                         "2025-03-14")
    assert tx.uetr == "0f1e2d3c-4b5a-4697-8877-665544332211"
    ordering = party(tx, "ordering customer")
    assert ordering.name == "IVAN PETROVICH SIDOROV"
    assert ordering.ids("IBAN") == ["DE89370400440532013000"]
    assert ordering.address == ["ULITSA LENINA 12", "620014 YEKATERINBURG RU"]
    beneficiary = party(tx, "beneficiary")
    assert beneficiary.names == ["ABDUL RAHMAN BIN MOHAMMED AL-HASHIMI",
                                 "ABDUL RAHMAN BIN MOHAMMED AL-HASHIM I",
                                 "ABDUL RAHMAN BIN MOHAMMED AL-HASHIM"]
    assert beneficiary.address == ["12 RUE DE LA PAIX", "75002 PARIS FRANCE"]
    assert party(tx, "ordering institution").ids("BIC") == ["DEUTDEFFXXX"]
    assert tx.remittance == ["DONATION ZAKAT FOR BROTHERS IN IDLIB VIA HAWALA OFFICE REF 4471",
                             "/ACC/ULTIMATE CREDITOR CHARITY RELIEF FOUNDATION FOR ORPHANS"]


def test_50f_59f_structured(samples: Path) -> None:
    (tx,) = parse_mt103((samples / "mt103_50F_59F_synthetic.fin").read_bytes()).transactions
    ordering = party(tx, "ordering customer")
    assert ordering.name == "CRESCENT IMPORT EXPORT LLC" and ordering.country == "AE"
    assert ordering.address == ["SHEIKH ZAYED ROAD", "DUBAI"]
    beneficiary = party(tx, "beneficiary")
    assert beneficiary.name == "MUHAMMAD ABDULLAH AL-HUSAINI" and beneficiary.country == "PK"
    assert party(tx, "intermediary institution").ids("BIC") == ["CHASUS33"]
    assert tx.remittance == ["/INV/7781 FAMILY SUPPORT: MARCH"]  # a colon inside :70:


def test_50f_person_identification(samples: Path) -> None:
    (tx,) = parse_mt103((samples / "mt103_50F_person_id_synthetic.fin").read_bytes()).transactions
    ordering = party(tx, "ordering customer")
    assert ordering.schema == "Person"
    assert ordering.birth_date == "1979-02-17"
    assert (ordering.birth_country, ordering.birth_place) == ("DE", "MUENCHEN")
    assert ordering.ids("CCPT") == ["C01X00T47"]
    assert ordering.names[-1] == "JUERGEN MUELLER-LUEDENSCHEIDT"
    assert tx.uetr is None  # no block 3


def test_several_messages_and_other_mt_types_skipped() -> None:
    msg = parse_mt103((FIXTURES / "mt103_multi_wallet.fin").read_bytes())
    assert [tx.ref for tx in msg.transactions] == ["WALLETREF1"]
    assert [i.message for i in msg.skipped] == ["MT202 is not read (MT103 is); skipped"]
    joined = [t for w, t in msg.transactions[0].texts if w.endswith("(joined)")]
    taproot = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
    assert any(taproot in t for t in joined)


def test_bare_block4_and_truncation() -> None:
    msg = parse_mt103(b":20:BARE1\r\n:32A:261127USD10,\r\n:59:BENEFICIARY ONE\r\n")
    assert msg.transactions[0].ref == "BARE1"
    cut = parse_mt103(b"{1:F01X}{2:I103X}{4:\r\n:20:CUT\r\n:59:/123\r\nSOMEONE")
    assert cut.transactions[0].parties[0].name == "SOMEONE"
    assert any("truncated" in i.message for i in cut.issues)


@pytest.mark.parametrize("data, error", [
    (b"{1:F01X}{2:I202X}{4:\r\n:20:X\r\n-}", UnknownMessageType),
    (b"hello", UnknownMessageType),
    (b"", InvalidInput),
])
def test_dispatch_refuses_what_it_does_not_read(data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_payments(data)


def test_full_name_line_followed_by_an_address_line() -> None:
    name = "INTERNATIONAL HUMANITARIAN LOGISTIC"  # 35 characters, followed by an address
    msg = parse_mt103((":20:X\r\n:59:/123\r\n" + name + "\r\n12 MAIN STREET\r\n").encode())
    beneficiary = msg.transactions[0].parties[0]
    assert beneficiary.names == [name] and beneficiary.address == ["12 MAIN STREET"]
