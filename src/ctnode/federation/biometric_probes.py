"""Biometric hit/no-hit across the network: a probe template (never an image) travels
with its model id and engine; the holder answers hit / no-hit / ``incompatible_model``
and keeps only the probe's keyed hash.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from typing import Any

from ctnode.biometrics.errors import ModelMismatch
from ctnode.errors import InvalidInput, Refused
from ctnode.federation.context import FederationContext, asked_for, request_body
from ctnode.federation.envelope import Envelope
from ctnode.federation.outbound import PeerAnswer, ask_peers, peers_summary, query_deadline
from ctnode.model.access import Actor, Purpose
from ctnode.services.biometrics.parts import Biometrics
from ctnode.services.biometrics.types import ProbeTemplate

# Largest template a biometric.request may carry (base64 of at most this many bytes).
MAX_PROBE_BYTES = 64 * 1024


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
    return {**{k: getattr(probe, k) for k in ("modality", "model_id", "engine", "position")},
            "template": base64.b64encode(probe.data).decode("ascii")}


def probe_from_wire(data: Any) -> ProbeTemplate:
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


class BiometricProbes:
    """Both sides of ``biometric.request``: this node's probes to peers, and its answers to
    peers' probes (by the ``Biometrics`` services)."""

    def __init__(self, ctx: FederationContext, biometrics: Biometrics) -> None:
        self.ctx = ctx
        self.biometrics = biometrics

    def query(
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
        data). The template (made by ``Exchange.make_probe``) travels with
        its model id and engine; each holder answers hit / no-hit (an opaque
        reference and a band on a hit) or ``incompatible_model``, in parallel,
        with a deadline; a peer that is down or late is reported as such.
        """
        self.ctx.require(actor, "federation.screen")
        self.ctx.require(actor, "biometric.network")
        deadline = query_deadline(self.ctx, purpose, deadline, "a biometric network query")
        if not probe.data or len(probe.data) > MAX_PROBE_BYTES:
            raise InvalidInput(f"a probe template is 1 to {MAX_PROBE_BYTES} bytes")
        started = time.perf_counter()
        qhash = self.ctx.keyed_hash({"probe": probe.digest()})
        body = request_body(actor, purpose, probe=probe_to_wire(probe))
        answers = []
        for ans, answer in ask_peers(
            self.ctx,
            peers,
            "biometric.request",
            body,
            deadline,
            actor=actor,
            purpose=purpose,
            query_hash=qhash,
            results=frozenset({"hit", "no_hit", "incompatible_model"}),
            max_hits=1,
            extra={"type": "biometric.request"},
            biometric=probe.modality,
        ):
            if answer is not None and ans.status == "incompatible_model":
                ans.reason = "model_mismatch"
                ans.detail = (
                    f"the peer compares only {answer.get('model_id')} / "
                    f"{answer.get('engine')}; nothing was compared"
                )
            answers.append(ans)
        self.ctx.audit.record(
            "federation.biometric",
            actor,
            purpose=purpose,
            query_hash=qhash,
            detail={
                "modality": probe.modality,
                "model_id": probe.model_id,
                "engine": probe.engine,
                "deadline": deadline,
                "peers": peers_summary(answers),
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

    def on_biometric(self, env: Envelope, peer: dict[str, Any]) -> dict[str, Any]:
        """Holder side: answer a template probe, then let the template go (only its hash stays)."""
        body = env.body
        purpose, officer = asked_for(body, "a biometric query")
        probe = probe_from_wire(body.get("probe"))
        modality = probe.modality
        agr, now = self.ctx.admit(env, purpose, biometric=probe.modality)
        qhash = self.ctx.keyed_hash({"probe": probe.digest()})
        try:
            answer = self.biometrics.exchange.answer(probe, purpose, requester=env.sender)
        except ModelMismatch as exc:
            engines = self.biometrics.engines
            mine = engines.face if probe.modality == "face" else engines.finger
            self.ctx.audit.record(
                "federation.biometric.answered",
                self.ctx.peer_actor(env.sender),
                purpose=purpose,
                query_hash=qhash,
                detail={
                    "peer": env.sender,
                    "officer": officer,
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
            hit_row = self.biometrics.exchange.hit(answer.reference)
            entity_id = hit_row["entity_id"] if hit_row else ""
            refs = [self.ctx.reference(env, answer.reference, entity_id, answer.band, qhash, now)]
            out["hits"] = [{"ref": answer.reference, "band": answer.band}]
        self.ctx.answered(
            "federation.biometric.answered", env, agr, purpose, qhash, refs,
            [r["entity_id"] for r in refs],
            {"officer": officer, "modality": modality, "result": out["result"]},
        )
        return out
