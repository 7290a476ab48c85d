"""MT103 envelopes: a broken block 2, an unclosed block 3, text between messages are reported
with their line and column (they were accepted in silence); the messages are still read."""

from __future__ import annotations

import pytest

from ctnode.payments.mt103 import parse_mt103
from tests.conftest import PAYMENT_FIXTURES

GOOD = (PAYMENT_FIXTURES / "mt103_short_names.fin").read_text("utf-8")


def _issues(text: str) -> list[tuple[str, str, str, bool]]:
    msg = parse_mt103(text.encode())
    return [(i.severity, i.message, i.where, i.skipped) for i in msg.issues]


def test_a_well_formed_file_has_no_issue() -> None:
    assert _issues(GOOD) == []
    assert _issues(GOOD + GOOD.replace("SHORTREF1", "SHORTREF2")) == []
    trailer = GOOD.rstrip("\n") + "{5:{CHK:123456789ABC}}\n"
    assert _issues(trailer + trailer) == []


def test_a_broken_block_2_is_reported_with_its_position() -> None:
    text = "\n" + GOOD.replace("{2:I103BNPAFRPPXXXXN}", "{2:I13BNPAFRPP}")
    ((severity, message, where, skipped),) = _issues(text)
    assert (severity, where, skipped) == ("warning", "line 2 column 30", False)
    assert message.startswith("block 2 malformed: '{2:I13BNPAFRPP}'")
    assert parse_mt103(text.encode()).transactions[0].parties[1].name == "YAN NG"  # still read


def test_an_unclosed_block_3_is_reported_with_its_position() -> None:
    text = GOOD.replace("{3:{108:SHORTNAMES1}}", "{3:{108:SHORTNAMES1}")
    ((severity, message, where, _),) = _issues(text)
    assert severity == "warning" and where == "line 1 column 51"
    assert message.startswith("block 3 not closed")
    text = GOOD.replace("{3:{108:SHORTNAMES1}}", "{3:{108:SHORTNAMES1")
    assert [w for _, m, w, _ in _issues(text) if "block 3" in m] == ["line 1 column 51"]


def test_text_between_messages_is_reported_as_skipped() -> None:
    lines = GOOD.count("\n")
    stray = ":20:NOHEADER\n:59:/123\nHIDDEN PERSON\n-}\n"
    ((severity, message, where, skipped),) = _issues(GOOD + stray + GOOD)
    assert (severity, skipped) == ("error", True)
    assert where == f"line {lines + 1} column 1"
    assert message.startswith("text between messages not read: ':20:NOHEADER'")
    assert len(parse_mt103((GOOD + stray + GOOD).encode()).transactions) == 2


@pytest.mark.parametrize(("text", "where", "start"), [
    ("garbage\n" + GOOD, "line 1 column 1", "text before the first message not read"),
    (GOOD.replace("{1:F01DEUTDEFFAXXX0000000000}", "{1:F01DEUTDEFF}"), "line 1 column 1",
     "block 1 malformed"),
    (GOOD.replace("{2:I103BNPAFRPPXXXXN}", ""), "line 1 column 30", "block 2 missing"),
    (GOOD.rstrip("\n") + "{5:{CHK:123456789ABC}\n", f"line {GOOD.count(chr(10))} column 3",
     "block 5 not closed"),
])
def test_other_envelope_problems_are_named(text: str, where: str, start: str) -> None:
    found = [(m, w) for _, m, w, _ in _issues(text)]
    assert any(m.startswith(start) and w == where for m, w in found), found
