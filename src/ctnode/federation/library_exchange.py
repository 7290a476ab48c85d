"""The best-practice library shared with peers: documents added and withdrawn travel as
signed deltas with receipts, so every subscriber can search (titles, snippets, full text in
each document's language) and read what the agreement lets it hold.

An agreement covers the library when its ``lists`` name ``library`` (``*`` does not).
Deltas are the scoped deltas of ``federation/scoped`` under the message type
``library.delta``: each document with its metadata, the text of each language version and
the original file (base64, checked against its SHA-256 on arrival). The subscriber keeps a
copy (``owner``: the publisher) searched with its own documents; only its publisher changes
or withdraws it, and a withdrawal reaches every copy. Only this node's own documents in
force are published (never a copy, nor one past ``valid_until``). TLP is applied per peer
as a delta leaves; TLP:RED documents are not even written into a delta.
"""

from __future__ import annotations

from typing import Any

from ctnode.errors import InvalidInput, Refused
from ctnode.federation.agreements import LIBRARY_SCOPE, Agreement
from ctnode.federation.context import FederationContext, opt_str
from ctnode.federation.envelope import Envelope
from ctnode.federation.list_updates import ListUpdates, ScopeKind
from ctnode.federation.scoped import ScopedDeltas, any_peer, tlp_split
from ctnode.model.access import SYSTEM, Actor
from ctnode.model.tlp import TLP, Recipient
from ctnode.services.library import Library, LibraryChange


def _doc_tlp(doc: dict[str, Any]) -> TLP:
    return TLP.parse(str((doc.get("meta") or {}).get("tlp") or "AMBER+STRICT"))


def cut_for(payload: dict[str, Any], recipient: Recipient) -> dict[str, Any]:
    """One peer's copy of a library delta: the documents TLP lets go to that peer."""
    docs, _withheld = tlp_split(payload.get("documents") or [], _doc_tlp, recipient)
    return {**payload, "documents": docs}


class LibraryExchange:
    """Both sides of sharing the library."""

    def __init__(self, ctx: FederationContext, library: Library, updates: ListUpdates) -> None:
        self.ctx = ctx
        self.library = library
        self.deltas = ScopedDeltas(ctx, updates,
                                   ScopeKind(LIBRARY_SCOPE, "library.delta", cut_for))

    # -- publisher --------------------------------------------------------------------------

    def after_change(self, change: LibraryChange) -> list[dict[str, Any]]:
        """A ``Library`` listener (``node.py`` wires it): send this node's added and withdrawn
        documents to the peers subscribed to the library."""
        if not self.ctx.initialised:
            return []
        peers = self.deltas.subscribers(LIBRARY_SCOPE)
        if not peers:
            return []
        return self._send(SYSTEM, change.added, change.withdrawn, peers)

    def publish(self, actor: Actor, peers: list[str] | None = None) -> list[dict[str, Any]]:
        """Send every document of this node's library in force to its subscribers (or
        ``peers`` of them): what a peer that subscribed later needs. Returns the receipts."""
        self.ctx.require(actor, "library.write")
        subscribers = self.deltas.subscribers(LIBRARY_SCOPE)
        if peers is not None:
            subscribers = [p for p in subscribers if p in peers]
        if not subscribers:
            raise InvalidInput("no peer subscribes to the library: make an outbound agreement "
                               "with lists 'library' and subscribed")
        return self._send(actor, self.library.own_documents(), [], subscribers)

    def full_sync(self, agreement: Agreement) -> list[str]:
        """A ``Directory.on_subscribe`` listener: a new library subscriber gets it whole."""
        if not self.ctx.initialised or not agreement.shares(LIBRARY_SCOPE):
            return []
        if not self.library.own_documents():
            return []
        return [r["delta_id"] for r in self.publish(SYSTEM, [agreement.peer_id])]

    def _send(self, actor: Actor, added: list[str], withdrawn: list[str], peers: list[str]
              ) -> list[dict[str, Any]]:
        """Deltas of at most half the message size limit each (the withdrawals with the
        first); a document whose original alone exceeds it travels without the original
        (``original_omitted``: text and metadata only)."""
        budget = self.ctx.settings.federation_max_message_bytes // 2
        batches: list[list[dict[str, Any]]] = [[]]
        size, withheld, red = 0, 0, 0
        for doc_id in added:
            doc = self.library.document_to_wire(doc_id)
            if doc is None:
                continue
            if _doc_tlp(doc) is TLP.RED:  # not even written into the delta
                red += 1
                continue
            if not tlp_split([doc], _doc_tlp, any_peer())[0]:
                withheld += 1
            weight = len(doc["original"]) + sum(len(x) for t in doc["texts"] for x in t)
            if weight > budget:
                doc = {**doc, "original": "", "original_omitted": True}
                weight = sum(len(x) for t in doc["texts"] for x in t)
            if batches[-1] and size + weight > budget:
                batches.append([])
                size = 0
            batches[-1].append(doc)
            size += weight
        gone = sorted(set(withdrawn))
        receipts: list[dict[str, Any]] = []
        for i, docs in enumerate(batches):
            removed = gone if i == 0 else []
            if not docs and not removed:
                continue
            summary = {"documents": len(docs), "withdrawn": len(removed),
                       "withheld_tlp": (withheld + red) if i == 0 else 0}
            receipts += self.deltas.send(actor, LIBRARY_SCOPE,
                                         {"documents": docs, "removed": removed},
                                         summary, peers, result_ids=removed)
        return receipts

    # -- subscriber -------------------------------------------------------------------------

    def on_delta(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        body = env.body
        delta_id = opt_str(body, "delta_id") or ""
        actor = self.deltas.accept(env, LIBRARY_SCOPE)
        docs, removed = body.get("documents"), body.get("removed")
        if not isinstance(docs, list) or not isinstance(removed, list) or not all(
            isinstance(r, str) for r in removed
        ):
            raise Refused("a library delta lists documents and removed ids", "malformed")
        try:
            applied = self.library.apply_peer(actor, env.sender, docs, removed)
        except InvalidInput as exc:
            raise Refused(exc.message, "malformed") from None
        self.deltas.applied(actor, delta_id, LIBRARY_SCOPE, applied, removed)
        return {"delta_id": delta_id, "applied": True, **applied}
