"""Biometric 1:N search: a probe image (or a peer's template) against every enrolled
template of the same model and engine, candidates calibrated and explained.

Candidates are leads for a trained person to verify, not identifications. Only the
``biometric.search`` permission may search; a search needs a purpose and a legal
basis; every search is audited with the probe's keyed hash, and every refused one
(no permission: ``biometric.denied``; no purpose or an unusable probe:
``biometric.search.refused``) too.

Faces: every face of the probe is searched (``probe_faces="all"``, the default), and
each answer says which face it is about (number, box, quality). Decisions are
calibrated per search for the size of the gallery searched
(``ctnode.biometrics.calibration.for_gallery``): the thresholds rise with the number
of templates so that a search of non-mates answers ``possible`` at most 1% of the
time and ``match`` at most 0.01% (per face searched). The index is
``FaceIndexes``'s: in files, updated in place, never rebuilt because of an
enrolment and never checked against the store before a search. Templates past
their retention date are not returned (the purge then removes them from the index).
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np

from ctnode.biometrics.calibration import GalleryCalibration, for_gallery
from ctnode.biometrics.face import FaceTemplate
from ctnode.biometrics.fingerprint import Minutiae
from ctnode.biometrics.fingerprint_index import FastFingerprintIndex, FingerprintIndex
from ctnode.biometrics.index import Candidate
from ctnode.errors import CTNodeError, NotFound
from ctnode.model.access import Actor, Purpose
from ctnode.services.biometrics.engines import BiometricEngines, require_purpose
from ctnode.services.biometrics.face_index import FaceIndexes
from ctnode.services.biometrics.types import (
    BiometricCandidate,
    FaceAnswer,
    Sealer,
    SearchResult,
)
from ctnode.services.context import Context

ProbeFaces = Literal["all", "largest", "refuse"]


@dataclass(slots=True)
class _Prints:
    generation: tuple[int, str, date]
    index: FingerprintIndex


class Search:
    """1:N biometric search of one node."""

    def __init__(self, ctx: Context, engines: BiometricEngines, key: Sealer) -> None:
        self.ctx = ctx
        self.engines = engines
        self.key = key
        self.rows = ctx.store.biometrics
        self.faces = FaceIndexes(ctx, key)
        self._lock = threading.Lock()
        self._prints: dict[tuple[str, str], _Prints] = {}

    # -- the rules every search follows -----------------------------------------------------------

    def _allowed(self, actor: Actor, purpose: Purpose, modality: str, size: int) -> None:
        self.ctx.require(actor, "biometric.search")
        try:
            require_purpose(purpose, "a search")
        except CTNodeError as exc:
            self._refused(actor, purpose, modality, exc, size)
            raise

    def _refused(self, actor: Actor, purpose: Purpose, modality: str, exc: CTNodeError,
                 size: int) -> None:
        """A refused search leaves an entry: the probe's size and the reason, never the probe."""
        self.ctx.audit.record(
            "biometric.search.refused", actor, purpose=purpose,
            detail={"modality": modality, "bytes": size, "error": exc.code,
                    "reason": exc.message[:500]},
        )

    def _limit(self, k: int | None) -> int:
        most = self.ctx.settings.biometric_max_candidates
        return min(k or most, most)

    # -- faces ------------------------------------------------------------------------------------

    def face(
        self,
        actor: Actor,
        image: bytes,
        purpose: Purpose,
        *,
        k: int | None = None,
        probe_faces: ProbeFaces = "all",
    ) -> SearchResult:
        """1:N face search of every face in the probe (or only the largest, or refused when
        there are several): per face, candidates at or above the gallery's ``possible``."""
        self._allowed(actor, purpose, "face", len(image))
        try:
            decoded = self.engines.decode(image, "RGB", "face probe")
            if probe_faces == "all":
                faces = self.engines.face.embed_all(decoded)
            else:
                faces = [self.engines.face_template(decoded, probe_faces)]
        except CTNodeError as exc:
            self._refused(actor, purpose, "face", exc, len(image))
            raise
        return self.face_templates(actor, faces, purpose, k=k)

    def face_vector(
        self, actor: Actor | None, vector: np.ndarray[Any, Any], purpose: Purpose, *,
        k: int | None, model_id: str, engine: str,
    ) -> SearchResult:
        """Search one template (a peer's probe): one answer, no box."""
        return self._search_faces(actor, [(None, vector)], purpose, k=k, model_id=model_id,
                                  engine=engine, note="")

    def face_templates(
        self, actor: Actor | None, faces: list[FaceTemplate], purpose: Purpose, *,
        k: int | None = None,
    ) -> SearchResult:
        """Search the templates of a probe's faces (all of one model)."""
        first = faces[0]
        note = first.note if len(faces) == 1 else f"{len(faces)} faces searched, each answered"
        return self._search_faces(actor, [(f, f.vector) for f in faces], purpose, k=k,
                                  model_id=first.model_id, engine=first.engine, note=note)

    def _search_faces(
        self, actor: Actor | None, faces: list[tuple[FaceTemplate | None, np.ndarray[Any, Any]]],
        purpose: Purpose, *, k: int | None, model_id: str, engine: str, note: str,
    ) -> SearchResult:
        index = self.faces.get(model_id, engine, self.engines.face.dim)
        cal = for_gallery(self.engines.calibration("face"), len(index))
        limit = self._limit(k)
        answers: list[FaceAnswer] = []
        everyone: list[BiometricCandidate] = []
        digest = hashlib.sha256()
        for number, (face, vector) in enumerate(faces, start=1):
            vec = np.ascontiguousarray(vector, dtype=np.float32)
            digest.update(vec.astype("<f4").tobytes())
            found = index.search(vec, k=limit * 4, min_score=cal.possible)
            cands = self._candidates(found, cal, face=number)[:limit]
            answers.append(FaceAnswer(number, face.describe() if face else {},
                                      face.note if face else "", cands))
            everyone.extend(cands)
        everyone.sort(key=lambda c: (-c.score, c.face or 0, c.entity_id))
        result = SearchResult(
            str(uuid.uuid4()), "face", model_id, engine,
            self.ctx.keyed_hash({"face": digest.hexdigest()}), note, len(index), everyone,
            faces=answers, calibration=_thresholds(cal),
        )
        return self._audited(actor, purpose, result, model_id=model_id)

    # -- the face index, for operators ------------------------------------------------------------

    def index_status(self, actor: Actor) -> dict[str, object]:
        """What the face index files of the node's model hold, against the store."""
        self.ctx.require(actor, "biometric.enrol")
        emb = self.engines.face
        return {"model_id": emb.model_id, "engine": emb.engine,
                **self.faces.status(emb.model_id, emb.engine)}

    def rebuild_index(self, actor: Actor) -> dict[str, object]:
        """Rebuild the face index of the node's model from the store now (audited as an
        enrolment-side action: it reads every template)."""
        self.ctx.require(actor, "biometric.enrol")
        emb = self.engines.face
        index = self.faces.rebuild(emb.model_id, emb.engine, emb.dim)
        return {"model_id": emb.model_id, "templates": len(index),
                "message": self.faces.rebuilds[-1]}

    # -- fingerprints -----------------------------------------------------------------------------

    def _print_index(self, model_id: str, engine: str) -> FingerprintIndex:
        """Fingerprint galleries are small (Bozorth3 compares one pair at a time): the index is
        held in memory and rebuilt when the store's marker for the model changes."""
        today = date.today()
        count, marker = self.rows.generation("fingerprint", model_id, engine, today)
        gen = (count, marker, today)
        with self._lock:
            held = self._prints.get((model_id, engine))
            if held is not None and held.generation == gen:
                return held.index
            ids, templates = [], []
            for row in self.rows.iter_templates("fingerprint", model_id, engine, today):
                raw = self.key.open(row.template_ct, f"template:{row.id}")
                templates.append(Minutiae.from_bytes(raw, model_id=model_id, engine=engine))
                ids.append(row.id)
            index: FingerprintIndex = FastFingerprintIndex()
            index.add(ids, templates)
            self._prints[(model_id, engine)] = _Prints(gen, index)
            return index

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
        self._allowed(actor, purpose, "fingerprint", len(image))
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
        index = self._print_index(probe.model_id, probe.engine)
        cal = for_gallery(self.engines.calibration("fingerprint"), len(index))
        limit = self._limit(k)
        found = index.search(probe, k=limit * 4, min_score=cal.possible)
        cands = self._candidates(found, cal, position=position)[:limit]
        qhash = self.ctx.keyed_hash({"fingerprint": hashlib.sha256(probe.to_bytes()).hexdigest()})
        result = SearchResult(
            str(uuid.uuid4()), "fingerprint", probe.model_id, probe.engine, qhash,
            f"{len(probe)} minutiae", len(index), cands, calibration=_thresholds(cal),
        )
        return self._audited(actor, purpose, result)

    # -- shared -----------------------------------------------------------------------------------

    def _candidates(
        self, found: list[Candidate], cal: GalleryCalibration, *, position: int | None = None,
        face: int | None = None,
    ) -> list[BiometricCandidate]:
        """One line per entity (its best sample), best first; expired records left out."""
        rows = self.rows.samples_for_templates([c.template_id for c in found])
        today = date.today()
        best: dict[str, BiometricCandidate] = {}
        for c in found:
            row = rows.get(c.template_id)
            if row is None or row.retain_until < today:
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
            if face is not None:
                expl["face"] = face
            cand = BiometricCandidate(
                row.entity_id, caption, reference, row.id, row.kind, row.position, c.score,
                cal.decide(c.score), expl, face=face,
            )
            if row.entity_id not in best or best[row.entity_id].score < c.score:
                best[row.entity_id] = cand
        return sorted(best.values(), key=lambda c: (-c.score, c.entity_id))

    def _audited(self, actor: Actor | None, purpose: Purpose, result: SearchResult,
                 **detail: str) -> SearchResult:
        """Audit a search made for an actor (a peer's probe is audited by its answer)."""
        if actor is not None:
            self.ctx.audit.record(
                "biometric.search", actor, purpose=purpose, query_hash=result.query_hash,
                result_ids=sorted({c.entity_id for c in result.candidates}),
                detail={"modality": result.modality, "search_id": result.search_id,
                        "faces": len(result.faces) or None, "gallery_size": result.searched,
                        **detail},
            )
        return result


def _thresholds(cal: GalleryCalibration) -> dict[str, Any]:
    """How this search's decisions were set: the gallery size and the thresholds at it."""
    return {
        "gallery_size": cal.gallery_size,
        "match": round(cal.match, 4),
        "possible": round(cal.possible, 4),
        "per_comparison": {"match": cal.base.match, "possible": cal.base.possible},
        "false_alarm_targets": {"possible": cal.possible_rate, "match": cal.match_rate},
    }
