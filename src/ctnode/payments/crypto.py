"""Crypto wallet addresses: recognise, validate and normalise them, and find them in text.

Every chain OFAC lists addresses for, and the common current ones, each checked the way
its own format defines (nothing here touches the network; only the standard library):

=========================  ==========================================================
chain (OFAC code)          format and check
=========================  ==========================================================
BTC (XBT), testnet         base58check version 0x00 / 0x05 (0x6F / 0xC4); segwit bech32
                           (witness v0, BIP-173) and bech32m (v1+, Taproot, BIP-350)
BCH                        CashAddr (``bitcoincash:`` q/p, 40-bit BCH-code checksum);
                           legacy BCH and BSV addresses are Bitcoin base58check
LTC                        base58check 0x30 (``L``) / 0x32 (``M``); bech32 ``ltc1``
DASH                       base58check 0x4C (``X``) / 0x10 (``7``)
ZEC                        transparent base58check 0x1CB8 (``t1``) / 0x1CBD (``t3``)
BTG                        base58check 0x26 (``G``) / 0x17 (``A``); bech32 ``btg1``
XVG / DOGE                 base58check 0x1E (``D``): Verge and Dogecoin share the byte
XMR                        Monero base58 (8-byte blocks), network byte 18 / 42 / 19,
                           Keccak-256 checksum; standard, subaddress, integrated
ETH and EVM tokens         ``0x`` + 40 hex digits (ETH, ETC, USDT and USDC as ERC-20,
(ETC, USDT, USDC, ARB …)   Arbitrum ...); mixed case must carry a valid EIP-55 checksum
TRON (TRX, USDT-TRC20)     base58check 0x41 (``T``)
=========================  ==========================================================

A 0x address says nothing of which EVM chain it is used on, and a legacy ``1``/``3``
address is as valid on Bitcoin Cash and Bitcoin SV as on Bitcoin: the listing's currency
(``CryptoWallet.currency``) says which; :data:`CURRENCY_CHAINS` maps currency codes to the
address family checked here. OFAC also lists one Monero "address" written as 64 hex digits
(a key, not an address format): such a token is recognised (kind ``hex-64``) and reported
only when it is listed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

# Address families this module recognises (``Address.chain``).
CHAINS = ("BTC", "BCH", "LTC", "DASH", "ZEC", "BTG", "XVG", "XMR", "ETH", "TRON", "HEX64")
# Currency codes lists use (OFAC's "Digital Currency Address - XBT") → address family.
CURRENCY_CHAINS: dict[str, str] = {
    "XBT": "BTC", "BTC": "BTC", "BSV": "BTC", "BCH": "BCH", "BCHA": "BCH", "LTC": "LTC",
    "DASH": "DASH", "ZEC": "ZEC", "BTG": "BTG", "XVG": "XVG", "DOGE": "XVG", "XMR": "XMR",
    "ETH": "ETH", "ETC": "ETH", "USDT": "ETH", "USDC": "ETH", "ARB": "ETH", "BSC": "ETH",
    "BNB": "ETH", "MATIC": "ETH", "POL": "ETH", "DAI": "ETH", "TRX": "TRON", "TRON": "TRON",
}

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(_BECH32)}
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3
_SEGWIT_HRPS = {"bc": "BTC", "tb": "BTC", "ltc": "LTC", "tltc": "LTC", "btg": "BTG"}

# base58check version prefixes → (chain, kind). Bitcoin's are also Bitcoin Cash's and
# Bitcoin SV's legacy forms; 0x1E is Verge's and Dogecoin's.
_BASE58_VERSIONS: dict[bytes, tuple[str, str]] = {
    b"\x00": ("BTC", "P2PKH"), b"\x05": ("BTC", "P2SH"),
    b"\x6f": ("BTC", "testnet P2PKH"), b"\xc4": ("BTC", "testnet P2SH"),
    b"\x30": ("LTC", "P2PKH"), b"\x32": ("LTC", "P2SH"),
    b"\x4c": ("DASH", "P2PKH"), b"\x10": ("DASH", "P2SH"),
    b"\x1c\xb8": ("ZEC", "transparent P2PKH"), b"\x1c\xbd": ("ZEC", "transparent P2SH"),
    b"\x26": ("BTG", "P2PKH"), b"\x17": ("BTG", "P2SH"),
    b"\x1e": ("XVG", "P2PKH (0x1E: Verge, also Dogecoin)"),
    b"\x41": ("TRON", "base58check 0x41"),
}
# First characters of base58check addresses that are reported even when their checksum
# fails (Bitcoin's and TRON's, as before); other chains' shapes only when they check out,
# so that a reference number in a remittance line is not reported as a broken address.
_REPORT_INVALID = "13mn2T"

# Candidate tokens in free text (checked afterwards; the look-arounds stand for word edges).
_CANDIDATES = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"(?:bc1|tb1|BC1|TB1|ltc1|LTC1|btg1|BTG1)[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}"
    r"|(?:bitcoincash:|BITCOINCASH:)?[qpQP][02-9ac-hj-np-zAC-HJ-NP-Z]{41}"
    r"|0[xX][0-9a-fA-F]{40}"
    r"|[48][1-9A-HJ-NP-Za-km-z]{94}(?:[1-9A-HJ-NP-Za-km-z]{11})?"
    r"|[13mn2LMX7DGAt][1-9A-HJ-NP-Za-km-z]{25,35}"
    r"|T[1-9A-HJ-NP-Za-km-z]{33}"
    r"|[0-9a-fA-F]{64}"
    r")(?![0-9A-Za-z])"
)


@dataclass(frozen=True, slots=True)
class Address:
    """A recognised address: its chain, canonical form, kind and whether it checks out."""

    chain: str  # one of CHAINS
    address: str  # canonical: bech32 and CashAddr lower case, hex lower case, base58 as is
    kind: str
    valid: bool
    reason: str = ""


# -- base58check ----------------------------------------------------------------------

def _b58_number(text: str) -> int | None:
    """The number a base58 string spells, or None when it holds a letter outside the alphabet."""
    num = 0
    for ch in text:
        value = _B58_INDEX.get(ch)
        if value is None:
            return None
        num = num * 58 + value
    return num


def b58decode(text: str) -> bytes | None:
    num = _b58_number(text)
    if num is None:
        return None
    body = num.to_bytes((num.bit_length() + 7) // 8, "big") if num else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\x00" * pad + body


def b58encode(data: bytes) -> str:
    """Base58 (Bitcoin alphabet) of bytes; leading zero bytes become ``1``."""
    num = int.from_bytes(data, "big")
    out = []
    while num:
        num, rem = divmod(num, 58)
        out.append(_B58[rem])
    pad = len(data) - len(data.lstrip(b"\x00"))
    return "1" * pad + "".join(reversed(out))


def b58check_encode(payload: bytes) -> str:
    """Base58check of a payload (version bytes included): what wallets print."""
    checksum = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    return b58encode(payload + checksum)


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


def _convertbits(data: list[int], frombits: int, tobits: int,
                 pad: bool = False) -> list[int] | None:
    acc, bits, out = 0, 0, []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
        return out
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
    if hrp not in _SEGWIT_HRPS:
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


# -- CashAddr (Bitcoin Cash) ------------------------------------------------------------

_CASHADDR_GEN = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)


def _cashaddr_polymod(values: list[int]) -> int:
    c = 1
    for d in values:
        c0 = c >> 35
        c = ((c & 0x07FFFFFFFF) << 5) ^ d
        for i, g in enumerate(_CASHADDR_GEN):
            if c0 >> i & 1:
                c ^= g
    return c ^ 1


def cashaddr_decode(text: str) -> tuple[int, bytes] | None:
    """(version byte, hash) of a valid CashAddr address (prefix ``bitcoincash:`` optional)."""
    if text.lower() != text and text.upper() != text:
        return None
    low = text.lower()
    prefix, _, payload = low.rpartition(":")
    prefix = prefix or "bitcoincash"
    if prefix != "bitcoincash" or len(payload) != 42:
        return None
    data = [_BECH32_INDEX.get(c, -1) for c in payload]
    if -1 in data:
        return None
    if _cashaddr_polymod([ord(c) & 31 for c in prefix] + [0] + data) != 0:
        return None
    decoded = _convertbits(data[:-8], 5, 8)
    if decoded is None or len(decoded) != 21:
        return None
    return decoded[0], bytes(decoded[1:])


def cashaddr_encode(version: int, digest: bytes, prefix: str = "bitcoincash") -> str:
    """CashAddr of a 20-byte hash (version 0: P2PKH, 8: P2SH)."""
    data = _convertbits([version, *digest], 8, 5, pad=True)
    assert data is not None
    values = [ord(c) & 31 for c in prefix] + [0] + data + [0] * 8
    mod = _cashaddr_polymod(values)
    checksum = [(mod >> 5 * (7 - i)) & 31 for i in range(8)]
    return prefix + ":" + "".join(_BECH32[d] for d in data + checksum)


# -- Monero base58 (8-byte blocks → 11 characters) ------------------------------------------

_XMR_FULL_BLOCK, _XMR_FULL_ENCODED = 8, 11
_XMR_ENCODED_SIZES = (0, 2, 3, 5, 6, 7, 9, 10, 11)
_XMR_NETWORK = {18: "standard", 42: "subaddress", 19: "integrated"}


def xmr_b58decode(text: str) -> bytes | None:
    out = bytearray()
    for start in range(0, len(text), _XMR_FULL_ENCODED):
        block = text[start:start + _XMR_FULL_ENCODED]
        if len(block) not in _XMR_ENCODED_SIZES:
            return None
        size = _XMR_ENCODED_SIZES.index(len(block))
        num = _b58_number(block)
        if num is None or num >= 1 << (8 * size):
            return None
        out += num.to_bytes(size, "big")
    return bytes(out)


def xmr_b58encode(data: bytes) -> str:
    out = []
    for start in range(0, len(data), _XMR_FULL_BLOCK):
        block = data[start:start + _XMR_FULL_BLOCK]
        num = int.from_bytes(block, "big")
        chars = []
        for _ in range(_XMR_ENCODED_SIZES[len(block)]):
            num, rem = divmod(num, 58)
            chars.append(_B58[rem])
        out.append("".join(reversed(chars)))
    return "".join(out)


def xmr_decode(text: str) -> tuple[str, bytes] | None:
    """(kind, keys) of a Monero address whose Keccak-256 checksum checks out, else None."""
    raw = xmr_b58decode(text)
    if raw is None or len(raw) not in (69, 77):
        return None
    body, checksum = raw[:-4], raw[-4:]
    if keccak256(body)[:4] != checksum or body[0] not in _XMR_NETWORK:
        return None
    kind = _XMR_NETWORK[body[0]]
    if (kind == "integrated") != (len(raw) == 77):
        return None
    return kind, body[1:]


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

def _segwit(s: str, low: str) -> Address:
    hrp = low[:low.rfind("1")] if "1" in low else ""
    chain = _SEGWIT_HRPS.get(hrp, "BTC")
    decoded = segwit_decode(s)
    if decoded is None:
        return Address(chain, low, "segwit", False, "bech32/bech32m checksum or format wrong")
    _, version, program = decoded
    kind = "P2TR (bech32m)" if version == 1 and len(program) == 32 else (
        f"witness v{version} (bech32m)" if version else
        ("P2WPKH (bech32)" if len(program) == 20 else "P2WSH (bech32)"))
    return Address(chain, low, kind, True)


def _evm(s: str) -> Address:
    canon = "0x" + s[2:].lower()
    body = s[2:]
    letters = [c for c in body if c.isalpha()]
    if not letters or all(c.islower() for c in letters) or all(c.isupper() for c in letters):
        return Address("ETH", canon, "account (no checksum)", True)
    ok = eip55(canon) == "0x" + body
    return Address("ETH", canon, "account (EIP-55)", ok, "" if ok else "EIP-55 checksum wrong")


def _base58check(s: str) -> Address | None:
    payload = b58check(s)
    if payload is not None:
        for prefix, (chain, kind) in _BASE58_VERSIONS.items():
            if payload.startswith(prefix) and len(payload) == len(prefix) + 20:
                return Address(chain, s, kind, True)
    if s[0] == "T" and len(s) == 34:
        return Address("TRON", s, "base58check 0x41", False, "base58check wrong")
    if s[0] in "13mn2" and 26 <= len(s) <= 35:
        return Address("BTC", s, "base58check", False, "base58check checksum or version wrong")
    return None


def classify(text: str) -> Address | None:
    """Recognise ``text`` as an address of a known chain (valid or not); None if it is none."""
    s = text.strip()
    low = s.lower()
    if low.startswith(("bc1", "tb1", "ltc1", "btg1")):
        return _segwit(s, low)
    if low.startswith("bitcoincash:") or (len(s) == 42 and low[0] in "qp"
                                          and all(c in _BECH32_INDEX for c in low)):
        decoded = cashaddr_decode(s)
        canon = low if ":" in low else "bitcoincash:" + low
        if decoded is None:
            return (Address("BCH", canon, "CashAddr", False, "CashAddr checksum wrong")
                    if low.startswith("bitcoincash:") else None)
        return Address("BCH", canon, "CashAddr P2SH" if decoded[0] == 8 else "CashAddr P2PKH",
                       True)
    if re.fullmatch(r"0[xX][0-9a-fA-F]{40}", s):
        return _evm(s)
    if s[:1] in "48" and len(s) in (95, 106) and all(c in _B58_INDEX for c in s):
        decoded_xmr = xmr_decode(s)
        if decoded_xmr is None:
            return None
        return Address("XMR", s, f"Monero {decoded_xmr[0]}", True)
    if re.fullmatch(r"[0-9a-fA-F]{64}", s):
        return Address("HEX64", low, "hex-64 (a key or id, not an address format)", False,
                       "64 hex digits: reported only when listed")
    if 26 <= len(s) <= 36 and all(c in _B58_INDEX for c in s):
        return _base58check(s)
    return None


def normalise(address: str) -> str:
    """The canonical form used to look addresses up (case folded where the chain ignores case)."""
    found = classify(address)
    return found.address if found else address.strip()


def find_addresses(text: str) -> list[Address]:
    """Every address-shaped token in free text, classified: valid ones of every chain, and
    invalid ones of the shapes Bitcoin, EVM, TRON, segwit and CashAddr define (a broken
    address of those shapes is worth a look; other shapes are common in references)."""
    out: list[Address] = []
    for m in _CANDIDATES.finditer(text):
        found = classify(m.group(0))
        if found is None or found.chain == "HEX64":
            continue
        if found.valid or found.kind in ("segwit", "CashAddr") or found.chain == "ETH" or (
                found.address[:1] in _REPORT_INVALID):
            out.append(found)
    return out


def find_hex64(text: str) -> list[str]:
    """64-hex-digit tokens in text (lower case): looked up, never reported unless listed."""
    return [m.group(0).lower() for m in re.finditer(r"(?<![0-9A-Za-z])[0-9a-fA-F]{64}"
                                                    r"(?![0-9A-Za-z])", text)]
