"""The owner learns of hits (issue 13; INTERPOL's rule that the data owner is told when its
record is hit): a screen here that hits a record of a list this node holds as a copy from
its publisher sends that publisher a signed ``hit.notice`` naming the records hit (the
publisher's own ids), the band, who asked (this node, its officer or the peer it answered),
the purpose, legal basis and case. Never the query: no names, dates or documents.

Sent in the background after the screen (a screen never waits for it); audited
(``federation.hit.notice``) with the publisher's answer. The publisher takes a notice only
for lists it publishes to the sender under a subscribed outbound agreement, puts it in its
inbox (kind ``hit_notice``) and audits ``federation.alert.received``.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any

from ctnode.errors import Refused
from ctnode.federation.context import FederationContext, opt_str, purpose_from_body
from ctnode.federation.envelope import Envelope
from ctnode.federation.list_updates import ListUpdates
from ctnode.federation.outbound import PeerError, send
from ctnode.model.access import Actor, Purpose
from ctnode.model.lists import copy_id, publisher_id
from ctnode.model.screening import Hit

log = logging.getLogger(__name__)

MAX_NOTICE_HITS = 50
NOTIFIED_BANDS = frozenset({"match", "possible"})


class HitNotices:
    """Both sides of ``hit.notice``."""

    def __init__(self, ctx: FederationContext, updates: ListUpdates) -> None:
        self.ctx = ctx
        self.updates = updates  # the inbox
        self.db = ctx.db
        self.entities = ctx.ctx.store.entities
        self._publishers: dict[str, str] = {}
        self._checked = 0.0
        self._lock = threading.Lock()

    def lists_changed(self, _report: object = None) -> None:
        """An import (or a peer's delta) changed the lists: look the publishers up again."""
        self._checked = 0.0

    def publishers(self) -> dict[str, str]:
        """List name -> the peer that publishes it, for the lists held here as copies."""
        if time.monotonic() - self._checked > 30:
            with self._lock:
                self._publishers = {
                    d["name"]: str(d["source"]).removeprefix("peer:")
                    for d in self.entities.list_datasets()
                    if str(d.get("source") or "").startswith("peer:")
                }
                self._checked = time.monotonic()
        return self._publishers

    def after_screen(self, hits: list[Hit], actor: Actor, purpose: Purpose,
                     source: str) -> None:
        """The screening listener: hits on copies go to their publishers, in the background."""
        publishers = self.publishers()
        if not publishers:
            return
        by_publisher: dict[str, list[dict[str, str]]] = {}
        for h in hits:
            owner = publishers.get(h.dataset)
            if owner is not None and h.band in NOTIFIED_BANDS:
                # the publisher's own id: the copy's is namespaced (``copy_id``)
                by_publisher.setdefault(owner, []).append(
                    {"entity_id": publisher_id(owner, h.entity_id), "list": h.dataset,
                     "band": h.band})
        if not by_publisher or not self.ctx.initialised:
            return
        requester = {"node_id": self.ctx.identity.node_id, "who": actor.name[:120],
                     "role": actor.role[:32], "source": source[:32]}
        for owner, items in by_publisher.items():
            self.ctx.pool.submit(self._send, owner, items[:MAX_NOTICE_HITS], requester, purpose)

    def _send(self, owner: str, hits: list[dict[str, str]], requester: dict[str, str],
              purpose: Purpose) -> None:
        try:
            peer = self.db.find_peer(owner)
            if peer is None or peer["status"] != "active":
                outcome = "not_a_peer"
            else:
                body = {"notice_id": str(uuid.uuid4()), "hits": hits, "requester": requester,
                        "purpose": purpose.purpose, "legal_basis": purpose.legal_basis,
                        "case_ref": purpose.case_ref}
                send(self.ctx, peer, "hit.notice", body, self.ctx.settings.federation_deadline)
                outcome = "delivered"
        except PeerError as exc:
            outcome = f"{exc.status}: {exc.reason}"
        except Exception:  # a background send must not die silently: log, audit below
            log.exception("hit notice to %s failed", owner)
            outcome = "error"
        try:
            self.ctx.audit.record(
                "federation.hit.notice", Actor(name=requester["who"], role=requester["role"]),
                purpose=purpose, result_ids=[copy_id(owner, h["entity_id"]) for h in hits],
                detail={"publisher": owner, "lists": sorted({h["list"] for h in hits}),
                        "outcome": outcome})
        except Exception:  # the store itself may be what failed; the log line stays
            log.exception("could not audit the hit notice to %s", owner)

    def on_notice(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        """Publisher side: a subscriber's screen hit records of a list this node publishes
        to it; into the inbox and the audit."""
        body = env.body
        agr = self.ctx.agreement(env.sender, "outbound")
        if agr is None or not agr.subscribed:
            raise Refused(f"this node publishes no list to {env.sender}", "not_subscribed")
        requester = body.get("requester")
        if not isinstance(requester, dict):
            raise Refused("requester must be an object", "malformed")
        hits = body.get("hits")
        if not isinstance(hits, list) or not 0 < len(hits) <= MAX_NOTICE_HITS:
            raise Refused(f"hits must be a list of 1 to {MAX_NOTICE_HITS}", "malformed")
        own = {d["name"]: d for d in self.entities.list_datasets()}
        clean = []
        for h in hits:
            if (not isinstance(h, dict) or not all(isinstance(h.get(k), str) and 0 < len(h[k])
                                                   <= 200 for k in ("entity_id", "list", "band"))
                    or h["band"] not in NOTIFIED_BANDS):
                raise Refused("each hit is {entity_id, list, band}", "malformed")
            ds = own.get(h["list"])
            published = ds is not None and not str(ds.get("source") or "").startswith("peer:")
            if not published or ("*" not in agr.lists and h["list"] not in agr.lists):
                raise Refused(f"list {h['list'][:64]!r} is not one this node publishes to "
                              f"{env.sender}", "not_publisher")
            clean.append({k: h[k] for k in ("entity_id", "list", "band")})
        who = {k: str(requester.get(k) or "")[:120] for k in ("node_id", "who", "role", "source")}
        purpose = purpose_from_body(body)
        lists = sorted({h["list"] for h in clean})
        title = f"{len(clean)} record(s) of {', '.join(lists)} hit at {env.sender}"
        text = (f"asked by {who['who']} ({who['role']}) for {purpose.purpose or '?'}, "
                f"case {purpose.case_ref or '?'}, legal basis {purpose.legal_basis or '?'}")
        return self.updates.receive_alert(
            env, "hit_notice", title[:500], text[:2000],
            {"remote_id": opt_str(body, "notice_id"), "hits": clean, "requester": who,
             "purpose": purpose.purpose, "legal_basis": purpose.legal_basis,
             "case_ref": purpose.case_ref},
            result_ids=[h["entity_id"] for h in clean])
