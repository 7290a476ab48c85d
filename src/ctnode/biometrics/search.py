"""1:N face search of a whole probe: every face, each with calibrated candidates.

The engine step the service layer calls for a face search: the probe's faces
(``FaceEmbedder.embed_all``: all of them, the largest first) are searched one by
one in the index, and each answer says which face it is about (number, box,
quality) and carries its candidates with decisions calibrated for the size of
the gallery searched (``calibration.for_gallery``). A group photo therefore
answers per face: the listed person is found whether or not she is the largest
face in the picture.

Entity grouping, names and the audit are the service's work; here candidates
are template ids with scores and decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ctnode.biometrics.calibration import Calibration, Decision, GalleryCalibration, for_gallery
from ctnode.biometrics.face import FaceTemplate
from ctnode.biometrics.index import Candidate, FaceIndex


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    """One template found for one face, with its decision at this gallery size."""

    template_id: str
    score: float
    decision: Decision

    def as_dict(self) -> dict[str, Any]:
        return {
            "template_id": self.template_id,
            "score": round(self.score, 4),
            "decision": self.decision,
        }


@dataclass(slots=True)
class FaceAnswer:
    """The answer for one face of the probe."""

    face: FaceTemplate
    calibration: GalleryCalibration
    candidates: list[ScoredCandidate] = field(default_factory=list)

    @property
    def best(self) -> ScoredCandidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def peer_hit(self) -> bool:
        """What a peer probe answers: ``hit`` only when the best candidate is a ``match``."""
        best = self.best
        return best is not None and self.calibration.peer_hit(best.score)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.face.describe(),
            "note": self.face.note,
            "gallery_size": self.calibration.gallery_size,
            "thresholds": {
                "match": round(self.calibration.match, 4),
                "possible": round(self.calibration.possible, 4),
            },
            "candidates": [c.as_dict() for c in self.candidates],
        }


def search_vector(
    index: FaceIndex,
    vector: np.ndarray[Any, Any],
    calibration: GalleryCalibration,
    *,
    k: int,
) -> list[ScoredCandidate]:
    """Candidates at or above the gallery's ``possible`` threshold, best first."""
    found: list[Candidate] = index.search(
        np.asarray(vector, dtype=np.float32), k=k, min_score=calibration.possible
    )
    return [ScoredCandidate(c.template_id, c.score, calibration.decide(c.score)) for c in found]


def search_faces(
    index: FaceIndex,
    faces: Sequence[FaceTemplate],
    base: Calibration,
    *,
    k: int,
    gallery_size: int | None = None,
) -> list[FaceAnswer]:
    """Search every face of a probe; one answer per face, in the probe's face order.

    ``gallery_size`` defaults to the index's size (the templates one search compares
    the probe with); the service passes the number it actually searched when it
    filters (e.g. expired records).
    """
    cal = for_gallery(base, gallery_size if gallery_size is not None else len(index))
    return [FaceAnswer(f, cal, search_vector(index, f.vector, cal, k=k)) for f in faces]
