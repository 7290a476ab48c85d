"""The biometric service: enrolment, ANSI/NIST import and export, 1:N search, peer probes.

Every edge (API router, CLI, federation) calls one ``BiometricService`` bound
to the node (``service_for(node)``). The rules live here:

- only roles in ``CTNODE_BIOMETRIC_ROLES`` (default: admin) or keys flagged
  ``biometric`` may enrol, search, view or export; every refusal is audited;
- a search, view, export or probe needs a purpose and a legal basis;
- input is decoded and templates are made *before* the store is touched, and
  everything an action stores (samples, templates, audit entry) is written in
  one database transaction: a bad file leaves nothing behind;
- images and templates are sealed with the node key before they are stored;
- a template is compared only with templates of the same model and engine;
- records past their retention date are not searched, and ``purge_expired``
  deletes them.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import uuid
import weakref
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ctnode.audit.events import register
from ctnode.biometrics import ansi_nist, repository
from ctnode.biometrics.calibration import Calibration, Decision, calibration_for
from ctnode.biometrics.crypto import NodeKey
from ctnode.biometrics.errors import MalformedNist, ModelMismatch, PoorPrint
from ctnode.biometrics.face import FaceEmbedder, FaceTemplate, MultiFace, load_embedder
from ctnode.biometrics.fingerprint import FingerprintEngine, Minutiae, load_engine
from ctnode.biometrics.images import DecodedImage, decode_image, encode_jpeg, encode_png, encode_wsq
from ctnode.biometrics.index import (
    Candidate,
    FaceIndex,
    FastFaceIndex,
    FastFingerprintIndex,
    FingerprintIndex,
)
from ctnode.errors import CTNodeError, Forbidden, InvalidInput, NotFound, TooLarge

if TYPE_CHECKING:
    from ctnode.node import Actor, Node, Purpose

Modality = Literal["face", "fingerprint"]

for _name, _text in {
    "biometric.enrol": "A face or fingerprint was enrolled: sample, kind, model, legal basis.",
    "biometric.import": "An ANSI/NIST-ITL transaction was imported: records kept and skipped, why.",
    "biometric.import.failed": "An ANSI/NIST file or biometric upload was refused; nothing stored.",
    "biometric.search": "A 1:N biometric search: keyed hash of the probe, candidate entity ids.",
    "biometric.view": "Biometric records of an entity (metadata or an image) were read.",
    "biometric.export": "An entity's biometric records were exported as ANSI/NIST-ITL.",
    "biometric.probe": "A peer's template probe was answered hit / no-hit; only its hash is kept.",
    "biometric.purge": "Biometric records past their retention date (or on request) were deleted.",
    "biometric.denied": "A biometric action was refused: the actor lacks the biometric permission.",
}.items():
    register(_name, _text)

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

    def as_dict(self) -> dict[str, Any]:
        return {
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
class SearchResult:
    search_id: str
    modality: Modality
    model_id: str
    engine: str
    query_hash: str
    probe_note: str
    searched: int  # templates compared
    candidates: list[BiometricCandidate] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "search_id": self.search_id,
            "modality": self.modality,
            "model_id": self.model_id,
            "engine": self.engine,
            "query_hash": self.query_hash,
            "probe_note": self.probe_note,
            "searched": self.searched,
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


@dataclass(slots=True)
class _Prepared:
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
    template: tuple[Modality, str, str, int, bytes] | None  # modality, model, engine, dim, bytes


@dataclass(slots=True)
class _LoadedIndex:
    generation: tuple[int, str, date]
    index: Any
    owners: dict[str, tuple[str, str]]  # template id → (sample id, entity id)


_SERVICES: weakref.WeakKeyDictionary[Any, BiometricService] = weakref.WeakKeyDictionary()
_SERVICES_LOCK = threading.Lock()


def service_for(node: Node) -> BiometricService:
    """The node's one biometric service (created on first use, models loaded lazily)."""
    with _SERVICES_LOCK:
        svc = _SERVICES.get(node)
        if svc is None:
            svc = BiometricService(node)
            _SERVICES[node] = svc
        return svc


def _now() -> datetime:
    return datetime.now(UTC)


class BiometricService:
    """Biometric records of one node. See the module docstring for the rules it enforces."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.settings = node.settings
        self.key = NodeKey.load_or_create(self.settings.data_dir)
        self._lock = threading.Lock()
        self._indexes: dict[tuple[str, str, str], _LoadedIndex] = {}

    # -- engines and calibration ------------------------------------------------------------------

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

    # -- permissions ------------------------------------------------------------------------------

    def require(self, actor: Actor, action: str) -> None:
        """Allow roles in CTNODE_BIOMETRIC_ROLES and keys flagged biometric; audit every refusal."""
        if actor.role in self.settings.biometric_roles or actor.biometric:
            return
        self.node.audit("biometric.denied", actor, detail={"action": action, "role": actor.role})
        raise Forbidden(
            f"role {actor.role!r} may not {action}: biometric data needs the biometric permission"
        )

    @staticmethod
    def require_purpose(purpose: Purpose | None, action: str) -> Purpose:
        if (
            purpose is None
            or not (purpose.purpose or "").strip()
            or not (purpose.legal_basis or "").strip()
        ):
            raise InvalidInput(f"{action} of biometric data needs a purpose and a legal basis")
        return purpose

    def _check_size(self, data: bytes, what: str) -> None:
        if len(data) > self.settings.max_upload_bytes:
            raise TooLarge(f"{what}: {len(data):,} bytes exceeds CTNODE_MAX_UPLOAD_BYTES")

    def _retain_until(self, requested: date | None) -> date:
        limit = date.today() + timedelta(days=self.settings.biometric_retention_days)
        if requested is None:
            return limit
        if requested < date.today():
            raise InvalidInput(f"retain_until {requested} is in the past")
        return min(requested, limit)

    # -- preparing samples (no writes) ------------------------------------------------------------

    def _decode(self, data: bytes, mode: Literal["L", "RGB"], what: str) -> DecodedImage:
        self._check_size(data, what)
        return decode_image(
            data, max_pixels=self.settings.biometric_max_image_pixels, mode=mode, what=what
        )

    def _face_template(self, image: DecodedImage, multiple: MultiFace | None) -> FaceTemplate:
        return self.face.embed(image, multiple=multiple or self.settings.biometric_multiple_faces)

    def _prepare_face(
        self,
        image: DecodedImage,
        original: bytes,
        fmt: str,
        *,
        multiple: MultiFace | None,
        capture: date | None,
        source: str,
        provenance: dict[str, Any],
        kind: str = "face",
    ) -> _Prepared:
        tpl = self._face_template(image, multiple)
        vec = tpl.vector.astype("<f4").tobytes()
        prov = {**provenance, "face_box": tpl.face.as_dict(), "faces_found": tpl.faces_found}
        return _Prepared(
            kind,
            original,
            fmt,
            image.width,
            image.height,
            None,
            round(tpl.face.score * 100, 1),
            tpl.note,
            capture,
            source,
            prov,
            ("face", tpl.model_id, tpl.engine, int(tpl.vector.size), vec),
        )

    def _prepare_print(
        self,
        image: DecodedImage,
        original: bytes,
        fmt: str,
        *,
        position: int | None,
        ppi: int,
        capture: date | None,
        source: str,
        provenance: dict[str, Any],
        kind: str = "fingerprint",
        quality: float | None = None,
        strict: bool = True,
    ) -> _Prepared:
        note = ""
        template: tuple[Modality, str, str, int, bytes] | None = None
        if position is not None and position not in SINGLE_FINGER:
            note = f"multi-finger image (position {position}); kept as an image, not searched"
        else:
            try:
                m = self.finger.extract(image, ppi=ppi)
                template = ("fingerprint", m.model_id, m.engine, len(m), m.to_bytes())
                quality = quality if quality is not None else m.quality
            except PoorPrint as exc:
                if strict:
                    raise
                note = f"not searchable: {exc.message}"
        return _Prepared(
            kind,
            original,
            fmt,
            image.width,
            image.height,
            position,
            quality,
            note,
            capture,
            source,
            provenance,
            template,
        )

    # -- storing ----------------------------------------------------------------------------------

    def _store(
        self,
        conn: Any,
        actor: Actor,
        entity_id: str,
        prep: _Prepared,
        legal_basis: str,
        retain: date,
        transaction_id: str | None,
    ) -> EnrolResult:
        sample_id = str(uuid.uuid4())
        now = _now()
        repository.insert_sample(
            conn,
            {
                "id": sample_id,
                "entity_id": entity_id,
                "kind": prep.kind,
                "position": prep.position,
                "capture_date": prep.capture_date,
                "source": prep.source,
                "quality": prep.quality,
                "legal_basis": legal_basis,
                "provenance": prep.provenance,
                "note": prep.note,
                "image_format": prep.stored_format,
                "width": prep.width,
                "height": prep.height,
                "image_ct": self.key.seal(prep.stored, f"sample:{sample_id}")
                if prep.stored is not None
                else None,
                "transaction_id": transaction_id,
                "created_at": now,
                "created_by": actor.name,
                "retain_until": retain,
            },
        )
        template_id = model_id = engine = None
        if prep.template is not None:
            modality, model_id, engine, dim, raw = prep.template
            template_id = str(uuid.uuid4())
            repository.insert_template(
                conn,
                {
                    "id": template_id,
                    "sample_id": sample_id,
                    "entity_id": entity_id,
                    "modality": modality,
                    "model_id": model_id,
                    "engine": engine,
                    "dim": dim,
                    "template_ct": self.key.seal(raw, f"template:{template_id}"),
                    "retain_until": retain,
                    "created_at": now,
                },
            )
        return EnrolResult(
            sample_id,
            entity_id,
            prep.kind,
            template_id,
            model_id,
            engine,
            prep.note,
            prep.quality,
            retain,
            prep.position,
        )

    def _refused(self, actor: Actor, what: str, exc: CTNodeError, entity_id: str | None) -> None:
        self.node.audit(
            "biometric.import.failed",
            actor,
            result_ids=[entity_id] if entity_id else [],
            detail={"what": what, "error": exc.code, "reason": exc.message[:500]},
        )

    # -- enrolment --------------------------------------------------------------------------------

    def enroll_face(self, actor: Actor, req: EnrolRequest) -> EnrolResult:
        """Attach a face image to an entity: one face is embedded (the largest, said so)."""
        self.require(actor, "enrol biometric data")
        return self._enrol(actor, req, "face")

    def enroll_fingerprint(self, actor: Actor, req: EnrolRequest) -> EnrolResult:
        """Attach a single-finger print to an entity; a print too poor for minutiae is refused."""
        self.require(actor, "enrol biometric data")
        if req.position is not None and req.position not in SINGLE_FINGER:
            raise InvalidInput(
                f"finger position {req.position}: enrol single fingers (0-12); "
                "import slaps and ten-print cards as ANSI/NIST transactions"
            )
        return self._enrol(actor, req, "fingerprint")

    def _enrol(self, actor: Actor, req: EnrolRequest, kind: Modality) -> EnrolResult:
        if not req.legal_basis.strip():
            raise InvalidInput("enrolment needs the legal basis for holding this biometric record")
        self.node.get_entity(req.entity_id)
        retain = self._retain_until(req.retain_until)
        provenance = {"origin": "upload", "bytes": len(req.image)}
        try:
            if kind == "face":
                image = self._decode(req.image, "RGB", "face image")
                prep = self._prepare_face(
                    image,
                    req.image,
                    image.format,
                    multiple=req.multiple_faces,
                    capture=req.capture_date,
                    source=req.source or actor.name,
                    provenance=provenance,
                )
            else:
                image = self._decode(req.image, "L", "fingerprint image")
                prep = self._prepare_print(
                    image,
                    req.image,
                    image.format,
                    position=req.position,
                    ppi=req.ppi,
                    capture=req.capture_date,
                    source=req.source or actor.name,
                    provenance=provenance,
                )
        except CTNodeError as exc:
            self._refused(actor, f"{kind} enrolment", exc, req.entity_id)
            raise
        with self.node.store.engine.begin() as conn:
            result = self._store(conn, actor, req.entity_id, prep, req.legal_basis, retain, None)
            self.node.audit(
                "biometric.enrol",
                actor,
                result_ids=[req.entity_id],
                conn=conn,
                detail={
                    "sample_id": result.sample_id,
                    "kind": kind,
                    "model_id": result.model_id,
                    "legal_basis": req.legal_basis,
                    "note": result.note,
                },
            )
        return result

    # -- ANSI/NIST-ITL ----------------------------------------------------------------------------

    def parse_ansi_nist(
        self, data: bytes
    ) -> tuple[ansi_nist.Transaction, list[_Prepared], list[ansi_nist.Skipped]]:
        """Parse, decode and extract everything; raise on the first problem; write nothing."""
        self._check_size(data, "ANSI/NIST-ITL transaction")
        tx = ansi_nist.parse(data)
        found, skipped = ansi_nist.samples(tx, max_pixels=self.settings.biometric_max_image_pixels)
        if not found:
            reasons = (
                "; ".join(f"record {s.record}: {s.reason}" for s in skipped)
                or "no records after Type-1/2"
            )
            raise MalformedNist(f"nothing this node keeps in the transaction ({reasons})")
        prepared: list[_Prepared] = []
        for s in found:
            prov = {
                "origin": "ansi-nist",
                "record": s.record,
                "record_type": s.record_type,
                "original_format": s.original_format,
                "tcn": tx.tcn,
                "tot": tx.tot,
            }
            label = f"record {s.record} (Type-{s.record_type})"
            stored, fmt = s.original, s.original_format
            if s.image is not None and s.original_format == "NONE":
                stored, fmt = encode_png(s.image), "PNG"
            try:
                if s.kind == "face" and s.image is not None:
                    prepared.append(
                        self._prepare_face(
                            s.image,
                            stored,
                            fmt,
                            multiple=None,
                            capture=s.capture_date,
                            source=s.source,
                            provenance=prov,
                        )
                    )
                elif s.kind in ("fingerprint", "latent") and s.image is not None:
                    prepared.append(
                        self._prepare_print(
                            s.image,
                            stored,
                            fmt,
                            position=s.position,
                            ppi=s.ppi,
                            capture=s.capture_date,
                            source=s.source,
                            provenance=prov,
                            kind=s.kind,
                            quality=s.quality,
                            strict=False,
                        )
                    )
                else:
                    prepared.append(
                        _Prepared(
                            s.kind,
                            stored,
                            fmt,
                            s.image.width if s.image else None,
                            s.image.height if s.image else None,
                            s.position,
                            s.quality,
                            s.note,
                            s.capture_date,
                            s.source,
                            prov,
                            None,
                        )
                    )
            except InvalidInput as exc:
                raise MalformedNist(f"{label}: {exc.message}") from exc
        return tx, prepared, skipped

    def import_ansi_nist(
        self, actor: Actor, data: bytes, *, entity_id: str, legal_basis: str
    ) -> ImportResult:
        """Import a transaction onto an entity, all records in one DB transaction, or none."""
        self.require(actor, "import biometric data")
        if not legal_basis.strip():
            raise InvalidInput(
                "an ANSI/NIST import needs the legal basis for holding these records"
            )
        self.node.get_entity(entity_id)
        retain = self._retain_until(None)
        try:
            tx, prepared, skipped = self.parse_ansi_nist(data)
        except CTNodeError as exc:
            self._refused(actor, "ANSI/NIST-ITL import", exc, entity_id)
            raise
        tx_id = str(uuid.uuid4())
        summary = {
            "kept": [
                {"record": p.provenance.get("record"), "kind": p.kind, "note": p.note}
                for p in prepared
            ],
            "skipped": [
                {"record": s.record, "type": s.record_type, "reason": s.reason} for s in skipped
            ],
        }
        with self.node.store.engine.begin() as conn:
            repository.insert_transaction(
                conn,
                {
                    "id": tx_id,
                    "entity_id": entity_id,
                    "tcn": tx.tcn,
                    "tot": tx.tot,
                    "version": tx.version[:8],
                    "origin": tx.header.text(8),
                    "file_digest": self.node.keyed_hash(hashlib.sha256(data).hexdigest()),
                    "summary": summary,
                    "imported_at": _now(),
                    "imported_by": actor.name,
                },
            )
            enrolled = [
                self._store(conn, actor, entity_id, p, legal_basis, retain, tx_id) for p in prepared
            ]
            self.node.audit(
                "biometric.import",
                actor,
                result_ids=[entity_id],
                conn=conn,
                detail={
                    "transaction_id": tx_id,
                    "records": len(enrolled),
                    "templates": sum(1 for e in enrolled if e.template_id),
                    "skipped": summary["skipped"],
                    "legal_basis": legal_basis,
                },
            )
        return ImportResult(tx_id, entity_id, tx.version, tx.tcn, enrolled, skipped)

    def export_ansi_nist(
        self, actor: Actor, entity_id: str, purpose: Purpose, *, ori: str = "CTNODE"
    ) -> bytes:
        """An ANSI/NIST-ITL 2011 transaction (Type-1, 2, 10 faces/marks, 14 prints)."""
        self.require(actor, "export biometric data")
        self.require_purpose(purpose, "export")
        entity = self.node.get_entity(entity_id)
        images: list[ansi_nist.OutImage] = []
        for row in repository.list_samples(self.node.store.engine, entity_id):
            if row.kind not in ("face", "mark", "fingerprint") or row.retain_until < date.today():
                continue
            full = repository.get_sample(self.node.store.engine, row.id)
            if full is None or full.image_ct is None:
                continue
            raw = self.key.open(full.image_ct, f"sample:{row.id}")
            fmt = (row.image_format or "").upper()
            if row.kind == "fingerprint":
                if fmt in ("WSQ", "WSQ20"):
                    data, cga = raw, "WSQ20"
                    img = decode_image(
                        raw, max_pixels=self.settings.biometric_max_image_pixels, mode="L"
                    )
                else:
                    img = decode_image(
                        raw, max_pixels=self.settings.biometric_max_image_pixels, mode="L"
                    )
                    data, cga = encode_wsq(img.pixels), "WSQ20"
                images.append(
                    ansi_nist.OutImage(
                        "fingerprint",
                        data,
                        cga,
                        img.width,
                        img.height,
                        True,
                        row.position,
                        row.capture_date,
                    )
                )
            else:
                img = decode_image(
                    raw, max_pixels=self.settings.biometric_max_image_pixels, mode="RGB"
                )
                if fmt in ("JPEG", "JPEGB"):
                    data, cga = raw, "JPEGB"
                elif fmt == "PNG":
                    data, cga = raw, "PNG"
                else:
                    data, cga = encode_jpeg(img.pixels), "JPEGB"
                images.append(
                    ansi_nist.OutImage(
                        "face" if row.kind == "face" else "mark",
                        data,
                        cga,
                        img.width,
                        img.height,
                        False,
                        None,
                        row.capture_date,
                    )
                )
        if not images:
            raise NotFound(f"entity {entity_id} has no face or fingerprint images to export")
        tcn = f"CTN-{uuid.uuid4().hex[:16]}"
        out = ansi_nist.write(
            images,
            ori=ori,
            tcn=tcn,
            when=date.today(),
            description={
                "entity": entity.id,
                "reference": entity.reference or "",
                "purpose": purpose.purpose or "",
                "case": purpose.case_ref or "",
            },
        )
        self.node.audit(
            "biometric.export",
            actor,
            purpose=purpose,
            result_ids=[entity_id],
            detail={"tcn": tcn, "records": len(images), "bytes": len(out)},
        )
        return out

    # -- viewing ----------------------------------------------------------------------------------

    def list_samples(
        self, actor: Actor, entity_id: str, purpose: Purpose | None = None
    ) -> list[dict[str, Any]]:
        self.require(actor, "view biometric data")
        self.node.get_entity(entity_id)
        rows = repository.list_samples(self.node.store.engine, entity_id)
        self.node.audit(
            "biometric.view",
            actor,
            purpose=purpose,
            result_ids=[entity_id],
            detail={"what": "list", "samples": len(rows)},
        )
        return [
            {
                "sample_id": r.id,
                "entity_id": r.entity_id,
                "kind": r.kind,
                "position": r.position,
                "capture_date": r.capture_date.isoformat() if r.capture_date else None,
                "source": r.source,
                "quality": r.quality,
                "legal_basis": r.legal_basis,
                "provenance": r.provenance,
                "note": r.note,
                "image_format": r.image_format,
                "width": r.width,
                "height": r.height,
                "created_at": r.created_at.isoformat(),
                "created_by": r.created_by,
                "retain_until": r.retain_until.isoformat(),
                "transaction_id": r.transaction_id,
            }
            for r in rows
        ]

    def get_image(self, actor: Actor, sample_id: str, purpose: Purpose) -> tuple[bytes, str]:
        """The decrypted image of one sample and its format (audited; needs a purpose)."""
        self.require(actor, "view biometric data")
        self.require_purpose(purpose, "viewing")
        row = repository.get_sample(self.node.store.engine, sample_id)
        if row is None or row.image_ct is None:
            raise NotFound(f"biometric sample {sample_id} not found or has no image")
        data = self.key.open(row.image_ct, f"sample:{sample_id}")
        self.node.audit(
            "biometric.view",
            actor,
            purpose=purpose,
            result_ids=[row.entity_id],
            detail={"what": "image", "sample_id": sample_id},
        )
        return data, row.image_format or "application/octet-stream"

    # -- search -----------------------------------------------------------------------------------

    def _index(self, modality: Modality, model_id: str, engine: str) -> _LoadedIndex:
        today = date.today()
        count, marker = repository.generation(
            self.node.store.engine, modality, model_id, engine, today
        )
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
                for row in repository.iter_templates(
                    self.node.store.engine, modality, model_id, engine, today
                ):
                    raw = self.key.open(row.template_ct, f"template:{row.id}")
                    vectors.append(np.frombuffer(raw, dtype="<f4"))
                    ids.append(row.id)
                    owners[row.id] = (row.sample_id, row.entity_id)
                face_index: FaceIndex = FastFaceIndex(
                    self.face.dim,
                    ivf_min=self.settings.face_index_ivf_min,
                    nprobe=self.settings.face_index_nprobe,
                )
                if ids:
                    face_index.add(ids, np.vstack(vectors).astype(np.float32))
                loaded = _LoadedIndex(gen, face_index, owners)
            else:
                templates = []
                for row in repository.iter_templates(
                    self.node.store.engine, modality, model_id, engine, today
                ):
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
        rows = repository.samples_for_templates(
            self.node.store.engine, [c.template_id for c in found]
        )
        out: list[BiometricCandidate] = []
        best: dict[str, BiometricCandidate] = {}
        for c in found:
            row = rows.get(c.template_id)
            if row is None:
                continue
            if position and row.position and row.position != position:
                continue
            try:
                entity = self.node.get_entity(row.entity_id)
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

    def search_face(
        self,
        actor: Actor,
        image: bytes,
        purpose: Purpose,
        *,
        k: int | None = None,
        multiple_faces: MultiFace | None = None,
    ) -> SearchResult:
        """1:N face search: candidates at or above the 'possible' threshold, best first."""
        self.require(actor, "search biometric data")
        self.require_purpose(purpose, "a search")
        decoded = self._decode(image, "RGB", "face probe")
        tpl = self._face_template(decoded, multiple_faces)
        return self._search_face_vector(
            actor, tpl.vector, purpose, k=k, note=tpl.note, model_id=tpl.model_id, engine=tpl.engine
        )

    def _search_face_vector(
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
        cal = self.calibration("face")
        loaded = self._index("face", model_id, engine)
        limit = min(
            k or self.settings.biometric_max_candidates, self.settings.biometric_max_candidates
        )
        found = loaded.index.search(vector.astype(np.float32), k=limit * 4, min_score=cal.possible)
        cands = self._candidates("face", found, cal)[:limit]
        qhash = self.node.keyed_hash(
            {"face": hashlib.sha256(vector.astype("<f4").tobytes()).hexdigest()}
        )
        result = SearchResult(
            str(uuid.uuid4()), "face", model_id, engine, qhash, note, len(loaded.index), cands
        )
        if actor is not None:
            self.node.audit(
                "biometric.search",
                actor,
                purpose=purpose,
                query_hash=qhash,
                result_ids=[c.entity_id for c in cands],
                detail={"modality": "face", "search_id": result.search_id, "model_id": model_id},
            )
        return result

    def search_fingerprint(
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
        self.require(actor, "search biometric data")
        self.require_purpose(purpose, "a search")
        decoded = self._decode(image, "L", "fingerprint probe")
        probe = self.finger.extract(decoded, ppi=ppi)
        return self._search_minutiae(actor, probe, purpose, position=position, k=k)

    def _search_minutiae(
        self,
        actor: Actor | None,
        probe: Minutiae,
        purpose: Purpose,
        *,
        position: int | None,
        k: int | None,
    ) -> SearchResult:
        cal = self.calibration("fingerprint")
        loaded = self._index("fingerprint", probe.model_id, probe.engine)
        limit = min(
            k or self.settings.biometric_max_candidates, self.settings.biometric_max_candidates
        )
        found = loaded.index.search(probe, k=limit * 4, min_score=cal.possible)
        cands = self._candidates("fingerprint", found, cal, position)[:limit]
        qhash = self.node.keyed_hash({"fingerprint": hashlib.sha256(probe.to_bytes()).hexdigest()})
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
        if actor is not None:
            self.node.audit(
                "biometric.search",
                actor,
                purpose=purpose,
                query_hash=qhash,
                result_ids=[c.entity_id for c in cands],
                detail={"modality": "fingerprint", "search_id": result.search_id},
            )
        return result

    # -- network: templates, never images ---------------------------------------------------------

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
        self.require(actor, "search biometric data")
        self.require_purpose(purpose, "a network search")
        if modality == "face":
            tpl = self._face_template(self._decode(image, "RGB", "face probe"), None)
            return ProbeTemplate(
                "face", tpl.model_id, tpl.engine, tpl.vector.astype("<f4").tobytes()
            )
        m = self.finger.extract(self._decode(image, "L", "fingerprint probe"))
        return ProbeTemplate("fingerprint", m.model_id, m.engine, m.to_bytes(), position)

    def probe_template(
        self, template: ProbeTemplate, purpose: Purpose, *, requester: str = "peer"
    ) -> ProbeAnswer:
        """Answer a peer's template probe with hit / no-hit.

        Contract (for the federation layer, which has already checked the peer's
        signature and that its agreement allows biometric queries for
        ``purpose``):

        - ``template.model_id`` / ``engine`` must equal this node's, else
          ``ModelMismatch`` (HTTP 422): templates of different models are never compared;
        - a hit is the best candidate at or above the *possible* threshold; the
          answer carries only ``hit``, an opaque ``reference`` (random, kept in
          ``biometric_hits`` for the staged-disclosure follow-up) and the band;
        - the probe is not stored: the audit keeps only its keyed hash.
        """
        self.require_purpose(purpose, "a peer probe")
        if template.modality == "face":
            emb = self.face
            if (template.model_id, template.engine) != (emb.model_id, emb.engine):
                raise ModelMismatch(
                    f"face probe made by {template.model_id} / {template.engine}; this node "
                    f"compares only {emb.model_id} / {emb.engine}"
                )
            if len(template.data) != 4 * emb.dim:
                raise InvalidInput(
                    f"face probe must be {emb.dim} float32 values, got {len(template.data)} bytes"
                )
            vec = np.frombuffer(template.data, dtype="<f4").astype(np.float32)
            norm = float(np.linalg.norm(vec))
            if not np.isfinite(norm) or abs(norm - 1.0) > 1e-3:
                raise InvalidInput("face probe is not a unit vector")
            result = self._search_face_vector(
                None, vec, purpose, k=1, note="", model_id=emb.model_id, engine=emb.engine
            )
            model, engine = emb.model_id, emb.engine
        elif template.modality == "fingerprint":
            eng = self.finger
            if (template.model_id, template.engine) != (eng.model_id, eng.engine):
                raise ModelMismatch(
                    f"fingerprint probe made by {template.model_id} / {template.engine}; this "
                    f"node compares only {eng.model_id} / {eng.engine}"
                )
            try:
                probe = Minutiae.from_bytes(template.data, model_id=eng.model_id, engine=eng.engine)
            except (ValueError, Exception) as exc:  # any unpacking error is a bad probe
                raise InvalidInput(f"fingerprint probe does not unpack: {exc}") from exc
            result = self._search_minutiae(None, probe, purpose, position=template.position, k=1)
            model, engine = eng.model_id, eng.engine
        else:
            raise InvalidInput(f"unknown modality {template.modality!r}")
        qhash = self.node.keyed_hash({"probe": template.digest()})
        from ctnode.node import Actor as _Actor

        peer_actor = _Actor(name=f"peer:{requester}", role="peer")
        if not result.candidates:
            self.node.audit(
                "biometric.probe",
                peer_actor,
                purpose=purpose,
                query_hash=qhash,
                detail={"modality": template.modality, "hit": False},
            )
            return ProbeAnswer(False, None, "no match", model, engine)
        best = result.candidates[0]
        reference = "b_" + secrets.token_hex(16)  # "b_": a biometric hit (special category)
        with self.node.store.engine.begin() as conn:
            repository.insert_hit(
                conn,
                {
                    "reference": reference,
                    "sample_id": best.sample_id,
                    "entity_id": best.entity_id,
                    "requester": requester,
                    "purpose": purpose.purpose,
                    "legal_basis": purpose.legal_basis,
                    "case_ref": purpose.case_ref,
                    "band": best.decision,
                    "created_at": _now(),
                },
            )
            self.node.audit(
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

    # -- retention --------------------------------------------------------------------------------

    def purge_expired(self, actor: Actor, today: date | None = None) -> int:
        """Delete every sample (with its templates) whose retention date has passed."""
        self.require(actor, "purge biometric data")
        day = today or date.today()
        with self.node.store.engine.begin() as conn:
            ids = repository.expired_sample_ids(conn, day)
            n = repository.delete_samples(conn, ids)
            self.node.audit(
                "biometric.purge",
                actor,
                conn=conn,
                detail={"expired_before": day.isoformat(), "samples": n},
            )
        return n

    def delete_sample(self, actor: Actor, sample_id: str, reason: str) -> None:
        """Delete one sample and its templates (correction, delisting, court order)."""
        self.require(actor, "delete biometric data")
        row = repository.get_sample(self.node.store.engine, sample_id)
        if row is None:
            raise NotFound(f"biometric sample {sample_id} not found")
        with self.node.store.engine.begin() as conn:
            repository.delete_samples(conn, [sample_id])
            self.node.audit(
                "biometric.purge",
                actor,
                conn=conn,
                result_ids=[row.entity_id],
                detail={"sample_id": sample_id, "reason": reason[:500]},
            )
