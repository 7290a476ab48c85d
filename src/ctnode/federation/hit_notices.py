"""The owner learns of hits (issue 13; INTERPOL's rule that the data owner is told when its
record is hit): a screen here that hits a record of a list this node holds as a copy from
its publisher queues a notice for that publisher (``ctnode.services.screening.notices``,
every screen path, in any process); this part sends them as signed ``hit.notice``
messages naming the records hit (the publisher's own ids), the band, who asked (this node,
its officer or the peer it answered, and the screen's source), the purpose, legal basis
and case. Never the query: no names, dates or documents.

The server sends what it queued at once, in the background (a screen never waits for it);
its job ``hit-notices`` (every ``CTNODE_HIT_NOTICE_RETRY_SECONDS``) sends what waits: what a
command-line process queued, and what a publisher out of reach could not take yet (given
up after ``GIVE_UP_DAYS``). Each notice ends audited once (``federation.hit.notice``, with
its outcome: delivered, the publisher's refusal, not_a_peer or given_up). The publisher
takes a notice only for lists it publishes to the sender under a subscribed outbound
agreement, puts it in its inbox (kind ``hit_notice``) and audits
``federation.alert.received``.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from ctnode import clock
from ctnode.errors import Refused
from ctnode.federation.context import FederationContext, opt_str, purpose_from_body
from ctnode.federation.envelope import Envelope
from ctnode.federation.list_updates import ListUpdates
from ctnode.federation.outbound import PeerError, send
from ctnode.model.access import SYSTEM, Actor, Purpose
from ctnode.model.lists import copy_id
from ctnode.services.screening.notices import MAX_NOTICE_HITS, NOTIFIED_BANDS, HitNoticeOutbox
from ctnode.store.contracts import Tx

log = logging.getLogger(__name__)

# A notice its publisher could not take for this long is given up (audited as given_up).
GIVE_UP_DAYS = 7
# A sender that took a notice this long ago and did not finish it (a process that died):
# another may take it.
CLAIM_STALE = timedelta(minutes=10)


class HitNotices:
    """Both sides of ``hit.notice``: sending the outbox, taking a subscriber's notices."""

    def __init__(self, ctx: FederationContext, updates: ListUpdates,
                 outbox: HitNoticeOutbox) -> None:
        self.ctx = ctx
        self.updates = updates  # the inbox
        self.outbox = outbox
        self.db = ctx.db
        self.entities = ctx.ctx.store.entities
        self._sending = threading.Lock()

    def deliver_soon(self) -> None:
        """Notices were queued in this process: send them in the background."""
        self.ctx.pool.submit(self._deliver_quietly)

    def _deliver_quietly(self) -> None:
        try:
            self.deliver_pending()
        except Exception:  # a background send must never kill the pool thread: log it
            log.exception("sending hit notices failed")

    def deliver_pending(self, _actor: Actor = SYSTEM) -> dict[str, int]:
        """Send every waiting notice (the job ``hit-notices``); counts by outcome."""
        counts = {"delivered": 0, "refused": 0, "waiting": 0, "given_up": 0}
        if not self.ctx.initialised:  # no identity yet: nothing can be signed
            counts["waiting"] = len(self.db.pending_hit_notices())
            return counts
        with self._sending:  # one sender per process; claims keep other processes apart
            for row in self.db.pending_hit_notices():
                now = clock.utcnow()
                if not self.db.claim_hit_notice(row["id"], now=now, stale=now - CLAIM_STALE):
                    continue
                outcome, done = self._send(row)
                queued = clock.as_utc(row["queued_at"])
                if not done and queued is not None and (
                        now - queued > timedelta(days=GIVE_UP_DAYS)):
                    outcome, done = f"given_up after {outcome}", True
                with self.ctx.ctx.store.begin() as conn:
                    self.db.finish_hit_notice(conn, row["id"], outcome=outcome,
                                              done=now if done else None)
                    if done:
                        self._audit(conn, row, outcome)
                key = ("delivered" if outcome == "delivered" else "given_up"
                       if outcome.startswith("given_up") else "refused" if done else "waiting")
                counts[key] += 1
        return counts

    def _send(self, row: dict[str, Any]) -> tuple[str, bool]:
        """One attempt: (outcome, whether the notice is done)."""
        peer = self.db.find_peer(row["publisher"])
        if peer is None or peer["status"] != "active":
            return "not_a_peer", True
        requester = {"node_id": self.ctx.identity.node_id, **dict(row["requester"])}
        body = {"notice_id": row["id"], "hits": row["hits"], "requester": requester,
                "purpose": row["purpose"], "legal_basis": row["legal_basis"],
                "case_ref": row["case_ref"]}
        try:
            send(self.ctx, peer, "hit.notice", body, self.ctx.settings.federation_deadline)
        except PeerError as exc:
            # the publisher's refusal is final; out of reach or garbled: try again later
            return f"{exc.status}: {exc.reason}", exc.status == "refused"
        except Exception:  # an unexpected failure: logged, and tried again by the job
            log.exception("hit notice to %s failed", row["publisher"])
            return "error", False
        return "delivered", True

    def _audit(self, conn: Tx, row: dict[str, Any], outcome: str) -> None:
        who = dict(row["requester"])
        purpose = Purpose(row["purpose"], row["legal_basis"], row["case_ref"])
        self.ctx.audit.record(
            "federation.hit.notice",
            Actor(name=str(who.get("who") or "?"), role=str(who.get("role") or "?")),
            purpose=purpose, result_ids=[copy_id(row["publisher"], h["entity_id"])
                                          for h in row["hits"]], conn=conn,
            detail={"publisher": row["publisher"], "notice_id": row["id"],
                    "lists": sorted({h["list"] for h in row["hits"]}), "outcome": outcome,
                    "source": who.get("source"), "attempts": int(row["attempts"]) + 1})

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
