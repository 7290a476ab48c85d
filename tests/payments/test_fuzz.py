"""Fuzzing the payment parsers: no input crashes them (only ``InvalidInput`` or a result)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctnode.errors import InvalidInput
from ctnode.payments.model import PaymentMessage
from ctnode.payments.parse import parse_payments
from tests.conftest import PAYMENT_FIXTURES as FIXTURES
from tests.conftest import formats_dir

SAMPLES = sorted(FIXTURES.glob("*")) + sorted(formats_dir().glob("*.xml")) + sorted(
    formats_dir().glob("*.fin"))
SEEDS = [p.read_bytes() for p in SAMPLES if p.is_file()]
FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check(data: bytes) -> None:
    try:
        msg = parse_payments(data)
    except InvalidInput as exc:
        assert exc.message
        return
    assert isinstance(msg, PaymentMessage)
    for tx in msg.transactions:
        for party in tx.parties:
            assert isinstance(party.names, list)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    check(data)


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_after_xml_or_fin_start(tail: bytes) -> None:
    check(b"<Document>" + tail)
    check(b"{1:F01X}{2:I103X}{4:\r\n:20:X\r\n" + tail)
    check(b":20:" + tail)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["cut", "insert", "dup", "truncate", "flip"]))
        n = len(data)
        i = draw(st.integers(0, max(n - 1, 0)))
        j = draw(st.integers(i, min(n, i + 60)))
        if op == "cut":
            del data[i:j]
        elif op == "insert":
            data[i:i] = draw(st.one_of(st.binary(min_size=1, max_size=8), st.sampled_from(
                [b"<", b">", b"</Nm>", b"<Cdtr>", b"&amp;", b"&x;", b"\r\n:59F:", b"1/", b"-}",
                 b"<!DOCTYPE x>", b"\x00"])))
        elif op == "dup":
            data[i:i] = data[i:j]
        elif op == "truncate":
            del data[i:]
        elif n:
            data[i] = draw(st.integers(0, 255))
    return bytes(data)


@FUZZ
@given(mutated())
def test_mutated_samples(data: bytes) -> None:
    check(data)


def test_deep_nesting_is_bounded() -> None:
    check(b"<Document>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</Document>")
