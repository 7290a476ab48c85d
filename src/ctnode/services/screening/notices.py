"""The owner learns of hits (issue 13): the outbox of hit notices every screen path fills.

A screen here that hits a record of a list this node holds as a copy from its publisher
(``datasets.source`` is ``peer:<node id>``) queues, in the store, one notice per publisher
naming the records hit (the publisher's own ids), the band, who asked (the actor, their
role and the screen's source: api, console, cli, batch, manifest, payments, peer), the
purpose, legal basis and case. Never the query: no names, dates or documents.

Every path queues the same way, whichever process screened: a single screen (API,
console, network answer, ``ctnode screen``) and a batch (file, manifest, payment file,
from the API or the command line; one notice per publisher per batch, of the distinct
records hit). Sending is the federation's (``ctnode.federation.hit_notices``): the server
sends at once what it queued itself, and its job ``hit-notices`` sends what is still
waiting, also what a command-line process queued (it builds no federation and sends
nothing itself). A node without a server runs ``ctnode jobs run hit-notices`` (cron).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable

from ctnode import clock
from ctnode.model.access import Actor, Purpose
from ctnode.model.lists import publisher_id
from ctnode.model.screening import Hit
from ctnode.services.context import Context

log = logging.getLogger(__name__)

# Records named in one notice at most (a batch hitting more sends several notices).
MAX_NOTICE_HITS = 50
# The bands a publisher is told of (a "weak" hit is not reported).
NOTIFIED_BANDS = frozenset({"match", "possible"})
# Seconds the list -> publisher table is reused (an import in this process clears it).
PUBLISHERS_TTL = 30.0
_BAND_ORDER = {"match": 0, "possible": 1}


class HitNoticeOutbox:
    """Queues a notice to each publisher whose records a screen hit."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.db = ctx.store.federation
        self.entities = ctx.store.entities
        self._publishers: dict[str, str] = {}
        self._checked = 0.0
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], object]] = []

    def on_queued(self, listener: Callable[[], object]) -> None:
        """Call ``listener()`` after notices were queued (the server sends them at once)."""
        self._listeners.append(listener)

    def lists_changed(self, _report: object = None) -> None:
        """An import (or a peer's delta) changed the lists: look the publishers up again."""
        self._checked = 0.0

    def publishers(self) -> dict[str, str]:
        """List name -> the peer that publishes it, for the lists held here as copies."""
        if time.monotonic() - self._checked > PUBLISHERS_TTL:
            with self._lock:
                self._publishers = {
                    d["name"]: str(d["source"]).removeprefix("peer:")
                    for d in self.entities.list_datasets()
                    if str(d.get("source") or "").startswith("peer:")
                }
                self._checked = time.monotonic()
        return self._publishers

    def after_screen(self, hits: list[Hit], actor: Actor, purpose: Purpose,
                     source: str) -> int:
        """The screening listener: queue the hits on copies for their publishers; returns
        how many notices were queued."""
        publishers = self.publishers()
        if not publishers:
            return 0
        by_publisher: dict[str, dict[str, dict[str, str]]] = {}
        for h in hits:
            owner = publishers.get(h.dataset)
            if owner is None or h.band not in NOTIFIED_BANDS:
                continue
            seen = by_publisher.setdefault(owner, {})
            held = seen.get(h.entity_id)
            if held is None or _BAND_ORDER[h.band] < _BAND_ORDER[held["band"]]:
                # the publisher's own id: the copy's is namespaced (``model.lists.copy_id``)
                seen[h.entity_id] = {"entity_id": publisher_id(owner, h.entity_id),
                                     "list": h.dataset, "band": h.band}
        if not by_publisher:
            return 0
        now = clock.utcnow()
        requester = {"who": actor.name[:120], "role": actor.role[:32], "source": source[:32]}
        rows = []
        for owner, items in by_publisher.items():
            found = list(items.values())
            for start in range(0, len(found), MAX_NOTICE_HITS):
                rows.append({
                    "id": str(uuid.uuid4()), "publisher": owner,
                    "hits": found[start:start + MAX_NOTICE_HITS], "requester": requester,
                    "purpose": purpose.purpose, "legal_basis": purpose.legal_basis,
                    "case_ref": purpose.case_ref, "queued_at": now,
                    "queued_by": actor.name[:128], "attempts": 0,
                })
        with self.ctx.store.begin() as conn:
            self.db.queue_hit_notices(conn, rows)
        for listener in self._listeners:
            try:
                listener()
            except Exception:  # sending later is the job's: a queued notice is not lost
                log.exception("hit notice listener failed")
        return len(rows)
