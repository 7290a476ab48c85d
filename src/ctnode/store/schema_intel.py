"""Tables of threat intelligence (STIX 2.1 objects in TAXII collections) and the
best-practice library (issue 17).

``intel_objects`` holds every version of every object of every collection, as
received (``body``: the JSON text), with what the TAXII selection needs in columns:
``seq`` orders the records of one collection with ``date_added``; a page is a keyset
walk over ``(collection_id, date_added, seq)``. ``intel_links`` is what a threat
actor or intrusion set says about a watchlist record (by its list reference).
``intel_status`` keeps the TAXII status resource of each POST; ``intel_sources`` the
other TAXII servers the node pulls from, with the checkpoint of each.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ctnode.store.columns import actor, at, dataset_ref, entity_ref, stamp, tlp
from ctnode.store.schema import metadata

intel_collections = Table(
    "intel_collections",
    metadata,
    Column("id", String(64), primary_key=True),  # a UUID, as TAXII clients expect
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("alias", String(64), nullable=True, unique=True),
    Column("writable", Boolean, nullable=False),  # whether TAXII clients may POST to it
    *stamp("created"),
    # the publishing peer of a copy shared under an agreement (read-only here); NULL: ours
    Column("owner", String(128), nullable=True),
)

intel_objects = Table(
    "intel_objects",
    metadata,
    Column("collection_id", String(64), ForeignKey("intel_collections.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),  # per collection, increasing
    Column("object_id", String(300), nullable=False),
    Column("type", String(250), nullable=False),
    Column("spec_version", String(8), nullable=False),
    at("version"),  # modified, else created, else date_added
    at("date_added"),
    tlp(),
    Column("revoked", Boolean, nullable=False),
    Column("body", Text, nullable=False),  # the object's JSON as received
    Column("source", String(300), nullable=False),  # provenance: file, taxii, pull, misp, peer
    actor("added_by"),
    UniqueConstraint("collection_id", "object_id", "version", "spec_version"),
    Index("ix_intel_objects_added", "collection_id", "date_added", "seq"),
    Index("ix_intel_objects_type", "collection_id", "type", "date_added", "seq"),
    Index("ix_intel_objects_object", "collection_id", "object_id"),
)

intel_links = Table(
    "intel_links",
    metadata,
    Column("collection_id", String(64), ForeignKey("intel_collections.id"), primary_key=True),
    Column("object_id", String(300), primary_key=True),
    entity_ref(primary_key=True),  # 255 wide, as every entity id (0021_intel_link_ids)
    dataset_ref(),
    Column("reference", String(128), nullable=False),  # as wide as entities.reference
    Column("object_type", String(250), nullable=False),
    Column("name", Text, nullable=True),
    Index("ix_intel_links_entity_id", "entity_id"),
)

intel_status = Table(
    "intel_status",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("collection_id", String(64), nullable=False),
    at("request_timestamp"),
    actor(),
    Column("successes", JSON, nullable=False),
    Column("failures", JSON, nullable=False),
)

intel_sources = Table(
    "intel_sources",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("collection_url", Text, nullable=False),  # the remote collection's URL
    Column("collection_id", String(64), ForeignKey("intel_collections.id"), nullable=False),
    Column("types", JSON, nullable=False),  # match[type] values; empty: every type
    Column("user", String(256), nullable=True),  # HTTP Basic user
    Column("secret_env", String(128), nullable=True),  # env variable holding password or token
    Column("auth", String(16), nullable=False),  # basic | bearer | none
    at("checkpoint", nullable=True),  # the remote's last X-TAXII-Date-Added-Last
    at("last_pull_at", nullable=True),
    Column("last_result", JSON, nullable=True),
    Column("enabled", Boolean, nullable=False),
    at("created_at"),
)
