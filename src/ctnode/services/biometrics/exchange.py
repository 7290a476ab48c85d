"""Biometric exchange with peers: templates, never images.

A network query carries a probe template made here (:meth:`Exchange.make_probe`); a
peer's probe is answered hit / no-hit (:meth:`Exchange.answer`) with an opaque ``b_``
reference kept for the staged-disclosure follow-up, and only the probe's keyed hash
is audited. The signed envelopes, agreements and rates are ``ctnode.federation``'s.
"""

from __future__ import annotations

import secrets
from typing import Any

import numpy as np

from ctnode.biometrics.errors import ModelMismatch
from ctnode.biometrics.fingerprint import Minutiae
from ctnode.clock import utcnow
from ctnode.errors import InvalidInput
from ctnode.model.access import Actor, Purpose
from ctnode.services.biometrics.engines import BiometricEngines, require_purpose
from ctnode.services.biometrics.search import Search
from ctnode.services.biometrics.types import Modality, ProbeAnswer, ProbeTemplate
from ctnode.services.context import Context

REFERENCE_PREFIX = "b_"  # a biometric hit reference (special-category data)


def is_biometric_ref(ref: str) -> bool:
    """Biometric hit references start with ``b_`` (:meth:`Exchange.answer` makes them)."""
    return ref.startswith(REFERENCE_PREFIX)


class Exchange:
    """Probe templates to and from peers, for one node."""

    def __init__(self, ctx: Context, engines: BiometricEngines, search: Search) -> None:
        self.ctx = ctx
        self.engines = engines
        self.search = search
        self.rows = ctx.store.biometrics

    def hit(self, reference: str) -> dict[str, Any] | None:
        """The holder's record of a biometric hit reference (None: not one of ours)."""
        return self.rows.get_hit(reference)

    def make_probe(
        self,
        actor: Actor,
        image: bytes,
        modality: Modality,
        purpose: Purpose,
        *,
        position: int | None = None,
    ) -> ProbeTemplate:
        """The template a peer query carries (made here; the image never leaves the node)."""
        self.ctx.require(actor, "biometric.search")
        require_purpose(purpose, "a network search")
        if modality == "face":
            tpl = self.engines.face_template(self.engines.decode(image, "RGB", "face probe"), None)
            return ProbeTemplate(
                "face", tpl.model_id, tpl.engine, tpl.vector.astype("<f4").tobytes()
            )
        m = self.engines.finger.extract(self.engines.decode(image, "L", "fingerprint probe"))
        return ProbeTemplate("fingerprint", m.model_id, m.engine, m.to_bytes(), position)

    def answer(
        self, template: ProbeTemplate, purpose: Purpose, *, requester: str = "peer"
    ) -> ProbeAnswer:
        """Answer a peer's template probe with hit / no-hit.

        Contract (for the federation layer, which has already checked the peer's
        signature and that its agreement allows biometric queries for
        ``purpose``):

        - ``template.model_id`` / ``engine`` must equal this node's, else
          ``ModelMismatch`` (HTTP 422): templates of different models are never compared;
        - a hit is a best candidate at ``match``, calibrated for this node's gallery
          size (``for_gallery``): a ``possible`` is answered no-hit (a lead across
          borders needs more than a possible); the answer carries only ``hit``, an
          opaque ``reference`` (random, kept in ``biometric_hits`` for the
          staged-disclosure follow-up) and the band;
        - the probe is not stored: the audit keeps only its keyed hash.
        """
        require_purpose(purpose, "a peer probe")
        if template.modality == "face":
            emb = self.engines.face
            _same_model(template, emb.model_id, emb.engine)
            if len(template.data) != 4 * emb.dim:
                raise InvalidInput(
                    f"face probe must be {emb.dim} float32 values, got {len(template.data)} bytes"
                )
            vec = np.frombuffer(template.data, dtype="<f4").astype(np.float32)
            norm = float(np.linalg.norm(vec))
            if not np.isfinite(norm) or abs(norm - 1.0) > 1e-3:
                raise InvalidInput("face probe is not a unit vector")
            result = self.search.face_vector(
                None, vec, purpose, k=1, model_id=emb.model_id, engine=emb.engine
            )
            model, engine = emb.model_id, emb.engine
        elif template.modality == "fingerprint":
            eng = self.engines.finger
            _same_model(template, eng.model_id, eng.engine)
            try:
                probe = Minutiae.from_bytes(template.data, model_id=eng.model_id, engine=eng.engine)
            except (ValueError, Exception) as exc:  # any unpacking error is a bad probe
                raise InvalidInput(f"fingerprint probe does not unpack: {exc}") from exc
            result = self.search.minutiae(None, probe, purpose, position=template.position, k=1)
            model, engine = eng.model_id, eng.engine
        else:
            raise InvalidInput(f"unknown modality {template.modality!r}")
        qhash = self.ctx.keyed_hash({"probe": template.digest()})
        peer_actor = Actor(name=f"peer:{requester}", role="peer")
        best = result.candidates[0] if result.candidates else None
        if best is None or best.decision != "match":
            self.ctx.audit.record(
                "biometric.probe",
                peer_actor,
                purpose=purpose,
                query_hash=qhash,
                detail={"modality": template.modality, "hit": False,
                        "best_band": best.decision if best else "no match",
                        "gallery_size": result.searched},
            )
            return ProbeAnswer(False, None, "no match", model, engine)
        reference = REFERENCE_PREFIX + secrets.token_hex(16)
        with self.ctx.store.begin() as conn:
            self.rows.insert(
                conn,
                "hit",
                {
                    "reference": reference,
                    "sample_id": best.sample_id,
                    "entity_id": best.entity_id,
                    "requester": requester,
                    "purpose": purpose.purpose,
                    "legal_basis": purpose.legal_basis,
                    "case_ref": purpose.case_ref,
                    "band": best.decision,
                    "created_at": utcnow(),
                },
            )
            self.ctx.audit.record(
                "biometric.probe",
                peer_actor,
                purpose=purpose,
                query_hash=qhash,
                result_ids=[best.entity_id],
                conn=conn,
                detail={
                    "modality": template.modality,
                    "hit": True,
                    "reference": reference,
                    "band": best.decision,
                },
            )
        return ProbeAnswer(True, reference, best.decision, model, engine)


def _same_model(template: ProbeTemplate, model_id: str, engine: str) -> None:
    """Templates of different models are never compared: ``ModelMismatch`` (HTTP 422)."""
    if (template.model_id, template.engine) != (model_id, engine):
        raise ModelMismatch(
            f"{template.modality} probe made by {template.model_id} / {template.engine}; this "
            f"node compares only {model_id} / {engine}"
        )
