"""What every part of the federation shares: the services' context, the federation tables,
this node's identity, the transport, a thread pool, and the look-ups they all make.

Each protocol part (``directory``, ``inbound``, ``network_screening``,
``biometric_probes``, ``disclosure``, ``list_updates``, ``checkpoints``) holds one
``FederationContext`` and the services it answers with; ``parts.Federation`` builds
them all once.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from ctnode.audit.events import EventName
from ctnode.clock import utcnow
from ctnode.errors import InvalidInput, NotFound, RateLimited, Refused, Unavailable
from ctnode.federation.agreements import Agreement
from ctnode.federation.envelope import Envelope
from ctnode.federation.identity import Identity, follow_key_changes
from ctnode.federation.transport import HttpTransport, Transport
from ctnode.model.access import Actor, Purpose
from ctnode.model.tlp import TLP, Recipient, SharingTerms
from ctnode.services.context import Context

#: The TLP levels an agreement covers for the peer it names (hash banks, threat intelligence,
#: the library): TLP:AMBER needs a named peer, and every agreement names its peer.
PEER_LEVELS = frozenset({TLP.CLEAR, TLP.GREEN, TLP.AMBER})


class FederationContext:
    """The state the federation parts share, and the look-ups they all make."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.settings = ctx.settings
        self.audit = ctx.audit
        self.require = ctx.require
        self.keyed_hash = ctx.keyed_hash
        self.db = ctx.store.federation
        self.folder = ctx.settings.key_dir / "federation"
        self._identity: Identity | None = None
        self._key_stamp: tuple[int, int] | None = None  # (inode, mtime) of the key file loaded
        self._transport: Transport | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        if self._transport is not None:
            self._transport.close()

    @property
    def development(self) -> bool:
        return self.settings.mode == "development"

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = (self.folder / Identity.KEY_FILE).stat()
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns

    @property
    def identity(self) -> Identity:
        """This node's identity; loaded again when the key file changed (a key rotated by
        ``ctnode rotate-key`` in another process reaches the running server)."""
        if self._identity is None or self._stamp() != self._key_stamp:
            with self._lock:
                stamp = self._stamp()
                if self._identity is None or stamp != self._key_stamp:
                    try:
                        self._identity = Identity.load(self.folder)
                    except InvalidInput as exc:
                        raise Unavailable(exc.message) from None
                    self._key_stamp = stamp
        return self._identity

    @identity.setter
    def identity(self, ident: Identity) -> None:
        self._identity = ident
        self._key_stamp = self._stamp()

    def follow_keys(self, peer: dict[str, Any], env: Envelope) -> dict[str, Any] | None:
        """A peer's envelope that its registered key does not verify: when the key change
        certificates it carries lead from that key to the one that signed it, the directory
        takes the new key and descriptor (each change audited as ``federation.peer.key``) and
        the updated peer is returned; None otherwise. A key the peer revoked as compromised
        is never followed from."""
        if not env.key_changes:
            return None
        node_id = peer["node_id"]
        chain = follow_key_changes(node_id, peer["public_key"], env.key_changes,
                                   development=self.development,
                                   revoked=self.db.revoked_keys(node_id))
        while chain and not env.verify_signature(chain[-1].new_key):
            chain.pop()
        if not chain:
            return None
        desc = chain[-1].descriptor
        with self.db.begin() as conn:
            for change in chain:
                self.db.add_key_change(conn, {
                    "node_id": node_id, "kind": change.kind, "old_key": change.old_key,
                    "new_key": change.new_key, "at": change.at, "reason": change.reason,
                    "certificate": change.to_dict(), "received_at": utcnow()})
                self.audit.record("federation.peer.key", self.peer_actor(node_id, "peer"),
                                  conn=conn, detail={
                                      "node_id": node_id, "kind": change.kind,
                                      "old_key": change.old_key, "new_key": change.new_key,
                                      "at": change.at, "reason": change.reason,
                                      "via": env.type})
            self.db.set_peer_key(conn, node_id, {
                "public_key": desc["public_key"], "descriptor": desc,
                **{k: desc[k] for k in ("organisation", "country", "contact", "endpoint")}})
        return self.db.get_peer(node_id)

    def revoked_signature(self, peer: dict[str, Any], env: Envelope) -> bool:
        """True when the envelope is signed with a key its node revoked."""
        return any(env.verify_signature(k) for k in self.db.revoked_keys(peer["node_id"]))

    @property
    def initialised(self) -> bool:
        return Identity.exists(self.folder)

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            with self._lock:
                if self._transport is None:
                    self._transport = HttpTransport(verify_tls=self.settings.federation_verify_tls)
        return self._transport

    @transport.setter
    def transport(self, transport: Transport) -> None:
        """Carry this node's envelopes another way (``InProcessTransport`` in tests, benchmarks)."""
        self._transport = transport

    @property
    def pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="ctnode-fed")
        return self._pool

    @staticmethod
    def peer_actor(peer_id: str, role: str = "screener") -> Actor:
        return Actor(name=f"peer:{peer_id}", role=role)

    def active_peer(self, node_id: str) -> dict[str, Any]:
        peer = self.db.get_peer(node_id)
        if peer["status"] != "active":
            raise NotFound(f"peer {node_id} was removed")
        return peer

    def agreement(self, peer_id: str, direction: str) -> Agreement | None:
        """The agreement in force (not revoked; possibly expired) for (peer, direction)."""
        rows = self.db.list_agreements(peer_id=peer_id, direction=direction)
        return Agreement.from_row(rows[0]) if rows else None

    def recipient(self, peer_id: str, agr: Agreement) -> Recipient:
        """Who ``peer_id`` is for TLP (``model/tlp.may_share``): a node of this node's own
        organisation (the same ``organisation`` in its signed descriptor, which an admin
        accepted when adding the peer) may receive TLP:AMBER+STRICT; any other peer is a
        peer named in the agreement ``agr`` (CLEAR, GREEN, AMBER). An agreement's
        ``max_tlp`` lowers that ceiling for its peer. TLP:RED never leaves."""
        peer = self.db.find_peer(peer_id)
        mine = str(self.identity.profile.get("organisation") or "").strip().casefold()
        theirs = str((peer or {}).get("organisation") or "").strip().casefold()
        ceiling = TLP(agr.max_tlp) if agr.max_tlp else TLP.AMBER_STRICT
        if mine and theirs == mine and ceiling is TLP.AMBER_STRICT:
            return Recipient("organisation", peer_id)
        # the agreement's ceiling (max_tlp), if it sets one, below what TLP allows a peer
        levels = frozenset(lv for lv in PEER_LEVELS if lv.rank <= ceiling.rank)
        return Recipient("peer", peer_id, SharingTerms(agr.id, peer_id, levels, named=True))

    def require_agreement(self, peer_id: str, direction: str = "outbound") -> Agreement:
        agr = self.agreement(peer_id, direction)
        if agr is None:
            raise Refused(f"no sharing agreement with {peer_id}", "no_agreement")
        return agr

    def enforce_rate(
        self, sender: str, msg_type: str, agr: Agreement | None, now: datetime,
        limit: int | None = None,
    ) -> None:
        """Holder side: refuse a request beyond the rate the agreement (or ``limit``) allows
        per minute, counted in what the messages carry (names of screen requests; this one
        included)."""
        allowed = limit if limit is not None else agr.rate_per_minute if agr else 0
        recent = self.db.count_messages(sender, msg_type, now - timedelta(minutes=1))
        if recent > allowed:
            what = "names queried" if msg_type == "screen.request" else f"{msg_type} messages"
            raise RateLimited(
                f"{recent} {what} in the last minute; {allowed} are allowed", "rate")


    def admit(
        self, env: Envelope, purpose: Purpose, **scope: Any
    ) -> tuple[Agreement, datetime]:
        """Holder side: the sender's agreement, checked for ``purpose`` and ``scope`` (lists,
        biometric modality) now, and the sender's rate for this message type."""
        agr = self.require_agreement(env.sender)
        now = utcnow()
        agr.check(now=now, purpose=purpose.purpose, **scope)
        self.enforce_rate(env.sender, env.type, agr, now)
        return agr, now

    def reference(
        self, env: Envelope, ref: str, entity_id: str, band: str, query_hash: str, now: datetime
    ) -> dict[str, Any]:
        """An opaque reference this node hands a peer for one hit (kept until it expires)."""
        return {
            "ref": ref,
            "peer_id": env.sender,
            "entity_id": entity_id,
            "band": band,
            "query_hash": query_hash,
            "created_at": now,
            "expires_at": now + timedelta(days=self.settings.federation_ref_ttl_days),
        }

    def answered(
        self,
        event: EventName,
        env: Envelope,
        agr: Agreement,
        purpose: Purpose,
        query_hash: str,
        refs: list[dict[str, Any]],
        result_ids: list[str],
        detail: dict[str, Any],
    ) -> None:
        """Holder side: keep the references handed out and audit the answer, in one
        transaction (``detail`` is what this kind of answer adds to peer and agreement)."""
        with self.db.begin() as conn:
            self.db.add_refs(conn, refs)
            self.audit.record(
                event,
                self.peer_actor(env.sender),
                purpose=purpose,
                query_hash=query_hash,
                result_ids=result_ids,
                conn=conn,
                detail={
                    "peer": env.sender,
                    **detail,
                    "refs": [r["ref"] for r in refs],
                    "agreement": agr.id,
                    "level": agr.max_disclosure,
                },
            )


def officer_to_body(actor: Actor) -> dict[str, Any]:
    """The requesting officer as every query and disclosure request carries it (issue 13):
    who at this node asked, audited on both sides."""
    return {"officer": {"name": actor.name[:120], "role": actor.role[:32]}}


def request_body(actor: Actor, purpose: Purpose, **payload: Any) -> dict[str, Any]:
    """An outgoing query's body: its ``payload``, the purpose and the officer asking."""
    return {**payload, **purpose_to_body(purpose), **officer_to_body(actor)}


def officer_from_body(body: dict[str, Any]) -> dict[str, str] | None:
    """The requesting officer a peer's request names (None from a node that does not say);
    refused as ``malformed`` unless a name and role of printable text."""
    value = body.get("officer")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Refused("officer must be an object {name, role}", "malformed")
    out = {}
    for key, limit in (("name", 120), ("role", 32)):
        text = value.get(key)
        if (not isinstance(text, str) or not text.strip() or len(text) > limit
                or not text.isprintable()):
            raise Refused(f"officer.{key} must be printable text of at most {limit} "
                          "characters", "malformed")
        out[key] = text.strip()
    return out


def message_units(env: Envelope) -> int:
    """What a received message counts against its sender's rate: the names of a screen
    request (one request may carry up to 20), else 1 (a biometric request carries one
    template)."""
    if env.type == "screen.request":
        query = env.body.get("query")
        names = query.get("names") if isinstance(query, dict) else None
        if isinstance(names, list) and names:
            return min(len(names), 1000)
    return 1


def opt_str(body: dict[str, Any], key: str) -> str | None:
    """An optional string field of a message body (stripped; empty is None)."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Refused(f"{key} must be a string", "malformed")
    return value.strip() or None


def purpose_to_body(purpose: Purpose) -> dict[str, Any]:
    """The purpose fields of an outgoing request (read back by :func:`purpose_from_body`)."""
    return {"purpose": purpose.purpose, "legal_basis": purpose.legal_basis,
            "case_ref": purpose.case_ref}


def purpose_from_body(body: dict[str, Any]) -> Purpose:
    """The purpose, legal basis and case reference a peer's request states."""
    return Purpose(
        purpose=opt_str(body, "purpose"),
        legal_basis=opt_str(body, "legal_basis"),
        case_ref=opt_str(body, "case_ref"),
    )


def asked_for(body: dict[str, Any], what: str) -> tuple[Purpose, dict[str, str] | None]:
    """Holder side: the complete purpose a peer's ``what`` states, and the officer asking."""
    return complete_purpose(body, what), officer_from_body(body)


def complete_purpose(body: dict[str, Any], what: str) -> Purpose:
    """The purpose a peer's ``what`` states; refused (``missing_legal_basis``) unless purpose,
    legal basis and case reference are all given."""
    purpose = purpose_from_body(body)
    if not purpose.complete:
        raise Refused(f"{what} needs a purpose, a legal basis and a case reference",
                      "missing_legal_basis")
    return purpose
