"""What the biometric services take and give: enrolment requests and results, search
candidates, probe templates and answers (no I/O)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol

from ctnode.biometrics import ansi_nist
from ctnode.biometrics.calibration import Decision
from ctnode.biometrics.face import MultiFace
from ctnode.biometrics.images import DecodedImage

Modality = Literal["face", "fingerprint"]
# Finger positions (ANSI/NIST FGP) that hold one finger: 0 unknown, 1-10 rolled, 11-12 plain thumbs.
SINGLE_FINGER = frozenset(range(13))


@dataclass(frozen=True, slots=True)
class EnrolRequest:
    """One image to attach to a watchlist entity."""

    entity_id: str
    image: bytes
    legal_basis: str
    source: str = ""
    capture_date: date | None = None
    retain_until: date | None = None  # default: today + CTNODE_BIOMETRIC_RETENTION_DAYS
    position: int | None = None  # finger position (fingerprints): 1-10, 0 unknown
    ppi: int = 500
    multiple_faces: MultiFace | None = None  # default: CTNODE_BIOMETRIC_MULTIPLE_FACES


@dataclass(slots=True)
class EnrolResult:
    sample_id: str
    entity_id: str
    kind: str
    template_id: str | None
    model_id: str | None
    engine: str | None
    note: str
    quality: float | None
    retain_until: date
    position: int | None = None
    quality_detail: dict[str, Any] | None = None  # faces: the measured components and warnings

    def as_dict(self) -> dict[str, Any]:
        return {
            "sample_id": self.sample_id,
            "entity_id": self.entity_id,
            "kind": self.kind,
            "template_id": self.template_id,
            "model_id": self.model_id,
            "engine": self.engine,
            "note": self.note,
            "quality": self.quality,
            "retain_until": self.retain_until.isoformat(),
            "position": self.position,
            "quality_detail": self.quality_detail,
        }


@dataclass(slots=True)
class ImportResult:
    transaction_id: str
    entity_id: str
    version: str
    tcn: str
    enrolled: list[EnrolResult]
    skipped: list[ansi_nist.Skipped]

    def as_dict(self) -> dict[str, Any]:
        return {
            "transaction_id": self.transaction_id,
            "entity_id": self.entity_id,
            "version": self.version,
            "tcn": self.tcn,
            "enrolled": [e.as_dict() for e in self.enrolled],
            "skipped": [
                {"record": s.record, "type": s.record_type, "reason": s.reason}
                for s in self.skipped
            ],
            "kept_nothing": not self.enrolled,
        }


@dataclass(slots=True)
class BiometricCandidate:
    """One candidate of a 1:N search, for a person to verify."""

    entity_id: str
    caption: str
    list_reference: str | None
    sample_id: str
    kind: str
    position: int | None
    score: float
    decision: Decision
    explanation: dict[str, Any]
    face: int | None = None  # which face of the probe (1 = the largest) it was found for

    def as_dict(self) -> dict[str, Any]:
        return {
            "face": self.face,
            "entity_id": self.entity_id,
            "caption": self.caption,
            "list_reference": self.list_reference,
            "sample_id": self.sample_id,
            "kind": self.kind,
            "position": self.position,
            "score": round(self.score, 4),
            "decision": self.decision,
            "explanation": self.explanation,
        }


@dataclass(slots=True)
class FaceAnswer:
    """The answer for one face of a probe: which face (number, box, quality) and its candidates."""

    number: int  # 1 = the largest face, then by decreasing size
    face: dict[str, Any]  # FaceTemplate.describe(): faces found, box, quality (empty for a template)
    note: str
    candidates: list[BiometricCandidate] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.face,
            "face": self.number,
            "note": self.note,
            "candidates": [c.as_dict() for c in self.candidates],
        }


@dataclass(slots=True)
class SearchResult:
    search_id: str
    modality: Modality
    model_id: str
    engine: str
    query_hash: str
    probe_note: str
    searched: int  # templates compared (the gallery size the decisions are calibrated for)
    candidates: list[BiometricCandidate] = field(default_factory=list)  # all faces, best first
    faces: list[FaceAnswer] = field(default_factory=list)  # face searches: one answer per face
    calibration: dict[str, Any] = field(default_factory=dict)  # thresholds at this gallery size

    def as_dict(self) -> dict[str, Any]:
        return {
            "search_id": self.search_id,
            "modality": self.modality,
            "model_id": self.model_id,
            "engine": self.engine,
            "query_hash": self.query_hash,
            "probe_note": self.probe_note,
            "searched": self.searched,
            "calibration": self.calibration,
            "faces": [f.as_dict() for f in self.faces],
            "candidates": [c.as_dict() for c in self.candidates],
            "notice": "candidates are leads for a trained person to verify, not identifications",
        }


@dataclass(frozen=True, slots=True)
class ProbeTemplate:
    """A template sent to a peer instead of an image.

    ``data``: for faces, the unit vector as little-endian float32; for
    fingerprints, ``Minutiae.to_bytes()``. ``model_id`` and ``engine`` must equal
    the receiving node's, or the probe is refused (``ModelMismatch``).
    """

    modality: Modality
    model_id: str
    engine: str
    data: bytes
    position: int | None = None

    def digest(self) -> str:
        return hashlib.sha256(
            self.modality.encode() + b"\0" + self.model_id.encode() + b"\0" + self.data
        ).hexdigest()


@dataclass(frozen=True, slots=True)
class ProbeAnswer:
    """A peer's answer: hit or no hit, an opaque reference on a hit, the band; no personal data."""

    hit: bool
    reference: str | None
    band: Decision
    model_id: str
    engine: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "hit": self.hit,
            "reference": self.reference,
            "band": self.band,
            "model_id": self.model_id,
            "engine": self.engine,
        }


@dataclass(frozen=True, slots=True)
class SampleInput:
    """An image (or record) to keep, where it came from, and its bytes as they will be stored."""

    image: DecodedImage | None
    stored: bytes | None  # the bytes to seal: the original, or a lossless re-encoding
    stored_format: str | None
    capture_date: date | None
    source: str
    provenance: dict[str, Any]

    def prepared(self, kind: str, *, position: int | None = None, quality: float | None = None,
                 note: str = "", template: Template | None = None,
                 provenance: dict[str, Any] | None = None) -> Prepared:
        width, height = (self.image.width, self.image.height) if self.image else (None, None)
        return Prepared(kind, self.stored, self.stored_format, width, height, position, quality,
                        note, self.capture_date, self.source,
                        self.provenance if provenance is None else provenance, template)


# What a sample is searched by: modality, model, engine, dimension, the template's bytes.
Template = tuple[Modality, str, str, int, bytes]


@dataclass(slots=True)
class Prepared:
    """A sample ready to store: everything decoded and extracted, nothing written yet."""

    kind: str
    stored: bytes | None  # image (or record) bytes to seal
    stored_format: str | None
    width: int | None
    height: int | None
    position: int | None
    quality: float | None
    note: str
    capture_date: date | None
    source: str
    provenance: dict[str, Any]
    template: Template | None


class Sealer(Protocol):
    """Seals what is stored and opens it again (``ctnode.biometrics.crypto.NodeKey``)."""

    def seal(self, plaintext: bytes, context: str) -> bytes: ...
    def open(self, ciphertext: bytes, context: str) -> bytes: ...
    def open_concat(self, items: list[tuple[bytes, str]]) -> bytes: ...
