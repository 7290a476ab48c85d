"""Hit/no-hit screening across the network: the requester screens locally and asks
every peer whose agreement allows it, in parallel, with a deadline; the holder answers
with opaque references and bands, never personal data.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ctnode.errors import InvalidInput, Refused
from ctnode.federation.context import purpose_from_body, purpose_to_body
from ctnode.federation.outbound import (
    PeerAnswer,
    ask_peers,
    check_rate,
    network_deadline,
    peers_summary,
    targets,
)
from ctnode.model.screening import ScreenQuery
from ctnode.node import ScreenResult
from ctnode.store.clock import utcnow

if TYPE_CHECKING:
    from ctnode.federation.context import FederationContext
    from ctnode.federation.envelope import Envelope
    from ctnode.node import Actor, Purpose


@dataclass(slots=True)
class NetworkScreenResult:
    local: ScreenResult
    peers: list[PeerAnswer]
    deadline: float
    ms: float


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


class Screening:
    """Both sides of ``screen.request``."""

    def __init__(self, ctx: FederationContext) -> None:
        self.ctx = ctx
        self.node = ctx.node
        self.db = ctx.db

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
        if not purpose.complete:
            raise InvalidInput("a network screen needs --purpose, --legal-basis and --case")
        deadline = network_deadline(self.ctx, deadline)
        started = time.perf_counter()
        local = self.node.screen(query, actor, purpose, limit=limit, source="network")
        asked, answers = targets(self.ctx, str(purpose.purpose), peers)
        body = {
            "query": query_to_wire(query),
            **purpose_to_body(purpose),
        }
        if lists:
            body["lists"] = list(lists)
        for ans, _body in ask_peers(
            self.ctx,
            asked,
            "screen.request",
            body,
            deadline,
            actor=actor,
            purpose=purpose,
            query_hash=local.query_hash,
            results=frozenset({"hit", "no_hit"}),
            max_hits=50,
        ):
            answers.append(ans)
        answers.sort(key=lambda a: a.peer_id)
        self.ctx.audit(
            "federation.screen",
            actor,
            purpose=purpose,
            query_hash=local.query_hash,
            result_ids=[h.entity_id for h in local.hits if h.band != "no match"],
            detail={"deadline": deadline, "peers": peers_summary(answers)},
        )
        return NetworkScreenResult(
            local=local, peers=answers, deadline=deadline, ms=(time.perf_counter() - started) * 1000
        )

    def on_screen(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        """Holder side: answer hit / no-hit with opaque references, within the agreement."""
        body = env.body
        purpose = purpose_from_body(body)
        if not purpose.complete:
            raise Refused(
                "a query needs a purpose, a legal basis and a case reference", "missing_legal_basis"
            )
        lists = body.get("lists")
        if lists is not None and (
            not isinstance(lists, list) or not all(isinstance(x, str) for x in lists)
        ):
            raise Refused("lists must be a list of list names", "malformed")
        agr = self.ctx.require_agreement(env.sender)
        now = utcnow()
        agr.check(now=now, purpose=purpose.purpose, lists=lists)
        check_rate(self.ctx, env.sender, "screen.request", agr, now)
        query = query_from_wire(body.get("query"))
        if lists:
            query.datasets = list(lists)
        elif "*" not in agr.lists:
            query.datasets = list(agr.lists)
        result = self.node.screen(
            query, self.ctx.peer_actor(env.sender), purpose, limit=10, source="peer"
        )
        hits = [h for h in result.hits if h.band in {"match", "possible"}]
        answer: dict[str, Any] = {"result": "hit" if hits else "no_hit"}
        refs: list[dict[str, Any]] = []
        if hits and agr.level_at_least("reference"):
            expires = now + timedelta(days=self.ctx.settings.federation_ref_ttl_days)
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
                self.ctx.peer_actor(env.sender),
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
