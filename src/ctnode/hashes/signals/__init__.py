"""Signal types: how each kind of hash is validated, compared and computed.

One module per signal type, each with the same three things: ``normalise`` (a
value from outside → our canonical form, or ``HashFormatError``), ``distance``
(the brute-force comparison every index is tested against) and a hasher that
computes the hash with the maintained package (pdqhash, vpdq, hashlib), never
our own hashing code.

Validation delegates to python-threatexchange's ``SignalType.validate_signal_str``
so a value we accept is one HMA and the ``threatexchange`` CLI accept too.
"""

from __future__ import annotations

from ctnode.hashes.model import HashFormatError, SignalType, parse_enum
from ctnode.hashes.signals import files, pdq, vpdq


def normalise(signal_type: SignalType, value: str, *, field: str = "value") -> str:
    """Check a hash value from outside and return it in canonical form (lower-case hex, or
    ThreatExchange's vPDQ JSON). Raises ``HashFormatError`` naming the field."""
    if not isinstance(value, str):
        raise HashFormatError(f"{signal_type.value} hash must be a string", field=field)
    if len(value) > vpdq.MAX_VALUE_CHARS:
        raise HashFormatError(
            f"{signal_type.value} hash is too long ({len(value)} characters)", field=field
        )
    if signal_type is SignalType.PDQ:
        return pdq.normalise(value, field=field)
    if signal_type is SignalType.VPDQ:
        return vpdq.normalise(value, field=field)
    return files.normalise(signal_type, value, field=field)


def distance(signal_type: SignalType, a: str, b: str) -> int:
    """Brute-force distance between two normalised values: Hamming bits for PDQ, 0/1 for exact
    hashes. (vPDQ compares frame sets, not one distance: see ``vpdq.compare``.)"""
    if signal_type is SignalType.PDQ:
        return pdq.distance(a, b)
    if signal_type is SignalType.VPDQ:
        raise ValueError("vPDQ has no single distance; use ctnode.hashes.signals.vpdq.compare")
    return 0 if a == b else 1


def parse_signal_type(text: str, *, field: str = "signal_type") -> SignalType:
    """Our names and python-threatexchange's (``video_md5``, ``video_sha256``, ``HASH_PDQ``...)."""
    key = text.strip().lower()
    return parse_enum(SignalType, text, _ALIASES.get(key, key), what="signal type", field=field)


_ALIASES = {
    "video_md5": "md5",
    "hash_md5": "md5",
    "hash_video_md5": "md5",
    "video_sha256": "sha256",
    "hash_sha256": "sha256",
    "hash_video_sha256": "sha256",
    "sha-256": "sha256",
    "hash_pdq": "pdq",
}

__all__ = ["distance", "files", "normalise", "parse_signal_type", "pdq", "vpdq"]
