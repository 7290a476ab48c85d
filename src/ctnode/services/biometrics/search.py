"""Biometric 1:N search: a probe image (or a peer's template) against every enrolled
template of the same model and engine, candidates calibrated and explained.

Candidates are leads for a trained person to verify, not identifications. Only the
biometric permission may search; a search needs a purpose and a legal basis and is
audited with the probe's keyed hash. Templates past their retention date are not
searched.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from ctnode.biometrics.calibration import Calibration
from ctnode.biometrics.face import MultiFace
from ctnode.biometrics.fingerprint import Minutiae
from ctnode.biometrics.index import (
    Candidate,
    FaceIndex,
    FastFaceIndex,
    FastFingerprintIndex,
    FingerprintIndex,
)
from ctnode.errors import CTNodeError, NotFound
from ctnode.model.access import Actor, Purpose
from ctnode.services.biometrics.engines import BiometricEngines, require_purpose
from ctnode.services.biometrics.types import BiometricCandidate, Modality, Sealer, SearchResult
from ctnode.services.context import Context


@dataclass(slots=True)
class _LoadedIndex:
    generation: tuple[int, str, date]
    index: Any
    owners: dict[str, tuple[str, str]]  # template id → (sample id, entity id)


class Search:
    """1:N biometric search of one node (an index per model, rebuilt when templates change)."""

    def __init__(self, ctx: Context, engines: BiometricEngines, key: Sealer) -> None:
        self.ctx = ctx
        self.engines = engines
        self.key = key
        self.rows = ctx.store.biometrics
        self._lock = threading.Lock()
        self._indexes: dict[tuple[str, str, str], _LoadedIndex] = {}

    def _index(self, modality: Modality, model_id: str, engine: str) -> _LoadedIndex:
        today = date.today()
        count, marker = self.rows.generation(modality, model_id, engine, today)
        gen = (count, marker, today)
        key = (modality, model_id, engine)
        with self._lock:
            loaded = self._indexes.get(key)
            if loaded is not None and loaded.generation == gen:
                return loaded
            owners: dict[str, tuple[str, str]] = {}
            ids: list[str] = []
            if modality == "face":
                vectors = []
                for row in self.rows.iter_templates(modality, model_id, engine, today):
                    raw = self.key.open(row.template_ct, f"template:{row.id}")
                    vectors.append(np.frombuffer(raw, dtype="<f4"))
                    ids.append(row.id)
                    owners[row.id] = (row.sample_id, row.entity_id)
                face_index: FaceIndex = FastFaceIndex(
                    self.engines.face.dim,
                    ivf_min=self.ctx.settings.face_index_ivf_min,
                    nprobe=self.ctx.settings.face_index_nprobe,
                )
                if ids:
                    face_index.add(ids, np.vstack(vectors).astype(np.float32))
                loaded = _LoadedIndex(gen, face_index, owners)
            else:
                templates = []
                for row in self.rows.iter_templates(modality, model_id, engine, today):
                    raw = self.key.open(row.template_ct, f"template:{row.id}")
                    templates.append(Minutiae.from_bytes(raw, model_id=model_id, engine=engine))
                    ids.append(row.id)
                    owners[row.id] = (row.sample_id, row.entity_id)
                fp_index: FingerprintIndex = FastFingerprintIndex()
                fp_index.add(ids, templates)
                loaded = _LoadedIndex(gen, fp_index, owners)
            self._indexes[key] = loaded
            return loaded

    def _candidates(
        self,
        modality: Modality,
        found: list[Candidate],
        cal: Calibration,
        position: int | None = None,
    ) -> list[BiometricCandidate]:
        rows = self.rows.samples_for_templates([c.template_id for c in found])
        out: list[BiometricCandidate] = []
        best: dict[str, BiometricCandidate] = {}
        for c in found:
            row = rows.get(c.template_id)
            if row is None:
                continue
            if position and row.position and row.position != position:
                continue
            try:
                entity = self.ctx.store.entities.get_entity(row.entity_id)
                caption = (entity.get("name") or [entity.id])[0]
                reference = entity.reference
            except NotFound:
                caption, reference = row.entity_id, None
            expl = cal.explain(c.score) | {
                "template_id": c.template_id,
                "sample_id": row.id,
                "candidate_note": row.note,
                "candidate_quality": row.quality,
            }
            cand = BiometricCandidate(
                row.entity_id,
                caption,
                reference,
                row.id,
                row.kind,
                row.position,
                c.score,
                cal.decide(c.score),
                expl,
            )
            # one line per entity: its best-scoring sample
            if row.entity_id not in best or best[row.entity_id].score < c.score:
                best[row.entity_id] = cand
        out = sorted(best.values(), key=lambda c: (-c.score, c.entity_id))
        return out

    def face(
        self,
        actor: Actor,
        image: bytes,
        purpose: Purpose,
        *,
        k: int | None = None,
        multiple_faces: MultiFace | None = None,
    ) -> SearchResult:
        """1:N face search: candidates at or above the 'possible' threshold, best first."""
        self.ctx.require(actor, "biometric.search")
        require_purpose(purpose, "a search")
        try:
            decoded = self.engines.decode(image, "RGB", "face probe")
            tpl = self.engines.face_template(decoded, multiple_faces)
        except CTNodeError as exc:
            self._refused(actor, purpose, "face", exc, len(image))
            raise
        return self.face_vector(
            actor, tpl.vector, purpose, k=k, note=tpl.note, model_id=tpl.model_id, engine=tpl.engine
        )

    def face_vector(
        self,
        actor: Actor | None,
        vector: np.ndarray,
        purpose: Purpose,
        *,
        k: int | None,
        note: str,
        model_id: str,
        engine: str,
    ) -> SearchResult:
        cal = self.engines.calibration("face")
        loaded = self._index("face", model_id, engine)
        limit = min(
            k or self.ctx.settings.biometric_max_candidates, self.ctx.settings.biometric_max_candidates
        )
        found = loaded.index.search(vector.astype(np.float32), k=limit * 4, min_score=cal.possible)
        cands = self._candidates("face", found, cal)[:limit]
        qhash = self.ctx.keyed_hash(
            {"face": hashlib.sha256(vector.astype("<f4").tobytes()).hexdigest()}
        )
        result = SearchResult(
            str(uuid.uuid4()), "face", model_id, engine, qhash, note, len(loaded.index), cands
        )
        return self._audited(actor, purpose, result, model_id=model_id)

    def fingerprint(
        self,
        actor: Actor,
        image: bytes,
        purpose: Purpose,
        *,
        position: int | None = None,
        ppi: int = 500,
        k: int | None = None,
    ) -> SearchResult:
        """1:N fingerprint search with Bozorth3 over every enrolled single-finger template."""
        self.ctx.require(actor, "biometric.search")
        require_purpose(purpose, "a search")
        try:
            decoded = self.engines.decode(image, "L", "fingerprint probe")
            probe = self.engines.finger.extract(decoded, ppi=ppi)
        except CTNodeError as exc:
            self._refused(actor, purpose, "fingerprint", exc, len(image))
            raise
        return self.minutiae(actor, probe, purpose, position=position, k=k)

    def minutiae(
        self,
        actor: Actor | None,
        probe: Minutiae,
        purpose: Purpose,
        *,
        position: int | None,
        k: int | None,
    ) -> SearchResult:
        cal = self.engines.calibration("fingerprint")
        loaded = self._index("fingerprint", probe.model_id, probe.engine)
        limit = min(
            k or self.ctx.settings.biometric_max_candidates, self.ctx.settings.biometric_max_candidates
        )
        found = loaded.index.search(probe, k=limit * 4, min_score=cal.possible)
        cands = self._candidates("fingerprint", found, cal, position)[:limit]
        qhash = self.ctx.keyed_hash({"fingerprint": hashlib.sha256(probe.to_bytes()).hexdigest()})
        result = SearchResult(
            str(uuid.uuid4()),
            "fingerprint",
            probe.model_id,
            probe.engine,
            qhash,
            f"{len(probe)} minutiae",
            len(loaded.index),
            cands,
        )
        return self._audited(actor, purpose, result)

    def _refused(self, actor: Actor, purpose: Purpose, modality: str, exc: CTNodeError,
                 size: int) -> None:
        """A probe that could not be searched (not an image, no face, too poor a print) leaves
        an entry too: its size and the reason, never the image."""
        self.ctx.audit.record(
            "biometric.search.refused",
            actor,
            purpose=purpose,
            detail={"modality": modality, "bytes": size, "error": exc.code,
                    "reason": exc.message[:300]},
        )

    def _audited(self, actor: Actor | None, purpose: Purpose, result: SearchResult,
                 **detail: str) -> SearchResult:
        """Audit a search made for an actor (a peer's probe is audited by its answer)."""
        if actor is not None:
            self.ctx.audit.record(
                "biometric.search", actor, purpose=purpose, query_hash=result.query_hash,
                result_ids=[c.entity_id for c in result.candidates],
                detail={"modality": result.modality, "search_id": result.search_id, **detail},
            )
        return result
