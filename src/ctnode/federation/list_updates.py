"""List updates and alerts: after an import, the delta goes to subscribed peers, oldest
first, each answering with a signed receipt; a peer that missed some gets them when it
next makes contact. Alerts reach subscribed peers' inboxes.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ctnode.clock import utcnow
from ctnode.errors import InvalidInput, ListConflict, Refused
from ctnode.federation.agreements import Agreement
from ctnode.federation.context import FederationContext, opt_str
from ctnode.federation.envelope import Envelope
from ctnode.federation.list_wire import copies_for, entity_from_wire, entity_to_wire
from ctnode.federation.outbound import PeerError, fan_out
from ctnode.model.access import SYSTEM, Actor
from ctnode.model.lists import ImportReport, ParsedList, copy_id, publisher_id
from ctnode.model.tlp import Recipient
from ctnode.services.lists import Lists

log = logging.getLogger(__name__)

MAX_ENTITY_ID = 255  # the store's entity id column (``columns.entity_ref``)


@dataclass(frozen=True, slots=True)
class ScopeKind:
    """Deltas of something an agreement names besides lists (``agreements.is_scope``): the
    prefix of its scopes (``hashes:``, ``intel:``, ``library``), the message type its deltas
    travel as, and the cut that makes one peer's copy of a delta's payload (what TLP lets go
    to that recipient). Registered by the part that publishes it (``federation/scoped``)."""

    prefix: str
    message: str
    cut: Callable[[dict[str, Any], Recipient], dict[str, Any]]


class ListUpdates:
    """List deltas with their receipts, and alerts: both sides. A peer's delta is applied by
    the ``Lists`` service, as any import is. Hash banks, threat intelligence and the library
    ride on the same deltas and receipts (``ScopeKind``)."""

    def __init__(self, ctx: FederationContext, lists: Lists) -> None:
        self.ctx = ctx
        self.lists = lists
        self.entities = ctx.ctx.store.entities
        self.review = ctx.ctx.store.review
        self.db = ctx.db
        self._last_retry: dict[str, float] = {}
        self.kinds: list[ScopeKind] = []

    def kind_of(self, dataset: str) -> ScopeKind | None:
        """The scope kind a delta's dataset belongs to (None: a watchlist)."""
        for kind in self.kinds:
            if dataset == kind.prefix or (kind.prefix.endswith(":")
                                          and dataset.startswith(kind.prefix)):
                return kind
        return None

    def after_import(self, report: ImportReport) -> list[dict[str, Any]]:
        """An import listener (``node.py`` wires it): send the delta to subscribed peers."""
        if report.source.startswith("peer:") or not self.ctx.initialised:
            return []  # a delta we applied from a peer is not re-sent (no loops)
        if not report.changes_anything:
            return []
        now = utcnow()
        peers = self.subscribers(report.dataset)
        if not peers:
            return []
        # records their owner restricted never travel as copies (query only)
        restricted = self.db.restricted_ids(report.dataset)
        kinds = {
            kind: [i for i in ids if i not in restricted]
            for kind, ids in (
                ("added", report.added),
                ("changed", report.changed),
                ("relisted", report.relisted),
                ("delisted", report.removed),
            )
        }
        if not any(kinds.values()):
            return []
        delta_id = str(uuid.uuid4())
        wire = {
            kind: [entity_to_wire(self.entities.get_entity(i)) for i in kinds[kind]]
            for kind in ("added", "changed", "relisted")
        }
        body = {
            "delta_id": delta_id,
            "dataset": report.dataset,
            "version": report.version,
            **wire,
            "delisted": kinds["delisted"],
        }
        summary = {
            "added": len(kinds["added"]),
            "changed": len(kinds["changed"]),
            "relisted": len(kinds["relisted"]),
            "delisted": kinds["delisted"],
        }
        with self.db.begin() as conn:
            self.db.add_delta(
                conn,
                {
                    "id": delta_id,
                    "dataset": report.dataset,
                    "version": report.version,
                    "import_id": report.import_id,
                    "created_at": now,
                    "summary": summary,
                    "payload": body,
                },
                peers,
            )
            self.ctx.audit.record(
                "federation.delta.created",
                SYSTEM,
                conn=conn,
                result_ids=kinds["delisted"],
                detail={"delta_id": delta_id, **summary, "peers": peers},
            )
        self.push_pending()  # older deltas a peer missed go first
        return self.db.list_receipts(delta_id)

    def subscribers(self, dataset: str) -> list[str]:
        """The peers subscribed to ``dataset`` under an outbound agreement in force."""
        now = utcnow()
        peers = []
        for peer in self.db.list_peers():
            agr = self.ctx.agreement(peer["node_id"], "outbound")
            if agr and agr.subscribed and agr.shares(dataset) and now < agr.expires_at:
                peers.append(peer["node_id"])
        return peers

    def push_pending(self, peer_id: str | None = None) -> int:
        """Send every delta not yet receipted (by ``peer_id``, or by anyone), oldest first.

        Deltas reach each peer in the order they were made: a peer that fails one
        is not sent the later ones in this round. Returns the deltas attempted.
        """
        failed: set[str] = set()
        deltas = self.db.unreceipted_deltas(peer_id)
        for delta_id in deltas:
            receipts = self.push_delta(delta_id, only=peer_id, skip=failed)
            failed |= {r["peer_id"] for r in receipts if r["status"] != "applied"}
        return len(deltas)

    def push_delta(
        self, delta_id: str, *, only: str | None = None, skip: set[str] | None = None
    ) -> list[dict[str, Any]]:
        """(Re)send a delta to every peer (or ``only`` one) that has not yet receipted it."""
        delta = self.db.get_delta(delta_id)
        pending = [
            r["peer_id"]
            for r in self.db.list_receipts(delta_id)
            if r["status"] != "applied"
            and (only is None or r["peer_id"] == only)
            and r["peer_id"] not in (skip or set())
        ]
        jobs = []
        restricted = self.db.restricted_ids(delta["dataset"]) if pending else set()
        for peer_id in pending:
            peer = self.db.find_peer(peer_id)
            agr = self.ctx.agreement(peer_id, "outbound")
            if peer and peer["status"] == "active" and agr is not None:
                kind = self.kind_of(delta["dataset"])
                if kind is not None:  # a bank, a collection, the library: cut by TLP
                    cut = kind.cut(dict(delta["payload"]), self.ctx.recipient(peer_id, agr))
                    jobs.append((peer, kind.message, cut))
                else:  # a list's records, cut to the fields the agreement copies
                    jobs.append((peer, "list.delta", copies_for(delta["payload"], agr,
                                                                restricted)))
        results = fan_out(self.ctx, jobs, self.ctx.settings.federation_deadline * 4) if jobs else {}
        for peer_id, (outcome, _ms) in results.items():
            if isinstance(outcome, PeerError):
                status = "refused" if outcome.status == "refused" else "pending"
                self.db.set_receipt(
                    delta_id,
                    peer_id,
                    status=status,
                    detail={
                        "error": outcome.status,
                        "reason": outcome.reason,
                        "message": outcome.message[:300],
                    },
                )
                continue
            applied = bool(outcome.body.get("applied")) and outcome.body.get("delta_id") == delta_id
            self.db.set_receipt(
                delta_id,
                peer_id,
                status="applied" if applied else "failed",
                detail={k: v for k, v in outcome.body.items() if k != "in_reply_to"},
                receipt=outcome.to_dict(),
            )
            self.ctx.audit.record(
                "federation.receipt",
                self.ctx.peer_actor(peer_id, "peer"),
                detail={
                    "delta_id": delta_id,
                    "peer": peer_id,
                    "applied": applied,
                    "envelope_sha256": outcome.digest(),
                },
            )
        return self.db.list_receipts(delta_id)

    def full_sync(self, agreement: Agreement) -> list[str]:
        """A new subscription starts with the whole of every list it names that this node
        publishes (held locally; copies of other nodes' lists are never passed on): one
        signed delta marked ``full``, which the subscriber applies as a complete list (what
        its copy holds beyond it is delisted there). Deltas follow from then on."""
        if not self.ctx.initialised:
            return []
        made = []
        for ds in self.entities.list_datasets():
            name, source = ds["name"], ds.get("source") or ""
            if source.startswith("peer:") or not agreement.shares(name):
                continue
            restricted = self.db.restricted_ids(name)  # query only: never copied
            entities = [entity_to_wire(e) for e in self.entities.iter_entities(
                dataset=name, status="listed") if e.id not in restricted]
            delta_id = str(uuid.uuid4())
            body = {"delta_id": delta_id, "dataset": name, "version": ds.get("version"),
                    "full": True, "added": entities, "changed": [], "relisted": [],
                    "delisted": [], "withdrawn": sorted(restricted)}
            summary = {"full": True, "added": len(entities), "changed": 0, "relisted": 0,
                       "delisted": []}
            with self.db.begin() as conn:
                self.db.add_delta(conn, {"id": delta_id, "dataset": name,
                                         "version": ds.get("version"), "import_id": 0,
                                         "created_at": utcnow(), "summary": summary,
                                         "payload": body}, [agreement.peer_id])
                self.ctx.audit.record(
                    "federation.delta.created", SYSTEM, conn=conn,
                    detail={"delta_id": delta_id, **summary, "peers": [agreement.peer_id],
                            "copy_fields": agreement.copies_carry()},
                )
            made.append(delta_id)
        for delta_id in made:
            self.push_delta(delta_id, only=agreement.peer_id)
        return made

    def publisher_of(self, dataset: str) -> str | None:
        """The peer whose list ``dataset`` is a copy of; None for a list this node holds."""
        for ds in self.entities.list_datasets():
            if ds["name"] == dataset:
                source = str(ds.get("source") or "")
                return source[5:] if source.startswith("peer:") else None
        return None

    def deltas(self, actor: Actor) -> list[dict[str, Any]]:
        """Deltas sent, each with its receipts: who has and who has not applied it."""
        self.ctx.require(actor, "federation.admin")
        out = []
        for d in self.db.list_deltas():
            d["receipts"] = self.db.list_receipts(d["id"])  # with the signed receipt envelope
            out.append(d)
        return out

    def retry_deltas(self, actor: Actor) -> int:
        """Re-send, oldest first, every delta some peer has not receipted."""
        self.ctx.require(actor, "federation.admin")
        return self.push_pending()

    def on_contact(self, peer_id: str) -> None:
        """A peer just proved it is up: send it what it missed (in the background, at most
        every 30 s per peer)."""
        now = time.monotonic()
        if now - self._last_retry.get(peer_id, 0.0) < 30:
            return
        self._last_retry[peer_id] = now
        if self.db.unreceipted_deltas(peer_id):
            self.ctx.pool.submit(self._push_pending_quietly, peer_id)

    def _push_pending_quietly(self, peer_id: str) -> None:
        try:
            self.push_pending(peer_id)
        except Exception:  # a background retry must never kill the pool thread: log it
            log.exception("re-sending deltas to %s failed", peer_id)

    def require_subscription(self, sender: str, dataset: str) -> None:
        """Refuse (``not_subscribed``) updates of a list or bank this node does not take from
        ``sender`` under an inbound agreement in force."""
        agr = self.ctx.agreement(sender, "inbound")
        if agr is None or not agr.subscribed or not agr.shares(dataset) or (
            utcnow() >= agr.expires_at
        ):
            raise Refused(
                f"this node does not take updates of {dataset!r} from {sender}", "not_subscribed"
            )

    def require_own_records(self, sender: str, dataset: str, ids: list[str],
                            added: set[str]) -> None:
        """A peer addresses only the records of the lists it publishes. Its delta names its
        own ids, and a copy's records are namespaced (``copy_id``), so an id of the delta
        that is the id of a record held here in another list (the UN list, a national list,
        another node's copy) can only reach for a record that is not the sender's: refused
        before anything is written, ``id_collision`` when the delta adds it, else
        ``not_publisher`` (a change, delisting or withdrawal of someone else's record)."""
        held = {i: ds for i, ds in self.entities.lists_of(ids).items() if ds != dataset}
        if not held:
            return
        sources = {d["name"]: str(d.get("source") or "") for d in self.entities.list_datasets()}
        addressed = sorted(i for i in held if i not in added)
        first = addressed[0] if addressed else sorted(held)[0]
        ds = held[first]
        src = sources.get(ds, "")
        whose = f"published by {src[5:]}" if src.startswith("peer:") else "held locally"
        more = f" (and {len(held) - 1} more)" if len(held) > 1 else ""
        if addressed:
            raise Refused(
                f"{sender} may address only the records of lists it publishes: {first[:100]!r} "
                f"is a record of list {ds!r} here ({whose}){more}", "not_publisher")
        raise Refused(
            f"entity id {first[:100]!r} of {sender}'s list {dataset!r} is the id of a record "
            f"of list {ds!r} here ({whose}){more}", "id_collision")

    def on_delta(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        body = env.body
        dataset = opt_str(body, "dataset") or ""
        delta_id = opt_str(body, "delta_id") or ""
        self.require_subscription(env.sender, dataset)
        sender = env.sender
        for kind in ("added", "changed", "relisted"):
            if not isinstance(body.get(kind) or [], list):
                raise Refused(f"{kind} must be a list of entities", "malformed")
        wire = [e for kind in ("added", "changed", "relisted") for e in (body.get(kind) or [])]
        delisted_wire = body.get("delisted") or []
        if not isinstance(delisted_wire, list) or not all(
                isinstance(i, str) for i in delisted_wire):
            raise Refused("delisted must be a list of entity ids", "malformed")
        withdrawn_wire = body.get("withdrawn") or []
        if not isinstance(withdrawn_wire, list) or not all(
                isinstance(i, str) for i in withdrawn_wire):
            raise Refused("withdrawn must be a list of entity ids", "malformed")
        # records of a copy are namespaced by their publisher: fx-001 of node-a is
        # node-a:fx-001 here (the publisher's deltas still name its own ids)
        entities = [entity_from_wire(e, dataset, sender) for e in wire]
        wire_ids = [e["id"] for e in wire] + delisted_wire + withdrawn_wire
        for i in wire_ids:
            if not i or len(copy_id(sender, i)) > MAX_ENTITY_ID:
                raise Refused(f"entity ids must be 1 to {MAX_ENTITY_ID - len(sender) - 1} "
                              "characters long", "malformed")
        self.require_own_records(sender, dataset, wire_ids,
                                 {e["id"] for e in body.get("added") or []})
        delisted = [copy_id(sender, i) for i in delisted_wire]
        withdrawn = [copy_id(sender, i) for i in withdrawn_wire]
        actor = self.ctx.peer_actor(env.sender, "admin")
        source = f"peer:{env.sender}"
        try:
            # A list belongs to its publisher: the store refuses, inside each transaction, a
            # delta for a list held locally or published by another node, and an entity id
            # another list already uses (both answered with a signed refusal).
            if entities:
                parsed = ParsedList(
                    dataset=dataset,
                    title=f"{dataset} (updates from {env.sender})",
                    version=opt_str(body, "version"),
                    source=source,
                    entities=entities,
                    publisher=source,  # a copy's publisher is the node that sends it
                )
                # a full sync is the complete list: what the copy holds beyond it is delisted
                self.lists.import_list(parsed, actor, partial=body.get("full") is not True)
            with self.db.begin() as conn:
                applied = self.entities.delist(
                    conn,
                    delisted,
                    dataset=dataset,
                    detail={"via": source, "delta_id": delta_id},
                    source=source,
                )
                # the owner restricted these records: the copy is deleted, not delisted (a
                # delisting would tell analysts here the person is no longer listed)
                gone = self.entities.withdraw(
                    conn, withdrawn, dataset=dataset,
                    detail={"via": source, "delta_id": delta_id, "withdrawn": True},
                    source=source,
                ) if withdrawn else []
        except ListConflict as exc:
            raise Refused(exc.message, exc.reason) from None
        if applied or gone:  # the next screen must see the change: the listeners are told
            self.lists.changed(ImportReport(dataset, f"peer:{env.sender}",
                                            opt_str(body, "version"), 0,
                                            removed=applied + gone))
        changed_ids = {e.id for e in entities} | set(applied) | set(gone)
        affected = self.review.screenings_with(changed_ids) if changed_ids else []
        now = utcnow()
        alerts: list[dict[str, Any]] = []
        added = [e for e in body.get("added") or [] if isinstance(e, dict)]
        if added:
            alerts.append(
                {
                    "kind": "new_listing",
                    "title": f"{len(added)} new listing(s) on {dataset}",
                    "body": ", ".join(str(e.get("reference") or copy_id(sender, e["id"]))
                                      for e in added[:50]),
                }
            )
        if delisted:
            alerts.append(
                {
                    "kind": "delisting",
                    "title": f"{len(delisted)} delisting(s) on {dataset}",
                    "body": ", ".join(delisted[:50]),
                }
            )
        if gone:
            alerts.append(
                {
                    "kind": "withdrawn",
                    "title": f"{len(gone)} record(s) of {dataset} withdrawn by {env.sender} "
                    "(query only: screen the network to check them)",
                    "body": ", ".join(gone[:50]),
                }
            )
        with self.db.begin() as conn:
            for a in alerts:
                self.db.add_alert(
                    conn,
                    {
                        "id": str(uuid.uuid4()),
                        "direction": "incoming",
                        "peer_id": env.sender,
                        "kind": a["kind"],
                        "title": a["title"],
                        "body": a["body"],
                        "detail": {
                            "delta_id": delta_id,
                            "dataset": dataset,
                            "affected_screenings": affected[:100],
                        },
                        "at": now,
                        "read_at": None,
                    },
                )
            self.ctx.audit.record(
                "federation.delta.applied",
                actor,
                conn=conn,
                result_ids=sorted(changed_ids)[:1000],
                detail={
                    "delta_id": delta_id,
                    "dataset": dataset,
                    "entities": len(entities),
                    "delisted": applied,
                    "withdrawn": gone,
                    "affected_screenings": len(affected),
                },
            )
        # the receipt speaks the publisher's ids
        return {
            "delta_id": delta_id,
            "dataset": dataset,
            "applied": True,
            "upserted": len(entities),
            "delisted": [publisher_id(sender, i) for i in applied],
            "withdrawn": [publisher_id(sender, i) for i in gone],
            "not_held": sorted(publisher_id(sender, i) for i in set(delisted) - set(applied)),
            "affected_screenings": len(affected),
        }

    # -- alerts ---------------------------------------------------------------------------------

    def send_alert(
        self, actor: Actor, *, kind: str, title: str, body: str, peers: list[str] | None = None
    ) -> dict[str, str]:
        """Send an alert to subscribed peers (or the named ones); returns each peer's outcome."""
        self.ctx.require(actor, "federation.admin")
        if kind not in {"new_listing", "delisting", "urgent"}:
            raise InvalidInput("kind must be new_listing, delisting or urgent")
        if not title.strip():
            raise InvalidInput("an alert needs a title")
        now = utcnow()
        if peers:
            targets = [self.ctx.active_peer(p) for p in peers]
        else:
            targets = []
            for peer in self.db.list_peers():
                agr = self.ctx.agreement(peer["node_id"], "outbound")
                if agr and agr.subscribed and now < agr.expires_at:
                    targets.append(peer)
        alert_id = str(uuid.uuid4())
        msg = {
            "alert_id": alert_id,
            "kind": kind,
            "title": title.strip()[:500],
            "body": body.strip()[:10_000],
        }
        results = (
            fan_out(
                self.ctx,
                [(p, "alert", msg) for p in targets],
                self.ctx.settings.federation_deadline,
            )
            if targets
            else {}
        )
        outcome = {
            pid: ("delivered" if isinstance(r, Envelope) else f"{r.status}: {r.reason}")
            for pid, (r, _ms) in results.items()
        }
        with self.db.begin() as conn:
            self.db.add_alert(
                conn,
                {
                    "id": alert_id,
                    "direction": "outgoing",
                    "peer_id": None,
                    "kind": kind,
                    "title": msg["title"],
                    "body": msg["body"],
                    "detail": {"peers": outcome},
                    "at": now,
                    "read_at": now,
                },
            )
            self.ctx.audit.record("federation.alert.sent", actor, conn=conn,
                                  detail={"alert_id": alert_id, "kind": kind, "peers": outcome})
        return outcome

    def on_alert(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        agr = self.ctx.agreement(env.sender, "inbound")
        if agr is None or not agr.subscribed or utcnow() >= agr.expires_at:
            raise Refused(f"this node does not take alerts from {env.sender}", "not_subscribed")
        self.ctx.enforce_rate(env.sender, "alert", agr, utcnow(),
                              limit=self.ctx.settings.federation_alerts_per_minute)
        kind = opt_str(env.body, "kind")
        if kind not in {"new_listing", "delisting", "urgent"}:
            raise Refused("unknown alert kind", "malformed")
        title = (opt_str(env.body, "title") or "")[:500]
        text = (opt_str(env.body, "body") or "")[:10_000]
        return self.receive_alert(env, kind, title, text, {"remote_id": opt_str(env.body, "alert_id")})

    def receive_alert(
        self, env: Envelope, kind: str, title: str, text: str, detail: dict[str, Any],
        result_ids: list[str] | None = None,
    ) -> dict[str, Any]:
        """Put a peer's alert (or notice) in the inbox and audit it, in one transaction."""
        alert_id = str(uuid.uuid4())
        with self.db.begin() as conn:
            self.db.add_alert(conn, {
                "id": alert_id, "direction": "incoming", "peer_id": env.sender, "kind": kind,
                "title": title, "body": text,
                "detail": {**detail, "envelope_sha256": env.digest()},
                "at": utcnow(), "read_at": None,
            })
            self.ctx.audit.record(
                "federation.alert.received", self.ctx.peer_actor(env.sender, "peer"), conn=conn,
                result_ids=result_ids or [],
                detail={"alert_id": alert_id, "kind": kind, "peer": env.sender,
                        **({"bank": detail["bank"]} if "bank" in detail else {})},
            )
        return {"alert_id": alert_id}

    def inbox(
        self, actor: Actor, *, unread: bool = False, mark_read: bool = False, limit: int = 100
    ) -> list[dict[str, Any]]:
        self.ctx.require(actor, "federation.inbox")
        rows = self.db.list_alerts(unread=unread, limit=limit)
        if mark_read and rows:
            with self.db.begin() as conn:
                self.db.mark_read(conn, [r["id"] for r in rows])
        return rows
