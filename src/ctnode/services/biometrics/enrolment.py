"""Biometric records: enrolment (an image, or an ANSI/NIST-ITL transaction), export, viewing,
retention.

The rules: only the biometric permission (``CTNODE_BIOMETRIC_ROLES`` or a key flagged
biometric) may enrol, view, export or delete, and every refusal is audited; a view
or export needs a purpose and a legal basis; everything an action stores (samples,
templates, audit entry) is written in one transaction, after every input was
decoded; images and templates are sealed with the node key before they are stored;
records past their retention date are deleted by ``purge_expired``.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Any

import numpy as np

from ctnode.biometrics import ansi_nist
from ctnode.biometrics.errors import MalformedNist
from ctnode.biometrics.images import (
    decode_image,
    encode_jpeg,
    encode_png,
    encode_wsq,
    is_grey_file,
)
from ctnode.clock import utcnow
from ctnode.errors import CTNodeError, InvalidInput, NotFound
from ctnode.model.access import NO_PURPOSE, Actor, Purpose
from ctnode.services.biometrics.engines import BiometricEngines, require_purpose
from ctnode.services.biometrics.face_index import FaceIndexes
from ctnode.services.biometrics.types import (
    SINGLE_FINGER,
    EnrolRequest,
    EnrolResult,
    ImportResult,
    Modality,
    Prepared,
    SampleInput,
    Sealer,
)
from ctnode.services.context import Context
from ctnode.store.contracts import Tx


class Enrolment:
    """The biometric records of one node."""

    def __init__(self, ctx: Context, engines: BiometricEngines, key: Sealer,
                 faces: FaceIndexes) -> None:
        self.ctx = ctx
        self.engines = engines
        self.key = key
        self.rows = ctx.store.biometrics
        self.faces = faces

    def _indexed(self, stored: list[tuple[EnrolResult, Prepared]]) -> None:
        """After the commit: new face templates go into the 1:N index in place."""
        for result, prep in stored:
            if prep.template is None or result.template_id is None:
                continue
            modality, model_id, engine, _dim, raw = prep.template
            if modality == "face":
                vec = np.frombuffer(raw, dtype="<f4").reshape(1, -1)
                self.faces.added(model_id, engine, [result.template_id], vec)

    def _unindexed(self, templates: list[tuple[str, str, str, str]]) -> None:
        """After the commit: deleted face templates leave the 1:N index in place."""
        by_model: dict[tuple[str, str], list[str]] = {}
        for template_id, modality, model_id, engine in templates:
            if modality == "face":
                by_model.setdefault((model_id, engine), []).append(template_id)
        for (model_id, engine), ids in by_model.items():
            self.faces.removed(model_id, engine, ids)

    # -- storing ----------------------------------------------------------------------------------

    def _store(
        self,
        conn: Tx,
        actor: Actor,
        entity_id: str,
        prep: Prepared,
        legal_basis: str,
        retain: date,
        transaction_id: str | None,
    ) -> EnrolResult:
        sample_id = str(uuid.uuid4())
        now = utcnow()
        self.rows.insert(
            conn,
            "sample",
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
            self.rows.insert(
                conn,
                "template",
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
            prep.provenance.get("quality"),
        )

    def _refused(self, actor: Actor, what: str, exc: CTNodeError, entity_id: str | None) -> None:
        self.ctx.audit.record(
            "biometric.import.failed",
            actor,
            result_ids=[entity_id] if entity_id else [],
            detail={"what": what, "error": exc.code, "reason": exc.message[:500]},
        )

    # -- enrolment --------------------------------------------------------------------------------

    def enrol_face(self, actor: Actor, req: EnrolRequest) -> EnrolResult:
        """Attach a face image to an entity: one face is embedded (the largest, said so)."""
        self.ctx.require(actor, "biometric.enrol")
        return self._enrol(actor, req, "face")

    def enrol_fingerprint(self, actor: Actor, req: EnrolRequest) -> EnrolResult:
        """Attach a single-finger print to an entity; a print too poor for minutiae is refused."""
        self.ctx.require(actor, "biometric.enrol")
        if req.position is not None and req.position not in SINGLE_FINGER:
            raise InvalidInput(
                f"finger position {req.position}: enrol single fingers (0-12); "
                "import slaps and ten-print cards as ANSI/NIST transactions"
            )
        return self._enrol(actor, req, "fingerprint")

    def _enrol(self, actor: Actor, req: EnrolRequest, kind: Modality) -> EnrolResult:
        if not req.legal_basis.strip():
            raise InvalidInput("enrolment needs the legal basis for holding this biometric record")
        self.ctx.store.entities.get_entity(req.entity_id)
        retain = self.engines.retain_until(req.retain_until)
        provenance = {"origin": "upload", "bytes": len(req.image)}
        try:
            image = self.engines.decode(req.image, "RGB" if kind == "face" else "L",
                                        f"{kind} image")
            sample = SampleInput(image, req.image, image.format, req.capture_date,
                                 req.source or actor.name, provenance)
            if kind == "face":
                prep = self.engines.prepare_face(sample, multiple=req.multiple_faces)
            else:
                prep = self.engines.prepare_print(sample, position=req.position, ppi=req.ppi)
        except CTNodeError as exc:
            self._refused(actor, f"{kind} enrolment", exc, req.entity_id)
            raise
        with self.ctx.store.begin() as conn:
            result = self._store(conn, actor, req.entity_id, prep, req.legal_basis, retain, None)
            self.ctx.audit.record(
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
                    "quality": result.quality,
                },
            )
        self._indexed([(result, prep)])
        return result

    # -- ANSI/NIST-ITL ----------------------------------------------------------------------------

    def inspect_ansi_nist(
        self, actor: Actor, data: bytes
    ) -> tuple[ansi_nist.Transaction, list[Prepared], list[ansi_nist.Skipped]]:
        """What an import of ``data`` would keep and skip (``--dry-run``); nothing is stored."""
        self.ctx.require(actor, "biometric.import")
        return self.parse_ansi_nist(data)

    def parse_ansi_nist(
        self, data: bytes
    ) -> tuple[ansi_nist.Transaction, list[Prepared], list[ansi_nist.Skipped]]:
        """Parse, decode and extract everything under the node's budgets
        (``CTNODE_ANSI_NIST_MAX_RECORDS``, ``CTNODE_ANSI_NIST_MAX_TOTAL_PIXELS``, the per-image
        limit); raise on the first problem; write nothing. A valid transaction whose records
        are all of kinds the node does not keep gives no samples and a note for each record."""
        self.engines.check_size(data, "ANSI/NIST-ITL transaction")
        settings = self.ctx.settings
        reading = ansi_nist.read(
            data,
            max_pixels=settings.biometric_max_image_pixels,
            max_total_pixels=settings.ansi_nist_max_total_pixels,
            max_records=settings.ansi_nist_max_records,
        )
        tx, found, skipped = reading.transaction, reading.samples, reading.skipped
        prepared: list[Prepared] = []
        for s in found:
            prov: dict[str, Any] = {
                "origin": "ansi-nist",
                "record": s.record,
                "record_type": s.record_type,
                "original_format": s.original_format,
                "tcn": tx.tcn,
                "tot": tx.tot,
            }
            # what an export writes back as received: 10.003 IMT, 10.040 SMT, 14.003 IMP
            if s.image_type:
                prov["image_type"] = s.image_type
            if s.smt:
                prov["smt"] = list(s.smt)
            if s.impression is not None:
                prov["impression"] = s.impression
            label = f"record {s.record} (Type-{s.record_type})"
            stored, fmt = s.original, s.original_format
            if s.image is not None and s.original_format == "NONE":
                stored, fmt = encode_png(s.image), "PNG"
            sample = SampleInput(s.image, stored, fmt, s.capture_date, s.source, prov)
            try:
                if s.kind == "face" and s.image is not None:
                    prepared.append(self.engines.prepare_face(sample, multiple=None))
                elif s.kind in ("fingerprint", "latent") and s.image is not None:
                    prepared.append(self.engines.prepare_print(
                        sample, position=s.position, ppi=s.ppi, kind=s.kind, quality=s.quality,
                        strict=False))
                else:
                    prepared.append(sample.prepared(s.kind, position=s.position,
                                                    quality=s.quality, note=s.note))
            except InvalidInput as exc:
                raise MalformedNist(f"{label}: {exc.message}") from exc
        return tx, prepared, skipped

    def import_ansi_nist(
        self, actor: Actor, data: bytes, *, entity_id: str, legal_basis: str
    ) -> ImportResult:
        """Import a transaction onto an entity, all records in one DB transaction, or none.

        Records the node does not keep (palms, iris, lossless-JPEG prints ...) are skipped
        with a note; a valid transaction holding only such records is recorded (its summary
        and notes) with nothing enrolled, not refused."""
        self.ctx.require(actor, "biometric.import")
        if not legal_basis.strip():
            raise InvalidInput(
                "an ANSI/NIST import needs the legal basis for holding these records"
            )
        self.ctx.store.entities.get_entity(entity_id)
        retain = self.engines.retain_until(None)
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
        with self.ctx.store.begin() as conn:
            self.rows.insert(
                conn,
                "transaction",
                {
                    "id": tx_id,
                    "entity_id": entity_id,
                    "tcn": tx.tcn,
                    "tot": tx.tot,
                    "version": tx.version[:8],
                    "origin": tx.header.text(8),
                    "file_digest": self.ctx.keyed_hash(hashlib.sha256(data).hexdigest()),
                    "summary": summary,
                    "imported_at": utcnow(),
                    "imported_by": actor.name,
                },
            )
            stored = [
                (self._store(conn, actor, entity_id, p, legal_basis, retain, tx_id), p)
                for p in prepared
            ]
            enrolled = [e for e, _ in stored]
            self.ctx.audit.record(
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
        self._indexed(stored)
        return ImportResult(tx_id, entity_id, tx.version, tx.tcn, enrolled, skipped)

    def export_ansi_nist(
        self, actor: Actor, entity_id: str, purpose: Purpose, *, ori: str = "CTNODE"
    ) -> bytes:
        """An ANSI/NIST-ITL 2011 transaction (Type-1, 2, 10 faces/marks, 14 prints)."""
        self.ctx.require(actor, "biometric.export")
        require_purpose(purpose, "export")
        entity = self.ctx.store.entities.get_entity(entity_id)
        images: list[ansi_nist.OutImage] = []
        for row in self.rows.list_samples(entity_id):
            if row.kind not in ("face", "mark", "fingerprint") or row.retain_until < date.today():
                continue
            full = self.rows.get_sample(row.id)
            if full is None or full.image_ct is None:
                continue
            raw = self.key.open(full.image_ct, f"sample:{row.id}")
            fmt = (row.image_format or "").upper()
            if row.kind == "fingerprint":
                if fmt in ("WSQ", "WSQ20"):
                    data, cga = raw, "WSQ20"
                    img = decode_image(
                        raw, max_pixels=self.ctx.settings.biometric_max_image_pixels, mode="L"
                    )
                else:
                    img = decode_image(
                        raw, max_pixels=self.ctx.settings.biometric_max_image_pixels, mode="L"
                    )
                    data, cga = encode_wsq(img.pixels), "WSQ20"
                imp = row.provenance.get("impression") if row.provenance else None
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
                        impression=imp if isinstance(imp, int) else None,
                    )
                )
            else:
                img = decode_image(
                    raw, max_pixels=self.ctx.settings.biometric_max_image_pixels, mode="RGB"
                )
                if fmt in ("JPEG", "JPEGB"):
                    data, cga = raw, "JPEGB"
                elif fmt == "PNG":
                    data, cga = raw, "PNG"
                else:
                    data, cga = encode_jpeg(img.pixels), "JPEGB"
                prov = row.provenance or {}
                grey = is_grey_file(data)  # 10.012 CSP: GRAY only for a one-channel file
                images.append(
                    ansi_nist.OutImage(
                        "face" if row.kind == "face" else "mark",
                        data,
                        cga,
                        img.width,
                        img.height,
                        grey,
                        None,
                        row.capture_date,
                        image_type=prov.get("image_type") if row.kind == "mark" else None,
                        smt=[str(c) for c in prov.get("smt", [])] if row.kind == "mark" else [],
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
        self.ctx.audit.record(
            "biometric.export",
            actor,
            purpose=purpose,
            result_ids=[entity_id],
            detail={"tcn": tcn, "records": len(images), "bytes": len(out)},
        )
        return out

    # -- viewing ----------------------------------------------------------------------------------

    def list_samples(
        self, actor: Actor, entity_id: str, purpose: Purpose = NO_PURPOSE
    ) -> list[dict[str, Any]]:
        self.ctx.require(actor, "biometric.view")
        self.ctx.store.entities.get_entity(entity_id)
        rows = self.rows.list_samples(entity_id)
        self.ctx.audit.record(
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
        self.ctx.require(actor, "biometric.view")
        require_purpose(purpose, "viewing")
        row = self.rows.get_sample(sample_id)
        if row is None or row.image_ct is None:
            raise NotFound(f"biometric sample {sample_id} not found or has no image")
        data = self.key.open(row.image_ct, f"sample:{sample_id}")
        self.ctx.audit.record(
            "biometric.view",
            actor,
            purpose=purpose,
            result_ids=[row.entity_id],
            detail={"what": "image", "sample_id": sample_id},
        )
        return data, row.image_format or "application/octet-stream"


    # -- retention --------------------------------------------------------------------------------

    def purge_expired(self, actor: Actor, today: date | None = None) -> int:
        """Delete every sample (with its templates) whose retention date has passed."""
        self.ctx.require(actor, "biometric.purge")
        day = today or date.today()
        with self.ctx.store.begin() as conn:
            ids = self.rows.expired_sample_ids(conn, day)
            templates = self.rows.templates_of_samples(conn, ids)
            n = self.rows.delete_samples(conn, ids)
            self.ctx.audit.record(
                "biometric.purge",
                actor,
                conn=conn,
                detail={"expired_before": day.isoformat(), "samples": n},
            )
        self._unindexed(templates)
        if n:
            self.ctx.store.scrub()
        return n

    def delete_sample(self, actor: Actor, sample_id: str, reason: str) -> None:
        """Delete one sample and its templates (correction, delisting, court order)."""
        self.ctx.require(actor, "biometric.delete")
        row = self.rows.get_sample(sample_id)
        if row is None:
            raise NotFound(f"biometric sample {sample_id} not found")
        with self.ctx.store.begin() as conn:
            templates = self.rows.templates_of_samples(conn, [sample_id])
            self.rows.delete_samples(conn, [sample_id])
            self.ctx.audit.record(
                "biometric.purge",
                actor,
                conn=conn,
                result_ids=[row.entity_id],
                detail={"sample_id": sample_id, "reason": reason[:500]},
            )
        self._unindexed(templates)
        self.ctx.store.scrub()
