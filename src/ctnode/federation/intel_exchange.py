"""Threat intelligence shared with peers: a publisher's collection changes (STIX objects
added, revoked, deleted) as signed deltas with receipts, and sightings of a peer's objects
sent back to their producer.

An agreement covers a collection when its ``lists`` name it as ``intel:<ALIAS>`` (or
``intel:<ID>`` for a collection without an alias; ``*`` covers no collection). Deltas are
the scoped deltas of ``federation/scoped`` under the message type ``intel.delta``; the
subscriber keeps them in a read-only copy collection of its own (``owner``: the publisher)
that its TAXII server serves like any other. Only collections this node owns are
published; a copy is never passed on. TLP is applied per peer as a delta leaves
(``model/tlp.filter_for_recipient``: a relationship or sighting that points at an object
withheld from the peer is withheld too); TLP:RED objects are not even written into a delta.

A revoked object (a version with ``revoked: true``) and a deleted one disappear from every
copy. A sighting this node records of an object it holds as a copy goes back to the
object's producer (``intel.sighting``) if its TLP lets it go there; the producer adds it to
its collection, and from there it reaches the other subscribers.
"""

from __future__ import annotations

import logging
from typing import Any

from ctnode.errors import CTNodeError, InvalidInput, NotFound, Refused
from ctnode.federation.agreements import Agreement
from ctnode.federation.context import FederationContext, opt_str
from ctnode.federation.envelope import Envelope
from ctnode.federation.list_updates import ListUpdates, ScopeKind
from ctnode.federation.outbound import fan_out
from ctnode.federation.scoped import ScopedDeltas, any_peer
from ctnode.intel.taxii.query import ObjectQuery, VersionMatch
from ctnode.model.access import SYSTEM, Actor
from ctnode.model.tlp import TLP, Recipient, effective_tlp, filter_for_recipient, may_share
from ctnode.services.intel.service import Intel, IntelChange
from ctnode.store.contracts import Row

log = logging.getLogger(__name__)
PREFIX = "intel:"
# The most objects one delta carries (a whole collection goes as several deltas, in order).
DELTA_OBJECTS = 5_000


def scope_of(collection: Row) -> str:
    """The scope an agreement names to share a collection: ``intel:<alias or id>``."""
    return PREFIX + str(collection.get("alias") or collection["id"])


def _default(payload: dict[str, Any]) -> TLP:
    try:
        return TLP(str(payload.get("default_tlp")))
    except ValueError:
        return TLP.AMBER_STRICT


def cut_for(payload: dict[str, Any], recipient: Recipient) -> dict[str, Any]:
    """One peer's copy of a collection delta: the objects TLP lets go to that peer."""
    shared = filter_for_recipient(payload.get("objects") or [], recipient, _default(payload))
    return {**payload, "objects": shared.shared}


class IntelExchange:
    """Both sides of sharing threat intelligence collections, and sightings back."""

    def __init__(self, ctx: FederationContext, intel: Intel, updates: ListUpdates) -> None:
        self.ctx = ctx
        self.intel = intel
        self.updates = updates
        self.db = ctx.db
        self.deltas = ScopedDeltas(ctx, updates, ScopeKind(PREFIX, "intel.delta", cut_for))

    # -- publisher --------------------------------------------------------------------------

    def after_change(self, change: IntelChange) -> list[dict[str, Any]]:
        """An ``Intel`` listener (``node.py`` wires it): send this node's collection changes to
        the peers subscribed to the collection; send sightings of a peer's objects back."""
        if not self.ctx.initialised:
            return []
        if change.collection.get("owner"):
            return []  # a copy: its publisher sends the changes
        self._sightings_back(change)
        scope = scope_of(change.collection)
        peers = self.deltas.subscribers(scope)
        if not peers:
            return []
        if change.source.startswith("peer:"):  # a peer's sighting, answered first: send later
            self.ctx.pool.submit(self._send_quietly, change, peers)
            return []
        return self._send(SYSTEM, change.collection, change.added, change.removed, peers)

    def _send_quietly(self, change: IntelChange, peers: list[str]) -> None:
        try:
            self._send(SYSTEM, change.collection, change.added, change.removed, peers)
        except Exception:  # a background send must never kill the pool thread: log it
            log.exception("sharing a change of collection %s failed", change.collection["id"])

    def publish(self, actor: Actor, collection: str, peers: list[str] | None = None
                ) -> list[dict[str, Any]]:
        """Send the newest version of every object of a collection to its subscribers (or
        ``peers`` of them): what a peer that subscribed later needs. Returns the receipts."""
        self.ctx.require(actor, "intel.admin")
        col = self.intel.own_collection(collection)
        scope = scope_of(col)
        subscribers = self.deltas.subscribers(scope)
        if peers is not None:
            subscribers = [p for p in subscribers if p in peers]
        if not subscribers:
            raise InvalidInput(
                f"no peer subscribes to collection {col['id']}: make an outbound agreement "
                f"with lists '{scope}' and subscribed"
            )
        return self._send(actor, col, self.intel.newest_objects(col["id"]), [], subscribers)

    def full_sync(self, agreement: Agreement) -> list[str]:
        """A ``Directory.on_subscribe`` listener: a new subscriber gets every collection the
        agreement names, whole."""
        done: list[str] = []
        if not self.ctx.initialised:
            return done
        for col in self.intel.store.list_collections():
            if not col.get("owner") and agreement.shares(scope_of(col)):
                self.publish(SYSTEM, col["id"], [agreement.peer_id])
                done.append(col["id"])
        return done

    def _send(self, actor: Actor, col: Row, objects: list[dict[str, Any]], removed: list[str],
              peers: list[str]) -> list[dict[str, Any]]:
        """One delta per ``DELTA_OBJECTS`` objects (the removals with the first), so that no
        envelope nears the receiver's size limit; the receipts of them all."""
        receipts: list[dict[str, Any]] = []
        for start in range(0, max(len(objects), 1), DELTA_OBJECTS):
            receipts += self._send_one(actor, col, objects[start:start + DELTA_OBJECTS],
                                       removed if start == 0 else [], peers)
        return receipts

    def _send_one(self, actor: Actor, col: Row, objects: list[dict[str, Any]],
                  removed: list[str], peers: list[str]) -> list[dict[str, Any]]:
        default = self.intel.default_tlp
        # TLP:RED is not written into the delta (nor what points at it); the rest is cut per peer
        sent = filter_for_recipient(objects, Recipient("organisation"), default).shared
        to_peer = filter_for_recipient(sent, any_peer(), default).shared
        gone = sorted(set(removed))
        body: dict[str, Any] = {
            "collection": {k: col.get(k) for k in ("id", "title", "description", "alias")},
            "default_tlp": default.value,
            "objects": sent,
            "removed": gone,
        }
        summary = {
            "collection": col["id"],
            "objects": len(to_peer),
            "removed": len(gone),
            "withheld_tlp": len(objects) - len(to_peer),
        }
        return self.deltas.send(actor, scope_of(col), body, summary, peers,
                                result_ids=gone)

    # -- subscriber -------------------------------------------------------------------------

    def on_delta(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        body = env.body
        scope = opt_str(body, "scope") or ""
        delta_id = opt_str(body, "delta_id") or ""
        if not scope.startswith(PREFIX):
            raise Refused(f"{scope!r} is not a threat intelligence collection", "malformed")
        actor = self.deltas.accept(env, scope)
        col, objects, removed = body.get("collection"), body.get("objects"), body.get("removed")
        if (
            not isinstance(col, dict)
            or not isinstance(col.get("id"), str)
            or not isinstance(objects, list)
            or not isinstance(removed, list)
            or not all(isinstance(r, str) for r in removed)
        ):
            raise Refused("a delta names its collection and lists objects and removed ids",
                          "malformed")
        try:
            applied = self.intel.apply_peer(actor, env.sender, col, objects, removed)
        except InvalidInput as exc:
            raise Refused(exc.message, "malformed") from None
        self.deltas.applied(actor, delta_id, scope, applied, removed)
        return {"delta_id": delta_id, "applied": True, **applied}

    # -- sightings back to the producer -----------------------------------------------------

    def _copy_holding(self, object_id: str) -> Row | None:
        """The copy collection (a peer's) that holds ``object_id``, if any."""
        query = ObjectQuery(ids=frozenset({object_id}), limit=1,
                            versions=VersionMatch(last=False, all=True))
        for col in self.intel.store.list_collections():
            if col.get("owner") and self.intel.store.select(col["id"], query).records:
                return col
        return None

    def _sightings_back(self, change: IntelChange) -> None:
        jobs: list[tuple[str, dict[str, Any]]] = []
        for obj in change.added:
            if obj.get("type") != "sighting":
                continue
            holder = self._copy_holding(str(obj.get("sighting_of_ref") or ""))
            if holder is None:
                continue
            owner = str(holder["owner"])
            agr = self.ctx.agreement(owner, "inbound")
            if agr is None:
                continue
            level = effective_tlp(obj, self.intel.default_tlp)
            decision = may_share(level, self.ctx.recipient(owner, agr))
            if decision.allowed:
                jobs.append((owner, obj))
            else:
                log.info("sighting %s not sent to %s: %s", obj.get("id"), owner, decision.reason)
        if jobs:
            self.ctx.pool.submit(self._send_sightings, jobs)

    def _send_sightings(self, jobs: list[tuple[str, dict[str, Any]]]) -> None:
        try:
            messages = []
            for owner, obj in jobs:
                peer = self.db.find_peer(owner)
                if peer and peer["status"] == "active":
                    messages.append((peer, "intel.sighting", {"sighting": obj}))
            results = fan_out(self.ctx, messages, self.ctx.settings.federation_deadline)
            outcome = {
                pid: ("delivered" if isinstance(r, Envelope) else f"{r.status}: {r.reason}")
                for pid, (r, _ms) in results.items()
            }
            self.ctx.audit.record(
                "federation.alert.sent", SYSTEM,
                result_ids=[str(obj.get("id")) for _o, obj in jobs][:1000],
                detail={"kind": "intel_sighting", "peers": outcome},
            )
        except Exception:  # a background send must never kill the pool thread: log it
            log.exception("sending sightings back failed")

    def on_sighting(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        """A subscriber's sighting of one of this node's objects: added to the collection
        that holds the object, if that collection is shared with the sender."""
        obj = env.body.get("sighting")
        if not isinstance(obj, dict) or obj.get("type") != "sighting":
            raise Refused("an intel.sighting carries one STIX sighting", "malformed")
        agr = self.ctx.agreement(env.sender, "outbound")
        ref = str(obj.get("sighting_of_ref") or "")
        actor = self.ctx.peer_actor(env.sender, "admin")
        for col in self.intel.store.list_collections():
            if col.get("owner") or agr is None or not agr.shares(scope_of(col)):
                continue
            try:
                added = self.intel.add_sighting(actor, col["id"], obj,
                                                source=f"peer:{env.sender} (sighting)")
            except NotFound:
                continue
            except CTNodeError as exc:
                raise Refused(exc.message, "malformed") from None
            title = f"a sighting of {ref} at {env.sender}"
            self.updates.receive_alert(env, "intel_sighting", title, str(obj.get("id")),
                                       {"collection": col["id"], "object": ref},
                                       [str(obj.get("id")), ref])
            return {"applied": True, "collection": col["id"], "added": added["added"]}
        raise Refused(f"no collection shared with {env.sender} holds {ref}", "not_subscribed")
