"""Content-hash tables: banks, the hashes in them with their provenance, and match hits.

No content is ever stored, only hashes. A removed hash stays as a tombstone row
(``status = removed``) so its removal can reach every copy; the integer ``id`` of a
record is the key the in-memory matcher indexes it under.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, Index, Integer, String, Table, Text

from ctnode.store.columns import actor, at, part_of, sealed, stamp, tlp, uuid_key
from ctnode.store.schema import metadata

hash_banks = Table(
    "hash_banks",
    metadata,
    Column("name", String(64), primary_key=True),  # HMA's rule: A-Z, 0-9, _
    Column("enabled", Boolean, nullable=False),
    Column("kind", String(16), nullable=False),  # content | benign
    Column("pdq_threshold", Integer, nullable=False),  # bits of 256
    Column("vpdq_query_match_percent", Float, nullable=False),
    Column("vpdq_compared_match_percent", Float, nullable=False),
    Column("description", Text, nullable=False),
    Column("owner", String(128), nullable=False),  # publishing node id; "" = this node
    tlp("default_tlp"),
    *stamp("created"),
    at("changed_at"),
)

hash_records = Table(
    "hash_records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(32), nullable=False, unique=True),  # h-<sha256(bank, type, value)>
    part_of("bank", "hash_banks.name", String(64), index=True),
    Column("signal_type", String(16), nullable=False),  # pdq | vpdq | md5 | sha256
    Column("value", Text, nullable=False),
    Column("labels", JSON, nullable=False),  # taxonomy labels
    Column("tags", JSON, nullable=False),  # the source's own tags, verbatim
    tlp(),
    Column("quality", Integer, nullable=True),
    Column("status", String(16), nullable=False),  # active | quarantined | removed
    Column("note", Text, nullable=False),
    # provenance: where the hash came from
    Column("source_kind", String(8), nullable=False),  # node | file | local
    Column("source", Text, nullable=False),
    at("added_at"),  # when the source says it was added
    Column("original_id", Text, nullable=False),
    Column("source_format", String(32), nullable=False),
    # on this node
    at("stored_at"),
    at("changed_at", index=True),
    actor("changed_by"),
    Column("benign_matches", Integer, nullable=False),  # queries that also matched a benign bank
)

hash_hits = Table(
    "hash_hits",
    metadata,
    uuid_key(),
    part_of("record_key", "hash_records.id", Integer(), index=True),
    Column("record_id", String(32), nullable=False),
    Column("bank", String(64), nullable=False),
    Column("query_signal", String(16), nullable=False),
    Column("query_hash", Text, nullable=False),  # the query's hash (never its content)
    Column("distance", Integer, nullable=False),
    Column("threshold", Integer, nullable=False),
    Column("variant", String(32), nullable=False),
    Column("explanation", Text, nullable=False),
    actor(),
    at(),
    Column("decision", String(32), nullable=True),  # confirmed | not_terrorist_content | unsure
    Column("comment", Text, nullable=True),
    actor("decided_by", nullable=True),
    at("decided_at", nullable=True),
    Index("ix_hash_hits_decision_at", "decision", "at"),
)

# Which peer was sent a copy of which hash (bank deltas under ``hashes:<BANK>`` agreements), so
# a removal reaches every copy even after the peer's agreement stopped covering the hash.
hash_copies = Table(
    "hash_copies",
    metadata,
    Column("record_id", String(32), primary_key=True),
    Column("peer_id", String(128), primary_key=True),
)

# The forensics store (off unless CTNODE_HASH_FORENSICS_DAYS > 0): content an admin chose to
# keep, sealed with the node's data key, deleted by the hash-forensics job when it expires.
hash_forensics = Table(
    "hash_forensics",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("content_type", String(16), nullable=False),
    Column("size", Integer, nullable=False),
    sealed(),  # NodeKey.seal(content, "hash-forensics:<id>")
    Column("reason", Text, nullable=False),
    *stamp("kept"),
    at("expires_at", index=True),
)
