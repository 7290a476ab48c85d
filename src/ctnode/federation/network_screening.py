"""Hit/no-hit screening across the network: the requester screens locally and asks
every peer whose agreement allows it, in parallel, with a deadline; the holder answers
with opaque references and bands, never personal data.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from ctnode.errors import InvalidInput, Refused
from ctnode.federation.context import FederationContext, asked_for, request_body
from ctnode.federation.envelope import Envelope
from ctnode.federation.outbound import PeerAnswer, ask_peers, peers_summary, query_deadline
from ctnode.model.access import Actor, Purpose
from ctnode.model.screening import SUBJECT_SCHEMAS, ScreenQuery, ScreenResult
from ctnode.services.screening.query import MAX_NAME, build_query
from ctnode.services.screening.service import Screening


@dataclass(slots=True)
class NetworkScreenResult:
    local: ScreenResult
    peers: list[PeerAnswer]
    deadline: float
    ms: float

    def to_dict(self) -> dict[str, Any]:
        """The wire form (API answer, CLI ``--json``): this node's hits, each peer's answer."""
        return {
            "local": {
                "screening_id": self.local.screening_id,
                "hits": [h.as_dict() for h in self.local.hits],
                "suppressed": [h.as_dict() for h in self.local.suppressed],
                "coverage": self.local.coverage.as_dict() if self.local.coverage else None,
                "warnings": self.local.warnings,
            },
            "peers": [a.to_dict() for a in self.peers],
            "deadline": self.deadline,
            "ms": round(self.ms, 1),
        }


def query_to_wire(query: ScreenQuery) -> dict[str, Any]:
    return {
        "names": list(query.names),
        "schema": query.schema,
        "birth_dates": list(query.birth_dates),
        "nationalities": list(query.nationalities),
        "documents": list(query.documents),
    }


def query_from_wire(data: Any) -> ScreenQuery:
    """A peer's ``query`` object, checked like any other query (refused as ``malformed``)."""
    if not isinstance(data, dict):
        raise Refused("query must be an object", "malformed")

    def strs(name: str, limit: int = 20) -> list[str]:
        value = data.get(name, [])
        if (
            not isinstance(value, list)
            or len(value) > limit
            or not all(isinstance(v, str) and len(v) <= MAX_NAME for v in value)
        ):
            raise Refused(f"query.{name} must be a list of at most {limit} strings", "malformed")
        return list(value)

    schema = data.get("schema", "Person")
    if schema not in SUBJECT_SCHEMAS:
        raise Refused(f"query.schema must be one of {', '.join(SUBJECT_SCHEMAS)}", "malformed")
    try:
        return build_query(strs("names"), schema=schema, birth_dates=strs("birth_dates"),
                           nationalities=strs("nationalities"), documents=strs("documents"),
                           dates_clean=True)
    except InvalidInput as exc:
        raise Refused(f"query: {exc.message}", "malformed") from None


class NetworkScreening:
    """Both sides of ``screen.request``: this node's network screens, and its answers to
    peers' queries (screened by the local ``Screening`` service)."""

    def __init__(self, ctx: FederationContext, screening: Screening) -> None:
        self.ctx = ctx
        self.screening = screening

    def screen(
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
        self.ctx.require(actor, "federation.screen")
        deadline = query_deadline(self.ctx, purpose, deadline, "a network screen")
        started = time.perf_counter()
        local = self.screening.screen(query, actor, purpose, limit=limit, source="network")
        body = request_body(actor, purpose, query=query_to_wire(query))
        if lists:
            body["lists"] = list(lists)
        replies = ask_peers(
            self.ctx,
            peers,
            "screen.request",
            body,
            deadline,
            actor=actor,
            purpose=purpose,
            query_hash=local.query_hash,
            results=frozenset({"hit", "no_hit"}),
            max_hits=50,
        )
        answers = [ans for ans, _body in replies]
        self.ctx.audit.record(
            "federation.screen",
            actor,
            purpose=purpose,
            query_hash=local.query_hash,
            result_ids=[h.entity_id for h in local.hits if h.band != "no match"],
            detail={"deadline": deadline, "peers": peers_summary(answers),
                    "officer": actor.name},
        )
        return NetworkScreenResult(
            local=local, peers=answers, deadline=deadline, ms=(time.perf_counter() - started) * 1000
        )

    def on_screen(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        """Holder side: answer hit / no-hit with opaque references, within the agreement."""
        body = env.body
        purpose, officer = asked_for(body, "a query")
        lists = body.get("lists")
        if lists is not None and (
            not isinstance(lists, list) or not all(isinstance(x, str) for x in lists)
        ):
            raise Refused("lists must be a list of list names", "malformed")
        agr, now = self.ctx.admit(env, purpose, lists=lists)
        query = query_from_wire(body.get("query"))
        if lists:
            query.datasets = list(lists)
        elif "*" not in agr.lists:
            query.datasets = list(agr.lists)
        result = self.screening.screen(
            query, self.ctx.peer_actor(env.sender), purpose, limit=10, source="peer"
        )
        # This node's analysts' false-positive decisions were made for their own screens: a
        # peer's query is never answered "no hit" because of one.
        hits = [h for h in [*result.hits, *result.suppressed] if h.band in {"match", "possible"}]
        answer: dict[str, Any] = {"result": "hit" if hits else "no_hit"}
        if result.coverage is not None:  # what was screened: list names and versions only
            answer["coverage"] = {
                "complete": result.coverage.complete,
                "lists": [{"list": c.name, "version": c.version} for c in result.coverage.lists],
                "warnings": [w.code for w in result.coverage.warnings],
            }
        refs: list[dict[str, Any]] = []
        if hits and agr.level_at_least("reference"):
            refs = [
                self.ctx.reference(env, "r_" + secrets.token_hex(16), h.entity_id, h.band,
                                   result.query_hash, now)
                for h in hits
            ]
            answer["hits"] = [{"ref": r["ref"], "band": r["band"]} for r in refs]
        self.ctx.answered(
            "federation.screen.answered", env, agr, purpose, result.query_hash, refs,
            [h.entity_id for h in hits], {"officer": officer, "result": answer["result"]},
        )
        return answer
