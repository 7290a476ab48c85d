"""Tables of the federation: peers, agreements, nonces, hit references, disclosures,
list-update deltas and their receipts, alerts, and signed audit checkpoints.

They live on the shared ``metadata``; Alembic revision ``0003_federation`` creates them.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, String, Table, Text

from ctnode.store.columns import (
    actor,
    at,
    band,
    dataset_ref,
    entity_ref,
    peer_ref,
    purpose_columns,
    query_hash,
    stamp,
    uuid_key,
)
from ctnode.store.schema import metadata


def _way() -> Column[str]:
    """Which way a disclosure request or an alert went: incoming | outgoing."""
    return Column("direction", String(16), nullable=False)


# The coordinators' directory: peers an admin added by their signed descriptor.
fed_peers = Table(
    "fed_peers",
    metadata,
    peer_ref("node_id", primary_key=True),
    Column("organisation", Text, nullable=False),
    Column("country", String(8), nullable=False),
    Column("contact", Text, nullable=False),
    Column("endpoint", Text, nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("descriptor", JSON, nullable=False),  # the signed descriptor as received
    Column("status", String(16), nullable=False),  # active | removed
    *stamp("added"),
    at("removed_at", nullable=True),
)

# Sharing agreements, one per peer and direction (outbound: what I share with the peer,
# enforced here; inbound: what the peer shares with me, used to choose whom to ask).
fed_agreements = Table(
    "fed_agreements",
    metadata,
    uuid_key(),
    peer_ref(index=True),
    Column("direction", String(16), nullable=False),  # outbound | inbound
    Column("lists", JSON, nullable=False),  # dataset names, or ["*"]
    Column("purposes", JSON, nullable=False),
    Column("rate_per_minute", Integer, nullable=False),
    Column("max_disclosure", String(16), nullable=False),  # hit | reference | fields
    Column("fields", JSON, nullable=False),  # properties released after approval
    Column("subscribed", Boolean, nullable=False),  # list updates and alerts flow
    at("expires_at"),
    *stamp("created"),
    at("revoked_at", nullable=True),
    # biometric modalities ("face", "fingerprint") the peer may probe; null/[] = none
    Column("biometrics", JSON, nullable=True),
    Column("copy_fields", JSON, nullable=True),  # what copies carry (subscriptions); NULL: names
    # the most a scoped delta (intel, library, hashes) carries: clear|green|amber|amber+strict;
    # NULL: what TLP itself allows (AMBER; AMBER+STRICT to a node of the same organisation)
    Column("max_tlp", String(16), nullable=True),
    Column("hash_labels", JSON, nullable=True),  # labels hashes must carry to be sent; NULL: all
)

# Nonces of received messages (replay protection; also the rate-limit window).
fed_nonces = Table(
    "fed_nonces",
    metadata,
    peer_ref("sender", primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("msg_type", String(64), nullable=False),
    at("received_at", index=True),
    # what the message counts against the sender's rate: names of a screen request,
    # templates of a biometric one, else 1 (issue 13)
    Column("units", Integer, nullable=False, server_default="1"),
)

# Opaque references handed to a peer on a hit; the only link back to the entity.
fed_hit_refs = Table(
    "fed_hit_refs",
    metadata,
    Column("ref", String(64), primary_key=True),
    peer_ref(index=True),
    entity_ref(),
    band(),
    query_hash(),
    at("created_at"),
    at("expires_at"),
)

# Staged disclosure requests, both those a peer sent me (incoming) and mine (outgoing).
fed_disclosures = Table(
    "fed_disclosures",
    metadata,
    uuid_key(),
    _way(),
    peer_ref(index=True),
    Column("remote_id", String(36), nullable=True),  # the other side's id for the request
    Column("ref", String(64), nullable=False),
    entity_ref(nullable=True),  # incoming only
    *purpose_columns(),
    Column("justification", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending | approved | refused | expired
    Column("reason", Text, nullable=True),
    actor("requested_by"),
    at("created_at"),
    *stamp("decided", nullable=True),
    at("expires_at", nullable=True),
    Column("fields", JSON, nullable=True),  # released values (purged at expiry)
    Column("decision", JSON, nullable=True),  # the signed decision envelope
)

# List-update deltas this node sent to subscribed peers.
fed_deltas = Table(
    "fed_deltas",
    metadata,
    uuid_key(),
    dataset_ref(),
    Column("version", String(128), nullable=True),
    Column("import_id", Integer, nullable=False),
    at("created_at"),
    Column("summary", JSON, nullable=False),
    Column("payload", JSON, nullable=False),  # the message body (for re-sending)
)

# One row per (delta, peer): pending until the peer's signed receipt arrives.
fed_receipts = Table(
    "fed_receipts",
    metadata,
    Column("delta_id", String(36), primary_key=True),
    peer_ref(primary_key=True),
    Column("status", String(16), nullable=False),  # pending | applied | refused | failed
    Column("detail", JSON, nullable=False),
    Column("receipt", JSON, nullable=True),  # the signed receipt envelope
    at("updated_at"),
)

# Deltas this node applied, per sender and kind, with the answer it gave: the same delta sent
# again (its receipt reached the sender after the sender's deadline, then ``ctnode updates
# retry``) is answered with that first receipt instead of being applied twice; a body that
# differs under the same id is another delta, applied (0022_applied_deltas).
fed_applied_deltas = Table(
    "fed_applied_deltas",
    metadata,
    peer_ref("sender", primary_key=True),
    Column("msg_type", String(64), primary_key=True),
    Column("delta_id", String(64), primary_key=True),
    Column("body_sha256", String(64), primary_key=True),  # of the delta's canonical body
    Column("answer", JSON, nullable=False),  # the receipt's body as first answered
    at("applied_at", index=True),
)

# Alerts: received (the inbox) and sent.
fed_alerts = Table(
    "fed_alerts",
    metadata,
    uuid_key(),
    _way(),
    peer_ref(nullable=True),  # sender (incoming)
    Column("kind", String(32), nullable=False),  # new_listing | delisting | urgent | list_update
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("detail", JSON, nullable=False),
    at(index=True),
    at("read_at", nullable=True),
)

# Hit notices waiting for their publisher (issue 13): every screen that hits a record of a
# list held as a copy queues one per publisher; the server sends them (at once, and again
# on its scheduler while the publisher cannot be reached). ``sent_at`` set: done.
fed_hit_notices = Table(
    "fed_hit_notices",
    metadata,
    uuid_key(),  # also the notice_id the publisher sees
    peer_ref("publisher", index=True),
    Column("hits", JSON, nullable=False),  # [{entity_id, list, band}], at most 50
    Column("requester", JSON, nullable=False),  # {who, role, source}; node_id added when sent
    *purpose_columns(),
    *stamp("queued"),
    Column("attempts", Integer, nullable=False, default=0),
    at("claimed_at", nullable=True),  # a sender took it (another waits till it is stale)
    at("sent_at", nullable=True, index=True),  # done: delivered, refused or given up
    Column("outcome", Text, nullable=True),  # the last attempt's outcome
)

# Signed audit checkpoints: this node's own and those received from peers.
fed_checkpoints = Table(
    "fed_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    peer_ref("node_id", index=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("at", String(40), nullable=False),  # the signed timestamp, as signed
    Column("signature", String(128), nullable=False),
    at("received_at"),
)

# Key changes (rotations and revocations), this node's own and its peers', each with the
# certificate that proves it (the new descriptor signed by the old key and the new one).
fed_key_changes = Table(
    "fed_key_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("node_id", String(128), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # rotate | revoke
    Column("old_key", String(64), nullable=False, index=True),
    Column("new_key", String(64), nullable=False),
    Column("at", String(40), nullable=False),  # as signed
    Column("reason", Text, nullable=False),
    Column("certificate", JSON, nullable=False),
    at("received_at"),
)

# Records of the lists this node publishes that their owner restricted: no copies, query
# only. Full syncs and deltas leave them out; subscribers that held one got a ``withdrawn``.
fed_restrictions = Table(
    "fed_restrictions",
    metadata,
    entity_ref(primary_key=True),
    dataset_ref(),
    Column("reason", Text, nullable=False),
    *stamp("restricted"),
)
