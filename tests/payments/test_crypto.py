"""Crypto wallet addresses: the shared test vectors, Keccak, finding in text, the listed index."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctnode.model.entities import Entity
from ctnode.payments.crypto import classify, eip55, find_addresses, keccak256, normalise
from ctnode.payments.wallets import NaiveWalletIndex, WalletIndex


def test_shared_vectors(samples: Path) -> None:
    with (samples / "crypto_address_testvectors.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 14
    for row in rows:
        found = classify(row["address"])
        assert found is not None, row["address"]
        assert found.chain == row["chain"], row["address"]
        assert found.valid is (row["expected_valid"] == "true"), row


@pytest.mark.parametrize("data, digest", [
    (b"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
    (b"abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
    (b"a" * 200, None),  # more than one block: must not fail
])
def test_keccak256(data: bytes, digest: str | None) -> None:
    out = keccak256(data).hex()
    assert len(out) == 64
    if digest:
        assert out == digest


@pytest.mark.parametrize("address", [  # EIP-55 test vectors
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
])
def test_eip55_vectors(address: str) -> None:
    found = classify(address)
    assert found is not None and found.valid
    if address[2:] not in (address[2:].lower(), address[2:].upper()):
        assert eip55(address) == address


@pytest.mark.parametrize("text, expected", [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
    ("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
])
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_mixed_case_bech32_is_invalid() -> None:
    found = classify("bc1qAr0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
    assert found is not None and not found.valid


def test_find_addresses_in_free_text() -> None:
    text = ("PAY bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq,"
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed; IBAN DE89370400440532013000 REF "
            "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb.")
    found = {(a.chain, a.valid) for a in find_addresses(text)}
    assert found == {("BTC", True), ("ETH", True), ("TRON", True)}


def wallet(eid: str, address: str, currency: str = "BTC") -> Entity:
    e = Entity(id=eid, schema="CryptoWallet", dataset="test_wallets", reference=eid)
    e.add("publicKey", address)
    e.add("currency", currency)
    return e


LISTED = [
    wallet("w1", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
    wallet("w2", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "ETH"),
    wallet("w3", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "USDT"),
    wallet("w4", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"),
    wallet("w5", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
]
ADDRESSES = [lw.first("publicKey") or "" for lw in LISTED] + [
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb"]


def test_index_finds_listed_wallet_in_any_case_and_split_across_lines() -> None:
    index = WalletIndex(LISTED)
    assert len(index) == 5
    texts = [("70", "TO 0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED"),
             ("72", "bc1p0xlxvlhemja6c4dqv22uapctq\nupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"),
             ("x", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")]
    findings = index.scan(texts)
    listed = {(f.where, f.listed[0].entity_id) for f in findings if f.listed}
    assert listed == {("70", "w2"), ("72", "w4")}
    unlisted = [f for f in findings if not f.listed]
    assert [f.address for f in unlisted] == ["3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"]


def test_delisted_or_other_schema_is_not_indexed() -> None:
    gone = wallet("w9", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")
    gone.status = "delisted"
    person = Entity(id="p1", schema="Person", dataset="x")
    person.add("publicKey", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    assert len(WalletIndex([gone, person])) == 0


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(ADDRESSES), st.sampled_from(
    [" ", "\n", "PAY ", ", ", "INVOICE 42 ", "/ACC/", "TO:"])), max_size=12))
def test_fast_index_agrees_with_naive_reference(parts: list[str]) -> None:
    text = " ".join(parts)
    fast = {(lw.address, lw.entity_id) for f in WalletIndex(LISTED).scan([("t", text)])
            for lw in f.listed}
    naive = NaiveWalletIndex(LISTED).listed_in([("t", text)])
    assert fast == naive
