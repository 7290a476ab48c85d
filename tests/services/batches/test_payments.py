"""Payment screening end to end on a real node (SQLite and PostgreSQL): parties and wallets."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from ctnode.errors import InvalidInput
from ctnode.model.access import Purpose
from ctnode.model.entities import Entity
from ctnode.model.lists import ParsedList
from ctnode.node import Node
from ctnode.services.batches import reports
from tests.conftest import ADMIN, SCREENER
from tests.conftest import PAYMENT_FIXTURES as FIXTURES

LISTED_BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
LISTED_TAPROOT = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"


def load_wallets(node: Node) -> None:
    entities = []
    for i, (addr, cur) in enumerate([(LISTED_BTC, "BTC"), (LISTED_TAPROOT, "BTC"),
                                     ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "ETH")], 1):
        e = Entity(id=f"test-wallet-{i}", schema="CryptoWallet", dataset="test_wallets",
                   reference=f"TW.{i}")
        e.add("publicKey", addr)
        e.add("currency", cur)
        entities.append(e)
    node.lists.import_list(ParsedList(dataset="test_wallets", title="Test wallets", version="1",
                                source="test", entities=entities), ADMIN)


def test_listed_party_and_wallets_found(node: Node) -> None:
    load_wallets(node)
    report = node.payments.screen((FIXTURES / "pacs008_wallets.xml").read_bytes(), SCREENER,
                             Purpose("CFT screening", "AML law", "CASE-7"))
    tx1, tx2, tx3 = report.transactions
    debtor = next(p for p in tx1.parties if p.party.role == "debtor")
    assert debtor.result is not None and debtor.result.reportable[0].reference == "DMi.002"
    assert [w.listed[0].reference for w in tx1.wallets if w.listed] == ["TW.1"]
    # mixed-case EIP-55 address in the remittance, and an invalid TRON address reported as such
    assert [w.listed[0].reference for w in tx2.wallets if w.listed] == ["TW.3"]
    tron = [w for w in tx2.wallets if w.chain == "TRON"]
    assert tron and not tron[0].valid and not tron[0].listed
    # a Taproot address cut across two Ustrd elements
    assert [w.listed[0].reference for w in tx3.wallets if w.listed] == ["TW.2"]
    assert all(w.screening_id for t in report.transactions for w in t.wallets if w.listed)
    queue = node.review.queue(ADMIN)
    wallet_rows = [s for s in queue if s["hits"][0]["entity_id"].startswith("test-wallet")]
    assert len(wallet_rows) == 3 and all(s["source"] == "payment" for s in wallet_rows)
    (entry,) = node.audit.entries(event="screen.payments")
    assert entry.detail["listed_wallets"] == 3 and entry.case_ref == "CASE-7"
    assert set(entry.result_ids) >= {"test-wallet-1", "test-wallet-2", "test-wallet-3"}
    node.audit.verify()


def test_mt103_listed_beneficiary_and_split_wallet(node: Node) -> None:
    load_wallets(node)
    report = node.payments.screen((FIXTURES / "mt103_multi_wallet.fin").read_bytes(), SCREENER)
    (tx,) = report.transactions
    beneficiary = next(p for p in tx.parties if p.party.role == "beneficiary")
    assert beneficiary.result and beneficiary.result.reportable[0].reference == "DMi.002"
    assert [w.address for w in tx.wallets if w.listed] == [LISTED_TAPROOT]
    assert len(report.message.skipped) == 1  # the MT202 in the same file


def test_repeated_debtor_is_screened_once(node: Node, formats: Path) -> None:
    report = node.payments.screen((formats / "pain001_001_03_ch02_postfinance_moov.xml")
                             .read_bytes(), SCREENER)
    (entry,) = node.audit.entries(event="screen.batch")
    screened = sum(1 for t in report.transactions for p in t.parties if p.result)
    assert entry.detail["subjects"] < screened


def test_every_shared_sample_screens(node: Node, formats: Path) -> None:
    names = sorted(p.name for p in formats.iterdir()
                   if p.suffix in {".xml", ".fin"})
    assert len(names) == 11
    for name in names:
        report = node.payments.screen((formats / name).read_bytes(), SCREENER)
        assert report.transactions, name
        records = [json.loads(x) for x in reports.to_jsonl(report).splitlines()]
        assert records[0]["type"] == "message"
        assert len(records) == len(report.transactions) + 1


def test_reports_csv_and_json_shapes(node: Node, samples: Path) -> None:
    report = node.payments.screen((samples / "mt103_50F_person_id_synthetic.fin").read_bytes(),
                             SCREENER)
    rows = list(csv.DictReader(io.StringIO(reports.to_csv(report))))
    assert rows[0]["role"] == "ordering customer"
    assert "CCPT:C01X00T47" in rows[0]["identifiers"]
    record = list(reports.records(report))[1]
    ordering = record["parties"][0]
    assert ordering["birth_date"] == "1979-02-17" and ordering["schema"] == "Person"
    assert {"role", "names_screened", "identifiers", "hits", "screening_id"} <= set(ordering)


def test_unreadable_payment_is_refused_and_audited(node: Node) -> None:
    with pytest.raises(InvalidInput):
        node.payments.screen((FIXTURES / "xml_bomb.xml").read_bytes(), SCREENER)
    assert list(node.audit.entries(event="screen.payments.refused"))
