"""The content-hash services (issue 16): banks and their hashes, hashing and matching, review.

``Hashes.build(ctx)`` makes them over one ``HashIndex`` (the node's matcher, kept in step
with the store). Engines: ``ctnode.hashes``; tables: ``ctnode.store.schema_hashes``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ctnode.services.context import Context
from ctnode.services.hashes.banks import HashBanks
from ctnode.services.hashes.forensics import HashForensics
from ctnode.services.hashes.index import HashIndex
from ctnode.services.hashes.matching import HashMatching


@dataclass(frozen=True, slots=True)
class Hashes:
    """``banks`` (banks, hashes, import/export), ``matching`` (hash, match, review) and
    ``forensics`` (content kept sealed, only when an admin enabled the store)."""

    index: HashIndex
    banks: HashBanks
    matching: HashMatching
    forensics: HashForensics

    @classmethod
    def build(cls, ctx: Context) -> Hashes:
        index = HashIndex(ctx.store.hashes, ctx.settings.hash_pdq_index)
        from ctnode.services.datakey import LazyKey  # the node's data key, on first use

        forensics = HashForensics(ctx, LazyKey(ctx.settings.key_dir))
        return cls(index, HashBanks(ctx, index), HashMatching(ctx, index), forensics)
