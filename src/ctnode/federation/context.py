"""What every part of the federation service shares: the node, its federation tables,
this node's identity, the transport, a thread pool, and the permissions and audit
events of the protocol.

Each protocol concern (``directory``, ``inbound``, ``screening``, ``biometric``,
``disclosure``, ``updates``, ``checkpoints``) holds one ``FederationContext``;
``FederationService`` (``service.py``) composes them.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ctnode.audit.events import register
from ctnode.errors import InvalidInput, NotFound, Refused, Unavailable
from ctnode.federation.agreements import Agreement
from ctnode.federation.identity import Identity
from ctnode.federation.transport import HttpTransport, Transport
from ctnode.node import Actor, Purpose, grant
from ctnode.store.federation import FederationStore

if TYPE_CHECKING:
    from ctnode.node import Node

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


class FederationContext:
    """The state the federation parts share, and the look-ups they all make."""

    def __init__(self, node: Node, transport: Transport | None = None) -> None:
        self.node = node
        self.settings = node.settings
        self.db = FederationStore(node.store)
        self.folder = node.settings.data_dir / "federation"
        self._identity: Identity | None = None
        self._transport = transport
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

    @identity.setter
    def identity(self, ident: Identity) -> None:
        self._identity = ident

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

    def audit(self, event: str, actor: Actor | str, **kw: Any) -> None:
        who = actor if isinstance(actor, Actor) else Actor(name=actor, role="peer")
        self.node.audit(event, who, **kw)

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

    def require_agreement(self, peer_id: str, direction: str = "outbound") -> Agreement:
        agr = self.agreement(peer_id, direction)
        if agr is None:
            raise Refused(f"no sharing agreement with {peer_id}", "no_agreement")
        return agr


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
    return {
        "purpose": purpose.purpose,
        "legal_basis": purpose.legal_basis,
        "case_ref": purpose.case_ref,
    }


def purpose_from_body(body: dict[str, Any]) -> Purpose:
    """The purpose, legal basis and case reference a peer's request states."""
    return Purpose(
        purpose=opt_str(body, "purpose"),
        legal_basis=opt_str(body, "legal_basis"),
        case_ref=opt_str(body, "case_ref"),
    )
