"""ANSI/NIST-ITL interpretation: records become biometric samples, with a note for the rest.

Records of types this node does not keep and prints in an encoding no library
here decodes (lossless JPEG) are skipped with the reason; a supported record
whose image is damaged refuses the whole transaction. The decoded pixels of a
transaction stay under a budget (``Budget``), checked before each image is decoded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ctnode.biometrics.ansi_nist.records import (
    GS,
    MAX_RECORDS,
    MAX_TOTAL_PIXELS,
    RS,
    SKIP_REASONS,
    SUPPORTED_TYPES,
    UNDECODABLE,
    US,
    Record,
    Transaction,
    parse,
)
from ctnode.biometrics.errors import ImageTooLarge, MalformedNist, NistTooLarge
from ctnode.biometrics.images import DecodedImage, decode_image, raw_grey

SampleKind = Literal["face", "fingerprint", "latent", "mark", "minutiae"]


@dataclass(slots=True)
class Sample:
    """A biometric sample found in a transaction, ready to be enrolled."""

    kind: SampleKind
    record: int  # index in the transaction
    record_type: int
    image: DecodedImage | None
    original: bytes  # the record's image (or minutiae) bytes as sent
    original_format: str  # WSQ20, JPEGB, PNG, NONE, minutiae format ...
    position: int | None = None  # finger position (1-10 single fingers; 13-15 slaps ...)
    capture_date: date | None = None
    source: str = ""
    quality: float | None = None  # 0-100 when the record carried one
    note: str = ""
    ppi: int = 500
    image_type: str | None = None  # Type-10 IMT (10.003): FACE, SCAR, MARK, TATTOO
    impression: int | None = None  # IMP (4 header, 13.003, 14.003): how the print was taken
    smt: list[str] = field(default_factory=list)  # Type-10 NCIC SMT codes (10.040), as sent


@dataclass(slots=True)
class Skipped:
    record: int
    record_type: int
    reason: str


def _date(rec: Record, tag: int) -> date | None:
    raw = rec.text(tag)
    if len(raw) == 8 and raw.isdigit():
        try:
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
        except ValueError:
            return None
    return None


def _ppi(rec: Record, slc_tag: int, hps_tag: int) -> int:
    slc = rec.integer(slc_tag, 0) or 0
    hps = rec.integer(hps_tag, 0) or 0
    if slc == 1 and hps:
        return hps
    if slc == 2 and hps:
        return round(hps * 2.54 / 100) if hps > 1000 else round(hps * 2.54)
    return 500


@dataclass(slots=True)
class Budget:
    """Decoded pixels left for the rest of one transaction."""

    per_image: int
    remaining: int
    total: int

    def limit(self) -> int:
        return min(self.per_image, self.remaining)

    def spend(self, rec: Record, image: DecodedImage) -> None:
        self.remaining -= image.width * image.height
        if self.remaining < 0:  # pragma: no cover - decode_image checked the size first
            raise NistTooLarge(
                f"{rec.label}: the transaction's images exceed {self.total:,} pixels"
            )

    def refuse(self, rec: Record, exc: ImageTooLarge) -> Exception:
        """An image over the limit: the transaction budget, or the per-image bomb limit."""
        if self.remaining < self.per_image:
            return NistTooLarge(
                f"{rec.label}: decoding this image would take the transaction over its budget "
                f"of {self.total:,} decoded pixels ({self.total - self.remaining:,} used by "
                "earlier records); refused before decoding"
            )
        return MalformedNist(_image_error(rec.label, exc))


def _raw(
    rec: Record, size: tuple[int, int], *, max_pixels: int, what: str, budget: Budget | None
) -> DecodedImage:
    """Uncompressed grey pixels; an image over the limit is the budget's refusal when there is one."""
    try:
        return raw_grey(rec.data or b"", size[0], size[1], max_pixels=max_pixels, what=what)
    except ImageTooLarge as exc:
        if budget is not None:
            raise budget.refuse(rec, exc) from exc
        raise


def _decoded(
    rec: Record, *, max_pixels: int, mode: Literal["L", "RGB"], what: str, budget: Budget | None
) -> DecodedImage:
    """A compressed image, strictly decoded; every image error is reported as this record's."""
    try:
        return decode_image(rec.data or b"", max_pixels=max_pixels, mode=mode, what=what)
    except MalformedNist:
        raise
    except ImageTooLarge as exc:
        if budget is not None:
            raise budget.refuse(rec, exc) from exc
        raise MalformedNist(_image_error(what, exc)) from exc
    except Exception as exc:  # every image error is reported as this record's problem
        raise MalformedNist(_image_error(what, exc)) from exc


def _decode_tagged_image(
    rec: Record, *, max_pixels: int, mode: Literal["L", "RGB"], budget: Budget | None = None
) -> tuple[DecodedImage, str]:
    if not rec.data:
        raise MalformedNist(f"{rec.label}: no image data (field {rec.type}.999)")
    cga = rec.text(11, "NONE").upper()
    what = f"{rec.label} image ({cga})"
    if budget is not None:
        max_pixels = budget.limit()
    if cga in ("NONE", "0", ""):
        size = (rec.integer(6, 0) or 0, rec.integer(7, 0) or 0)
        bpx = rec.integer(12, 8) if rec.type != 10 else 8
        if rec.type == 10 and rec.text(12).upper() in ("RGB", "RGB24", "YCC", "SRGB"):
            raise MalformedNist(f"{what}: uncompressed colour face images are not supported")
        if bpx != 8:
            raise MalformedNist(
                f"{what}: uncompressed images of {bpx} bits per pixel are not supported"
            )
        return _raw(rec, size, max_pixels=max_pixels, what=what, budget=budget), "NONE"
    return _decoded(rec, max_pixels=max_pixels, mode=mode, what=what, budget=budget), cga


def _image_error(what: str, exc: Exception) -> str:
    message = getattr(exc, "message", None)
    return str(message) if message else f"{what}: does not decode ({exc})"


def _decode_type4(
    rec: Record, *, max_pixels: int, budget: Budget | None = None
) -> tuple[DecodedImage, str]:
    gca = int(rec.header["GCA"]) if isinstance(rec.header["GCA"], int) else 0
    hll = rec.header["HLL"]
    vll = rec.header["VLL"]
    assert isinstance(hll, int) and isinstance(vll, int)
    what = f"{rec.label} image"
    if budget is not None:
        max_pixels = budget.limit()
    if gca == 0:
        return _raw(rec, (hll, vll), max_pixels=max_pixels, what=what, budget=budget), "NONE"
    if gca == 1:
        wsq = what + " (WSQ)"
        return _decoded(rec, max_pixels=max_pixels, mode="L", what=wsq, budget=budget), "WSQ20"
    raise MalformedNist(f"{what}: compression code {gca} is not WSQ (1) or none (0)")


def samples(
    tx: Transaction, *, max_pixels: int, max_total_pixels: int = MAX_TOTAL_PIXELS
) -> tuple[list[Sample], list[Skipped]]:
    """Turn records into samples and notes; raise on a supported record whose image is damaged.

    Records the node does not keep, and prints in an encoding it cannot decode, are
    returned in ``skipped`` with the reason. The images of the whole transaction may
    decode to at most ``max_total_pixels`` pixels (``NistTooLarge`` otherwise, raised
    before the image that would exceed it is decoded).
    """
    out: list[Sample] = []
    skipped: list[Skipped] = []
    budget = Budget(max_pixels, max_total_pixels, max_total_pixels)
    source = tx.header.text(8)  # ORI: originating agency
    tx_date = _date(tx.header, 5)
    for rec in tx.records[1:]:
        if rec.type not in SUPPORTED_TYPES:
            reason = SKIP_REASONS.get(
                rec.type, f"Type-{rec.type} records are not kept by this node"
            )
            skipped.append(Skipped(rec.index, rec.type, reason))
            continue
        if rec.type == 2:
            continue  # descriptive text: kept in the transaction summary, not a sample
        cga = rec.text(11).upper() if rec.type in (10, 13, 14) else ""
        if cga in UNDECODABLE:
            skipped.append(Skipped(rec.index, rec.type, f"{rec.label}: {UNDECODABLE[cga]}"))
            continue
        if rec.type == 4:
            image, fmt = _decode_type4(rec, max_pixels=max_pixels, budget=budget)
            budget.spend(rec, image)
            imp = rec.header.get("IMP")
            fgp = rec.header.get("FGP")
            pos = fgp[0] if isinstance(fgp, list) and fgp else None
            out.append(
                Sample(
                    "fingerprint",
                    rec.index,
                    4,
                    image,
                    rec.data or b"",
                    fmt,
                    position=pos,
                    capture_date=tx_date,
                    source=source,
                    ppi=500,
                    impression=imp if isinstance(imp, int) else None,
                )
            )
        elif rec.type == 9:
            fmt = "IAFIS" if rec.text(4).upper() == "S" else "M1" if 126 in rec.fields else "other"
            raw = _record_text(rec)
            pos = rec.integer(14, None) if 14 in rec.fields else None
            out.append(
                Sample(
                    "minutiae",
                    rec.index,
                    9,
                    None,
                    raw,
                    f"Type-9 {fmt}",
                    position=pos,
                    capture_date=tx_date,
                    source=source,
                    note="minutiae as sent; searched with templates the node extracts itself",
                )
            )
        elif rec.type == 10:
            imt = rec.text(3, "FACE").upper()
            image, fmt = _decode_tagged_image(rec, max_pixels=max_pixels, mode="RGB", budget=budget)
            budget.spend(rec, image)
            kind: SampleKind = "face" if imt == "FACE" else "mark"
            out.append(
                Sample(
                    kind,
                    rec.index,
                    10,
                    image,
                    rec.data or b"",
                    fmt,
                    capture_date=_date(rec, 5) or tx_date,
                    source=rec.text(4) or source,
                    note="" if kind == "face" else f"image type {imt}",
                    image_type=imt,
                    smt=[sub[0] for sub in rec.fields.get(40, []) if sub and sub[0]],
                )
            )
        else:  # 13 latent, 14 fingerprint
            image, fmt = _decode_tagged_image(rec, max_pixels=max_pixels, mode="L", budget=budget)
            budget.spend(rec, image)
            fgp = rec.integer(13, None)
            quality = _nqm(rec)
            out.append(
                Sample(
                    "latent" if rec.type == 13 else "fingerprint",
                    rec.index,
                    rec.type,
                    image,
                    rec.data or b"",
                    fmt,
                    position=fgp,
                    capture_date=_date(rec, 5) or tx_date,
                    source=rec.text(4) or source,
                    quality=quality,
                    ppi=_ppi(rec, 8, 9),
                    impression=rec.integer(3, None),
                )
            )
    return out, skipped


@dataclass(slots=True)
class Reading:
    """What a transaction holds for this node: samples to keep, and a note for every other record.

    ``keeps_nothing`` is true for a valid transaction of record types the node does
    not keep (palms, iris, signatures, ...): the service stores the transaction's
    summary with the notes instead of refusing the file.
    """

    transaction: Transaction
    samples: list[Sample]
    skipped: list[Skipped]

    @property
    def keeps_nothing(self) -> bool:
        return not self.samples

    def notes(self) -> list[dict[str, object]]:
        return [
            {"record": s.record, "type": s.record_type, "reason": s.reason} for s in self.skipped
        ]


def read(
    data: bytes,
    *,
    max_pixels: int,
    max_total_pixels: int = MAX_TOTAL_PIXELS,
    max_records: int = MAX_RECORDS,
) -> Reading:
    """Parse and interpret a transaction under the budgets; the engine API the service calls."""
    tx = parse(data, max_records=max_records)
    found, skipped = samples(tx, max_pixels=max_pixels, max_total_pixels=max_total_pixels)
    return Reading(tx, found, skipped)


def _nqm(rec: Record) -> float | None:
    """NIST fingerprint image quality (14.022 NQM: finger/score 1 best .. 5 worst) → 0-100."""
    value = rec.fields.get(22)
    if not value or len(value[0]) < 2:
        return None
    try:
        score = int(value[0][1])
    except ValueError:
        return None
    if 1 <= score <= 5:
        return float((6 - score) * 20)
    return None


def _record_text(rec: Record) -> bytes:
    parts = []
    for tag, value in sorted(rec.fields.items()):
        joined = RS.join(US.join(i.encode() for i in sub) for sub in value)
        parts.append(f"{rec.type}.{tag:03d}:".encode() + joined)
    return GS.join(parts)
