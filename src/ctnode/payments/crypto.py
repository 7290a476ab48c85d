"""Crypto wallet addresses: recognise, validate and normalise BTC, ETH and TRON addresses.

- Bitcoin: base58check P2PKH (version 0x00) and P2SH (0x05); segwit bech32
  (witness v0, BIP-173) and bech32m (v1+, Taproot, BIP-350); testnet forms too.
- Ethereum (and EVM chains): ``0x`` + 40 hex digits; mixed case must carry a
  valid EIP-55 checksum (Keccak-256, implemented here: the standard library's
  ``sha3_256`` is the NIST variant with other padding).
- TRON: base58check with version byte 0x41 (addresses start with ``T``).

Only the standard library is used; nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

Chain = Literal["BTC", "ETH", "TRON"]

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(_BECH32)}
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3

# Candidate tokens in free text (checked afterwards; the look-arounds stand for word edges).
_CANDIDATES = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"(?:bc1|tb1|BC1|TB1)[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}"
    r"|0[xX][0-9a-fA-F]{40}"
    r"|[13mn2][1-9A-HJ-NP-Za-km-z]{25,34}"
    r"|T[1-9A-HJ-NP-Za-km-z]{33}"
    r")(?![0-9A-Za-z])"
)


@dataclass(frozen=True, slots=True)
class Address:
    """A recognised address: its chain, canonical form, kind and whether it checks out."""

    chain: Chain
    address: str  # canonical: bech32 lower case, ETH lower case with 0x, base58 as is
    kind: str
    valid: bool
    reason: str = ""


# -- base58check ----------------------------------------------------------------------

def b58decode(text: str) -> bytes | None:
    num = 0
    for ch in text:
        value = _B58_INDEX.get(ch)
        if value is None:
            return None
        num = num * 58 + value
    body = num.to_bytes((num.bit_length() + 7) // 8, "big") if num else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\x00" * pad + body


def b58check(text: str) -> bytes | None:
    """The payload (with version byte) of a base58check string; None if the checksum fails."""
    if not 20 <= len(text) <= 60:
        return None
    raw = b58decode(text)
    if raw is None or len(raw) < 5:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload


# -- bech32 / bech32m ----------------------------------------------------------------

def _polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convertbits(data: list[int], frombits: int, tobits: int) -> list[int] | None:
    acc, bits, out = 0, 0, []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return out


def segwit_decode(text: str) -> tuple[str, int, bytes] | None:
    """(hrp, witness version, program) of a valid BIP-173/BIP-350 address, else None."""
    if len(text) > 90 or (text.lower() != text and text.upper() != text):
        return None
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text):
        return None
    hrp, data_part = text[:pos], text[pos + 1:]
    if hrp not in {"bc", "tb"}:
        return None
    data = [_BECH32_INDEX.get(c, -1) for c in data_part]
    if -1 in data:
        return None
    const = _polymod(_hrp_expand(hrp) + data)
    if const not in {_BECH32_CONST, _BECH32M_CONST}:
        return None
    version = data[0]
    program = _convertbits(data[1:-6], 5, 8)
    if program is None or version > 16 or not 2 <= len(program) <= 40:
        return None
    if version == 0 and (len(program) not in {20, 32} or const != _BECH32_CONST):
        return None
    if version > 0 and const != _BECH32M_CONST:
        return None
    return hrp, version, bytes(program)


# -- Keccak-256 (Ethereum's hash) ---------------------------------------------------------

_RC = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)
_ROT = ((0, 36, 3, 41, 18), (1, 44, 10, 45, 2), (62, 6, 43, 15, 61), (28, 55, 25, 21, 56),
        (27, 20, 39, 8, 14))
_MASK = (1 << 64) - 1


def _rol(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK if shift else value


def _keccak_f(a: list[int]) -> None:
    for rc in _RC:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rol(c[(x + 1) % 5], 1) for x in range(5)]
        for i in range(25):
            a[i] ^= d[i % 5]
        b = [0] * 25
        for x in range(5):
            for y in range(5):
                b[y + 5 * ((2 * x + 3 * y) % 5)] = _rol(a[x + 5 * y], _ROT[x][y])
        for x in range(5):
            for y in range(5):
                a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y])
        a[0] ^= rc


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum uses it (original Keccak padding 0x01, not SHA-3's 0x06)."""
    rate = 136
    msg = bytearray(data)
    msg.append(0x01)
    while len(msg) % rate:
        msg.append(0)
    msg[-1] |= 0x80
    state = [0] * 25
    for off in range(0, len(msg), rate):
        block = msg[off:off + rate]
        for i in range(rate // 8):
            state[i] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        _keccak_f(state)
    return b"".join(state[i].to_bytes(8, "little") for i in range(4))


def eip55(address: str) -> str:
    """The EIP-55 mixed-case checksum form of a 0x address."""
    hexpart = address[2:].lower()
    digest = keccak256(hexpart.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c
                          for i, c in enumerate(hexpart))


# -- classification --------------------------------------------------------------------------

def classify(text: str) -> Address | None:
    """Recognise ``text`` as an address of a known chain (valid or not); None if it is none."""
    s = text.strip()
    low = s.lower()
    if low.startswith(("bc1", "tb1")):
        decoded = segwit_decode(s)
        if decoded is None:
            return Address("BTC", low, "segwit", False, "bech32/bech32m checksum or format wrong")
        _, version, program = decoded
        kind = "P2TR (bech32m)" if version == 1 and len(program) == 32 else (
            f"witness v{version} (bech32m)" if version else
            ("P2WPKH (bech32)" if len(program) == 20 else "P2WSH (bech32)"))
        return Address("BTC", low, kind, True)
    if re.fullmatch(r"0[xX][0-9a-fA-F]{40}", s):
        canon = "0x" + s[2:].lower()
        body = s[2:]
        letters = [c for c in body if c.isalpha()]
        if not letters or all(c.islower() for c in letters) or all(c.isupper() for c in letters):
            return Address("ETH", canon, "account (no checksum)", True)
        ok = eip55(canon) == "0x" + body
        return Address("ETH", canon, "account (EIP-55)", ok, "" if ok else "EIP-55 checksum wrong")
    if s[:1] == "T" and len(s) == 34 and all(c in _B58_INDEX for c in s):
        payload = b58check(s)
        ok = payload is not None and len(payload) == 21 and payload[0] == 0x41
        return Address("TRON", s, "base58check 0x41", ok, "" if ok else "base58check wrong")
    if s[:1] in "13mn2" and 26 <= len(s) <= 35 and all(c in _B58_INDEX for c in s):
        payload = b58check(s)
        kinds = {0x00: "P2PKH", 0x05: "P2SH", 0x6F: "testnet P2PKH", 0xC4: "testnet P2SH"}
        if payload is not None and len(payload) == 21 and payload[0] in kinds:
            return Address("BTC", s, kinds[payload[0]], True)
        return Address("BTC", s, "base58check", False, "base58check checksum or version wrong")
    return None


def normalise(address: str) -> str:
    """The canonical form used to look addresses up (case folded where the chain ignores case)."""
    found = classify(address)
    return found.address if found else address.strip()


def find_addresses(text: str) -> list[Address]:
    """Every address-shaped token in free text, classified (invalid ones included)."""
    out: list[Address] = []
    for m in _CANDIDATES.finditer(text):
        found = classify(m.group(0))
        if found is not None:
            out.append(found)
    return out
