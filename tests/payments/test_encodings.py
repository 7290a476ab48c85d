"""UTF-16 XML is read by the payment and list importers, and checked like UTF-8 XML."""

from __future__ import annotations

import pytest

from ctnode.errors import MessageError
from ctnode.ingest.un_sc import parse_un_sc
from ctnode.payments.parse import parse_payments
from tests.conftest import DEMO_LIST, PAYMENT_FIXTURES

ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be"]


def _as(text: str, codec: str, declared: str) -> bytes:
    return text.replace('encoding="UTF-8"', f'encoding="{declared}"').encode(codec)


@pytest.mark.parametrize("codec", ENCODINGS)
@pytest.mark.parametrize("declared", ["UTF-16", "UTF-8"])
def test_utf16_payment_files_are_read(codec: str, declared: str) -> None:
    text = (PAYMENT_FIXTURES / "pacs008_cdata_comments.xml").read_text("utf-8")
    want = parse_payments(text.encode("utf-8"))
    got = parse_payments(_as(text, codec, declared))
    assert [p.name for t in got.transactions for p in t.parties] == \
        [p.name for t in want.transactions for p in t.parties] == \
        ["Wu Fei", None, None, "Yan Ng"]
    assert got.transactions[0].remittance == ["Rent for Lu Xi <flat 2>"]
    assert got.issues == want.issues


def test_utf16_errors_keep_their_positions_and_doctype_is_still_refused() -> None:
    text = (PAYMENT_FIXTURES / "pacs008_cdata_comments.xml").read_text("utf-8")
    broken = text.replace("<Nm>Yan Ng</Nm>", "<Nm>Yan Ng</Name>")
    with pytest.raises(MessageError) as exc:
        parse_payments(broken.encode("utf-16"))
    assert exc.value.where == "line 26 column 26"  # the line of the UTF-16 file itself
    bomb = text.replace("<Document", '<!DOCTYPE d [<!ENTITY a "aaaa">]>\n<Document', 1)
    with pytest.raises(MessageError, match="DOCTYPE"):
        parse_payments(bomb.encode("utf-16"))


@pytest.mark.parametrize("codec", ENCODINGS)
def test_utf16_un_list_is_read(codec: str) -> None:
    text = DEMO_LIST.read_text("utf-8")
    want = parse_un_sc(text.encode("utf-8"))
    got = parse_un_sc(_as(text, codec, "UTF-16"))
    assert [e.id for e in got.entities] == [e.id for e in want.entities]
    assert got.version == want.version
