"""Hash banks exchanged with peers: a publisher's bank deltas (hashes added, hashes removed)
with signed receipts, and notices back to the publisher when its hashes match or are
quarantined elsewhere. Never any content: hashes, labels, TLP and provenance only.

An agreement covers a bank when its ``lists`` name it as ``hashes:<BANK>`` (``*`` does not
cover banks: each is named). Deltas are the scoped deltas every shared scope uses
(``federation/scoped``: ``fed_deltas``, ``fed_receipts``, oldest first, re-sent on contact)
under the message type ``hashes.delta``. Only a bank this node owns is published; a copy
received from a peer is not passed on, so a removal reaches every copy straight from its
publisher.

TLP is applied per peer (``FederationContext.recipient``): TLP:RED never leaves, and
TLP:AMBER+STRICT only to a node of this node's organisation; what a peer is not sent is
counted as withheld.

Labels: an agreement's ``hash_labels`` (when it names any) lets out only hashes whose labels
are all named there; the others never leave and are counted as withheld. Each hash sent is
noted per peer (``hash_copies``), so a removal, or a hash relabelled or an agreement narrowed
so that it is no longer let out, reaches every peer holding a copy. A subscriber whose inbound
agreement names labels keeps only hashes those labels cover.
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
from ctnode.federation.scoped import ScopedDeltas, tlp_split
from ctnode.hashes import model as hm
from ctnode.hashes.formats import common
from ctnode.hashes.model import Bank, HashRecord, RecordStatus
from ctnode.model.access import SYSTEM, Actor
from ctnode.model.tlp import TLP, Recipient, may_share
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
            # a crop banked with its picture stays derived (it matches as the picture there too)
            source_format=fmt
            if (fmt := str(prov.get("source_format") or "")).startswith(hm.DERIVED)
            and len(fmt) <= 32
            else "ctnode-delta",
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
        return self._send(actor, bank, active, removed, peers, every_peer=True)

    def _send(
        self,
        actor: Actor,
        bank: Bank,
        records: Iterable[HashRecord],
        removed: Iterable[str],
        peers: list[str],
        *,
        every_peer: bool = False,
    ) -> list[dict[str, Any]]:
        """Queue one delta per set of peers that get the same records: each peer receives the
        hashes its agreement's TLP and labels let out, and the removal of every hash it holds a
        copy of that is removed or no longer let out. ``every_peer``: a peer with nothing to
        receive still gets a (empty) delta, so it knows the bank."""
        if len(PREFIX + bank.name) > 64:
            raise InvalidInput(f"bank {bank.name}: names over 57 characters cannot be exchanged")
        recs = list(records)
        gone_ids = sorted(set(removed))
        store = self.hashes.banks.store
        held = store.copies_of([r.record_id for r in recs] + gone_ids)
        # the labels of removed hashes: a copy sent before copies were noted is still reached
        was = {rid: rec for rid, (_key, rec) in store.find_records(gone_ids).items()}
        groups: dict[tuple[tuple[str, ...], tuple[str, ...], int, int], list[str]] = {}
        for peer in peers:
            agr = self.ctx.agreement(peer, "outbound")
            send: list[str] = []
            drop: list[str] = []
            tlp_out = labels_out = 0
            for rec in recs:
                has = peer in held.get(rec.record_id, ())
                if agr is None or not may_share(rec.tlp, self.ctx.recipient(peer, agr)).allowed:
                    tlp_out += 1
                elif not agr.covers_labels(rec.labels):
                    labels_out += 1
                else:
                    send.append(rec.record_id)
                    continue
                if has:
                    drop.append(rec.record_id)
            for rid in gone_ids:
                old = was.get(rid)
                if (
                    peer in held.get(rid, ())
                    or old is None
                    or (agr is not None and agr.covers_labels(old.labels))
                ):
                    drop.append(rid)
            if send or drop or every_peer:
                key = (tuple(send), tuple(sorted(set(drop))), tlp_out, labels_out)
                groups.setdefault(key, []).append(peer)
        by_id = {r.record_id: r for r in recs}
        receipts: list[dict[str, Any]] = []
        for (send_ids, drop_ids, tlp_out, labels_out), group in groups.items():
            body = {
                "bank": bank.name,
                "records": [by_id[r].as_dict() for r in send_ids],
                "removed": list(drop_ids),
            }
            summary = {
                "bank": bank.name,
                "records": len(send_ids),
                "removed": len(drop_ids),
                "withheld_tlp": tlp_out,
                "withheld_labels": labels_out,
            }
            with self.db.begin() as conn:  # noted before it leaves: a receipt may come at once
                for peer in group:
                    store.add_copies(conn, peer, list(send_ids))
                    store.drop_copies(conn, peer, list(drop_ids))
            receipts += self.deltas.send(actor, PREFIX + bank.name, body, summary, group,
                                         result_ids=list(drop_ids))
        return receipts

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
        agr = self.ctx.agreement(env.sender, "inbound")
        kept = [r for r in records if agr is None or agr.covers_labels(r.labels)]
        refused, records = len(records) - len(kept), kept
        applied = self.hashes.banks.apply_peer(actor, env.sender, bank_name, records, removed)
        self.deltas.applied(actor, delta_id, PREFIX + bank_name,
                            {**applied, "refused_labels": refused}, removed)
        return {"delta_id": delta_id, "applied": True, **applied, "refused_labels": refused}

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
