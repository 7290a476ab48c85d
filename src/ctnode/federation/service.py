"""The federation service: the one object API, CLI and peers' messages call.

It holds the rules: who is a peer (an admin added its signed descriptor), what an
agreement allows, how an envelope is checked, what a hit answer may contain (an
opaque reference and a band, never personal data), how disclosure is staged
behind a person's decision, how list deltas travel and are receipted, and what
is audited. Network I/O goes through ``ctnode.federation.transport``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ctnode.audit.events import register
from ctnode.audit.log import canonical_json, format_ts
from ctnode.errors import (
    Conflict,
    CTNodeError,
    InvalidInput,
    NotFound,
    RateLimited,
    Refused,
    Unavailable,
)
from ctnode.federation.agreements import (
    DISCLOSURE_LEVELS,
    Agreement,
    norm_purpose,
    validate_biometrics,
    validate_terms,
)
from ctnode.federation.checkpoints import check_signatures
from ctnode.federation.envelope import Envelope, seal
from ctnode.federation.identity import (
    Descriptor,
    Identity,
    check_endpoint,
    verify_payload,
)
from ctnode.federation.transport import HttpTransport, Transport, TransportFailure
from ctnode.model.entities import Entity, Statement
from ctnode.model.screening import ScreenQuery
from ctnode.node import Actor, Purpose, ScreenResult, grant
from ctnode.store.clock import as_utc, utcnow
from ctnode.store.federation import FederationStore

if TYPE_CHECKING:
    from ctnode.biometrics.service import ProbeTemplate
    from ctnode.node import Node
    from ctnode.store import ImportReport

log = logging.getLogger(__name__)

grant("federation.admin", {"admin"})  # init, peers, agreements, alerts, checkpoints
grant("federation.directory", {"admin", "analyst", "screener"})  # read the directory
grant("federation.screen", {"admin", "analyst", "screener"})  # screen across the network
grant("federation.disclosure", {"admin", "analyst"})  # request, approve, refuse disclosures
grant("federation.inbox", {"admin", "analyst"})  # read alerts and list updates

for _name, _text in {
    "federation.init": "The node made its key pair and descriptor (public key recorded).",
    "federation.peer.add": "An admin added (or replaced) a peer from its signed descriptor.",
    "federation.peer.remove": "An admin removed a peer; its messages are refused from then on.",
    "federation.agreement.add": "A sharing agreement was made (peer, direction, terms).",
    "federation.agreement.revoke": "A sharing agreement was revoked.",
    "federation.refused": "A peer's message was refused (reason, type, sender, envelope hash).",
    "federation.peer.refused": "A peer refused this node's request (reason as given by the peer).",
    "federation.screen": "A network screen: query hash and each peer's outcome.",
    "federation.screen.answered": "A peer's query was answered: hit/no-hit, references given.",
    "federation.disclosure.request": "This node asked a peer to disclose a hit reference.",
    "federation.disclosure.received": "A peer asked this node to disclose a hit reference.",
    "federation.disclosure.approve": "A person approved a disclosure; the fields released.",
    "federation.disclosure.refuse": "A person refused a disclosure, with the reason.",
    "federation.disclosure.decision": "A peer's decision on our disclosure request arrived.",
    "federation.disclosure.expired": "Released fields reached their expiry and were deleted.",
    "federation.delta.created": "A list import produced a delta for subscribed peers.",
    "federation.delta.applied": "A peer's list delta was applied here; receipt returned.",
    "federation.receipt": "A peer's signed receipt for a delta arrived.",
    "federation.alert.sent": "An alert was sent to subscribed peers.",
    "federation.alert.received": "An alert from a peer reached the inbox.",
    "federation.checkpoint": "The node signed an audit checkpoint (chain head at a time).",
    "federation.checkpoint.received": "A peer's signed audit checkpoint was received and stored.",
    "federation.biometric": (
        "A biometric network query: keyed hash of the template sent (never the image), "
        "modality, model, and each peer's outcome."
    ),
    "federation.biometric.answered": (
        "A peer's biometric template probe was answered hit / no-hit / incompatible model; "
        "only the probe's keyed hash is kept, the template itself is discarded."
    ),
}.items():
    register(_name, _text)

PEER_STATUSES = (
    "hit",
    "no_hit",
    "incompatible_model",  # biometric queries: the peer's model differs; nothing was compared
    "refused",
    "timeout",
    "down",
    "invalid",
    "skipped",
)
# Largest template a biometric.request may carry (base64 of at most this many bytes).
MAX_PROBE_BYTES = 64 * 1024


class PeerError(Exception):
    """A request to a peer did not get a valid answer."""

    def __init__(self, status: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status  # refused | timeout | down | invalid
        self.reason = reason
        self.message = message


@dataclass(slots=True)
class PeerAnswer:
    """One peer's outcome in a network screen."""

    peer_id: str
    organisation: str
    country: str
    status: str  # one of PEER_STATUSES
    hits: list[dict[str, str]] = field(default_factory=list)  # [{ref, band}]
    reason: str | None = None
    detail: str | None = None
    ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "peer_id": self.peer_id,
            "organisation": self.organisation,
            "country": self.country,
            "status": self.status,
            "hits": self.hits,
            "reason": self.reason,
            "detail": self.detail,
            "ms": round(self.ms, 1),
        }


@dataclass(slots=True)
class NetworkScreenResult:
    local: ScreenResult
    peers: list[PeerAnswer]
    deadline: float
    ms: float


@dataclass(slots=True)
class NetworkBiometricResult:
    """A biometric network query: each peer's hit / no-hit (no local search here)."""

    modality: str
    model_id: str
    engine: str
    query_hash: str
    peers: list[PeerAnswer]
    deadline: float
    ms: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "modality": self.modality,
            "model_id": self.model_id,
            "engine": self.engine,
            "query_hash": self.query_hash,
            "deadline": self.deadline,
            "ms": round(self.ms, 1),
            "peers": [p.to_dict() for p in self.peers],
        }


def probe_to_wire(probe: ProbeTemplate) -> dict[str, Any]:
    """A probe template as carried in ``biometric.request`` (the template, never an image)."""
    return {
        "modality": probe.modality,
        "model_id": probe.model_id,
        "engine": probe.engine,
        "position": probe.position,
        "template": base64.b64encode(probe.data).decode("ascii"),
    }


def probe_from_wire(data: Any) -> ProbeTemplate:
    from ctnode.biometrics.service import ProbeTemplate

    if not isinstance(data, dict):
        raise Refused("probe must be an object", "malformed")
    modality = data.get("modality")
    if modality not in {"face", "fingerprint"}:
        raise Refused("probe.modality must be face or fingerprint", "malformed")
    model_id, engine = data.get("model_id"), data.get("engine")
    if not (isinstance(model_id, str) and isinstance(engine, str)) or not (
        0 < len(model_id) <= 200 and 0 < len(engine) <= 200
    ):
        raise Refused("probe.model_id and probe.engine must be strings", "malformed")
    position = data.get("position")
    if position is not None and (
        not isinstance(position, int) or isinstance(position, bool) or not 0 <= position <= 12
    ):
        raise Refused("probe.position must be a finger position 0-12", "malformed")
    raw = data.get("template")
    if not isinstance(raw, str) or len(raw) > (MAX_PROBE_BYTES * 4) // 3 + 4:
        raise Refused(
            f"probe.template must be base64 of at most {MAX_PROBE_BYTES} bytes", "malformed"
        )
    try:
        blob = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise Refused("probe.template is not base64", "malformed") from None
    if not blob:
        raise Refused("probe.template is empty", "malformed")
    return ProbeTemplate(modality, model_id, engine, blob, position)


def query_to_wire(query: ScreenQuery) -> dict[str, Any]:
    return {
        "names": list(query.names),
        "schema": query.schema,
        "birth_dates": list(query.birth_dates),
        "nationalities": list(query.nationalities),
        "documents": list(query.documents),
    }


def query_from_wire(data: Any) -> ScreenQuery:
    if not isinstance(data, dict):
        raise Refused("query must be an object", "malformed")

    def strs(name: str, limit: int = 20) -> list[str]:
        value = data.get(name, [])
        if (
            not isinstance(value, list)
            or len(value) > limit
            or not all(isinstance(v, str) and len(v) <= 500 for v in value)
        ):
            raise Refused(f"query.{name} must be a list of at most {limit} strings", "malformed")
        return list(value)

    schema = data.get("schema", "Person")
    if schema not in {"Person", "Organization", "LegalEntity", "Thing"}:
        raise Refused(
            "query.schema must be Person, Organization, LegalEntity or Thing", "malformed"
        )
    names = [n for n in strs("names") if n.strip()]
    if not names:
        raise Refused("query.names must hold at least one name", "malformed")
    return ScreenQuery(
        names=names,
        schema=schema,
        birth_dates=strs("birth_dates"),
        nationalities=strs("nationalities"),
        documents=strs("documents"),
    )


def entity_to_wire(entity: Entity) -> dict[str, Any]:
    """An entity with every statement's provenance (list, original form, language)."""
    return {
        "id": entity.id,
        "schema": entity.schema,
        "dataset": entity.dataset,
        "reference": entity.reference,
        "statements": [
            {"prop": s.prop, "value": s.value, "original": s.original, "lang": s.lang}
            for s in entity.statements
        ],
    }


def entity_from_wire(data: Any, dataset: str) -> Entity:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise Refused("delta entity must be an object with an id", "malformed")
    if data.get("dataset") != dataset:
        raise Refused(f"delta entity {data['id']} is not of list {dataset}", "malformed")
    stmts = data.get("statements")
    if not isinstance(stmts, list):
        raise Refused(f"delta entity {data['id']}: statements must be a list", "malformed")
    entity = Entity(
        id=data["id"],
        schema=str(data.get("schema") or "Thing"),
        dataset=dataset,
        reference=data.get("reference"),
    )
    for s in stmts:
        if (
            not isinstance(s, dict)
            or not isinstance(s.get("prop"), str)
            or not isinstance(s.get("value"), str)
        ):
            raise Refused(f"delta entity {data['id']}: bad statement", "malformed")
        entity.statements.append(
            Statement(
                prop=s["prop"],
                value=s["value"],
                original=str(s.get("original") or s["value"]),
                dataset=dataset,
                lang=s.get("lang"),
            )
        )
    return entity


class FederationService:
    """Federation for one node. ``node.federation`` creates it on first use."""

    def __init__(self, node: Node, transport: Transport | None = None) -> None:
        self.node = node
        self.settings = node.settings
        self.db = FederationStore(node.store)
        self.folder = node.settings.data_dir / "federation"
        self._identity: Identity | None = None
        self._transport = transport
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._last_purge = 0.0
        self._last_retry: dict[str, float] = {}
        self._handlers: dict[str, tuple[str, Callable[[Envelope, dict[str, Any]], dict[str, Any]]]]
        self._handlers = {
            "ping": ("pong", self._on_ping),
            "screen.request": ("screen.response", self._on_screen),
            "disclosure.request": ("disclosure.ack", self._on_disclosure_request),
            "disclosure.status": ("disclosure.decision", self._on_disclosure_status),
            "disclosure.decision": ("ack", self._on_disclosure_decision),
            "list.delta": ("list.receipt", self._on_delta),
            "alert": ("ack", self._on_alert),
            "checkpoint.request": ("checkpoint", self._on_checkpoint_request),
            "biometric.request": ("biometric.response", self._on_biometric),
        }

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        if self._transport is not None:
            self._transport.close()

    # -- basics -------------------------------------------------------------------------

    @property
    def development(self) -> bool:
        return self.settings.mode == "development"

    @property
    def identity(self) -> Identity:
        if self._identity is None:
            with self._lock:
                if self._identity is None:
                    try:
                        self._identity = Identity.load(self.folder)
                    except InvalidInput as exc:
                        raise Unavailable(exc.message) from None
        return self._identity

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

    @property
    def pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="ctnode-fed")
        return self._pool

    def _audit(self, event: str, actor: Actor | str, **kw: Any) -> None:
        who = actor if isinstance(actor, Actor) else Actor(name=actor, role="peer")
        self.node.audit(event, who, **kw)

    @staticmethod
    def _peer_actor(peer_id: str, role: str = "screener") -> Actor:
        return Actor(name=f"peer:{peer_id}", role=role)

    # -- identity -------------------------------------------------------------------------

    def init(
        self,
        actor: Actor,
        *,
        node_id: str,
        organisation: str,
        country: str,
        contact: str,
        endpoint: str | None = None,
        force: bool = False,
    ) -> Descriptor:
        """Give this node an Ed25519 key pair and a signed descriptor."""
        self.node.require(actor, "federation.admin")
        endpoint = endpoint or f"http://{self.settings.host}:{self.settings.port}"
        ident = Identity.create(
            self.folder,
            node_id=node_id,
            organisation=organisation,
            country=country,
            contact=contact,
            endpoint=endpoint,
            development=self.development,
            force=force,
        )
        self._identity = ident
        self._audit(
            "federation.init",
            actor,
            detail={
                "node_id": ident.node_id,
                "public_key": ident.public_key,
                "endpoint": ident.profile["endpoint"],
            },
        )
        return ident.descriptor()

    def descriptor(self) -> Descriptor:
        return self.identity.descriptor()

    # -- the directory ----------------------------------------------------------------------

    def add_peer(self, actor: Actor, descriptor: Any) -> dict[str, Any]:
        """Trust a peer: only an admin, only from a descriptor whose self-signature verifies."""
        self.node.require(actor, "federation.admin")
        desc = Descriptor.parse(descriptor, development=self.development)
        if self.initialised and desc.node_id == self.identity.node_id:
            raise InvalidInput("that descriptor is this node's own")
        values = {
            "node_id": desc.node_id,
            "organisation": desc.organisation,
            "country": desc.country,
            "contact": desc.contact,
            "endpoint": desc.endpoint,
            "public_key": desc.public_key,
            "descriptor": desc.to_dict(),
            "status": "active",
            "added_at": utcnow(),
            "added_by": actor.name,
        }
        with self.db.begin() as conn:
            new = self.db.upsert_peer(conn, values)
            self.node.audit(
                "federation.peer.add",
                actor,
                conn=conn,
                detail={
                    "node_id": desc.node_id,
                    "public_key": desc.public_key,
                    "endpoint": desc.endpoint,
                    "replaced": not new,
                },
            )
        return self.db.get_peer(desc.node_id)

    def remove_peer(self, actor: Actor, node_id: str) -> None:
        self.node.require(actor, "federation.admin")
        peer = self.db.get_peer(node_id)
        if peer["status"] != "active":
            raise Conflict(f"peer {node_id} was already removed")
        with self.db.begin() as conn:
            self.db.remove_peer(conn, node_id)
            self.node.audit("federation.peer.remove", actor, conn=conn, detail={"node_id": node_id})

    def list_peers(self, actor: Actor, include_removed: bool = False) -> list[dict[str, Any]]:
        self.node.require(actor, "federation.directory")
        return self.db.list_peers(include_removed=include_removed)

    def get_peer(self, actor: Actor, node_id: str) -> dict[str, Any]:
        self.node.require(actor, "federation.directory")
        peer = self.db.get_peer(node_id)
        peer["agreements"] = [
            Agreement.from_row(r).to_dict() for r in self.db.list_agreements(peer_id=node_id)
        ]
        return peer

    def ping(self, actor: Actor, node_id: str) -> float:
        """Round-trip a signed ping to a peer; returns milliseconds."""
        self.node.require(actor, "federation.directory")
        peer = self._active_peer(node_id)
        started = time.perf_counter()
        self._send(peer, "ping", {}, self.settings.federation_deadline)
        return (time.perf_counter() - started) * 1000

    def _active_peer(self, node_id: str) -> dict[str, Any]:
        peer = self.db.get_peer(node_id)
        if peer["status"] != "active":
            raise NotFound(f"peer {node_id} was removed")
        return peer

    # -- agreements ---------------------------------------------------------------------------

    def add_agreement(
        self,
        actor: Actor,
        *,
        peer_id: str,
        direction: str,
        lists: list[str],
        purposes: list[str],
        expires_at: datetime,
        rate_per_minute: int = 60,
        max_disclosure: str = "reference",
        fields: list[str] | None = None,
        subscribed: bool = False,
        biometrics: list[str] | None = None,
    ) -> Agreement:
        """Make the agreement for (peer, direction); it replaces the one in force, if any."""
        self.node.require(actor, "federation.admin")
        self._active_peer(peer_id)
        lists, purposes, flds = validate_terms(
            direction=direction,
            lists=lists,
            purposes=purposes,
            rate_per_minute=rate_per_minute,
            max_disclosure=max_disclosure,
            fields=fields or [],
        )
        bio = validate_biometrics(biometrics or [])
        expires = as_utc(expires_at)
        assert expires is not None
        now = utcnow()
        if expires <= now:
            raise InvalidInput("expires_at must be in the future")
        values = {
            "id": str(uuid.uuid4()),
            "peer_id": peer_id,
            "direction": direction,
            "lists": lists,
            "purposes": purposes,
            "rate_per_minute": rate_per_minute,
            "max_disclosure": max_disclosure,
            "fields": flds,
            "subscribed": subscribed,
            "expires_at": expires,
            "created_at": now,
            "created_by": actor.name,
            "revoked_at": None,
            "biometrics": bio,
        }
        with self.db.begin() as conn:
            for old in self.db.list_agreements(peer_id=peer_id, direction=direction):
                self.db.revoke_agreement(conn, old["id"])
            self.db.add_agreement(conn, values)
            self.node.audit(
                "federation.agreement.add",
                actor,
                conn=conn,
                detail={
                    k: (v.isoformat() if isinstance(v, datetime) else v)
                    for k, v in values.items()
                    if k not in {"created_at", "created_by", "revoked_at"}
                },
            )
        return Agreement.from_row(values)

    def list_agreements(
        self, actor: Actor, *, peer_id: str | None = None, include_revoked: bool = False
    ) -> list[Agreement]:
        self.node.require(actor, "federation.directory")
        return [
            Agreement.from_row(r)
            for r in self.db.list_agreements(peer_id=peer_id, include_revoked=include_revoked)
        ]

    def revoke_agreement(self, actor: Actor, agreement_id: str) -> None:
        self.node.require(actor, "federation.admin")
        row = self.db.get_agreement(agreement_id)
        if row["revoked_at"] is not None:
            raise Conflict(f"agreement {agreement_id} was already revoked")
        with self.db.begin() as conn:
            self.db.revoke_agreement(conn, agreement_id)
            self.node.audit(
                "federation.agreement.revoke",
                actor,
                conn=conn,
                detail={"id": agreement_id, "peer_id": row["peer_id"]},
            )

    def agreement(self, peer_id: str, direction: str) -> Agreement | None:
        """The agreement in force (not revoked; possibly expired) for (peer, direction)."""
        rows = self.db.list_agreements(peer_id=peer_id, direction=direction)
        return Agreement.from_row(rows[0]) if rows else None

    def _require_agreement(self, peer_id: str, direction: str = "outbound") -> Agreement:
        agr = self.agreement(peer_id, direction)
        if agr is None:
            raise Refused(f"no sharing agreement with {peer_id}", "no_agreement")
        return agr

    # -- receiving ------------------------------------------------------------------------------

    def receive(self, raw: Any) -> tuple[int, dict[str, Any]]:
        """Handle one envelope from a peer; returns (HTTP status, JSON body).

        Checks shape, recipient, sender, signature, freshness and nonce before
        anything else; every refusal is audited. Answers are signed envelopes;
        refusals after the sender was authenticated carry a signed ``refusal``.
        """
        sender = raw.get("sender") if isinstance(raw, dict) else None
        try:
            env = Envelope.parse(raw)
            ident = self.identity
            if env.recipient != ident.node_id:
                raise Refused(
                    f"addressed to {env.recipient!r}, this node is {ident.node_id!r}",
                    "wrong_recipient",
                )
            peer = self.db.find_peer(env.sender)
            if peer is None or peer["status"] != "active":
                raise Refused(f"{env.sender!r} is not a peer of this node", "unknown_sender")
            if not env.verify_signature(peer["public_key"]):
                raise Refused(
                    "the signature does not verify with the sender's key", "bad_signature"
                )
            now = utcnow()
            env.check_fresh(self.settings.federation_max_skew, now)
            if not self.db.remember_nonce(env.sender, env.nonce, env.type, now):
                raise Refused(f"nonce {env.nonce} was already used by {env.sender}", "replayed")
            self._maybe_purge(now)
        except Refused as exc:
            # Not authenticated: the sender named in the message is only a claim.
            self._audit_refusal(exc, raw, f"unverified:{sender}" if sender else "unverified:?")
            status = 400 if exc.reason == "malformed" else 403
            return status, {"detail": exc.message, "code": exc.code, "reason": exc.reason}
        except Unavailable as exc:
            return 503, {"detail": exc.message, "code": exc.code}
        entry = self._handlers.get(env.type)
        reply_type = entry[0] if entry else "refusal"
        try:
            if entry is None:
                raise Refused(f"{env.type} is not a request this node answers", "malformed")
            body = entry[1](env, peer)
        except Refused as exc:
            self._audit_refusal(exc, raw, f"peer:{env.sender}")
            refusal = seal(
                ident,
                "refusal",
                env.sender,
                {"in_reply_to": env.nonce, "reason": exc.reason, "detail": exc.message},
            )
            status = (
                429 if isinstance(exc, RateLimited) else (400 if exc.reason == "malformed" else 403)
            )
            return status, {
                "detail": exc.message,
                "code": exc.code,
                "reason": exc.reason,
                "envelope": refusal.to_dict(),
            }
        except CTNodeError as exc:
            return exc.status_code, {"detail": exc.message, "code": exc.code}
        self._on_contact(env.sender)
        reply = seal(ident, reply_type, env.sender, {**body, "in_reply_to": env.nonce})
        return 200, reply.to_dict()

    def _audit_refusal(self, exc: Refused, raw: Any, who: str) -> None:
        try:
            digest = hashlib.sha256(canonical_json(raw).encode()).hexdigest()
        except (TypeError, ValueError):
            digest = ""
        msg_type = raw.get("type") if isinstance(raw, dict) else None
        self._audit(
            "federation.refused",
            str(who)[:120],
            detail={
                "reason": exc.reason,
                "message": exc.message[:300],
                "type": str(msg_type)[:64] if msg_type else None,
                "envelope_sha256": digest,
            },
        )

    def _maybe_purge(self, now: datetime) -> None:
        if time.monotonic() - self._last_purge < 30:
            return
        self._last_purge = time.monotonic()
        keep = max(2 * self.settings.federation_max_skew, 60.0) + 60.0
        self.db.purge_nonces(now - timedelta(seconds=keep))
        self.db.purge_refs(now)  # expired hit references can no longer be asked about

    # -- sending --------------------------------------------------------------------------------

    def _send(
        self,
        peer: dict[str, Any],
        msg_type: str,
        body: dict[str, Any],
        timeout: float,
        envelope: Envelope | None = None,
    ) -> Envelope:
        """Send a signed request to a peer; return its verified answer or raise ``PeerError``."""
        ident = self.identity
        try:
            endpoint = check_endpoint(peer["endpoint"], development=self.development)
        except InvalidInput as exc:
            raise PeerError("refused", "insecure_endpoint", exc.message) from None
        env = envelope or seal(ident, msg_type, peer["node_id"], body)
        try:
            reply = self.transport.send(endpoint, env.to_dict(), timeout)
        except TransportFailure as exc:
            raise PeerError(exc.kind, exc.kind, exc.message) from None
        data = reply.body if isinstance(reply.body, dict) else {}
        if reply.status == 200:
            answer = self._verify_answer(peer, env, data)
            return answer
        if isinstance(data.get("envelope"), dict):
            refusal = self._verify_answer(peer, env, data["envelope"])
            raise PeerError(
                "refused", str(refusal.body.get("reason")), str(refusal.body.get("detail"))
            )
        reason = str(data.get("reason") or data.get("code") or f"http_{reply.status}")
        raise PeerError(
            "refused" if data.get("reason") else "invalid",
            reason,
            str(data.get("detail") or f"HTTP {reply.status}"),
        )

    def _verify_answer(
        self, peer: dict[str, Any], request: Envelope, data: dict[str, Any]
    ) -> Envelope:
        try:
            answer = Envelope.parse(data)
        except Refused as exc:
            raise PeerError("invalid", "malformed_answer", exc.message) from None
        if answer.sender != peer["node_id"] or answer.recipient != request.sender:
            raise PeerError("invalid", "misaddressed_answer", "answer not from/to the right node")
        if not answer.verify_signature(peer["public_key"]):
            raise PeerError("invalid", "bad_signature", "the answer's signature does not verify")
        try:
            answer.check_fresh(self.settings.federation_max_skew)
        except Refused as exc:
            raise PeerError("invalid", "stale_answer", exc.message) from None
        if answer.body.get("in_reply_to") != request.nonce:
            raise PeerError("invalid", "unrelated_answer", "answer is not for this request")
        return answer

    def _fan_out(
        self, jobs: list[tuple[dict[str, Any], str, dict[str, Any]]], deadline: float
    ) -> dict[str, tuple[Envelope | PeerError, float]]:
        """Send to several peers in parallel; what has not answered by the deadline times out."""
        started = time.perf_counter()
        futures: dict[Future[Envelope], str] = {}
        times: dict[str, float] = {}

        def run(peer: dict[str, Any], msg_type: str, body: dict[str, Any]) -> Envelope:
            try:
                return self._send(peer, msg_type, body, deadline)
            finally:
                times[peer["node_id"]] = (time.perf_counter() - started) * 1000

        for peer, msg_type, body in jobs:
            futures[self.pool.submit(run, peer, msg_type, body)] = peer["node_id"]
        done, _pending = wait(futures, timeout=deadline + 0.2)
        out: dict[str, tuple[Envelope | PeerError, float]] = {}
        for fut, peer_id in futures.items():
            elapsed = times.get(peer_id, (time.perf_counter() - started) * 1000)
            if fut not in done:
                fut.cancel()
                out[peer_id] = (
                    PeerError("timeout", "timeout", f"no answer within {deadline:.1f} s"),
                    elapsed,
                )
                continue
            exc = fut.exception()
            if exc is None:
                out[peer_id] = (fut.result(), elapsed)
            elif isinstance(exc, PeerError):
                out[peer_id] = (exc, elapsed)
            else:
                out[peer_id] = (
                    PeerError("invalid", "error", f"{type(exc).__name__}: {exc}"),
                    elapsed,
                )
        return out

    # -- network screening (requester side) ----------------------------------------------

    def screen_network(
        self,
        query: ScreenQuery,
        actor: Actor,
        purpose: Purpose,
        *,
        peers: list[str] | None = None,
        deadline: float | None = None,
        limit: int = 10,
        lists: list[str] | None = None,
    ) -> NetworkScreenResult:
        """Screen locally and on every peer whose agreement allows it, in parallel, with a deadline.

        Peers asked: those named in ``peers`` (the holder enforces its own
        agreement), else every active peer whose inbound agreement covers the
        purpose and has not expired. A peer that is down or late is reported as
        such; the others' answers still come back.
        """
        self.node.require(actor, "federation.screen")
        if not (purpose.purpose and purpose.legal_basis and purpose.case_ref):
            raise InvalidInput("a network screen needs --purpose, --legal-basis and --case")
        deadline = deadline or self.settings.federation_deadline
        if not 0 < deadline <= 120:
            raise InvalidInput("deadline must be between 0 and 120 seconds")
        started = time.perf_counter()
        local = self.node.screen(query, actor, purpose, limit=limit, source="network")
        targets, answers = self._targets(purpose.purpose, peers)
        body = {
            "query": query_to_wire(query),
            "purpose": purpose.purpose,
            "legal_basis": purpose.legal_basis,
            "case_ref": purpose.case_ref,
        }
        if lists:
            body["lists"] = list(lists)
        results = self._fan_out([(p, "screen.request", body) for p in targets], deadline)
        by_id = {p["node_id"]: p for p in targets}
        for peer_id, (outcome, ms) in results.items():
            peer = by_id[peer_id]
            ans = PeerAnswer(
                peer_id=peer_id,
                organisation=peer["organisation"],
                country=peer["country"],
                status="invalid",
                ms=ms,
            )
            if isinstance(outcome, PeerError):
                ans.status, ans.reason, ans.detail = outcome.status, outcome.reason, outcome.message
                if outcome.status == "refused":
                    self._audit(
                        "federation.peer.refused",
                        actor,
                        purpose=purpose,
                        query_hash=local.query_hash,
                        detail={
                            "peer": peer_id,
                            "reason": outcome.reason,
                            "message": outcome.message[:300],
                        },
                    )
            else:
                result = outcome.body.get("result")
                hits = outcome.body.get("hits") or []
                if result not in {"hit", "no_hit"} or not isinstance(hits, list):
                    ans.detail = "answer has no valid result"
                else:
                    ans.status = str(result)
                    ans.hits = [
                        {"ref": str(h.get("ref")), "band": str(h.get("band"))}
                        for h in hits
                        if isinstance(h, dict)
                    ][:50]
            answers.append(ans)
        answers.sort(key=lambda a: a.peer_id)
        self._audit(
            "federation.screen",
            actor,
            purpose=purpose,
            query_hash=local.query_hash,
            result_ids=[h.entity_id for h in local.hits if h.band != "no match"],
            detail={
                "deadline": deadline,
                "peers": {
                    a.peer_id: {
                        "status": a.status,
                        "reason": a.reason,
                        "refs": [h["ref"] for h in a.hits],
                    }
                    for a in answers
                },
            },
        )
        return NetworkScreenResult(
            local=local, peers=answers, deadline=deadline, ms=(time.perf_counter() - started) * 1000
        )

    def _targets(
        self, purpose: str, peers: list[str] | None, biometric: str | None = None
    ) -> tuple[list[dict[str, Any]], list[PeerAnswer]]:
        now = utcnow()
        skipped: list[PeerAnswer] = []
        if peers:
            return [self._active_peer(p) for p in dict.fromkeys(peers)], skipped
        targets = []
        for peer in self.db.list_peers():
            agr = self.agreement(peer["node_id"], "inbound")
            why = None
            if agr is None:
                why = "no_agreement"
            else:
                try:
                    agr.check(now=now, purpose=purpose, biometric=biometric)
                except Refused as exc:
                    why = exc.reason
            if why is None:
                targets.append(peer)
            else:
                skipped.append(
                    PeerAnswer(
                        peer_id=peer["node_id"],
                        organisation=peer["organisation"],
                        country=peer["country"],
                        status="skipped",
                        reason=why,
                        detail="not asked: the peer's agreement with us does not cover this",
                    )
                )
        return targets, skipped

    # -- network screening (holder side) -------------------------------------------------

    def _on_ping(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        return {"node_id": self.identity.node_id}

    def _on_screen(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        body = env.body
        purpose = Purpose(
            purpose=_opt_str(body, "purpose"),
            legal_basis=_opt_str(body, "legal_basis"),
            case_ref=_opt_str(body, "case_ref"),
        )
        if not (purpose.purpose and purpose.legal_basis and purpose.case_ref):
            raise Refused(
                "a query needs a purpose, a legal basis and a case reference", "missing_legal_basis"
            )
        lists = body.get("lists")
        if lists is not None and (
            not isinstance(lists, list) or not all(isinstance(x, str) for x in lists)
        ):
            raise Refused("lists must be a list of list names", "malformed")
        agr = self._require_agreement(env.sender)
        now = utcnow()
        agr.check(now=now, purpose=purpose.purpose, lists=lists)
        recent = self.db.count_messages(env.sender, "screen.request", now - timedelta(minutes=1))
        if recent > agr.rate_per_minute:
            raise RateLimited(
                f"{recent} queries in the last minute; the agreement allows {agr.rate_per_minute}",
                "rate",
            )
        query = query_from_wire(body.get("query"))
        if lists:
            query.datasets = list(lists)
        elif "*" not in agr.lists:
            query.datasets = list(agr.lists)
        result = self.node.screen(
            query, self._peer_actor(env.sender), purpose, limit=10, source="peer"
        )
        hits = [h for h in result.hits if h.band in {"match", "possible"}]
        answer: dict[str, Any] = {"result": "hit" if hits else "no_hit"}
        refs: list[dict[str, Any]] = []
        if hits and agr.level_at_least("reference"):
            expires = now + timedelta(days=self.settings.federation_ref_ttl_days)
            refs = [
                {
                    "ref": "r_" + secrets.token_hex(16),
                    "peer_id": env.sender,
                    "entity_id": h.entity_id,
                    "band": h.band,
                    "query_hash": result.query_hash,
                    "created_at": now,
                    "expires_at": expires,
                }
                for h in hits
            ]
            answer["hits"] = [{"ref": r["ref"], "band": r["band"]} for r in refs]
        with self.db.begin() as conn:
            self.db.add_refs(conn, refs)
            self.node.audit(
                "federation.screen.answered",
                self._peer_actor(env.sender),
                purpose=purpose,
                query_hash=result.query_hash,
                result_ids=[h.entity_id for h in hits],
                conn=conn,
                detail={
                    "peer": env.sender,
                    "result": answer["result"],
                    "refs": [r["ref"] for r in refs],
                    "agreement": agr.id,
                    "level": agr.max_disclosure,
                },
            )
        return answer

    # -- biometric hit/no-hit (templates, never images) -------------------------------------

    def biometric_network(
        self,
        probe: ProbeTemplate,
        actor: Actor,
        purpose: Purpose,
        *,
        peers: list[str] | None = None,
        deadline: float | None = None,
    ) -> NetworkBiometricResult:
        """Send a probe template to every peer whose agreement allows biometric queries.

        Only actors with the biometric permission may send one (special-category
        data). The template (made by ``BiometricService.make_probe``) travels with
        its model id and engine; each holder answers hit / no-hit (an opaque
        reference and a band on a hit) or ``incompatible_model``, in parallel,
        with a deadline; a peer that is down or late is reported as such.
        """
        from ctnode.biometrics.service import service_for

        self.node.require(actor, "federation.screen")
        service_for(self.node).require(actor, "send biometric queries to peers")
        if not (purpose.purpose and purpose.legal_basis and purpose.case_ref):
            raise InvalidInput(
                "a biometric network query needs --purpose, --legal-basis and --case"
            )
        if not probe.data or len(probe.data) > MAX_PROBE_BYTES:
            raise InvalidInput(f"a probe template is 1 to {MAX_PROBE_BYTES} bytes")
        deadline = deadline or self.settings.federation_deadline
        if not 0 < deadline <= 120:
            raise InvalidInput("deadline must be between 0 and 120 seconds")
        started = time.perf_counter()
        qhash = self.node.keyed_hash({"probe": probe.digest()})
        targets, answers = self._targets(purpose.purpose, peers, biometric=probe.modality)
        body = {
            "probe": probe_to_wire(probe),
            "purpose": purpose.purpose,
            "legal_basis": purpose.legal_basis,
            "case_ref": purpose.case_ref,
        }
        results = self._fan_out([(p, "biometric.request", body) for p in targets], deadline)
        by_id = {p["node_id"]: p for p in targets}
        for peer_id, (outcome, ms) in results.items():
            peer = by_id[peer_id]
            ans = PeerAnswer(
                peer_id=peer_id,
                organisation=peer["organisation"],
                country=peer["country"],
                status="invalid",
                ms=ms,
            )
            if isinstance(outcome, PeerError):
                ans.status, ans.reason, ans.detail = outcome.status, outcome.reason, outcome.message
                if outcome.status == "refused":
                    self._audit(
                        "federation.peer.refused",
                        actor,
                        purpose=purpose,
                        query_hash=qhash,
                        detail={
                            "peer": peer_id,
                            "type": "biometric.request",
                            "reason": outcome.reason,
                            "message": outcome.message[:300],
                        },
                    )
            else:
                result = outcome.body.get("result")
                hits = outcome.body.get("hits") or []
                if result not in {"hit", "no_hit", "incompatible_model"} or not isinstance(
                    hits, list
                ):
                    ans.detail = "answer has no valid result"
                else:
                    ans.status = str(result)
                    ans.hits = [
                        {"ref": str(h.get("ref")), "band": str(h.get("band"))}
                        for h in hits
                        if isinstance(h, dict)
                    ][:1]
                    if result == "incompatible_model":
                        ans.reason = "model_mismatch"
                        ans.detail = (
                            f"the peer compares only {outcome.body.get('model_id')} / "
                            f"{outcome.body.get('engine')}; nothing was compared"
                        )
            answers.append(ans)
        answers.sort(key=lambda a: a.peer_id)
        self._audit(
            "federation.biometric",
            actor,
            purpose=purpose,
            query_hash=qhash,
            detail={
                "modality": probe.modality,
                "model_id": probe.model_id,
                "engine": probe.engine,
                "deadline": deadline,
                "peers": {
                    a.peer_id: {
                        "status": a.status,
                        "reason": a.reason,
                        "refs": [h["ref"] for h in a.hits],
                    }
                    for a in answers
                },
            },
        )
        return NetworkBiometricResult(
            modality=probe.modality,
            model_id=probe.model_id,
            engine=probe.engine,
            query_hash=qhash,
            peers=answers,
            deadline=deadline,
            ms=(time.perf_counter() - started) * 1000,
        )

    def _on_biometric(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        """Holder side: answer a template probe, then let the template go (only its hash stays)."""
        from ctnode.biometrics.errors import ModelMismatch
        from ctnode.biometrics.service import service_for

        body = env.body
        purpose = Purpose(
            purpose=_opt_str(body, "purpose"),
            legal_basis=_opt_str(body, "legal_basis"),
            case_ref=_opt_str(body, "case_ref"),
        )
        if not (purpose.purpose and purpose.legal_basis and purpose.case_ref):
            raise Refused(
                "a biometric query needs a purpose, a legal basis and a case reference",
                "missing_legal_basis",
            )
        probe = probe_from_wire(body.get("probe"))
        modality = probe.modality
        agr = self._require_agreement(env.sender)
        now = utcnow()
        agr.check(now=now, purpose=purpose.purpose, biometric=probe.modality)
        recent = self.db.count_messages(env.sender, "biometric.request", now - timedelta(minutes=1))
        if recent > agr.rate_per_minute:
            raise RateLimited(
                f"{recent} queries in the last minute; the agreement allows {agr.rate_per_minute}",
                "rate",
            )
        svc = service_for(self.node)
        qhash = self.node.keyed_hash({"probe": probe.digest()})
        try:
            answer = svc.probe_template(probe, purpose, requester=env.sender)
        except ModelMismatch as exc:
            mine = svc.face if probe.modality == "face" else svc.finger
            self._audit(
                "federation.biometric.answered",
                self._peer_actor(env.sender),
                purpose=purpose,
                query_hash=qhash,
                detail={
                    "peer": env.sender,
                    "modality": probe.modality,
                    "result": "incompatible_model",
                    "probe_model": probe.model_id,
                    "message": exc.message[:300],
                    "agreement": agr.id,
                },
            )
            return {
                "result": "incompatible_model",
                "model_id": mine.model_id,
                "engine": mine.engine,
            }
        except InvalidInput as exc:
            raise Refused(f"probe refused: {exc.message}", "malformed") from None
        # The template is not kept: no row, no log line; only its keyed hash is audited.
        del probe
        out: dict[str, Any] = {
            "result": "hit" if answer.hit else "no_hit",
            "model_id": answer.model_id,
            "engine": answer.engine,
        }
        refs: list[dict[str, Any]] = []
        if answer.hit and answer.reference and agr.level_at_least("reference"):
            hit_row = self._biometric_hit(answer.reference)
            refs = [
                {
                    "ref": answer.reference,
                    "peer_id": env.sender,
                    "entity_id": hit_row["entity_id"] if hit_row else "",
                    "band": answer.band,
                    "query_hash": qhash,
                    "created_at": now,
                    "expires_at": now + timedelta(days=self.settings.federation_ref_ttl_days),
                }
            ]
            out["hits"] = [{"ref": answer.reference, "band": answer.band}]
        with self.db.begin() as conn:
            self.db.add_refs(conn, refs)
            self.node.audit(
                "federation.biometric.answered",
                self._peer_actor(env.sender),
                purpose=purpose,
                query_hash=qhash,
                result_ids=[r["entity_id"] for r in refs],
                conn=conn,
                detail={
                    "peer": env.sender,
                    "modality": modality,
                    "result": out["result"],
                    "refs": [r["ref"] for r in refs],
                    "agreement": agr.id,
                    "level": agr.max_disclosure,
                },
            )
        return out

    def _biometric_hit(self, ref: str) -> dict[str, Any] | None:
        """The holder's record of a biometric hit reference (None: not a biometric reference)."""
        from ctnode.biometrics import repository

        row = repository.get_hit(self.node.store.engine, ref)
        return dict(row._mapping) if row is not None else None

    # -- staged disclosure ------------------------------------------------------------------------

    def request_disclosure(
        self, actor: Actor, *, peer_id: str, ref: str, justification: str, purpose: Purpose
    ) -> dict[str, Any]:
        """Ask the holder for the record behind a hit reference; a person there decides."""
        self.node.require(actor, "federation.disclosure")
        if is_biometric_ref(ref):
            from ctnode.biometrics.service import service_for

            service_for(self.node).require(actor, "ask for the record behind a biometric hit")
        if not (purpose.purpose and purpose.legal_basis and purpose.case_ref):
            raise InvalidInput("a disclosure request needs a purpose, legal basis and case")
        if not justification.strip():
            raise InvalidInput("a disclosure request needs a justification")
        peer = self._active_peer(peer_id)
        local_id = str(uuid.uuid4())
        body = {
            "request_id": local_id,
            "ref": ref,
            "purpose": purpose.purpose,
            "legal_basis": purpose.legal_basis,
            "case_ref": purpose.case_ref,
            "justification": justification.strip(),
        }
        try:
            answer = self._send(peer, "disclosure.request", body, self.settings.federation_deadline)
        except PeerError as exc:
            if exc.status == "refused":
                self._audit(
                    "federation.peer.refused",
                    actor,
                    purpose=purpose,
                    detail={
                        "peer": peer_id,
                        "reason": exc.reason,
                        "message": exc.message[:300],
                        "ref": ref,
                    },
                )
                raise Refused(f"{peer_id} refused: {exc.message}", exc.reason) from None
            raise Unavailable(f"{peer_id}: {exc.status}: {exc.message}") from None
        now = utcnow()
        row = {
            "id": local_id,
            "direction": "outgoing",
            "peer_id": peer_id,
            "remote_id": str(answer.body.get("request_id") or "")[:36],
            "ref": ref,
            "entity_id": None,
            "purpose": purpose.purpose,
            "legal_basis": purpose.legal_basis,
            "case_ref": purpose.case_ref,
            "justification": justification.strip(),
            "status": "pending",
            "reason": None,
            "requested_by": actor.name,
            "created_at": now,
            "decided_at": None,
            "decided_by": None,
            "expires_at": None,
            "fields": None,
            "decision": None,
        }
        with self.db.begin() as conn:
            self.db.add_disclosure(conn, row)
            self.node.audit(
                "federation.disclosure.request",
                actor,
                purpose=purpose,
                conn=conn,
                detail={"id": local_id, "peer": peer_id, "ref": ref},
            )
        return self.db.get_disclosure(local_id)

    def _on_disclosure_request(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        body = env.body
        purpose = Purpose(
            purpose=_opt_str(body, "purpose"),
            legal_basis=_opt_str(body, "legal_basis"),
            case_ref=_opt_str(body, "case_ref"),
        )
        if not (purpose.purpose and purpose.legal_basis and purpose.case_ref):
            raise Refused(
                "a disclosure request needs a purpose, legal basis and case", "missing_legal_basis"
            )
        agr = self._require_agreement(env.sender)
        now = utcnow()
        agr.check(now=now, purpose=purpose.purpose)
        if not agr.level_at_least("fields"):
            raise Refused(
                f"the agreement allows disclosure up to {agr.max_disclosure!r} only",
                "disclosure_level",
            )
        ref = self.db.find_ref(str(body.get("ref")))
        exp = ref["expires_at"] if ref else None
        if ref is None or ref["peer_id"] != env.sender or exp is None or exp < now:
            raise Refused("unknown, expired or foreign hit reference", "unknown_reference")
        if self._biometric_hit(ref["ref"]) is not None and not agr.biometrics:
            raise Refused(
                "the reference is a biometric hit and the agreement no longer allows "
                "biometric queries",
                "biometric_not_agreed",
            )
        remote_id = _opt_str(body, "request_id")
        if not remote_id or len(remote_id) > 36:
            raise Refused("request_id missing", "malformed")
        existing = self.db.find_disclosure(
            direction="incoming", peer_id=env.sender, remote_id=remote_id
        )
        if existing:
            return {"request_id": existing["id"], "status": existing["status"]}
        local_id = str(uuid.uuid4())
        row = {
            "id": local_id,
            "direction": "incoming",
            "peer_id": env.sender,
            "remote_id": remote_id,
            "ref": ref["ref"],
            "entity_id": ref["entity_id"],
            "purpose": purpose.purpose,
            "legal_basis": purpose.legal_basis,
            "case_ref": purpose.case_ref,
            "justification": (_opt_str(body, "justification") or "")[:2000],
            "status": "pending",
            "reason": None,
            "requested_by": f"peer:{env.sender}",
            "created_at": now,
            "decided_at": None,
            "decided_by": None,
            "expires_at": None,
            "fields": None,
            "decision": None,
        }
        with self.db.begin() as conn:
            self.db.add_disclosure(conn, row)
            self.node.audit(
                "federation.disclosure.received",
                self._peer_actor(env.sender),
                purpose=purpose,
                result_ids=[ref["entity_id"]],
                conn=conn,
                detail={"id": local_id, "peer": env.sender, "ref": ref["ref"]},
            )
        return {"request_id": local_id, "status": "pending"}

    def list_disclosures(
        self, actor: Actor, *, direction: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        """Disclosure requests with their age in seconds (expired releases are purged first)."""
        self.node.require(actor, "federation.disclosure")
        self._expire_disclosures()
        now = utcnow()
        rows = self.db.list_disclosures(direction=direction, status=status)
        for r in rows:
            r["age_seconds"] = round((now - r["created_at"]).total_seconds())
        return rows

    def get_disclosure(self, actor: Actor, disclosure_id: str) -> dict[str, Any]:
        self.node.require(actor, "federation.disclosure")
        self._expire_disclosures()
        return self.db.get_disclosure(disclosure_id)

    def decide_disclosure(
        self,
        actor: Actor,
        disclosure_id: str,
        *,
        approve: bool,
        reason: str,
        ttl_seconds: float | None = None,
    ) -> dict[str, Any]:
        """A person approves (releasing only the agreed fields, signed, expiring) or refuses."""
        self.node.require(actor, "federation.disclosure")
        if not reason.strip():
            raise InvalidInput("a disclosure decision needs a reason")
        row = self.db.get_disclosure(disclosure_id)
        if row["direction"] != "incoming":
            raise InvalidInput("only a peer's request (incoming) can be approved or refused here")
        if self._biometric_hit(row["ref"]) is not None:
            from ctnode.biometrics.service import service_for

            # special-category data: only the biometric permission decides on its release
            service_for(self.node).require(actor, "decide on a biometric disclosure")
        if row["status"] != "pending":
            raise Conflict(f"request {disclosure_id} was already {row['status']}")
        now = utcnow()
        max_ttl = self.settings.federation_disclosure_ttl_hours * 3600
        ttl = max_ttl if ttl_seconds is None else ttl_seconds
        if not 0 < ttl <= max_ttl:
            raise InvalidInput(f"ttl must be between 0 and {max_ttl:.0f} seconds")
        fields: list[dict[str, Any]] | None = None
        expires: datetime | None = None
        if approve:
            agr = self.agreement(row["peer_id"], "outbound")
            if agr is None or now >= agr.expires_at or not agr.level_at_least("fields"):
                raise Conflict("the agreement with this peer no longer allows disclosure")
            fields = self._released_fields(row["entity_id"], agr)
            expires = now + timedelta(seconds=ttl)
        body = {
            "request_id": row["remote_id"],
            "holder_request_id": disclosure_id,
            "ref": row["ref"],
            "status": "approved" if approve else "refused",
            "reason": reason.strip(),
            "fields": fields,
            "expires_at": format_ts(expires) if expires else None,
            "decided_at": format_ts(now),
        }
        peer = self.db.get_peer(row["peer_id"])
        if approve and peer["status"] != "active":
            raise Conflict(f"peer {row['peer_id']} was removed: nothing is released to it")
        envelope = seal(self.identity, "disclosure.decision", row["peer_id"], body)
        with self.db.begin() as conn:
            self.db.update_disclosure(
                conn,
                disclosure_id,
                status=body["status"],
                reason=reason.strip(),
                decided_at=now,
                decided_by=actor.name,
                expires_at=expires,
                decision=envelope.to_dict(),
            )
            self.node.audit(
                "federation.disclosure.approve" if approve else "federation.disclosure.refuse",
                actor,
                conn=conn,
                result_ids=[row["entity_id"]] if row["entity_id"] else [],
                detail={
                    "id": disclosure_id,
                    "peer": row["peer_id"],
                    "ref": row["ref"],
                    "reason": reason.strip(),
                    "fields": sorted({f["prop"] for f in fields or []}),
                    "expires_at": body["expires_at"],
                },
            )
        delivered = True
        try:
            self._send(
                peer,
                "disclosure.decision",
                body,
                self.settings.federation_deadline,
                envelope=envelope,
            )
        except PeerError as exc:
            delivered = False
            log.warning(
                "disclosure decision not delivered to %s (%s); it can fetch it with "
                "disclosure.status",
                row["peer_id"],
                exc.message,
            )
        out = self.db.get_disclosure(disclosure_id)
        out["delivered"] = delivered
        return out

    def _released_fields(self, entity_id: str, agr: Agreement) -> list[dict[str, Any]]:
        entity = self.node.get_entity(entity_id)
        out: list[dict[str, Any]] = []
        for prop in agr.fields:
            if prop == "reference":
                if entity.reference:
                    out.append(
                        {
                            "prop": "reference",
                            "value": entity.reference,
                            "original": entity.reference,
                            "dataset": entity.dataset,
                            "first_seen": _iso(entity.first_seen),
                        }
                    )
                continue
            if prop == "dataset":
                out.append(
                    {
                        "prop": "dataset",
                        "value": entity.dataset,
                        "original": entity.dataset,
                        "dataset": entity.dataset,
                        "first_seen": _iso(entity.first_seen),
                    }
                )
                continue
            for s in entity.statements:
                if s.prop == prop:
                    out.append(
                        {
                            "prop": s.prop,
                            "value": s.value,
                            "original": s.original,
                            "dataset": s.dataset,
                            "first_seen": _iso(s.first_seen),
                        }
                    )
        return out

    def _on_disclosure_status(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        remote_id = _opt_str(env.body, "request_id") or ""
        row = self.db.find_disclosure(direction="incoming", peer_id=env.sender, remote_id=remote_id)
        if row is None:
            raise Refused("no such disclosure request from you", "unknown_reference")
        self._expire_disclosures()
        row = self.db.get_disclosure(row["id"])
        if row["status"] in {"approved", "refused"} and row["decision"]:
            body = dict(row["decision"]["body"])
            body.pop("in_reply_to", None)
            return body
        return {
            "request_id": remote_id,
            "holder_request_id": row["id"],
            "ref": row["ref"],
            "status": row["status"],
            "reason": row["reason"],
            "fields": None,
            "expires_at": None,
        }

    def _on_disclosure_decision(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        self._apply_decision(env)
        return {"received": True}

    def _apply_decision(self, env: Envelope) -> dict[str, Any]:
        body = env.body
        local_id = _opt_str(body, "request_id") or ""
        try:
            row = self.db.get_disclosure(local_id)
        except NotFound:
            raise Refused("no such disclosure request of ours", "unknown_reference") from None
        if row["direction"] != "outgoing" or row["peer_id"] != env.sender:
            raise Refused("that request was not addressed to you", "unknown_reference")
        status = body.get("status")
        if status not in {"approved", "refused", "expired", "pending"}:
            raise Refused("decision status invalid", "malformed")
        if status == "pending" or row["status"] in {status, "expired"}:
            return row  # nothing new; an expired release never comes back
        expires = None
        if status == "approved":
            try:
                expires = datetime.fromisoformat(str(body.get("expires_at")).replace("Z", "+00:00"))
            except ValueError:
                raise Refused("approved decision without a valid expires_at", "malformed") from None
            if expires.tzinfo is None or expires <= utcnow():
                status = "expired"  # arrived too late: keep nothing
        fields = body.get("fields") if status == "approved" else None
        with self.db.begin() as conn:
            self.db.update_disclosure(
                conn,
                local_id,
                status=status,
                reason=_opt_str(body, "reason"),
                decided_at=utcnow(),
                decided_by=f"peer:{env.sender}",
                expires_at=expires,
                fields=fields,
                decision=env.to_dict() if status == "approved" or status == "refused" else None,
            )
            self.node.audit(
                "federation.disclosure.decision",
                self._peer_actor(env.sender),
                conn=conn,
                detail={
                    "id": local_id,
                    "peer": env.sender,
                    "status": status,
                    "ref": row["ref"],
                    "fields": sorted(
                        {str(f.get("prop")) for f in fields or [] if isinstance(f, dict)}
                    ),
                    "envelope_sha256": env.digest(),
                },
            )
        return self.db.get_disclosure(local_id)

    def fetch_disclosure(self, actor: Actor, disclosure_id: str) -> dict[str, Any]:
        """Ask the holder for the decision on our request (when the push did not arrive)."""
        self.node.require(actor, "federation.disclosure")
        row = self.db.get_disclosure(disclosure_id)
        if row["direction"] != "outgoing":
            raise InvalidInput("only our own (outgoing) requests can be fetched")
        peer = self._active_peer(row["peer_id"])
        try:
            answer = self._send(
                peer,
                "disclosure.status",
                {"request_id": disclosure_id},
                self.settings.federation_deadline,
            )
        except PeerError as exc:
            raise Unavailable(f"{row['peer_id']}: {exc.status}: {exc.message}") from None
        self._apply_decision(answer)
        self._expire_disclosures()
        return self.db.get_disclosure(disclosure_id)

    def _expire_disclosures(self) -> None:
        """Delete released fields whose time is up (both sides), and audit it."""
        now = utcnow()
        for row in self.db.list_disclosures(status="approved"):
            if row["expires_at"] is None or row["expires_at"] > now:
                continue
            with self.db.begin() as conn:
                self.db.update_disclosure(
                    conn, row["id"], status="expired", fields=None, decision=None
                )
                self.node.audit(
                    "federation.disclosure.expired",
                    Actor("system", "admin"),
                    conn=conn,
                    detail={
                        "id": row["id"],
                        "peer": row["peer_id"],
                        "direction": row["direction"],
                        "ref": row["ref"],
                    },
                )

    # -- list updates -------------------------------------------------------------------------

    def after_import(self, report: ImportReport) -> list[dict[str, Any]]:
        """Called by the node after every import: send the delta to subscribed peers."""
        if report.source.startswith("peer:") or not self.initialised:
            return []  # a delta we applied from a peer is not re-sent (no loops)
        if not (report.added or report.changed or report.removed or report.relisted):
            return []
        now = utcnow()
        peers = []
        for peer in self.db.list_peers():
            agr = self.agreement(peer["node_id"], "outbound")
            if agr and agr.subscribed and agr.shares(report.dataset) and now < agr.expires_at:
                peers.append(peer["node_id"])
        if not peers:
            return []
        delta_id = str(uuid.uuid4())
        wire = {
            kind: [entity_to_wire(self.node.store.get_entity(i)) for i in ids]
            for kind, ids in (
                ("added", report.added),
                ("changed", report.changed),
                ("relisted", report.relisted),
            )
        }
        body = {
            "delta_id": delta_id,
            "dataset": report.dataset,
            "version": report.version,
            **wire,
            "delisted": list(report.removed),
        }
        summary = {
            "added": len(report.added),
            "changed": len(report.changed),
            "relisted": len(report.relisted),
            "delisted": list(report.removed),
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
            self.node.audit(
                "federation.delta.created",
                Actor("system", "admin"),
                conn=conn,
                result_ids=list(report.removed),
                detail={"delta_id": delta_id, **summary, "peers": peers},
            )
        self.push_pending()  # older deltas a peer missed go first
        return self.db.list_receipts(delta_id)

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
        for peer_id in pending:
            peer = self.db.find_peer(peer_id)
            if peer and peer["status"] == "active":
                jobs.append((peer, "list.delta", dict(delta["payload"])))
        results = self._fan_out(jobs, self.settings.federation_deadline * 4) if jobs else {}
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
            self._audit(
                "federation.receipt",
                self._peer_actor(peer_id, "peer"),
                detail={
                    "delta_id": delta_id,
                    "peer": peer_id,
                    "applied": applied,
                    "envelope_sha256": outcome.digest(),
                },
            )
        return self.db.list_receipts(delta_id)

    def deltas(self, actor: Actor) -> list[dict[str, Any]]:
        """Deltas sent, each with its receipts: who has and who has not applied it."""
        self.node.require(actor, "federation.admin")
        out = []
        for d in self.db.list_deltas():
            d["receipts"] = self.db.list_receipts(d["id"])  # with the signed receipt envelope
            out.append(d)
        return out

    def retry_deltas(self, actor: Actor) -> int:
        """Re-send, oldest first, every delta some peer has not receipted."""
        self.node.require(actor, "federation.admin")
        return self.push_pending()

    def _on_contact(self, peer_id: str) -> None:
        """A peer just proved it is up: send it what it missed (in the background, at most
        every 30 s per peer)."""
        now = time.monotonic()
        if now - self._last_retry.get(peer_id, 0.0) < 30:
            return
        self._last_retry[peer_id] = now
        if self.db.unreceipted_deltas(peer_id):
            self.pool.submit(self._push_pending_quietly, peer_id)

    def _push_pending_quietly(self, peer_id: str) -> None:
        try:
            self.push_pending(peer_id)
        except Exception:  # a background retry must never kill the pool thread: log it
            log.exception("re-sending deltas to %s failed", peer_id)

    def _on_delta(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        from ctnode.ingest.base import ParsedList

        body = env.body
        dataset = _opt_str(body, "dataset") or ""
        delta_id = _opt_str(body, "delta_id") or ""
        agr = self.agreement(env.sender, "inbound")
        if (
            agr is None
            or not agr.subscribed
            or not agr.shares(dataset)
            or utcnow() >= agr.expires_at
        ):
            raise Refused(
                f"this node does not take updates of {dataset!r} from {env.sender}",
                "not_subscribed",
            )
        entities = [
            entity_from_wire(e, dataset)
            for kind in ("added", "changed", "relisted")
            for e in (body.get(kind) or [])
        ]
        delisted = body.get("delisted") or []
        if not isinstance(delisted, list) or not all(isinstance(i, str) for i in delisted):
            raise Refused("delisted must be a list of entity ids", "malformed")
        actor = self._peer_actor(env.sender, "admin")
        if entities:
            parsed = ParsedList(
                dataset=dataset,
                title=f"{dataset} (updates from {env.sender})",
                version=_opt_str(body, "version"),
                source=f"peer:{env.sender}",
                entities=entities,
            )
            self.node.import_list(parsed, actor, partial=True)
        with self.db.begin() as conn:
            applied = self.db.delist(
                conn,
                delisted,
                dataset=dataset,
                detail={"via": f"peer:{env.sender}", "delta_id": delta_id},
            )
        self.node._index_checked = 0.0  # make the next screen pick up the delisting
        changed_ids = {e.id for e in entities} | set(applied)
        affected = self.db.screenings_with(changed_ids) if changed_ids else []
        now = utcnow()
        alerts: list[dict[str, Any]] = []
        added = [e for e in body.get("added") or [] if isinstance(e, dict)]
        if added:
            alerts.append(
                {
                    "kind": "new_listing",
                    "title": f"{len(added)} new listing(s) on {dataset}",
                    "body": ", ".join(str(e.get("reference") or e.get("id")) for e in added[:50]),
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
            self.node.audit(
                "federation.delta.applied",
                actor,
                conn=conn,
                result_ids=sorted(changed_ids)[:1000],
                detail={
                    "delta_id": delta_id,
                    "dataset": dataset,
                    "entities": len(entities),
                    "delisted": applied,
                    "affected_screenings": len(affected),
                },
            )
        return {
            "delta_id": delta_id,
            "dataset": dataset,
            "applied": True,
            "upserted": len(entities),
            "delisted": applied,
            "not_held": sorted(set(delisted) - set(applied)),
            "affected_screenings": len(affected),
        }

    # -- alerts ---------------------------------------------------------------------------------

    def send_alert(
        self, actor: Actor, *, kind: str, title: str, body: str, peers: list[str] | None = None
    ) -> dict[str, str]:
        """Send an alert to subscribed peers (or the named ones); returns each peer's outcome."""
        self.node.require(actor, "federation.admin")
        if kind not in {"new_listing", "delisting", "urgent"}:
            raise InvalidInput("kind must be new_listing, delisting or urgent")
        if not title.strip():
            raise InvalidInput("an alert needs a title")
        now = utcnow()
        if peers:
            targets = [self._active_peer(p) for p in peers]
        else:
            targets = []
            for peer in self.db.list_peers():
                agr = self.agreement(peer["node_id"], "outbound")
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
            self._fan_out([(p, "alert", msg) for p in targets], self.settings.federation_deadline)
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
            self.node.audit(
                "federation.alert.sent",
                actor,
                conn=conn,
                detail={"alert_id": alert_id, "kind": kind, "peers": outcome},
            )
        return outcome

    def _on_alert(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        agr = self.agreement(env.sender, "inbound")
        if agr is None or not agr.subscribed or utcnow() >= agr.expires_at:
            raise Refused(f"this node does not take alerts from {env.sender}", "not_subscribed")
        kind = _opt_str(env.body, "kind")
        if kind not in {"new_listing", "delisting", "urgent"}:
            raise Refused("unknown alert kind", "malformed")
        alert_id = str(uuid.uuid4())
        with self.db.begin() as conn:
            self.db.add_alert(
                conn,
                {
                    "id": alert_id,
                    "direction": "incoming",
                    "peer_id": env.sender,
                    "kind": kind,
                    "title": (_opt_str(env.body, "title") or "")[:500],
                    "body": (_opt_str(env.body, "body") or "")[:10_000],
                    "detail": {
                        "remote_id": _opt_str(env.body, "alert_id"),
                        "envelope_sha256": env.digest(),
                    },
                    "at": utcnow(),
                    "read_at": None,
                },
            )
            self.node.audit(
                "federation.alert.received",
                self._peer_actor(env.sender, "peer"),
                conn=conn,
                detail={"alert_id": alert_id, "kind": kind, "peer": env.sender},
            )
        return {"alert_id": alert_id}

    def inbox(
        self, actor: Actor, *, unread: bool = False, mark_read: bool = False, limit: int = 100
    ) -> list[dict[str, Any]]:
        self.node.require(actor, "federation.inbox")
        rows = self.db.list_alerts(unread=unread, limit=limit)
        if mark_read and rows:
            with self.db.begin() as conn:
                self.db.mark_read(conn, [r["id"] for r in rows])
        return rows

    # -- audit checkpoints ----------------------------------------------------------------------

    def checkpoint(self, actor: Actor) -> dict[str, Any]:
        """Sign the audit chain's head now; stored, and returned for partners or oversight."""
        self.node.require(actor, "federation.admin")
        return self._checkpoint(actor)

    def _checkpoint(self, actor: Actor) -> dict[str, Any]:
        ident = self.identity
        seq, head = self.node.audit_log.head()
        payload = {"node_id": ident.node_id, "seq": seq, "hash": head, "at": format_ts(utcnow())}
        cp = {**payload, "signature": ident.sign(payload)}
        with self.db.begin() as conn:
            self.db.add_checkpoint(conn, {**cp, "received_at": utcnow()})
        self._audit("federation.checkpoint", actor, detail=cp)
        return cp

    def checkpoints(self, actor: Actor, node_id: str | None = None) -> list[dict[str, Any]]:
        self.node.require(actor, "federation.directory")
        return [
            {k: r[k] for k in ("node_id", "seq", "hash", "at", "signature")}
            for r in self.db.list_checkpoints(node_id or self.identity.node_id)
        ]

    def verify_audit(
        self, actor: Actor, checkpoints: list[dict[str, Any]] | None = None
    ) -> tuple[int, int]:
        """Verify the chain against signed checkpoints (this node's stored ones by default).

        Each checkpoint's signature is checked with this node's public key first;
        then every entry is re-hashed and each checkpointed (seq, hash) must match,
        so a rewritten (even re-chained) or truncated history is detected.
        Returns (entries verified, checkpoints used); raises ``ChainBroken``.
        """
        self.node.require(actor, "audit")
        ident = self.identity
        cps = checkpoints if checkpoints is not None else self.checkpoints(actor)
        pairs = check_signatures(cps, node_id=ident.node_id, public_key=ident.public_key)
        n = self.node.audit_log.verify(checkpoints=pairs)
        return n, len(pairs)

    def _on_checkpoint_request(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        # A checkpoint less than a minute old is handed out again (no audit growth on demand).
        own = self.db.list_checkpoints(self.identity.node_id)
        if own and (utcnow() - own[-1]["received_at"]).total_seconds() < 60:
            return {k: own[-1][k] for k in ("node_id", "seq", "hash", "at", "signature")}
        return self._checkpoint(self._peer_actor(env.sender, "peer"))

    def fetch_checkpoint(self, actor: Actor, peer_id: str) -> dict[str, Any]:
        """Get a peer's signed checkpoint and keep it (to hold the peer to its history later)."""
        self.node.require(actor, "federation.admin")
        peer = self._active_peer(peer_id)
        try:
            answer = self._send(peer, "checkpoint.request", {}, self.settings.federation_deadline)
        except PeerError as exc:
            raise Unavailable(f"{peer_id}: {exc.status}: {exc.message}") from None
        payload = {k: answer.body.get(k) for k in ("node_id", "seq", "hash", "at")}
        sig = str(answer.body.get("signature"))
        if payload["node_id"] != peer_id or not verify_payload(peer["public_key"], payload, sig):
            raise InvalidInput("the peer's checkpoint is not signed by its key")
        with self.db.begin() as conn:
            self.db.add_checkpoint(conn, {**payload, "signature": sig, "received_at": utcnow()})
            self.node.audit(
                "federation.checkpoint.received",
                actor,
                conn=conn,
                detail={**payload, "signature": sig},
            )
        return {**payload, "signature": sig}


def is_biometric_ref(ref: str) -> bool:
    """Biometric hit references start with ``b_`` (``BiometricService.probe_template``)."""
    return ref.startswith("b_")


def _opt_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Refused(f"{key} must be a string", "malformed")
    return value.strip() or None


def _iso(at: datetime | None) -> str | None:
    return format_ts(at) if at else None


__all__ = [
    "DISCLOSURE_LEVELS",
    "FederationService",
    "NetworkBiometricResult",
    "NetworkScreenResult",
    "PeerAnswer",
    "PeerError",
    "norm_purpose",
]
