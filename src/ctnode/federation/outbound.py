"""Requests to peers: sign and send one, verify its answer, fan out to several with a
deadline, choose whom a network query asks, and record each peer's outcome.

The bytes travel through ``ctnode.federation.transport`` (the only network I/O).
"""

from __future__ import annotations

import time
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from typing import Any

from ctnode.clock import utcnow
from ctnode.errors import InvalidInput, Refused
from ctnode.federation.context import FederationContext
from ctnode.federation.envelope import Envelope, seal
from ctnode.federation.identity import check_endpoint
from ctnode.federation.transport import TransportFailure
from ctnode.model.access import Actor, Purpose

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
    # What the peer screened against, as it says ({complete, lists: [{list, version}],
    # warnings: [codes]}); None when it did not say (an older node).
    coverage: dict[str, Any] | None = None

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
            "coverage": self.coverage,
        }


def send(
    ctx: FederationContext,
    peer: dict[str, Any],
    msg_type: str,
    body: dict[str, Any],
    timeout: float,
    envelope: Envelope | None = None,
) -> Envelope:
    """Send a signed request to a peer; return its verified answer or raise ``PeerError``."""
    ident = ctx.identity
    try:
        endpoint = check_endpoint(peer["endpoint"], development=ctx.development)
    except InvalidInput as exc:
        raise PeerError("refused", "insecure_endpoint", exc.message) from None
    env = envelope or seal(ident, msg_type, peer["node_id"], body)
    try:
        reply = ctx.transport.send(endpoint, env.to_dict(), timeout)
    except TransportFailure as exc:
        raise PeerError(exc.kind, exc.kind, exc.message) from None
    data = reply.body if isinstance(reply.body, dict) else {}
    if reply.status == 200:
        answer = verify_answer(ctx, peer, env, data)
        return answer
    if isinstance(data.get("envelope"), dict):
        refusal = verify_answer(ctx, peer, env, data["envelope"])
        raise PeerError("refused", str(refusal.body.get("reason")), str(refusal.body.get("detail")))
    reason = str(data.get("reason") or data.get("code") or f"http_{reply.status}")
    raise PeerError(
        "refused" if data.get("reason") else "invalid",
        reason,
        str(data.get("detail") or f"HTTP {reply.status}"),
    )


def verify_answer(
    ctx: FederationContext, peer: dict[str, Any], request: Envelope, data: dict[str, Any]
) -> Envelope:
    try:
        answer = Envelope.parse(data)
    except Refused as exc:
        raise PeerError("invalid", "malformed_answer", exc.message) from None
    if answer.sender != peer["node_id"] or answer.recipient != request.sender:
        raise PeerError("invalid", "misaddressed_answer", "answer not from/to the right node")
    if not answer.verify_signature(peer["public_key"]) and ctx.follow_keys(peer, answer) is None:
        raise PeerError("invalid", "bad_signature", "the answer's signature does not verify")
    try:
        answer.check_fresh(ctx.settings.federation_max_skew)
    except Refused as exc:
        raise PeerError("invalid", "stale_answer", exc.message) from None
    if answer.body.get("in_reply_to") != request.nonce:
        raise PeerError("invalid", "unrelated_answer", "answer is not for this request")
    return answer


def fan_out(
    ctx: FederationContext,
    jobs: list[tuple[dict[str, Any], str, dict[str, Any]]],
    deadline: float,
) -> dict[str, tuple[Envelope | PeerError, float]]:
    """Send to several peers in parallel; what has not answered by the deadline times out."""
    started = time.perf_counter()
    futures: dict[Future[Envelope], str] = {}
    times: dict[str, float] = {}

    def run(peer: dict[str, Any], msg_type: str, body: dict[str, Any]) -> Envelope:
        try:
            return send(ctx, peer, msg_type, body, deadline)
        finally:
            times[peer["node_id"]] = (time.perf_counter() - started) * 1000

    for peer, msg_type, body in jobs:
        futures[ctx.pool.submit(run, peer, msg_type, body)] = peer["node_id"]
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


# -- network queries (screening and biometric) share these ------------------------------------


def network_deadline(ctx: FederationContext, deadline: float | None) -> float:
    """The deadline of a network query (the node's default when not given), checked."""
    deadline = deadline or ctx.settings.federation_deadline
    if not 0 < deadline <= 120:
        raise InvalidInput("deadline must be between 0 and 120 seconds")
    return deadline


def query_deadline(ctx: FederationContext, purpose: Purpose, deadline: float | None,
                   what: str) -> float:
    """Requester side, after the caller's permission checks: refuse ``what`` without a
    complete purpose; the query's deadline, checked."""
    if not purpose.complete:
        raise InvalidInput(f"{what} needs --purpose, --legal-basis and --case")
    return network_deadline(ctx, deadline)


def targets(
    ctx: FederationContext, purpose: str, peers: list[str] | None, biometric: str | None = None
) -> tuple[list[dict[str, Any]], list[PeerAnswer]]:
    """The peers a network query asks, and those skipped (with the reason)."""
    now = utcnow()
    skipped: list[PeerAnswer] = []
    if peers:
        return [ctx.active_peer(p) for p in dict.fromkeys(peers)], skipped
    chosen = []
    for peer in ctx.db.list_peers():
        agr = ctx.agreement(peer["node_id"], "inbound")
        why = None
        if agr is None:
            why = "no_agreement"
        else:
            try:
                agr.check(now=now, purpose=purpose, biometric=biometric)
            except Refused as exc:
                why = exc.reason
        if why is None:
            chosen.append(peer)
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
    return chosen, skipped


def answer_for(
    ctx: FederationContext,
    peer: dict[str, Any],
    outcome: Envelope | PeerError,
    ms: float,
    *,
    actor: Actor,
    purpose: Purpose,
    query_hash: str,
    extra: dict[str, Any] | None = None,
) -> PeerAnswer:
    """A peer's answer, still ``invalid``; a refusal is filled in and audited (``extra``
    goes into the audit detail after the peer)."""
    ans = PeerAnswer(
        peer_id=peer["node_id"],
        organisation=peer["organisation"],
        country=peer["country"],
        status="invalid",
        ms=ms,
    )
    if isinstance(outcome, PeerError):
        ans.status, ans.reason, ans.detail = outcome.status, outcome.reason, outcome.message
        if outcome.status == "refused":
            ctx.audit.record(
                "federation.peer.refused",
                actor,
                purpose=purpose,
                query_hash=query_hash,
                detail={
                    "peer": peer["node_id"],
                    **(extra or {}),
                    "reason": outcome.reason,
                    "message": outcome.message[:300],
                },
            )
    return ans


def ask_peers(
    ctx: FederationContext,
    peers: list[str] | None,
    msg_type: str,
    body: dict[str, Any],
    deadline: float,
    *,
    actor: Actor,
    purpose: Purpose,
    query_hash: str,
    results: frozenset[str],
    max_hits: int,
    extra: dict[str, Any] | None = None,
    biometric: str | None = None,
) -> list[tuple[PeerAnswer, dict[str, Any] | None]]:
    """Send one query to the :func:`targets` (``peers``, else every peer whose agreement
    covers it), in parallel, and read each answer: its ``result`` must be one of ``results``
    (then it becomes the status) and its ``hits`` a list. Returns each peer's answer, by
    peer id, with the answer body (None when the peer failed or was skipped)."""
    asked, skipped = targets(ctx, str(purpose.purpose), peers, biometric=biometric)
    sent = fan_out(ctx, [(p, msg_type, body) for p in asked], deadline)
    by_id = {p["node_id"]: p for p in asked}
    out: list[tuple[PeerAnswer, dict[str, Any] | None]] = []
    for peer_id, (outcome, ms) in sent.items():
        ans = answer_for(ctx, by_id[peer_id], outcome, ms, actor=actor, purpose=purpose,
                         query_hash=query_hash, extra=extra)
        if isinstance(outcome, PeerError):
            out.append((ans, None))
            continue
        result = outcome.body.get("result")
        hits = outcome.body.get("hits") or []
        if result not in results or not isinstance(hits, list):
            ans.detail = "answer has no valid result"
        else:
            ans.status = str(result)
            ans.hits = wire_hits(hits, max_hits)
            ans.coverage = wire_coverage(outcome.body.get("coverage"))
        out.append((ans, outcome.body))
    out.extend((ans, None) for ans in skipped)
    out.sort(key=lambda pair: pair[0].peer_id)
    return out


def wire_coverage(value: Any) -> dict[str, Any] | None:
    """A peer's statement of what it screened against, kept to its known fields."""
    if not isinstance(value, dict):
        return None
    raw_lists, raw_warnings = value.get("lists"), value.get("warnings")
    lists = raw_lists if isinstance(raw_lists, list) else []
    warnings = raw_warnings if isinstance(raw_warnings, list) else []
    return {
        "complete": value.get("complete") is True,
        "lists": [{"list": str(x.get("list"))[:64], "version": str(x.get("version"))[:128]}
                  for x in lists[:50] if isinstance(x, dict)],
        "warnings": [str(w)[:32] for w in warnings[:20]],
    }


def wire_hits(hits: list[Any], limit: int) -> list[dict[str, str]]:
    """The ``[{ref, band}]`` of a peer's answer, at most ``limit``."""
    return [
        {"ref": str(h.get("ref")), "band": str(h.get("band"))} for h in hits if isinstance(h, dict)
    ][:limit]


def peers_summary(answers: list[PeerAnswer]) -> dict[str, dict[str, Any]]:
    """Each peer's outcome as the audit records it."""
    return {
        a.peer_id: {"status": a.status, "reason": a.reason, "refs": [h["ref"] for h in a.hits]}
        for a in answers
    }
