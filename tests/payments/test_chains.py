"""Every chain OFAC lists wallets for, and current ones, on real and synthetic addresses.

Real: every "Digital Currency Address" of the shared OFAC SDN file is recognised as its
chain and passes that chain's checksum. Synthetic: valid addresses made here from random
payloads with each chain's version bytes and checksum (TRX, BSV, USDC, ARB, DOGE, LTC
segwit, BCH CashAddr, Monero standard/sub/integrated), and the same with one character
changed, which must fail.
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import pytest

from ctnode.model.entities import Entity
from ctnode.payments.crypto import (
    CURRENCY_CHAINS,
    b58check_encode,
    cashaddr_encode,
    classify,
    eip55,
    find_addresses,
    keccak256,
    xmr_b58encode,
)
from ctnode.payments.wallets import NaiveWalletIndex, WalletIndex

_RNG = random.Random(20261204)


def _payload(n: int = 20) -> bytes:
    return bytes(_RNG.randrange(256) for _ in range(n))


def _xmr(network: int, extra: bytes = b"") -> str:
    body = bytes([network]) + _payload(64) + extra
    return xmr_b58encode(body + keccak256(body)[:4])


def _segwit(hrp: str, program: bytes) -> str:
    from ctnode.payments.crypto import _BECH32, _BECH32_CONST, _convertbits, _hrp_expand, _polymod

    data = [0, *(_convertbits(list(program), 8, 5, pad=True) or [])]
    mod = _polymod(_hrp_expand(hrp) + data + [0] * 6) ^ _BECH32_CONST
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[d] for d in data + checksum)


# (currency as a list writes it, synthetic valid address, chain classify() must say)
SYNTHETIC = [
    ("TRX", b58check_encode(b"\x41" + _payload()), "TRON"),
    ("BSV", b58check_encode(b"\x00" + _payload()), "BTC"),
    ("BTC", b58check_encode(b"\x05" + _payload()), "BTC"),
    ("USDC", eip55("0x" + _payload().hex()), "ETH"),
    ("ARB", eip55("0x" + _payload().hex()), "ETH"),
    ("DOGE", b58check_encode(b"\x1e" + _payload()), "XVG"),
    ("LTC", b58check_encode(b"\x30" + _payload()), "LTC"),
    ("LTC", b58check_encode(b"\x32" + _payload()), "LTC"),
    ("LTC", _segwit("ltc", _payload()), "LTC"),
    ("DASH", b58check_encode(b"\x4c" + _payload()), "DASH"),
    ("ZEC", b58check_encode(b"\x1c\xb8" + _payload()), "ZEC"),
    ("BTG", b58check_encode(b"\x26" + _payload()), "BTG"),
    ("BCH", cashaddr_encode(0, _payload()), "BCH"),
    ("BCH", cashaddr_encode(8, _payload()), "BCH"),
    ("XMR", _xmr(18), "XMR"),
    ("XMR", _xmr(42), "XMR"),
    ("XMR", _xmr(19, _payload(8)), "XMR"),
]


@pytest.mark.parametrize(("currency", "address", "chain"), SYNTHETIC,
                         ids=[f"{c}-{i}" for i, (c, _a, _ch) in enumerate(SYNTHETIC)])
def test_synthetic_valid_addresses(currency: str, address: str, chain: str) -> None:
    found = classify(address)
    assert found is not None and found.valid, (address, found)
    assert found.chain == chain == CURRENCY_CHAINS[currency]
    # one character changed: the chain's checksum must catch it
    i = len(address) - 3
    alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l" if chain == "BCH" or address[:4] == "ltc1" \
        else "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    if chain == "ETH":  # a mixed-case EIP-55 address: flip the case of one letter
        j = next(k for k in range(len(address) - 1, 1, -1) if address[k].isalpha())
        broken = address[:j] + address[j].swapcase() + address[j + 1:]
    else:
        other = next(c for c in alphabet if c != address[i].lower() and c != address[i])
        broken = address[:i] + other + address[i + 1:]
    bad = classify(broken)
    assert bad is None or not bad.valid, (broken, bad)


def test_cashaddr_reference_vector() -> None:
    """The CashAddr specification's example (P2PKH of an all-zero-free hash)."""
    found = classify("bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a")
    assert found is not None and found.valid and found.chain == "BCH"
    assert classify("qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a") == found


def _ofac_wallets(shared: Path) -> list[tuple[str, str]]:
    """(currency, address) of every wallet the OFAC importer reads from the shared file
    (addresses cut by the legacy CSV's 1,000-character remark limit are not read)."""
    from ctnode.ingest.ofac_sdn import parse_ofac_sdn

    wallets = [e for e in parse_ofac_sdn(shared / "ofac-sdn").entities
               if e.schema == "CryptoWallet"]
    with (shared / "ofac-sdn" / "sdn.csv").open(encoding="utf-8") as fh:
        written = sum(len(re.findall(r"Digital Currency Address - ", row[11]))
                      for row in csv.reader(fh) if len(row) > 11)
    assert written - 3 <= len(wallets) <= written  # three are cut mid-address in this copy
    return [(w.first("currency") or "", w.first("publicKey") or "") for w in wallets]


def test_every_ofac_wallet_is_recognised(shared_data: Path) -> None:
    wallets = _ofac_wallets(shared_data)
    assert len(wallets) >= 120
    currencies = {c for c, _ in wallets}
    assert {"XBT", "ETH", "LTC", "XMR", "DASH", "BCH", "ZEC", "XVG", "USDT", "ETC",
            "BTG"} <= currencies
    for currency, address in wallets:
        found = classify(address)
        assert found is not None, (currency, address)
        if found.chain == "HEX64":  # OFAC's Monero entry written as a 64-hex key
            assert currency == "XMR"
            continue
        assert found.valid, (currency, address, found.reason)
        assert found.chain == CURRENCY_CHAINS[currency], (currency, address)


def test_every_ofac_wallet_is_found_in_remittance_text(shared_data: Path) -> None:
    """Listed wallets 100% found: each OFAC address, written into a remittance line (and
    cut across two 35-character lines), is found by the index and by the naive reference."""
    wallets = _ofac_wallets(shared_data)
    entities = []
    for i, (currency, address) in enumerate(wallets):
        e = Entity(id=f"w{i}", schema="CryptoWallet", dataset="ofac", reference=f"w{i}")
        e.add("publicKey", address)
        e.add("currency", currency)
        entities.append(e)
    index, naive = WalletIndex(entities), NaiveWalletIndex(entities)
    for i, (_currency, address) in enumerate(wallets):
        line = f"/RFB/INV 2026-11 PAYMENT TO {address} THANK YOU"
        cut = [line[k:k + 35] for k in range(0, len(line), 35)]
        for texts in ([("70", line)], [("70", "\n".join(cut))]):
            found = {lw.entity_id for f in index.scan(texts) for lw in f.listed}
            assert f"w{i}" in found, (address, texts)
            assert (classify(address).address if classify(address) else address,  # type: ignore[union-attr]
                    f"w{i}") in naive.listed_in(texts)


def test_unlisted_hex_and_reference_numbers_are_not_reported() -> None:
    text = ("REF 5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320 "
            "INVOICE LNwgtMxcKUQ51dw7bQL1yPQjBVZh6QEqsX DX1234567890ABCDEFGHJKLMNPQRSTU")
    assert find_addresses(text) == []
    assert WalletIndex([]).scan([("70", text)]) == []


def test_real_addresses_of_several_chains_in_one_text() -> None:
    text = ("PAY LaizKtS5DUhPuP1nTQcc83MS7HwK6vk85z / XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz2 "
            "t1g7wowvQ8gn2v8jrU1biyJ26sieNqNsBJy GPwg61XoHqQPNmAucFACuQ5H9sGCDv9TpS "
            "DFFJhnQNZf8rf67tYnesPu7MuGUpYtzv7Z qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq "
            "49HqitRzdnhYjgTEAhgGpCfsjdTeMbUTU6cyR4JV1R7k2Eej9rGT8JpFiYDa4tZM6RZiFrHmMzgSrhHEqpDYKBe5B2ufNsL")
    chains = [(a.chain, a.valid) for a in find_addresses(text)]
    assert chains == [("LTC", True), ("DASH", True), ("ZEC", True), ("BTG", True),
                      ("XVG", True), ("BCH", True), ("XMR", True)]
