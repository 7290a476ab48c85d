"""Masking keeps nothing of a name: a masked message does not change when its names do.

The check is an invariance: every name part the parsers read from a message (and the
words hidden where parsers do not look: XML comments, CDATA sections, free text) is
replaced by another word of the same length; the masked copies of the two messages
must be identical. A mask that kept any letter of a name (a surname of two letters
after a segment tag, the first letters of an MRZ name line, a CDATA section) fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ctnode.model.messages import decode_text
from ctnode.payments.parse import parse_payments
from ctnode.travel.masking import mask_message
from ctnode.travel.parse import parse_manifest
from tests.conftest import PAYMENT_FIXTURES, TRAVEL_FIXTURES

_LETTERS = re.compile(r"[^\W\d_]{2,}")


def _shift(word: str) -> str:
    """The word with each letter moved one on in the alphabet (Z → A), case kept."""
    def one(ch: str) -> str:
        if "a" <= ch <= "z":
            return chr((ord(ch) - 97 + 1) % 26 + 97)
        if "A" <= ch <= "Z":
            return chr((ord(ch) - 65 + 1) % 26 + 65)
        return ch
    return "".join(one(c) for c in word)


def name_parts(raw: bytes) -> set[str]:
    """Every word of a name, address or free text the node's own parsers read from the file."""
    texts: list[str] = []
    head = decode_text(raw[:4096]).lstrip("\ufeff \r\n\t")
    if head.startswith(("<", "{1:", ":20:")):
        msg = parse_payments(raw)
        for tx in msg.transactions:
            texts += [r for r in tx.remittance or [] if r]
            for p in tx.parties:
                texts += [p.name or "", *p.address, p.birth_place or ""]
    else:
        manifest = parse_manifest(raw)
        for t in manifest.travellers:
            texts += [t.surname or "", t.given_names or "", t.raw_name or "", *t.names]
    return {w.upper() for text in texts for w in _LETTERS.findall(text)}


def renamed(raw: bytes, words: set[str]) -> bytes:
    """The message with every occurrence of each word (any case, as a whole word) shifted."""
    # XML element and attribute names are structure: only the text between them changes.
    parts = re.split(r"(<(?!!--|!\[CDATA\[)[^<>]*>)", decode_text(raw))
    for i in range(0, len(parts), 2):
        for word in sorted(words, key=len, reverse=True):
            parts[i] = re.sub(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])",
                              lambda m: _shift(m.group(0)), parts[i], flags=re.IGNORECASE)
    return "".join(parts).encode("utf-8")


def assert_no_name_survives(raw: bytes, extra: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    words = name_parts(raw) | {w.upper() for w in extra}
    # currency codes are structure (kept in Ccy="EUR") even where a remittance text says them
    words -= set(re.findall(r'Ccy="([A-Z]{3})"', decode_text(raw)))
    assert words, "the fixture holds no names"
    masked = mask_message(raw)
    other = mask_message(renamed(raw, words))
    diff = [(a, b) for a, b in zip(masked.splitlines(), other.splitlines(), strict=False)
            if a != b]
    assert masked == other, f"masked copy still shows a name: {diff[:3]}"
    return masked


OWN = [
    (TRAVEL_FIXTURES / "paxlst_edge_cases.edi", set()),
    (TRAVEL_FIXTURES / "pnrgov_short_names.edi", {"EXAMPLE", "TRAVELLING", "WITH"}),
    (TRAVEL_FIXTURES / "mrz_short_names.txt", set()),
    (PAYMENT_FIXTURES / "pacs008_cdata_comments.xml", {"Ho", "Bo", "Li", "verified", "flat"}),
    (PAYMENT_FIXTURES / "mt103_short_names.fin", set()),
    (PAYMENT_FIXTURES / "mt103_multi_wallet.fin", set()),
    (PAYMENT_FIXTURES / "pacs008_wallets.xml", set()),
]


@pytest.mark.parametrize(("path", "extra"), OWN, ids=[p.name for p, _ in OWN])
def test_masking_removes_every_name_part_of_each_format(path: Path, extra: set[str]) -> None:
    assert_no_name_survives(path.read_bytes(), extra)


def test_short_surnames_mrz_lines_cdata_and_comments_are_blanked() -> None:
    pnr = mask_message((TRAVEL_FIXTURES / "pnrgov_short_names.edi").read_bytes())
    assert "TIF+XX+XXXX:X:9'" in pnr  # TIF+LI: the surname is not a qualifier
    assert "TIF+X?'XXX+" in pnr  # a released apostrophe does not end the segment
    assert "SSR+XXXX:XX::XX" in pnr and "IFT+4:99::XX+XXXX" in pnr
    mrz = mask_message((TRAVEL_FIXTURES / "mrz_short_names.txt").read_bytes())
    assert "XXXXXX<<XXXXX<XXXXX<<<<<<<<<<<" in mrz  # OKAFOR<<CHIDI<EMEKA, first letters too
    assert "X<XXXXX<<XXX<XXX<<<" in mrz
    xml = mask_message((PAYMENT_FIXTURES / "pacs008_cdata_comments.xml").read_bytes())
    assert "<Nm><![CDATA[XX XXX]]></Nm>" in xml
    assert "<!-- XXXXXX XXXX: XXX XX -->" in xml
    assert "<Ustrd><![CDATA[XXXX XXX XX XX <XXXX 9>]]></Ustrd>" in xml
    assert '<IntrBkSttlmAmt Ccy="EUR">999.99</IntrBkSttlmAmt>' in xml
    mt = mask_message((PAYMENT_FIXTURES / "mt103_short_names.fin").read_bytes())
    assert ":59:/XX99" in mt and "\nXXX XX\n" in mt and ":70:XXXX XXX XX XX\n" in mt
    assert mt.startswith("{1:X99XXXXX") and "{2:X999" in mt and "{4:\n" in mt


def test_a_message_of_no_known_format_is_blanked_whole() -> None:
    assert mask_message(b"NG<<MEI\nsomething: Li Bo 1985") == "XX<<XXX\nXXXXXXXXX: XX XX 9999"


def test_utf16_messages_are_masked_as_text() -> None:
    raw = (PAYMENT_FIXTURES / "pacs008_cdata_comments.xml").read_text("utf-8")
    masked = mask_message(raw.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    assert "<Nm>XXX XX</Nm>" in masked and "Yan" not in masked and "Ng" not in masked


SHARED = ("*.edi", "*.fin", "*.xml", "mrz_specimens.txt")


def test_masking_removes_every_name_part_of_the_shared_samples(formats: Path) -> None:
    files = sorted(p for pattern in SHARED for p in formats.glob(pattern))
    assert len(files) >= 15
    for path in files:
        assert_no_name_survives(path.read_bytes())
