"""The biometric engines as the node is configured to use them, and sample preparation.

Everything here happens *before* the store is touched: input is decoded (size and
pixel limits, safe decoders) and templates are made, so a bad file leaves nothing
behind. The engines themselves are ``ctnode.biometrics`` (face, fingerprint,
calibration, images).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from ctnode.biometrics.calibration import Calibration, calibration_for
from ctnode.biometrics.errors import PoorPrint
from ctnode.biometrics.face import FaceEmbedder, FaceTemplate, MultiFace, load_embedder
from ctnode.biometrics.fingerprint import FingerprintEngine, load_engine
from ctnode.biometrics.images import DecodedImage, decode_image
from ctnode.errors import InvalidInput, TooLarge
from ctnode.model.access import Purpose
from ctnode.services.biometrics.types import (
    SINGLE_FINGER,
    Modality,
    Prepared,
    SampleInput,
    Template,
)
from ctnode.settings import Settings


def require_purpose(purpose: Purpose | None, action: str) -> Purpose:
    """A search, view, export or probe of biometric data needs a purpose and a legal basis."""
    if purpose is None or not purpose.has_basis:
        raise InvalidInput(f"{action} of biometric data needs a purpose and a legal basis")
    return purpose


class BiometricEngines:
    """The node's face and fingerprint engines, their calibration, and sample preparation."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings


    @property
    def face(self) -> FaceEmbedder:
        return load_embedder(self.settings.face_model, self.settings.face_match_threshold)

    @property
    def finger(self) -> FingerprintEngine:
        return load_engine()

    def calibration(self, modality: Modality) -> Calibration:
        if modality == "face":
            emb = self.face
            return calibration_for(
                "face",
                emb.model_id,
                default_match=emb.default_threshold,
                match=self.settings.face_match_threshold,
                possible=self.settings.face_possible_threshold,
            )
        eng = self.finger
        custom = (
            self.settings.fingerprint_match_threshold != eng.default_threshold
            or self.settings.fingerprint_possible_threshold != eng.possible_threshold
        )
        return calibration_for(
            "fingerprint",
            eng.model_id,
            default_match=eng.default_threshold,
            match=self.settings.fingerprint_match_threshold if custom else None,
            possible=self.settings.fingerprint_possible_threshold if custom else None,
        )


    def check_size(self, data: bytes, what: str) -> None:
        if len(data) > self.settings.max_upload_bytes:
            raise TooLarge(f"{what}: {len(data):,} bytes exceeds CTNODE_MAX_UPLOAD_BYTES")

    def retain_until(self, requested: date | None) -> date:
        limit = date.today() + timedelta(days=self.settings.biometric_retention_days)
        if requested is None:
            return limit
        if requested < date.today():
            raise InvalidInput(f"retain_until {requested} is in the past")
        return min(requested, limit)

    # -- preparing samples (no writes) ------------------------------------------------------------

    def decode(self, data: bytes, mode: Literal["L", "RGB"], what: str) -> DecodedImage:
        self.check_size(data, what)
        return decode_image(
            data, max_pixels=self.settings.biometric_max_image_pixels, mode=mode, what=what
        )

    def face_template(self, image: DecodedImage, multiple: MultiFace | None) -> FaceTemplate:
        return self.face.embed(image, multiple=multiple or self.settings.biometric_multiple_faces)

    def prepare_face(self, sample: SampleInput, *, multiple: MultiFace | None,
                     kind: str = "face") -> Prepared:
        """A face sample with its template (the largest face, or refused, as asked)."""
        assert sample.image is not None
        tpl = self.face_template(sample.image, multiple)
        vec = tpl.vector.astype("<f4").tobytes()
        prov = {**sample.provenance, "face_box": tpl.face.as_dict(),
                "faces_found": tpl.faces_found}
        # the measured quality (ctnode.biometrics.quality: sharpness, face size, pose, light,
        # the detector's score), never the detector's confidence alone
        quality = None
        notes = [tpl.note] if tpl.note else []
        if tpl.quality is not None:
            prov["quality"] = tpl.quality.as_dict()
            quality = round(tpl.quality.score, 1)
            notes += [f"quality: {w}" for w in tpl.quality.warnings]
        return sample.prepared(
            kind, quality=quality, note="; ".join(notes), provenance=prov,
            template=("face", tpl.model_id, tpl.engine, int(tpl.vector.size), vec),
        )

    def prepare_print(self, sample: SampleInput, *, position: int | None, ppi: int,
                      kind: str = "fingerprint", quality: float | None = None,
                      strict: bool = True) -> Prepared:
        """A print with its minutiae; a multi-finger image, or (unless ``strict``) a print too
        poor to search, is kept without a template and its note says why."""
        assert sample.image is not None
        note = ""
        template: Template | None = None
        if position is not None and position not in SINGLE_FINGER:
            note = f"multi-finger image (position {position}); kept as an image, not searched"
        else:
            try:
                m = self.finger.extract(sample.image, ppi=ppi)
                template = ("fingerprint", m.model_id, m.engine, len(m), m.to_bytes())
                quality = quality if quality is not None else m.quality
            except PoorPrint as exc:
                if strict:
                    raise
                note = f"not searchable: {exc.message}"
        return sample.prepared(kind, position=position, quality=quality, note=note,
                               template=template)
