"""Tables of the federation: peers, agreements, nonces, hit references, disclosures,
list-update deltas and their receipts, alerts, and signed audit checkpoints.

They live on the shared ``metadata``; Alembic revision ``0003_federation`` creates them.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, String, Table, Text

from ctnode.store.schema import TS, metadata

# The coordinators' directory: peers an admin added by their signed descriptor.
fed_peers = Table(
    "fed_peers",
    metadata,
    Column("node_id", String(128), primary_key=True),
    Column("organisation", Text, nullable=False),
    Column("country", String(8), nullable=False),
    Column("contact", Text, nullable=False),
    Column("endpoint", Text, nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("descriptor", JSON, nullable=False),  # the signed descriptor as received
    Column("status", String(16), nullable=False),  # active | removed
    Column("added_at", TS, nullable=False),
    Column("added_by", String(128), nullable=False),
    Column("removed_at", TS, nullable=True),
)

# Sharing agreements, one per peer and direction (outbound: what I share with the peer,
# enforced here; inbound: what the peer shares with me, used to choose whom to ask).
fed_agreements = Table(
    "fed_agreements",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("peer_id", String(128), nullable=False, index=True),
    Column("direction", String(16), nullable=False),  # outbound | inbound
    Column("lists", JSON, nullable=False),  # dataset names, or ["*"]
    Column("purposes", JSON, nullable=False),
    Column("rate_per_minute", Integer, nullable=False),
    Column("max_disclosure", String(16), nullable=False),  # hit | reference | fields
    Column("fields", JSON, nullable=False),  # properties released after approval
    Column("subscribed", Boolean, nullable=False),  # list updates and alerts flow
    Column("expires_at", TS, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("revoked_at", TS, nullable=True),
    # biometric modalities ("face", "fingerprint") the peer may probe; null/[] = none
    Column("biometrics", JSON, nullable=True),
    Column("copy_fields", JSON, nullable=True),  # what copies carry (subscriptions); NULL: names
    Column("hash_labels", JSON, nullable=True),  # labels hashes must carry to be sent; NULL: all
)

# Nonces of received messages (replay protection; also the rate-limit window).
fed_nonces = Table(
    "fed_nonces",
    metadata,
    Column("sender", String(128), primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("msg_type", String(64), nullable=False),
    Column("received_at", TS, nullable=False, index=True),
)

# Opaque references handed to a peer on a hit; the only link back to the entity.
fed_hit_refs = Table(
    "fed_hit_refs",
    metadata,
    Column("ref", String(64), primary_key=True),
    Column("peer_id", String(128), nullable=False, index=True),
    Column("entity_id", String(255), nullable=False),
    Column("band", String(16), nullable=False),
    Column("query_hash", String(64), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
)

# Staged disclosure requests, both those a peer sent me (incoming) and mine (outgoing).
fed_disclosures = Table(
    "fed_disclosures",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("direction", String(16), nullable=False),  # incoming | outgoing
    Column("peer_id", String(128), nullable=False, index=True),
    Column("remote_id", String(36), nullable=True),  # the other side's id for the request
    Column("ref", String(64), nullable=False),
    Column("entity_id", String(255), nullable=True),  # incoming only
    Column("purpose", Text, nullable=True),
    Column("legal_basis", Text, nullable=True),
    Column("case_ref", Text, nullable=True),
    Column("justification", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending | approved | refused | expired
    Column("reason", Text, nullable=True),
    Column("requested_by", String(128), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("decided_at", TS, nullable=True),
    Column("decided_by", String(128), nullable=True),
    Column("expires_at", TS, nullable=True),
    Column("fields", JSON, nullable=True),  # released values (purged at expiry)
    Column("decision", JSON, nullable=True),  # the signed decision envelope
)

# List-update deltas this node sent to subscribed peers.
fed_deltas = Table(
    "fed_deltas",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("dataset", String(64), nullable=False),
    Column("version", String(128), nullable=True),
    Column("import_id", Integer, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("summary", JSON, nullable=False),
    Column("payload", JSON, nullable=False),  # the message body (for re-sending)
)

# One row per (delta, peer): pending until the peer's signed receipt arrives.
fed_receipts = Table(
    "fed_receipts",
    metadata,
    Column("delta_id", String(36), primary_key=True),
    Column("peer_id", String(128), primary_key=True),
    Column("status", String(16), nullable=False),  # pending | applied | refused | failed
    Column("detail", JSON, nullable=False),
    Column("receipt", JSON, nullable=True),  # the signed receipt envelope
    Column("updated_at", TS, nullable=False),
)

# Alerts: received (the inbox) and sent.
fed_alerts = Table(
    "fed_alerts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("direction", String(16), nullable=False),  # incoming | outgoing
    Column("peer_id", String(128), nullable=True),  # sender (incoming)
    Column("kind", String(32), nullable=False),  # new_listing | delisting | urgent | list_update
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("detail", JSON, nullable=False),
    Column("at", TS, nullable=False, index=True),
    Column("read_at", TS, nullable=True),
)

# Signed audit checkpoints: this node's own and those received from peers.
fed_checkpoints = Table(
    "fed_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("node_id", String(128), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("at", String(40), nullable=False),  # the signed timestamp, as signed
    Column("signature", String(128), nullable=False),
    Column("received_at", TS, nullable=False),
)
