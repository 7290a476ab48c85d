"""Listed crypto wallets (FtM ``CryptoWallet``) and their exact finding in payments.

``WalletIndex`` is built from entities (``node.store.iter_entities(schema="CryptoWallet")``
or any iterable of ``Entity``). Lookup is exact on the canonical address form
(bech32 and hex addresses compared case-insensitively, base58 exactly), never
fuzzy: a wallet address either is listed or is not. Every chain of
:mod:`ctnode.payments.crypto` is recognised; a 64-hex-digit token (how OFAC lists one
Monero key) is looked up but reported only when listed. ``NaiveWalletIndex`` is the
brute-force reference the fast index is tested against.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ctnode.model.entities import Entity
from ctnode.payments.crypto import Address, classify, find_addresses, find_hex64, normalise

# Properties of a CryptoWallet that hold its address (FtM: publicKey; some lists use others).
ADDRESS_PROPS = ("publicKey", "address", "accountId")


@dataclass(frozen=True, slots=True)
class ListedWallet:
    """One listed address with where it came from."""

    address: str
    entity_id: str
    dataset: str
    reference: str | None
    currency: str | None
    holder: str | None
    original: str


@dataclass(slots=True)
class WalletFinding:
    """An address found in a payment: where, what it is, and the listings it matches."""

    address: str
    chain: str
    kind: str
    valid: bool
    where: str
    listed: list[ListedWallet] = field(default_factory=list)
    reason: str = ""
    screening_id: str | None = None  # review-queue entry when a listed wallet was found


def listed_wallets(entities: Iterable[Entity]) -> list[ListedWallet]:
    out: list[ListedWallet] = []
    for entity in entities:
        if entity.schema != "CryptoWallet" or entity.status != "listed":
            continue
        currency = entity.first("currency")
        holder = entity.first("holder")
        for prop in ADDRESS_PROPS:
            for stmt in entity.statements:
                if stmt.prop == prop and stmt.value.strip():
                    out.append(ListedWallet(normalise(stmt.value), entity.id, entity.dataset,
                                            entity.reference, currency, holder, stmt.original))
    return out


class WalletIndex:
    """Exact lookup of listed addresses by canonical form (a dict)."""

    def __init__(self, entities: Iterable[Entity] = ()) -> None:
        self._by_address: dict[str, list[ListedWallet]] = {}
        for wallet in listed_wallets(entities):
            self._by_address.setdefault(wallet.address, []).append(wallet)

    def __len__(self) -> int:
        return len(self._by_address)

    def lookup(self, address: str) -> list[ListedWallet]:
        return list(self._by_address.get(normalise(address), ()))

    def scan(self, texts: Iterable[tuple[str, str]]) -> list[WalletFinding]:
        """Every address in ``texts`` ((where, text) pairs), once, with the listings it matches.

        Each text is read as it is, with its line breaks removed and with all blanks
        removed, so an address cut across 35-character lines is found too.
        """
        seen: set[str] = set()  # each address once, where it is first seen
        out: list[WalletFinding] = []
        for where, text in texts:
            # as written; with line breaks removed (an address cut across 35-character lines
            # between words); with every blank removed (cut inside a bare address)
            joined = text.replace("\r", "").replace("\n", "")
            compact = "".join(text.split())
            variants = list(dict.fromkeys((text, joined, compact)))
            found = [a for v in variants for a in find_addresses(v)]
            found += [a for h in dict.fromkeys(h for v in variants for h in find_hex64(v))
                      if h in self._by_address and (a := classify(h)) is not None]
            valid = [a.address.lower() for a in found if a.valid]
            for addr in found:
                # A piece of an address cut across lines is not reported on its own.
                if not addr.valid and any(addr.address.lower() in v for v in valid):
                    continue
                if addr.address in seen:
                    continue
                seen.add(addr.address)
                out.append(_finding(addr, where, self._by_address.get(addr.address, [])))
        return out


class NaiveWalletIndex:
    """Reference implementation: compares every listed address with every text, as substrings."""

    def __init__(self, entities: Iterable[Entity] = ()) -> None:
        self.wallets = listed_wallets(entities)

    def listed_in(self, texts: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """(canonical address, entity id) of every listed wallet that occurs in the texts."""
        found: set[tuple[str, str]] = set()
        for _where, text in texts:
            compact = "".join(text.split())
            for wallet in self.wallets:
                exact = wallet.original.strip()
                if _case_free(wallet.address):
                    hay = compact.lower()
                    needle = wallet.address.lower().removeprefix("bitcoincash:")
                else:
                    hay, needle = compact, exact
                if needle and needle in hay:
                    found.add((wallet.address, wallet.entity_id))
        return found


def _case_free(canonical: str) -> bool:
    """Address forms whose letters' case carries no meaning (hex, bech32, CashAddr)."""
    found = classify(canonical)
    return found is not None and (found.chain in {"ETH", "HEX64", "BCH"}
                                  or found.kind.endswith(("(bech32)", "(bech32m)")))


def _finding(addr: Address, where: str, listed: list[ListedWallet]) -> WalletFinding:
    return WalletFinding(address=addr.address, chain=addr.chain, kind=addr.kind,
                         valid=addr.valid, where=where, listed=list(listed), reason=addr.reason)
