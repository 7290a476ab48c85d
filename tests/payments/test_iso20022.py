"""ISO 20022 parsing: every shared sample, versions, envelopes, namespaces, XSD, hostile XML."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctnode.errors import InvalidInput, MessageError, UnknownMessageType
from ctnode.payments.iso20022 import parse_iso20022
from ctnode.payments.model import Party, Transaction
from tests.conftest import PAYMENT_FIXTURES as FIXTURES


def party(tx: Transaction, role: str) -> Party:
    return next(p for p in tx.parties if p.role == role)


def test_pacs008_screening_sample(formats: Path) -> None:
    msg = parse_iso20022((formats / "pacs008_001_08_screening_synthetic.xml").read_bytes(),
                         validate=True, xsd_dir=formats / "xsd")
    assert msg.format == "pacs.008.001.08" and not msg.app_header
    assert msg.schema_valid is True
    tx1, tx2 = msg.transactions
    assert (tx1.ref, tx1.amount, tx1.currency, tx1.uetr) == (
        "SYN-E2E-1", "9500.00", "EUR", "0f1e2d3c-4b5a-4697-8877-665544332211")
    debtor = party(tx1, "debtor")
    assert debtor.schema == "Person" and debtor.birth_date == "1979-02-17"
    assert debtor.birth_place == "Grozny" and debtor.birth_country == "RU"
    assert debtor.ids("CCPT") == ["751234567"] and debtor.ids("IBAN") == ["DE89370400440532013000"]
    assert debtor.address[:2] == ["Ulitsa Lenina", "12"] and debtor.country == "RU"
    assert party(tx1, "ultimate debtor").name == "ALPHA TRADING FZE"
    assert party(tx1, "ultimate creditor").name == "Charity Relief Foundation for Orphans"
    assert party(tx1, "creditor").address == ["12 RUE DE LA PAIX", "75002 PARIS FRANCE"]
    assert party(tx1, "instructing agent").ids("BIC") == ["DEUTDEFFXXX"]
    assert tx1.purpose == "CHAR"
    assert tx1.remittance == ["DONATION ZAKAT FOR BROTHERS IN IDLIB VIA HAWALA OFFICE, REF 4471"]
    # "Surname, Given" also screened the other way round
    assert party(tx2, "debtor").names == ["Müller-Lüdenscheidt, Jürgen",
                                          "Jürgen Müller-Lüdenscheidt"]
    cdtr = party(tx2, "creditor")
    assert cdtr.name == "Сидоров Иван Петрович" and cdtr.ids("LEI") == ["529900T8BM49AURSDO55"]
    assert cdtr.ids("ACCOUNT") == ["40817810099910004312"]
    assert "INV-2025-0042" in tx2.remittance


def test_pain001_debtor_at_payment_level(formats: Path) -> None:
    msg = parse_iso20022((formats / "pain001_001_09_screening_synthetic.xml").read_bytes(),
                         validate=True, xsd_dir=formats / "xsd")
    assert msg.format == "pain.001.001.09" and msg.schema_valid is True
    assert len(msg.transactions) == 2
    for tx in msg.transactions:
        assert party(tx, "debtor").name == "Crescent Import Export LLC"
        assert party(tx, "initiating party").name == "Crescent Import Export LLC"
    assert party(msg.transactions[0], "creditor").name == "محمد عبد الله الحسيني"
    long = party(msg.transactions[1], "creditor").name
    assert long == "International Humanitarian Logistics and Relief Services Corporation"


def test_cbpr_plus_max_every_party_and_agent_slot(formats: Path) -> None:
    msg = parse_iso20022((formats / "pacs008_001_08_cbprplus_max_synthetic.xml").read_bytes(),
                         validate=True, xsd_dir=formats / "xsd")
    assert msg.app_header and msg.format == "pacs.008.001.08" and msg.schema_valid is True
    roles = {p.role for p in msg.transactions[0].parties}
    assert roles >= {
        "debtor", "creditor", "ultimate debtor", "ultimate creditor", "initiating party",
        "debtor agent", "creditor agent", "instructing agent", "instructed agent",
        "intermediary agent 1", "intermediary agent 2", "intermediary agent 3",
        "previous instructing agent 1", "previous instructing agent 2",
        "previous instructing agent 3", "charges agent", "instructing reimbursement agent",
        "instructed reimbursement agent", "third reimbursement agent"}
    debtor = party(msg.transactions[0], "debtor")
    assert debtor.schema == "Person" and debtor.birth_date


@pytest.mark.parametrize("name, fmt, count", [
    ("pacs008_001_08_cbprplus_min_synthetic.xml", "pacs.008.001.08", 1),
    ("pacs008_001_08_pacs008lib.xml", "pacs.008.001.08", 1),
    ("pain001_001_08_pyiso20022.xml", "pain.001.001.08", 1),
    ("pain001_001_03_ch02_postfinance_moov.xml", "pain.001.001.03", 8),
    ("pain001_001_03_rub_clrsys_moov.xml", "pain.001.001.03", 1),
])
def test_other_samples(formats: Path, name: str, fmt: str, count: int) -> None:
    msg = parse_iso20022((formats / name).read_bytes(), validate=True, xsd_dir=formats / "xsd")
    assert msg.format == fmt and len(msg.transactions) == count
    assert all(tx.parties for tx in msg.transactions)
    if fmt.endswith("001.03"):
        assert msg.schema_valid is None  # no official XSD for that version here: said so
        assert any("no XSD" in i.message for i in msg.issues)


def test_swiss_namespace_and_old_bic_element(formats: Path) -> None:
    msg = parse_iso20022((formats / "pain001_001_03_ch02_postfinance_moov.xml").read_bytes())
    assert msg.namespace and "six-interbank-clearing" in msg.namespace
    agent = party(msg.transactions[0], "debtor agent")
    assert agent.ids("BIC") == ["POFICHBEXXX"]
    assert any("NbOfTxs declares 7" in i.message for i in msg.issues)


def test_clearing_system_agent_and_bom(formats: Path) -> None:
    data = (formats / "pain001_001_03_rub_clrsys_moov.xml").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    agent = party(parse_iso20022(data).transactions[0], "creditor agent")
    assert agent.name == "UNICREDIT BANK AO" and agent.ids("CLRSYS:RUCBC") == ["044525593"]


def test_xsd_errors_are_reported_with_position(formats: Path) -> None:
    data = (formats / "pacs008_001_08_pacs008lib.xml").read_bytes().replace(
        b"<MsgId>", b"<Bogus>x</Bogus><MsgId>", 1)
    msg = parse_iso20022(data, validate=True, xsd_dir=formats / "xsd")
    assert msg.schema_valid is False
    assert any(i.message.startswith("XSD pacs.008.001.08") and "line" in i.where
               for i in msg.issues)


@pytest.mark.parametrize("fixture", ["xml_bomb.xml", "xxe.xml"])
def test_hostile_xml_is_refused(fixture: str) -> None:
    with pytest.raises(MessageError) as err:
        parse_iso20022((FIXTURES / fixture).read_bytes())
    assert "DOCTYPE" in err.value.message


@pytest.mark.parametrize("data, message", [
    (b"<Document><FIToFICstmrCdtTrf><GrpHdr>", "not well-formed"),
    (b"not xml at all", "not XML"),
    (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.08'><BkToCstmrStmt/>"
     b"</Document>", "BkToCstmrStmt"),
    (b"<Foo/>", "'Foo'"),
])
def test_bad_xml_raises_invalid_input_with_position(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_iso20022(data)
    assert message in err.value.message
    assert "line" in err.value.message or "prolog" in err.value.message


def test_unknown_iso_message_is_typed() -> None:
    with pytest.raises(UnknownMessageType):
        parse_iso20022(b"<Document><CstmrPmtStsRpt/></Document>")


def test_newer_version_and_wallets_fixture() -> None:
    msg = parse_iso20022((FIXTURES / "pacs008_wallets.xml").read_bytes())
    assert msg.format == "pacs.008.001.10" and len(msg.transactions) == 3
    debtor = party(msg.transactions[0], "debtor")
    assert debtor.schema == "Person" and debtor.ids("CCPT") == ["820000412"]


def test_several_documents_in_one_envelope(samples: Path) -> None:
    one = (samples / "pacs008_001_08_screening_synthetic.xml").read_bytes()
    doc = one[one.index(b"<Document"):]
    data = b"<Batch>" + doc + doc + b"<Document><BkToCstmrStmt/></Document></Batch>"
    msg = parse_iso20022(data)
    assert len(msg.transactions) == 4 and msg.declared_count == 4
    assert [i.message for i in msg.skipped] == [
        "a further document that is not pacs.008 or pain.001 was skipped"]


def test_local_names_are_remembered_within_bounds() -> None:
    """Element names without their namespace, remembered per tag (a message repeats a few
    dozen tags thousands of times), and forgotten when more than the bound were seen (a
    server reads many messages)."""
    from lxml import etree

    from ctnode.payments import iso20022

    root = etree.fromstring(b'<Doc xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">'
                            b"<Nm>A</Nm><!-- c --><x:Nm xmlns:x='urn:other'>B</x:Nm></Doc>")
    assert [iso20022._ln(el) for el in root.iter()] == ["Doc", "Nm", "", "Nm"]
    assert [iso20022._ln(el) for el in root.iter()] == ["Doc", "Nm", "", "Nm"]  # remembered
    for i in range(iso20022._LOCAL_NAMES_MAX + 10):
        assert iso20022._ln(etree.Element(f"{{urn:n}}T{i}")) == f"T{i}"
        assert len(iso20022._LOCAL_NAMES) <= iso20022._LOCAL_NAMES_MAX
