"""The column kinds every area's tables share, defined once.

A table names its own columns; what recurs across areas (a row id, who did something and
when, the purpose triple a query carries, a reference to a listed entity or a peer, a score
band, a TLP) is made here, so the same thing has the same type everywhere. Each factory
returns a new ``Column`` (a column belongs to one table). The Alembic migrations spell the
same columns out: changing a factory changes the schema, and ``tests/store/test_migrations.py``
then fails until a new revision follows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, LargeBinary, String, Text
from sqlalchemy.types import TypeEngine

TS = DateTime(timezone=True)


def uuid_key() -> Column[str]:
    """The row id of a table whose rows are named by a UUID (``id``)."""
    return Column("id", String(36), primary_key=True)


def at(name: str = "at", *, nullable: bool = False, index: bool | None = None) -> Column[Any]:
    """A point in time, with its time zone."""
    return Column(name, TS, nullable=nullable, index=index)


def actor(name: str = "actor", *, nullable: bool = False, index: bool | None = None) -> Column[str]:
    """Who did something: an actor name (a user, an API key's name, a peer node id)."""
    return Column(name, String(128), nullable=nullable, index=index)


def stamp(verb: str, *, nullable: bool = False) -> tuple[Column[Any], Column[str]]:
    """When and by whom a row was ``verb``-ed: ``<verb>_at`` then ``<verb>_by``."""
    return at(f"{verb}_at", nullable=nullable), actor(f"{verb}_by", nullable=nullable)


def purpose_columns() -> tuple[Column[str], Column[str], Column[str]]:
    """What a query or request was for: purpose, legal basis and case reference (optional)."""
    return (Column("purpose", Text, nullable=True), Column("legal_basis", Text, nullable=True),
            Column("case_ref", Text, nullable=True))


def entity_ref(*, nullable: bool = False, index: bool | None = None, primary_key: bool = False,
               cascade_from: str | None = None) -> Column[str]:
    """A listed entity's id (``entity_id``); ``cascade_from="entities.id"`` deletes the row
    with the entity."""
    fk = [ForeignKey(cascade_from, ondelete="CASCADE")] if cascade_from else []
    if primary_key:
        return Column("entity_id", String(255), *fk, primary_key=True, index=index)
    return Column("entity_id", String(255), *fk, nullable=nullable, index=index)


def peer_ref(name: str = "peer_id", *, nullable: bool = False, index: bool | None = None,
             primary_key: bool = False) -> Column[str]:
    """A peer node's id, as in its signed descriptor."""
    if primary_key:
        return Column(name, String(128), primary_key=True)
    return Column(name, String(128), nullable=nullable, index=index)


def dataset_ref(name: str = "dataset", *, index: bool | None = None,
                primary_key: bool = False) -> Column[str]:
    """The name of a list (dataset): the one a row belongs to, or the list's own."""
    if primary_key:
        return Column(name, String(64), primary_key=True)
    return Column(name, String(64), nullable=False, index=index)


def subject_key() -> Column[str]:
    """The keyed hash naming a screened subject (never the subject's data)."""
    return Column("subject_key", String(64), nullable=False, index=True)


def query_hash(*, nullable: bool = False) -> Column[str]:
    """The keyed hash of a screening query."""
    return Column("query_hash", String(64), nullable=nullable)


def band(name: str = "band", *, nullable: bool = False) -> Column[str]:
    """A score band: match | possible | no match."""
    return Column(name, String(16), nullable=nullable)


def tlp(name: str = "tlp") -> Column[str]:
    """A Traffic Light Protocol label (clear | green | amber | amber+strict | red)."""
    return Column(name, String(16), nullable=False)


def sealed(name: str = "sealed", *, nullable: bool = False) -> Column[bytes]:
    """Bytes sealed with the node's data key (``NodeKey.seal``, bound to the row): personal
    data, images, templates or secrets, never held in clear."""
    return Column(name, LargeBinary, nullable=nullable)


def part_of(name: str, parent: str, type_: TypeEngine[Any], *, nullable: bool = False,
            index: bool | None = None, primary_key: bool = False) -> Column[Any]:
    """A reference to the row this one is part of (``parent``, "table.column"): the row is
    deleted with it."""
    fk = ForeignKey(parent, ondelete="CASCADE")
    if primary_key:
        return Column(name, type_, fk, primary_key=True)
    return Column(name, type_, fk, nullable=nullable, index=index)
