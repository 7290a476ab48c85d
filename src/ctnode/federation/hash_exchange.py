"""Hash banks exchanged with peers: a publisher's bank deltas (hashes added, hashes removed)
with signed receipts, and notices back to the publisher when its hashes match or are
quarantined elsewhere. Never any content: hashes, labels, TLP and provenance only.

An agreement covers a bank when its ``lists`` name it as ``hashes:<BANK>`` (``*`` does not
cover banks: each is named). Deltas are the scoped deltas every shared scope uses
(``federation/scoped``: ``fed_deltas``, ``fed_receipts``, oldest first, re-sent on contact)
under the message type ``hashes.delta``. Only a bank this node owns is published; a copy
received from a peer is not passed on, so a removal reaches every copy straight from its
publisher.

TLP is applied per peer when a delta leaves (``scoped``): TLP:RED never leaves, and
TLP:AMBER+STRICT only to a node of this node's organisation; the summary counts what a
peer of another organisation is not sent as withheld.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from ctnode.errors import InvalidInput, Refused
from ctnode.federation.context import FederationContext, opt_str
from ctnode.federation.envelope import Envelope
from ctnode.federation.list_updates import ListUpdates, ScopeKind
from ctnode.federation.outbound import fan_out
from ctnode.federation.scoped import ScopedDeltas, any_peer, tlp_split
from ctnode.hashes import model as hm
from ctnode.hashes.formats import common
from ctnode.hashes.model import Bank, HashRecord, RecordStatus
from ctnode.model.access import SYSTEM, Actor
from ctnode.model.tlp import TLP, Recipient
from ctnode.services.hashes import Hashes
from ctnode.services.hashes.banks import BankDelta

log = logging.getLogger(__name__)
PREFIX = "hashes:"


def _wire_tlp(record: dict[str, Any]) -> TLP:
    return TLP.parse(str(record.get("tlp") or "AMBER+STRICT"))


def cut_for(payload: dict[str, Any], recipient: Recipient) -> dict[str, Any]:
    """One peer's copy of a bank delta: the records its TLP lets go to that peer."""
    records, _withheld = tlp_split(payload.get("records") or [], _wire_tlp, recipient)
    return {**payload, "records": records}


def record_from_wire(data: Any, bank: Bank, sender: str, where: str) -> HashRecord:
    """A record of a peer's delta, validated as any imported hash (errors name the field)."""
    if not isinstance(data, dict):
        raise Refused(f"{where} must be an object", "malformed")
    try:
        kind = hm.SignalType(str(data.get("signal_type")))
        prov = data.get("provenance") or {}
        added = datetime.fromisoformat(str(prov.get("added_at")))
        provenance = hm.Provenance(
            "node",
            sender,
            added if added.tzinfo else added.replace(tzinfo=UTC),
            original_id=str(prov.get("original_id") or data.get("record_id") or ""),
            source_format="ctnode-delta",
        )
        tagging = common.Tagging(
            frozenset(hm.Label.parse(str(x)) for x in data.get("labels") or ()),
            hm.parse_tlp(str(data.get("tlp") or "AMBER")),
            tuple(str(t) for t in data.get("tags") or ()),
        )
        rec = common.make_record(
            bank,
            kind,
            str(data.get("value") or ""),
            provenance,
            common.Where("delta", None, where),
            tagging,
            note=str(data.get("note") or "")[:2000],
        )
    except (hm.HashFormatError, ValueError) as exc:
        raise Refused(f"{where}: {exc}", "malformed") from None
    if rec.record_id != data.get("record_id"):
        raise Refused(f"{where}: record id does not match bank, type and value", "malformed")
    return rec


class HashExchange:
    """Both sides of the bank exchange, over the hash services and the list updates' deltas."""

    def __init__(self, ctx: FederationContext, hashes: Hashes, updates: ListUpdates) -> None:
        self.ctx = ctx
        self.hashes = hashes
        self.updates = updates
        self.db = ctx.db
        self.deltas = ScopedDeltas(ctx, updates, ScopeKind(PREFIX, "hashes.delta", cut_for))

    # -- publisher --------------------------------------------------------------------------

    def subscribers(self, bank: str) -> list[str]:
        return self.deltas.subscribers(PREFIX + bank)

    def after_change(self, delta: BankDelta) -> list[dict[str, Any]]:
        """A ``HashBanks`` listener (``node.py`` wires it): send this node's bank changes to
        the peers subscribed to the bank."""
        if delta.bank.owner or not self.ctx.initialised:
            return []  # a peer's bank: its publisher sends the changes
        peers = self.subscribers(delta.bank.name)
        if not peers:
            return []
        return self._send(SYSTEM, delta.bank, delta.records, delta.removed, peers)

    def publish(self, actor: Actor, bank_name: str) -> list[dict[str, Any]]:
        """Send the whole bank (active hashes, and removed ones as removals) to its subscribers:
        what a peer that subscribed later needs. Returns each peer's receipt."""
        self.ctx.require(actor, "hashes.exchange")
        bank = self.hashes.banks.store.get_bank(bank_name)
        if bank.owner:
            raise InvalidInput(f"bank {bank_name} is {bank.owner}'s: only its publisher sends it")
        peers = self.subscribers(bank_name)
        if not peers:
            raise InvalidInput(
                f"no peer subscribes to bank {bank_name}: make an outbound agreement with "
                f"lists 'hashes:{bank_name}' and subscribed"
            )
        active: list[HashRecord] = []
        removed: list[str] = []
        for _key, rec in self.hashes.banks.store.iter_records(bank=bank_name):
            if rec.status is RecordStatus.ACTIVE:
                active.append(rec)
            elif rec.status is RecordStatus.REMOVED:
                removed.append(rec.record_id)
        return self._send(actor, bank, active, removed, peers)

    def _send(
        self,
        actor: Actor,
        bank: Bank,
        records: Iterable[HashRecord],
        removed: Iterable[str],
        peers: list[str],
    ) -> list[dict[str, Any]]:
        if len(PREFIX + bank.name) > 64:
            raise InvalidInput(f"bank {bank.name}: names over 57 characters cannot be exchanged")
        # TLP:RED is not even written into the delta; the rest is cut per peer as it leaves
        given = list(records)
        sent = [rec.as_dict() for rec in given if rec.tlp is not TLP.RED]
        red = len(given) - len(sent)
        _kept, withheld = tlp_split(sent, _wire_tlp, any_peer())
        gone = sorted(set(removed))
        body = {"bank": bank.name, "records": sent, "removed": gone}
        summary = {
            "bank": bank.name,
            "records": len(sent) - withheld,
            "removed": len(gone),
            "withheld_tlp": withheld + red,
        }
        return self.deltas.send(actor, PREFIX + bank.name, body, summary, peers,
                                result_ids=gone)

    # -- subscriber -------------------------------------------------------------------------

    def on_delta(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        body = env.body
        bank_name = opt_str(body, "bank") or ""
        delta_id = opt_str(body, "delta_id") or ""
        actor = self.deltas.accept(env, PREFIX + bank_name)
        raw, removed = body.get("records") or [], body.get("removed") or []
        if (
            not isinstance(raw, list)
            or not isinstance(removed, list)
            or not all(isinstance(r, str) for r in removed)
        ):
            raise Refused("records and removed must be lists", "malformed")
        target = Bank(bank_name, owner=env.sender)
        records = [
            record_from_wire(item, target, env.sender, f"records[{i}]")
            for i, item in enumerate(raw)
        ]
        applied = self.hashes.banks.apply_peer(actor, env.sender, bank_name, records, removed)
        self.deltas.applied(actor, delta_id, PREFIX + bank_name, applied, removed)
        return {"delta_id": delta_id, "applied": True, **applied}

    # -- notices to the publisher -----------------------------------------------------------

    def after_notice(self, kind: str, records: list[HashRecord]) -> None:
        """A ``HashMatching`` listener: tell each publisher, in the background, that its
        hashes matched here (or were quarantined). No content, no query: record ids only."""
        by_peer: dict[tuple[str, str], list[str]] = {}
        for rec in records:
            if rec.provenance.source_kind == "node":
                by_peer.setdefault((rec.provenance.source, rec.bank), []).append(rec.record_id)
        if by_peer and self.ctx.initialised:
            self.ctx.pool.submit(self._send_notices, kind, by_peer)

    def _send_notices(self, kind: str, by_peer: dict[tuple[str, str], list[str]]) -> None:
        try:
            jobs = []
            for (peer_id, bank), ids in by_peer.items():
                peer = self.db.find_peer(peer_id)
                agr = self.ctx.agreement(peer_id, "inbound")
                if peer and peer["status"] == "active" and agr and agr.shares(PREFIX + bank):
                    body = {"kind": kind, "bank": bank, "record_ids": sorted(set(ids))[:1000]}
                    jobs.append((peer, "hashes.notice", body))
            if not jobs:
                return
            results = fan_out(self.ctx, jobs, self.ctx.settings.federation_deadline)
            outcome = {
                pid: ("delivered" if isinstance(r, Envelope) else f"{r.status}: {r.reason}")
                for pid, (r, _ms) in results.items()
            }
            self.ctx.audit.record(
                "federation.alert.sent", SYSTEM, detail={"kind": f"hash_{kind}", "peers": outcome}
            )
        except Exception:  # a background notice must never kill the pool thread: log it
            log.exception("sending hash %s notices failed", kind)

    def on_notice(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        bank = opt_str(env.body, "bank") or ""
        kind = opt_str(env.body, "kind")
        ids = env.body.get("record_ids")
        agr = self.ctx.agreement(env.sender, "outbound")
        if agr is None or not agr.shares(PREFIX + bank):
            raise Refused(f"bank {bank!r} is not shared with {env.sender}", "not_subscribed")
        if kind not in ("hit", "quarantine") or not isinstance(ids, list):
            raise Refused("a notice names its kind (hit, quarantine) and record ids", "malformed")
        ids = [str(i)[:64] for i in ids[:1000]]
        what = "matched" if kind == "hit" else "were quarantined (flood protection)"
        title = f"{len(ids)} hash(es) of bank {bank} {what} at {env.sender}"
        detail = {"bank": bank, "record_ids": ids}
        return self.updates.receive_alert(
            env, f"hash_{kind}", title, ", ".join(ids[:50]), detail, ids
        )
