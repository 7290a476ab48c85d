"""The forensics store: content is never kept (hash only) unless an admin enables this store
(``CTNODE_HASH_FORENSICS_DAYS`` > 0) and keeps an item with a stated reason. Each item is
sealed with the node's data key (bound to its id), kept for the configured days, and deleted
by the ``hash-forensics`` job when it expires; listing and opening are audited."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ctnode.clock import utcnow
from ctnode.errors import InvalidInput
from ctnode.hashes.model import FileHashes
from ctnode.model.access import SYSTEM, Actor
from ctnode.services.context import Context

if TYPE_CHECKING:  # the key's module brings the biometric engines: imported where built
    from ctnode.services.datakey import LazyKey

MAX_REASON = 500


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """An item's metadata as the API shows it (never the sealed bytes)."""
    out = {k: v for k, v in row.items() if k != "sealed"}
    for name in ("kept_at", "expires_at"):
        if isinstance(out.get(name), datetime):
            out[name] = out[name].isoformat()
    return out


class HashForensics:
    """Keep, list, open and purge sealed content (``hashes.forensics``, admins)."""

    def __init__(self, ctx: Context, key: LazyKey) -> None:
        self.ctx = ctx
        self.key = key
        self.store = ctx.store.hashes

    @property
    def days(self) -> int:
        return self.ctx.settings.hash_forensics_days

    def keep(self, actor: Actor, data: bytes, hashed: FileHashes, reason: str) -> dict[str, Any]:
        """Keep one file's content, sealed, until the retention ends. Refused while the store
        is off, and without a reason."""
        self.ctx.require(actor, "hashes.forensics")
        if self.days <= 0:
            raise InvalidInput(
                "the forensics store is off: content is never kept (an admin enables it with "
                "CTNODE_HASH_FORENSICS_DAYS, the days an item is kept)"
            )
        reason = " ".join(reason.split())
        if not reason or len(reason) > MAX_REASON:
            raise InvalidInput(f"reason: say why the content is kept (1-{MAX_REASON} characters)")
        now = utcnow()
        item_id = str(uuid.uuid4())
        row = {
            "id": item_id,
            "sha256": hashed.sha256,
            "name": hashed.name[:200],
            "content_type": hashed.content_type.value,
            "size": len(data),
            "sealed": self.key.seal(data, f"hash-forensics:{item_id}"),
            "reason": reason,
            "kept_at": now,
            "kept_by": actor.name,
            "expires_at": now + timedelta(days=self.days),
        }
        with self.ctx.store.begin() as conn:
            self.store.add_forensic(conn, row)
            self.ctx.audit.record(
                "hashes.forensics.keep",
                actor,
                conn=conn,
                result_ids=[item_id],
                detail={k: v for k, v in _public(row).items() if k not in ("id", "kept_by")},
            )
        return _public(row)

    def list(self, actor: Actor, *, limit: int = 100) -> list[dict[str, Any]]:
        self.ctx.require(actor, "hashes.forensics")
        rows = [_public(r) for r in self.store.list_forensics(limit=limit)]
        self.ctx.audit.record(
            "hashes.forensics.list",
            actor,
            result_ids=[r["id"] for r in rows][:1000],
            detail={"count": len(rows)},
        )
        return rows

    def open(self, actor: Actor, item_id: str) -> tuple[dict[str, Any], bytes]:
        """One item's metadata and content (unsealed here, for this caller only)."""
        self.ctx.require(actor, "hashes.forensics")
        row = self.store.get_forensic(item_id)
        data = self.key.open(row["sealed"], f"hash-forensics:{item_id}")
        self.ctx.audit.record(
            "hashes.forensics.open",
            actor,
            result_ids=[item_id],
            detail={"sha256": row["sha256"], "size": row["size"], "name": row["name"]},
        )
        return _public(row), data

    def purge(self, actor: Actor, *, now: datetime | None = None) -> int:
        """Delete the items past their retention (the ``hash-forensics`` job). Audited when
        something was deleted, or when a person asked."""
        with self.ctx.store.begin() as conn:
            gone = self.store.purge_forensics(conn, now or utcnow())
            if gone or actor != SYSTEM:
                self.ctx.audit.record(
                    "hashes.forensics.purge",
                    actor,
                    conn=conn,
                    result_ids=gone[:1000],
                    detail={"deleted": len(gone)},
                )
        return len(gone)
