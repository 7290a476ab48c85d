"""Fingerprint templates: NIST NBIS minutiae (MINDTCT) compared with Bozorth3.

The ``afis`` package wraps NIST's own C code (MINDTCT / LFS V2 and Bozorth3,
built from its source distribution; see ``ctnode.biometrics.install_nbis``).
A template is the minutiae list (x, y, direction, type, reliability) plus the
image size; its ``model_id`` names the extractor and ``engine`` the matcher.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ctnode.biometrics.errors import EngineUnavailable, PoorPrint
from ctnode.biometrics.images import DecodedImage

MIN_MINUTIAE = 12  # fewer than this cannot be matched with a useful error rate
MIN_RELIABLE = 8  # minutiae with MINDTCT reliability >= 0.5; noise and smudges have none
MAX_MINUTIAE = 150  # Bozorth3 keeps the 150 most reliable


@dataclass(frozen=True, slots=True)
class Minutiae:
    """Minutiae of one print: rows of (x, y, theta, kind 0=ending 1=bifurcation, reliability)."""

    points: npt.NDArray[np.float64]
    width: int
    height: int
    model_id: str
    engine: str

    def __len__(self) -> int:
        return int(self.points.shape[0])

    @property
    def quality(self) -> float:
        """0-100 from the number of reliable minutiae (40 or more reliable ones: 100)."""
        reliable = int((self.points[:, 4] >= 0.5).sum()) if len(self) else 0
        return float(min(100, round(reliable * 2.5)))

    def to_bytes(self) -> bytes:
        head = struct.pack("!HHH", self.width, self.height, len(self))
        return head + np.ascontiguousarray(self.points, dtype="<f8").tobytes()

    @classmethod
    def from_bytes(cls, raw: bytes, *, model_id: str, engine: str) -> Minutiae:
        width, height, n = struct.unpack_from("!HHH", raw)
        pts = (
            np.frombuffer(raw, dtype="<f8", offset=6, count=n * 5).reshape(n, 5).astype(np.float64)
        )
        return cls(pts, width, height, model_id, engine)


class FingerprintEngine(Protocol):
    """Extract minutiae from a grey image and compare two templates (higher = more alike)."""

    model_id: str
    engine: str
    default_threshold: float  # score at or above which the makers call it a match
    possible_threshold: float

    def extract(self, image: DecodedImage, *, ppi: int = 500) -> Minutiae: ...

    def compare(self, a: Minutiae, b: Minutiae) -> float: ...


class NbisEngine:
    """NIST NBIS: MINDTCT extraction, Bozorth3 matching (native, via ``afis``)."""

    # NIST's documentation: a Bozorth3 score above about 40 is a true match in most cases.
    default_threshold = 40.0
    possible_threshold = 25.0

    def __init__(self) -> None:
        try:
            import afis
            from afis._native import loader
        except ImportError as exc:
            raise EngineUnavailable("the afis package (NIST NBIS) is not installed") from exc
        if not afis.available_native():
            raise EngineUnavailable(
                "the NBIS native library (libafis_lfs) is missing: run "
                "`python -m ctnode.biometrics.install_nbis` once after installing ctnode"
            )
        self._loader: Any = loader
        self.model_id = "nbis-mindtct-lfsv2"
        self.engine = f"nbis-bozorth3/afis-{afis.__version__}"

    def extract(self, image: DecodedImage, *, ppi: int = 500) -> Minutiae:
        px = image.pixels if image.pixels.ndim == 2 else image.pixels.mean(axis=2).astype(np.uint8)
        try:
            pts, meta = self._loader.mindtct_extract(px, ppi=float(ppi))
        except RuntimeError as exc:
            raise PoorPrint(f"minutiae extraction failed on this image ({exc})") from exc
        pts = np.asarray(pts, dtype=np.float64)
        if pts.shape[0] < MIN_MINUTIAE:
            raise PoorPrint(
                f"only {pts.shape[0]} minutiae found (at least {MIN_MINUTIAE} needed): "
                "the print is too poor, partial or not a fingerprint"
            )
        reliable = int((pts[:, 4] >= 0.5).sum())
        if reliable < MIN_RELIABLE:
            raise PoorPrint(
                f"only {reliable} reliable minutiae of {pts.shape[0]} (at least {MIN_RELIABLE} "
                "needed): the ridges are too unclear; rescan the finger"
            )
        if pts.shape[0] > MAX_MINUTIAE:
            pts = pts[np.argsort(-pts[:, 4], kind="stable")[:MAX_MINUTIAE]]
        return Minutiae(pts, int(meta["width"]), int(meta["height"]), self.model_id, self.engine)

    def compare(self, a: Minutiae, b: Minutiae) -> float:
        return float(
            self._loader.bozorth3_match(
                a.points,
                b.points,
                height_a=a.height,
                height_b=b.height,
                width_a=a.width,
                width_b=b.width,
            )
        )


@cache
def load_engine() -> NbisEngine:
    return NbisEngine()
