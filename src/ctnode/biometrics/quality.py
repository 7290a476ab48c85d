"""Face image quality in the spirit of ISO/IEC 29794-5: measured components and one score.

ISO/IEC 29794-5 (face image quality) defines *quality components* (each a
native measure plus a 0-100 component value) and a *unified quality score*. Its
reference implementation (OFIQ) learns the unified score from comparison
scores with large models that do not ship here; this module measures the
components that matter most for a face recogniser with what the detector
already gives (box, five landmarks, confidence) and the aligned face crop, and
combines them into a documented 0-100 score:

- ``inter_eye_distance``: pixels between the eye centres in the original image;
  0 at ≤ 20 px, 100 at ≥ 60 px (ISO/IEC 39794-5 asks ≥ 60 for reference images).
- ``sharpness``: variance of the Laplacian of the aligned 112×112 grey face;
  0 at ≤ 50, 100 at ≥ 400, log scale between (the 73 real photos: 430-7,200).
- ``yaw``: degrees, from the nose's offset to the eye midpoint; 100 at ≤ 10°, 0 at ≥ 45°.
- ``roll``: degrees, angle of the line between the eyes; 100 at ≤ 15°, 0 at ≥ 45°.
- ``exposure``: mean grey level of the aligned face (0-255); 100 in 70-190, 0 at ≤ 25 or ≥ 240.
- ``contrast``: standard deviation of that grey level; 0 at ≤ 12, 100 at ≥ 40.
- ``uniformity``: left/right half brightness ratio (1 = even light); 0 at ≤ 0.2, 100 at ≥ 0.6.
- ``detector_confidence``: the face detector's score (YuNet reports faces from 0.70);
  0 at ≤ 0.60, 100 at ≥ 0.85.

``score`` is the weighted geometric mean of the component values (weights in
``WEIGHTS``; a component at 0 pulls the score towards 0, as one failing factor
spoils a comparison whatever the others are). The thresholds are taken from
the standards' recommendations where they give one and otherwise set on the
real photos in ``../shared/data/biometrics`` (see docs/biometrics.md); they are
a screening aid, not a certified ISO/IEC 29794-5 implementation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

# Weight of each component in the unified score (sum 1).
WEIGHTS: dict[str, float] = {
    "inter_eye_distance": 0.20,
    "sharpness": 0.20,
    "yaw": 0.15,
    "roll": 0.05,
    "exposure": 0.10,
    "contrast": 0.10,
    "uniformity": 0.05,
    "detector_confidence": 0.15,
}
NOSE_DEPTH = 0.55  # nose tip depth in front of the eye plane, in inter-eye distances (adult mean)
LOW_COMPONENT = 40.0  # a component under this is named in ``warnings``


def _ramp(value: float, low: float, high: float) -> float:
    """0 at ``low``, 100 at ``high``, linear between (``low`` > ``high`` for falling measures)."""
    if low == high:
        return 100.0 if value >= high else 0.0
    t = (value - low) / (high - low)
    return float(100.0 * min(1.0, max(0.0, t)))


@dataclass(frozen=True, slots=True)
class Component:
    """One quality component: the native measure, its unit, and its 0-100 value."""

    name: str
    native: float
    unit: str
    value: float

    def as_dict(self) -> dict[str, Any]:
        return {"native": round(self.native, 3), "unit": self.unit, "value": round(self.value, 1)}


@dataclass(frozen=True, slots=True)
class FaceQuality:
    """The unified 0-100 score, every component it was made from, and what pulled it down."""

    score: float
    components: dict[str, Component]
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 1),
            "method": "ctnode face quality v1 (ISO/IEC 29794-5 components, weighted geometric mean)",
            "components": {k: c.as_dict() for k, c in self.components.items()},
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True, slots=True)
class Landmarks:
    """Five facial landmarks in image pixels (the subject's right eye first, as YuNet gives them)."""

    right_eye: tuple[float, float]
    left_eye: tuple[float, float]
    nose: tuple[float, float]
    mouth_right: tuple[float, float] | None = None
    mouth_left: tuple[float, float] | None = None

    @classmethod
    def from_yunet(cls, row: npt.NDArray[np.float32]) -> Landmarks:
        p = [(float(row[4 + 2 * i]), float(row[5 + 2 * i])) for i in range(5)]
        return cls(p[0], p[1], p[2], p[3], p[4])


def laplacian_variance(grey: npt.NDArray[Any]) -> float:
    """Variance of the 4-neighbour Laplacian: high for sharp edges, low for blur."""
    g = np.asarray(grey, dtype=np.float64)
    lap = -4.0 * g[1:-1, 1:-1] + g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:]
    return float(lap.var())


def _grey(aligned_rgb_or_bgr: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    px: npt.NDArray[np.float64] = np.asarray(aligned_rgb_or_bgr, dtype=np.float64)
    if px.ndim == 2:
        return px
    grey: npt.NDArray[np.float64] = px.mean(axis=2)
    return grey


def assess(
    landmarks: Landmarks, aligned: npt.NDArray[Any], *, detector_score: float
) -> FaceQuality:
    """Measure one detected face: ``aligned`` is the recogniser's aligned crop (e.g. 112×112)."""
    (rx, ry), (lx, ly) = landmarks.right_eye, landmarks.left_eye
    ied = math.hypot(lx - rx, ly - ry)
    roll = math.degrees(math.atan2(ly - ry, lx - rx))
    mid_x, mid_y = (rx + lx) / 2, (ry + ly) / 2
    # Project the nose offset on the eye line: positive = nose towards the subject's left eye.
    nx, ny = landmarks.nose
    if ied > 0:
        ux, uy = (lx - rx) / ied, (ly - ry) / ied
        lateral = ((nx - mid_x) * ux + (ny - mid_y) * uy) / ied
    else:
        lateral = 0.0
    yaw = math.degrees(math.atan2(lateral, NOSE_DEPTH))
    grey = _grey(aligned)
    h, w = grey.shape
    # the central face region (drop the corners, mostly background and hair in an aligned crop)
    core = grey[h // 8 : h - h // 16, w // 8 : w - w // 8]
    sharp = laplacian_variance(core)
    mean, std = float(core.mean()), float(core.std())
    left, right = core[:, : core.shape[1] // 2], core[:, core.shape[1] // 2 :]
    lm, rm = float(left.mean()), float(right.mean())
    uniform = min(lm, rm) / max(lm, rm) if max(lm, rm) > 0 else 0.0
    exposure_value = min(_ramp(mean, 25, 70), _ramp(mean, 240, 190))
    comps = [
        Component("inter_eye_distance", ied, "pixels", _ramp(ied, 20, 60)),
        Component(
            "sharpness",
            sharp,
            "Laplacian variance",
            _ramp(math.log(max(sharp, 1e-6)), math.log(50), math.log(400)),
        ),
        Component("yaw", yaw, "degrees", _ramp(abs(yaw), 45, 10)),
        Component("roll", roll, "degrees", _ramp(abs(roll), 45, 15)),
        Component("exposure", mean, "mean grey level", exposure_value),
        Component("contrast", std, "grey level std", _ramp(std, 12, 40)),
        Component("uniformity", uniform, "left/right ratio", _ramp(uniform, 0.2, 0.6)),
        Component("detector_confidence", detector_score, "score", _ramp(detector_score, 0.6, 0.85)),
    ]
    components = {c.name: c for c in comps}
    log_sum = sum(WEIGHTS[c.name] * math.log(max(c.value, 1.0) / 100.0) for c in comps)
    score = 100.0 * math.exp(log_sum)
    warnings = [
        f"{c.name.replace('_', ' ')} is low ({c.native:.3g} {c.unit}; component {c.value:.0f}/100)"
        for c in comps
        if c.value < LOW_COMPONENT
    ]
    return FaceQuality(score, components, warnings)
