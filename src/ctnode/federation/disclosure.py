"""Staged disclosure: the requester asks for the record behind a hit reference; a person
at the holder approves (releasing only the agreed fields, signed, expiring) or refuses;
the decision is pushed back, or fetched with ``disclosure.status``.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import replace as dc_replace
from datetime import datetime, timedelta
from typing import Any

from ctnode.clock import format_ts, parse_ts, utcnow
from ctnode.errors import Conflict, InvalidInput, NotFound, Refused, Unavailable
from ctnode.federation.agreements import Agreement
from ctnode.federation.context import (
    FederationContext,
    complete_purpose,
    officer_from_body,
    officer_to_body,
    opt_str,
    purpose_to_body,
)
from ctnode.federation.envelope import Envelope, seal
from ctnode.federation.outbound import PeerError, send
from ctnode.model.access import SYSTEM, Actor, Purpose
from ctnode.services.biometrics.exchange import Exchange, is_biometric_ref
from ctnode.store.contracts import EntityStore

log = logging.getLogger(__name__)


class Disclosure:
    """Both sides of ``disclosure.request``, ``disclosure.decision`` and ``disclosure.status``."""

    def __init__(self, ctx: FederationContext, entities: EntityStore, exchange: Exchange) -> None:
        self.ctx = ctx
        self.entities = entities  # what an approved disclosure releases
        self.exchange = exchange  # whether a reference is a biometric hit
        self.db = ctx.db
        # one expiry at a time in this process (the job disclosure-expiry and every read of
        # the disclosures expire): an expiry is deleted and audited once
        self._expiring = threading.Lock()

    def request_disclosure(
        self, actor: Actor, *, peer_id: str, ref: str, justification: str, purpose: Purpose
    ) -> dict[str, Any]:
        """Ask the holder for the record behind a hit reference; a person there decides."""
        self.ctx.require(actor, "federation.disclosure")
        if is_biometric_ref(ref):
            self.ctx.require(actor, "biometric.disclosure.request")
        if not purpose.complete:
            raise InvalidInput("a disclosure request needs a purpose, legal basis and case")
        if not justification.strip():
            raise InvalidInput("a disclosure request needs a justification")
        peer = self.ctx.active_peer(peer_id)
        local_id = str(uuid.uuid4())
        body = {
            "request_id": local_id,
            "ref": ref,
            **purpose_to_body(purpose),
            **officer_to_body(actor),
            "justification": justification.strip(),
        }
        try:
            answer = send(
                self.ctx, peer, "disclosure.request", body, self.ctx.settings.federation_deadline
            )
        except PeerError as exc:
            if exc.status == "refused":
                self.ctx.audit.record(
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
        row = _pending_request(
            local_id=local_id,
            direction="outgoing",
            peer_id=peer_id,
            remote_id=str(answer.body.get("request_id") or "")[:36],
            ref=ref,
            entity_id=None,
            purpose=purpose,
            justification=justification.strip(),
            requested_by=actor.name,
            created_at=now,
        )
        with self.db.begin() as conn:
            self.db.add_disclosure(conn, row)
            self.ctx.audit.record("federation.disclosure.request", actor, purpose=purpose,
                                  conn=conn, detail={"id": local_id, "peer": peer_id, "ref": ref,
                                                     "officer": actor.name})
        return self.db.get_disclosure(local_id)

    def on_request(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        body = env.body
        purpose = complete_purpose(body, "a disclosure request")
        officer = officer_from_body(body)
        agr = self.ctx.require_agreement(env.sender)
        now = utcnow()
        agr.check(now=now, purpose=purpose.purpose)
        self.ctx.enforce_rate(env.sender, "disclosure.request", agr, now)
        if not agr.level_at_least("fields"):
            raise Refused(
                f"the agreement allows disclosure up to {agr.max_disclosure!r} only",
                "disclosure_level",
            )
        ref = self.db.find_ref(str(body.get("ref")))
        exp = ref["expires_at"] if ref else None
        if ref is None or ref["peer_id"] != env.sender or exp is None or exp < now:
            raise Refused("unknown, expired or foreign hit reference", "unknown_reference")
        if self.exchange.hit(ref["ref"]) is not None and not agr.biometrics:
            raise Refused(
                "the reference is a biometric hit and the agreement no longer allows "
                "biometric queries",
                "biometric_not_agreed",
            )
        remote_id = opt_str(body, "request_id")
        if not remote_id or len(remote_id) > 36:
            raise Refused("request_id missing", "malformed")
        existing = self.db.find_disclosure(
            direction="incoming", peer_id=env.sender, remote_id=remote_id
        )
        if existing:
            return {"request_id": existing["id"], "status": existing["status"]}
        local_id = str(uuid.uuid4())
        row = _pending_request(
            local_id=local_id,
            direction="incoming",
            peer_id=env.sender,
            remote_id=remote_id,
            ref=ref["ref"],
            entity_id=ref["entity_id"],
            purpose=purpose,
            justification=(opt_str(body, "justification") or "")[:2000],
            requested_by=f"peer:{env.sender}" + (f" ({officer['name']})" if officer else ""),
            created_at=now,
        )
        with self.db.begin() as conn:
            self.db.add_disclosure(conn, row)
            self.ctx.audit.record(
                "federation.disclosure.received",
                self.ctx.peer_actor(env.sender),
                purpose=purpose,
                result_ids=[ref["entity_id"]],
                conn=conn,
                detail={"id": local_id, "peer": env.sender, "ref": ref["ref"],
                        "officer": officer},
            )
        return {"request_id": local_id, "status": "pending"}

    def list_disclosures(
        self, actor: Actor, *, direction: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        """Disclosure requests with their age in seconds (expired releases are purged first)."""
        self.ctx.require(actor, "federation.disclosure")
        self.expire()
        now = utcnow()
        rows = self.db.list_disclosures(direction=direction, status=status)
        for r in rows:
            r["age_seconds"] = round((now - r["created_at"]).total_seconds())
        return rows

    def get_disclosure(self, actor: Actor, disclosure_id: str) -> dict[str, Any]:
        self.ctx.require(actor, "federation.disclosure")
        self.expire()
        return self.db.get_disclosure(disclosure_id)

    def decide_disclosure(
        self,
        actor: Actor,
        disclosure_id: str,
        *,
        approve: bool,
        reason: str,
        ttl_seconds: float | None = None,
        fields: list[str] | None = None,
    ) -> dict[str, Any]:
        """A person approves (releasing only the agreed fields, signed, expiring) or refuses.

        ``fields``: the agreed fields this approval releases (default: every agreed field); a
        field the agreement does not allow is refused."""
        self.ctx.require(actor, "federation.disclosure")
        if not reason.strip():
            raise InvalidInput("a disclosure decision needs a reason")
        row = self.db.get_disclosure(disclosure_id)
        if row["direction"] != "incoming":
            raise InvalidInput("only a peer's request (incoming) can be approved or refused here")
        if self.exchange.hit(row["ref"]) is not None:
            # special-category data: only the biometric permission decides on its release
            self.ctx.require(actor, "biometric.disclosure.decide")
        if row["status"] != "pending":
            raise Conflict(f"request {disclosure_id} was already {row['status']}")
        now = utcnow()
        max_ttl = self.ctx.settings.federation_disclosure_ttl_hours * 3600
        ttl = max_ttl if ttl_seconds is None else ttl_seconds
        if not 0 < ttl <= max_ttl:
            raise InvalidInput(f"ttl must be between 0 and {max_ttl:.0f} seconds")
        released: list[dict[str, Any]] | None = None
        expires: datetime | None = None
        if approve:
            agr = self.ctx.agreement(row["peer_id"], "outbound")
            if agr is None or now >= agr.expires_at or not agr.level_at_least("fields"):
                raise Conflict("the agreement with this peer no longer allows disclosure")
            chosen = list(agr.fields) if fields is None else list(dict.fromkeys(fields))
            beyond = [f for f in chosen if f not in agr.fields]
            if beyond:
                raise InvalidInput(f"the agreement does not allow releasing {', '.join(beyond)} "
                                   f"(agreed: {', '.join(agr.fields) or 'none'})")
            if not chosen:
                raise InvalidInput("an approval releases at least one field: refuse instead")
            released = self._released_fields(row["entity_id"], dc_replace(agr, fields=chosen))
            expires = now + timedelta(seconds=ttl)
        body = {
            "request_id": row["remote_id"],
            "holder_request_id": disclosure_id,
            "ref": row["ref"],
            "status": "approved" if approve else "refused",
            "reason": reason.strip(),
            "fields": released,
            "expires_at": format_ts(expires) if expires else None,
            "decided_at": format_ts(now),
        }
        peer = self.db.get_peer(row["peer_id"])
        if approve and peer["status"] != "active":
            raise Conflict(f"peer {row['peer_id']} was removed: nothing is released to it")
        envelope = seal(self.ctx.identity, "disclosure.decision", row["peer_id"], body)
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
            self.ctx.audit.record(
                "federation.disclosure.approve" if approve else "federation.disclosure.refuse",
                actor,
                conn=conn,
                result_ids=[row["entity_id"]] if row["entity_id"] else [],
                detail={
                    "id": disclosure_id,
                    "peer": row["peer_id"],
                    "ref": row["ref"],
                    "reason": reason.strip(),
                    "fields": sorted({f["prop"] for f in released or []}),
                    "expires_at": body["expires_at"],
                },
            )
        delivered = True
        try:
            send(
                self.ctx,
                peer,
                "disclosure.decision",
                body,
                self.ctx.settings.federation_deadline,
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
        entity = self.entities.get_entity(entity_id)
        out: list[dict[str, Any]] = []
        for prop in agr.fields:
            if prop == "reference":
                if entity.reference:
                    out.append(
                        _released(
                            "reference",
                            entity.reference,
                            entity.reference,
                            entity.dataset,
                            entity.first_seen,
                        )
                    )
                continue
            if prop == "dataset":
                out.append(
                    _released(
                        "dataset", entity.dataset, entity.dataset, entity.dataset, entity.first_seen
                    )
                )
                continue
            for s in entity.statements:
                if s.prop == prop:
                    out.append(_released(s.prop, s.value, s.original, s.dataset, s.first_seen))
        return out

    def on_status(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        remote_id = opt_str(env.body, "request_id") or ""
        row = self.db.find_disclosure(direction="incoming", peer_id=env.sender, remote_id=remote_id)
        if row is None:
            raise Refused("no such disclosure request from you", "unknown_reference")
        self.expire()
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

    def on_decision(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        self._apply_decision(env)
        return {"received": True}

    def _apply_decision(self, env: Envelope) -> dict[str, Any]:
        body = env.body
        local_id = opt_str(body, "request_id") or ""
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
                expires = parse_ts(str(body.get("expires_at")))
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
                reason=opt_str(body, "reason"),
                decided_at=utcnow(),
                decided_by=f"peer:{env.sender}",
                expires_at=expires,
                fields=fields,
                decision=env.to_dict() if status == "approved" or status == "refused" else None,
            )
            self.ctx.audit.record(
                "federation.disclosure.decision",
                self.ctx.peer_actor(env.sender),
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
        self.ctx.require(actor, "federation.disclosure")
        row = self.db.get_disclosure(disclosure_id)
        if row["direction"] != "outgoing":
            raise InvalidInput("only our own (outgoing) requests can be fetched")
        peer = self.ctx.active_peer(row["peer_id"])
        try:
            answer = send(
                self.ctx,
                peer,
                "disclosure.status",
                {"request_id": disclosure_id},
                self.ctx.settings.federation_deadline,
            )
        except PeerError as exc:
            raise Unavailable(f"{row['peer_id']}: {exc.status}: {exc.message}") from None
        self._apply_decision(answer)
        self.expire()
        return self.db.get_disclosure(disclosure_id)

    def expire(self) -> None:
        """Delete released fields whose time is up (both sides), and audit it."""
        with self._expiring:
            self._expire()

    def _expire(self) -> None:
        now = utcnow()
        expired = 0
        for row in self.db.list_disclosures(status="approved"):
            if row["expires_at"] is None or row["expires_at"] > now:
                continue
            expired += 1
            with self.db.begin() as conn:
                self.db.update_disclosure(
                    conn, row["id"], status="expired", fields=None, decision=None
                )
                self.ctx.audit.record(
                    "federation.disclosure.expired",
                    SYSTEM,
                    conn=conn,
                    detail={
                        "id": row["id"],
                        "peer": row["peer_id"],
                        "direction": row["direction"],
                        "ref": row["ref"],
                    },
                )
        if expired:  # the released fields must not survive in the WAL or free pages
            self.ctx.ctx.store.scrub()


def _released(
    prop: str, value: str, original: str, dataset: str, first_seen: datetime | None
) -> dict[str, Any]:
    """One released field, with where it came from and since when."""
    return {
        "prop": prop,
        "value": value,
        "original": original,
        "dataset": dataset,
        "first_seen": format_ts(first_seen) if first_seen else None,
    }


def _pending_request(
    *,
    local_id: str,
    direction: str,
    peer_id: str,
    remote_id: str,
    ref: str,
    entity_id: str | None,
    purpose: Purpose,
    justification: str,
    requested_by: str,
    created_at: datetime,
) -> dict[str, Any]:
    """A new disclosure request's row (either side), not yet decided."""
    return {
        "id": local_id,
        "direction": direction,
        "peer_id": peer_id,
        "remote_id": remote_id,
        "ref": ref,
        "entity_id": entity_id,
        "purpose": purpose.purpose,
        "legal_basis": purpose.legal_basis,
        "case_ref": purpose.case_ref,
        "justification": justification,
        "status": "pending",
        "reason": None,
        "requested_by": requested_by,
        "created_at": created_at,
        "decided_at": None,
        "decided_by": None,
        "expires_at": None,
        "fields": None,
        "decision": None,
    }
