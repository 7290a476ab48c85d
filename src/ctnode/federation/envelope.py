"""Signed envelopes: every message between nodes is one.

An envelope is a JSON object with the protocol version, the message type, sender
and recipient node ids, a UTC timestamp, a random nonce, the body, and an Ed25519
signature over the canonical JSON of everything but the signature. The receiver
checks, in this order: shape, recipient, sender known, signature, timestamp
window, nonce never seen; each failure is a refusal with its own reason.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ctnode.audit.chain import canonical_json
from ctnode.clock import format_ts, parse_ts, utcnow
from ctnode.errors import Refused
from ctnode.federation.identity import Identity, verify_payload

PROTOCOL_VERSION = 1

# The string fields every envelope carries besides its body and signature.
ADDRESSING = ("type", "sender", "recipient", "timestamp", "nonce")
# Every message type of the protocol; docs/federation.md documents each (a test checks).
MESSAGE_TYPES: dict[str, str] = {
    "ping": "Liveness and key check; answered with pong.",
    "pong": "Answer to ping.",
    "screen.request": "Hit/no-hit query: subject, purpose, legal basis, case reference.",
    "screen.response": "Answer to a query: hit or no_hit, opaque references and score bands.",
    "disclosure.request": "Ask the holder for the record behind a hit reference.",
    "disclosure.ack": "The holder received a disclosure request (pending a person's decision).",
    "disclosure.status": "Ask for the decision on a disclosure request.",
    "disclosure.decision": "A person's approval (with the released fields) or refusal.",
    "list.delta": "Added, changed and delisted records of a list the peer subscribes to.",
    "list.receipt": "Signed receipt: the delta was applied (or why not).",
    "hashes.delta": "Hashes added to and removed from a bank the peer subscribes to (no content).",
    "hashes.receipt": "Signed receipt: the hash delta was applied (or why not).",
    "hashes.notice": "To a bank's publisher: its hashes matched here, or were quarantined.",
    "intel.delta": (
        "STIX objects added to and removed (revoked, deleted) from a threat intelligence "
        "collection the peer subscribes to, cut by TLP."
    ),
    "intel.receipt": "Signed receipt: the collection delta was applied (or why not).",
    "intel.sighting": "To an object's producer: a STIX sighting of it recorded at the sender.",
    "library.delta": (
        "Library documents (metadata, texts, original) added and withdrawn, for a peer "
        "subscribed to the library, cut by TLP."
    ),
    "library.receipt": "Signed receipt: the library delta was applied (or why not).",
    "alert": "New listing, delisting or urgent notice for the peer's inbox.",
    "ack": "The message was received and recorded (answer to alert, disclosure.decision, "
    "hashes.notice and intel.sighting).",
    "checkpoint.request": "Ask for the peer's newest signed audit checkpoint.",
    "checkpoint": "A signed audit checkpoint: chain head (seq, hash) at a time.",
    "refusal": "The request was refused; the reason is machine-readable.",
    "key.notice": (
        "The sender's key changed (rotated, or revoked as compromised): the envelope carries the "
        "key change certificates; the receiver updates its directory and acknowledges."
    ),
    "hit.notice": (
        "To a list's publisher: records of its list hit here (ids, band), who asked, purpose, "
        "legal basis, case; never the query."
    ),
    "checkpoint.notice": "A signed audit checkpoint the sender made, for the receiver to keep.",
    "checkpoint.held": "Ask a peer for the sender's own checkpoints it keeps (anchored audit).",
    "checkpoint.copies": "The requester's signed checkpoints this node keeps (newest last).",
    "biometric.request": (
        "Biometric hit/no-hit query: a face or fingerprint template (never an image) with its "
        "model and engine, purpose, legal basis, case reference."
    ),
    "biometric.response": (
        "Answer to a biometric query: hit (opaque reference and band), no_hit, or "
        "incompatible_model (nothing compared); the holder keeps only the probe's hash."
    ),
}

# Reasons a message or request is refused; docs/federation.md lists them.
REFUSAL_REASONS: dict[str, str] = {
    "malformed": "The envelope is not a valid JSON envelope of a known type (or is nested too "
    "deeply, holds a NUL or a lone surrogate, or names another sender than its header).",
    "too_large": "The message is larger than CTNODE_FEDERATION_MAX_MESSAGE_BYTES (HTTP 413).",
    "unsigned": "The envelope carries no signature.",
    "wrong_recipient": "The envelope is addressed to another node.",
    "unknown_sender": "The sender is not in this node's directory (or was removed).",
    "bad_signature": "The signature does not verify with the sender's registered key (nor with "
    "a newer key its key change certificates lead to).",
    "revoked_key": "The envelope is signed with a key its node revoked as compromised.",
    "stale": "The timestamp is outside the accepted clock window.",
    "replayed": "The nonce was seen before from this sender.",
    "no_agreement": "No sharing agreement covers the sender.",
    "expired": "The sharing agreement has expired.",
    "purpose": "The stated purpose is not one the agreement allows.",
    "rate": "The sender is above the agreement's rate limit.",
    "list_not_shared": "A requested list is not shared under the agreement.",
    "missing_legal_basis": "The query lacks a purpose, legal basis or case reference.",
    "disclosure_level": "The agreement does not allow this level of disclosure.",
    "unknown_reference": "The hit reference is unknown, expired or not the sender's.",
    "not_subscribed": "The sender may not send list updates or alerts here.",
    "not_publisher": "The list is held locally here or published by another node: only its "
    "publisher may change it.",
    "id_collision": "An entity id of the delta already belongs to another list here.",
    "biometric_not_agreed": "The agreement does not allow biometric queries of that modality.",
}


@dataclass(frozen=True, slots=True)
class Envelope:
    type: str
    sender: str
    recipient: str
    timestamp: str
    nonce: str
    body: dict[str, Any] = field(default_factory=dict)
    signature: str = ""
    v: int = PROTOCOL_VERSION
    # The sender's newest key change certificates (identity.KeyChange), outside the
    # signature: each is signed by the keys it links, so a peer that still knows an older
    # key can follow the chain to the one that signed this envelope.
    key_changes: list[dict[str, Any]] = field(default_factory=list)

    def signed_part(self) -> dict[str, Any]:
        """Everything but the signature: what is signed."""
        return {"v": self.v, **{k: getattr(self, k) for k in (*ADDRESSING, "body")}}

    def to_dict(self) -> dict[str, Any]:
        out = {**self.signed_part(), "signature": self.signature}
        if self.key_changes:
            out["key_changes"] = self.key_changes
        return out

    def digest(self) -> str:
        """SHA-256 of the canonical envelope (what the audit records instead of the content)."""
        return hashlib.sha256(canonical_json(self.to_dict()).encode()).hexdigest()

    @property
    def sent_at(self) -> datetime:
        return parse_ts(self.timestamp)

    @classmethod
    def parse(cls, data: Any) -> Envelope:
        """Shape check only; raises ``Refused('malformed'|'unsigned')``."""
        if not isinstance(data, dict):
            raise Refused("the message is not a JSON object", "malformed")
        for name in ADDRESSING:
            if not isinstance(data.get(name), str) or not data[name]:
                raise Refused(f"envelope field {name!r} missing or not a string", "malformed")
        if data.get("v") != PROTOCOL_VERSION:
            raise Refused(f"unsupported protocol version {data.get('v')!r}", "malformed")
        if data["type"] not in MESSAGE_TYPES:
            raise Refused(f"unknown message type {data['type']!r}", "malformed")
        if not isinstance(data.get("body"), dict):
            raise Refused("envelope body must be an object", "malformed")
        if len(data["nonce"]) > 64 or len(data["sender"]) > 128:
            raise Refused("nonce or sender too long", "malformed")
        sig = data.get("signature")
        if not sig:
            raise Refused("the message is not signed", "unsigned")
        if not isinstance(sig, str):
            raise Refused("signature must be a base64 string", "malformed")
        changes = data.get("key_changes") or []
        if not isinstance(changes, list) or len(changes) > 8:
            raise Refused("key_changes must be a list of at most 8 certificates", "malformed")
        env = cls(**{k: data[k] for k in (*ADDRESSING, "body")}, signature=sig,
                  key_changes=[c for c in changes if isinstance(c, dict)])
        try:
            at = env.sent_at
        except ValueError:
            raise Refused("timestamp is not ISO 8601", "malformed") from None
        if at.tzinfo is None:
            raise Refused("timestamp must carry a time zone (UTC)", "malformed")
        return env

    def verify_signature(self, public_key: str) -> bool:
        return verify_payload(public_key, self.signed_part(), self.signature)

    def check_fresh(self, max_skew: float, now: datetime | None = None) -> None:
        skew = abs(((now or utcnow()) - self.sent_at).total_seconds())
        if skew > max_skew:
            raise Refused(
                f"timestamp {self.timestamp} is {skew:.0f} s away from this node's "
                f"clock (window {max_skew:.0f} s)",
                "stale",
            )


def seal(
    identity: Identity,
    msg_type: str,
    recipient: str,
    body: dict[str, Any],
    *,
    at: datetime | None = None,
    nonce: str | None = None,
) -> Envelope:
    """A new signed envelope from this node."""
    env = Envelope(
        type=msg_type,
        sender=identity.node_id,
        recipient=recipient,
        timestamp=format_ts(at or utcnow()),
        nonce=nonce or secrets.token_hex(16),
        body=body,
        key_changes=identity.key_changes,
    )
    return replace(env, signature=identity.sign(env.signed_part()))
