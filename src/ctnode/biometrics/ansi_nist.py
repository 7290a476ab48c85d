"""ANSI/NIST-ITL transactions (NIST SP 500-290): read and write, no I/O beyond bytes.

A transaction is a Type-1 header followed by the records its CNT field
(1.003) lists. Tagged records (Type-2, 9, 10, 13, 14, ...) are ``T.NNN:value``
fields separated by GS (0x1D) and ended by FS (0x1C); values split into
subfields (RS, 0x1E) and items (US, 0x1F); the image, when there is one, is
the binary value of field 999 and runs to the end of the record. Binary
records (Type-3 to 8) have a fixed header: a 4-byte length, then IDC.

The parser is strict on structure (every length, separator and CNT entry is
checked) and names the record and field of every problem. Interpretation
(``samples`` / ``read``) turns records into biometric samples and a note for
every record it does not keep: records of types this node does not keep
(palms, iris, signatures, ...) and prints in an encoding no library here
decodes (lossless JPEG, ``JPEGL``) are skipped with the reason, so a valid
transaction always yields what the node can keep; a supported record whose
image is damaged refuses the whole transaction.

Budgets (a transaction is refused, ``ansi_nist_too_large``, HTTP 413, before
the pixels are decoded): at most ``max_records`` records, and at most
``max_total_pixels`` decoded pixels over all its images (each image also
stays under the per-image ``max_pixels``). A few megabytes of compressed
images can otherwise decode to gigabytes.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ctnode.biometrics.errors import ImageTooLarge, MalformedNist, NistTooLarge
from ctnode.biometrics.images import DecodedImage, decode_image, raw_grey

FS, GS, RS, US = b"\x1c", b"\x1d", b"\x1e", b"\x1f"

# Types laid out as binary records (length, IDC, fixed header, data).
BINARY_TYPES = frozenset({3, 4, 5, 6, 7, 8})
# Types this node turns into samples; the rest are listed as skipped with a reason.
SUPPORTED_TYPES = frozenset({1, 2, 4, 9, 10, 13, 14})
TYPE_NAMES = {
    1: "transaction information",
    2: "descriptive text",
    3: "low-resolution grey fingerprint",
    4: "high-resolution grey fingerprint",
    5: "low-resolution binary fingerprint",
    6: "high-resolution binary fingerprint",
    7: "user-defined image",
    8: "signature",
    9: "minutiae",
    10: "face / scar / mark / tattoo image",
    11: "voice",
    12: "forensic dental",
    13: "latent friction-ridge image",
    14: "fingerprint image",
    15: "palm print",
    16: "user-defined test image",
    17: "iris",
    18: "DNA",
    19: "plantar",
    20: "source representation",
    21: "associated context",
    22: "non-photographic imagery",
    98: "assurance",
    99: "CBEFF biometric data",
}
_SKIP_REASON = {
    3: "Type-3 low-resolution fingerprints are deprecated in ANSI/NIST-ITL and not kept",
    5: "Type-5 binary fingerprints are deprecated in ANSI/NIST-ITL and not kept",
    6: "Type-6 binary fingerprints are deprecated in ANSI/NIST-ITL and not kept",
    7: "Type-7 user-defined images have no standard layout; not kept",
    8: "Type-8 signatures are not biometric identifiers this node searches; not kept",
    15: "Type-15 palm prints are not supported by this node yet; not kept",
    17: "Type-17 iris images are not supported by this node yet; not kept",
}
# Budgets per transaction (defaults; the service passes the node's settings).
MAX_RECORDS = 200  # a ten-print card with slaps, palms and latents has well under 100
MAX_TOTAL_PIXELS = 150_000_000  # decoded pixels over all images (a ten-print card: about 10M)
# Encodings the node cannot decode: the record is skipped with this note, the rest imported.
_UNDECODABLE = {
    "JPEGL": "lossless JPEG (JPEGL) is not decoded by this node (no library here reads it); "
    "the record is skipped; ask the sender for WSQ, PNG or JPEG 2000 to have it searched",
}
# Allowed values of the colour space field (10.012 CSP, ANSI/NIST-ITL 1-2011 Table 21).
COLOUR_SPACES = frozenset({"UNK", "GRAY", "RGB", "SRGB", "YCC", "SYCC"})
# Allowed image types of a Type-10 record (10.003 IMT) that this node keeps as marks.
MARK_TYPES = frozenset({"SCAR", "MARK", "TATTOO"})
IMPRESSION_UNKNOWN = 29  # 14.003 IMP "unknown" (ANSI/NIST-ITL 1-2011 Table 7)

_TAG = re.compile(rb"(\d{1,3})\.(\d{1,3}):")
_LEN = re.compile(rb"(\d{1,3})\.0{0,2}1:(\d{1,10})\x1d")

Value = list[list[str]]  # subfields of items


@dataclass(slots=True)
class Record:
    """One record: its type, its fields (tag → subfields → items), and binary data if any."""

    type: int
    fields: dict[int, Value] = field(default_factory=dict)
    data: bytes | None = None
    index: int = 0  # position in the transaction (Type-1 is 0)
    # Binary records (Type-4 ...) keep their fixed header values here.
    header: dict[str, int | list[int]] = field(default_factory=dict)

    def text(self, tag: int, default: str = "") -> str:
        """First item of the first subfield of ``tag``."""
        value = self.fields.get(tag)
        if not value or not value[0]:
            return default
        return value[0][0]

    def integer(self, tag: int, default: int | None = None) -> int | None:
        raw = self.text(tag)
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError as exc:
            raise MalformedNist(
                f"record {self.index} (Type-{self.type}): field {self.type}.{tag:03d} "
                f"should be a number, found {raw!r}"
            ) from exc

    @property
    def idc(self) -> int:
        if self.type in BINARY_TYPES:
            v = self.header.get("IDC", 0)
            return v if isinstance(v, int) else 0
        return self.integer(2, 0) or 0

    @property
    def label(self) -> str:
        return f"record {self.index} (Type-{self.type} {TYPE_NAMES.get(self.type, 'unknown')})"


@dataclass(slots=True)
class Transaction:
    """A parsed ANSI/NIST-ITL transaction: Type-1 first, then the records in CNT order."""

    records: list[Record]

    @property
    def header(self) -> Record:
        return self.records[0]

    @property
    def version(self) -> str:
        return self.header.text(2)

    @property
    def tcn(self) -> str:
        return self.header.text(9)

    @property
    def tot(self) -> str:
        return self.header.text(4)


def _decode_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _split_value(raw: bytes) -> Value:
    return [[_decode_text(item) for item in sub.split(US)] for sub in raw.split(RS)]


def _parse_tagged(buf: bytes, rtype: int, index: int) -> Record:
    """Parse one tagged record whose bytes (``buf``) end with FS."""
    rec = Record(type=rtype, index=index)
    pos = 0
    end = len(buf) - 1  # the FS
    while pos < end:
        m = _TAG.match(buf, pos)
        if not m:
            snippet = buf[pos : pos + 12]
            raise MalformedNist(
                f"{rec.label}: expected a field tag 'T.NNN:' at byte {pos}, found {snippet!r}"
            )
        ftype, tag = int(m.group(1)), int(m.group(2))
        if ftype != rtype:
            raise MalformedNist(
                f"{rec.label}: field {ftype}.{tag:03d} belongs to another record type"
            )
        start = m.end()
        if tag == 999 and rtype != 1:
            rec.data = buf[start:end]
            break
        stop = buf.find(GS, start, end)
        if stop < 0:
            stop = end
        if tag in rec.fields:
            raise MalformedNist(f"{rec.label}: field {rtype}.{tag:03d} appears twice")
        rec.fields[tag] = _split_value(buf[start:stop])
        pos = stop + 1
    return rec


_T4 = struct.Struct("!IBB6sBHHB")  # LEN IDC IMP FGP(6) ISR HLL VLL GCA: 18 bytes


def _parse_binary(buf: bytes, rtype: int, index: int) -> Record:
    rec = Record(type=rtype, index=index)
    if rtype in (3, 4, 5, 6):
        if len(buf) < _T4.size:
            raise MalformedNist(f"{rec.label}: {len(buf)} bytes is shorter than its 18-byte header")
        _len, idc, imp, fgp, isr, hll, vll, gca = _T4.unpack_from(buf)
        rec.header = {
            "IDC": idc,
            "IMP": imp,
            "FGP": [b for b in fgp if b != 255],
            "ISR": isr,
            "HLL": hll,
            "VLL": vll,
            "GCA": gca,
        }
        rec.data = buf[_T4.size :]
    else:
        rec.header = {"IDC": buf[4] if len(buf) > 4 else 0}
        rec.data = buf[5:]
    return rec


def parse(data: bytes, *, max_records: int = MAX_RECORDS) -> Transaction:
    """Parse a whole transaction; raise ``MalformedNist`` naming the first problem found.

    More than ``max_records`` records (CNT, 1.003) is refused (``NistTooLarge``) before
    any record is read.
    """
    if len(data) < 12:
        raise MalformedNist(f"not an ANSI/NIST-ITL transaction: only {len(data)} bytes")
    m = _LEN.match(data, 0)
    if not m or int(m.group(1)) != 1:
        raise MalformedNist(
            "not an ANSI/NIST-ITL transaction: it does not start with a Type-1 '1.001:LEN' field"
        )
    length = int(m.group(2))
    if length > len(data) or data[length - 1 : length] != FS:
        raise MalformedNist(
            f"Type-1 record: declared length {length} does not end on a record separator"
        )
    header = _parse_tagged(data[:length], 1, 0)
    cnt = header.fields.get(3)
    if not cnt:
        raise MalformedNist("Type-1 record: the CNT field (1.003) listing the records is missing")
    try:
        declared = [(int(sub[0]), int(sub[1])) for sub in cnt]
    except (ValueError, IndexError) as exc:
        raise MalformedNist(
            f"Type-1 record: CNT field (1.003) is not a list of type/IDC pairs: {cnt!r}"
        ) from exc
    if len(declared) - 1 > max_records:
        raise NistTooLarge(
            f"Type-1 record: CNT (1.003) lists {len(declared) - 1:,} records; this node takes at "
            f"most {max_records:,} per transaction"
        )
    if declared[0][0] != 1 or declared[0][1] != len(declared) - 1:
        raise MalformedNist(
            f"Type-1 record: CNT says {declared[0][1]} records follow but lists {len(declared) - 1}"
        )
    records = [header]
    pos = length
    for index, (rtype, idc) in enumerate(declared[1:], start=1):
        label = f"record {index} (Type-{rtype})"
        if pos >= len(data):
            raise MalformedNist(
                f"{label}: the file ends before this record (truncated transaction)"
            )
        if rtype in BINARY_TYPES:
            if pos + 4 > len(data):
                raise MalformedNist(f"{label}: the file ends inside the record length")
            rlen = struct.unpack_from("!I", data, pos)[0]
        else:
            m = _LEN.match(data, pos)
            if not m:
                raise MalformedNist(f"{label}: expected '{rtype}.001:LEN' at byte {pos}")
            if int(m.group(1)) != rtype:
                raise MalformedNist(
                    f"{label}: CNT lists Type-{rtype} but the record is Type-{m.group(1).decode()}"
                )
            rlen = int(m.group(2))
        if rlen < 5:
            raise MalformedNist(f"{label}: declared length {rlen} is too short")
        if pos + rlen > len(data):
            raise MalformedNist(
                f"{label}: declared length {rlen} runs past the end of the file "
                f"({len(data) - pos} bytes left; truncated transaction)"
            )
        buf = data[pos : pos + rlen]
        if rtype in BINARY_TYPES:
            rec = _parse_binary(buf, rtype, index)
        else:
            if buf[-1:] != FS:
                raise MalformedNist(
                    f"{label}: does not end with a record separator at its declared length {rlen}"
                )
            rec = _parse_tagged(buf, rtype, index)
        if rec.idc != idc:
            raise MalformedNist(
                f"{label}: IDC {rec.idc} differs from the {idc} listed in CNT (1.003)"
            )
        records.append(rec)
        pos += rlen
    if pos != len(data):
        raise MalformedNist(
            f"{len(data) - pos} unexpected bytes after the last record listed in CNT"
        )
    return Transaction(records=records)


# -- interpretation -----------------------------------------------------------------------------

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
        width, height = rec.integer(6, 0) or 0, rec.integer(7, 0) or 0
        bpx = rec.integer(12, 8) if rec.type != 10 else 8
        if rec.type == 10 and rec.text(12).upper() in ("RGB", "RGB24", "YCC", "SRGB"):
            raise MalformedNist(f"{what}: uncompressed colour face images are not supported")
        if bpx != 8:
            raise MalformedNist(
                f"{what}: uncompressed images of {bpx} bits per pixel are not supported"
            )
        try:
            return raw_grey(rec.data, width, height, max_pixels=max_pixels, what=what), "NONE"
        except ImageTooLarge as exc:
            if budget is not None:
                raise budget.refuse(rec, exc) from exc
            raise
    try:
        return decode_image(rec.data, max_pixels=max_pixels, mode=mode, what=what), cga
    except MalformedNist:
        raise
    except ImageTooLarge as exc:
        if budget is not None:
            raise budget.refuse(rec, exc) from exc
        raise MalformedNist(_image_error(what, exc)) from exc
    except Exception as exc:  # every image error is reported as this record's problem
        raise MalformedNist(_image_error(what, exc)) from exc


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
    data = rec.data or b""
    what = f"{rec.label} image"
    if budget is not None:
        max_pixels = budget.limit()
    if gca == 0:
        try:
            return raw_grey(data, hll, vll, max_pixels=max_pixels, what=what), "NONE"
        except ImageTooLarge as exc:
            if budget is not None:
                raise budget.refuse(rec, exc) from exc
            raise
    if gca == 1:
        try:
            return decode_image(
                data, max_pixels=max_pixels, mode="L", what=what + " (WSQ)"
            ), "WSQ20"
        except ImageTooLarge as exc:
            if budget is not None:
                raise budget.refuse(rec, exc) from exc
            raise MalformedNist(_image_error(what, exc)) from exc
        except Exception as exc:  # every image error is reported as this record's problem
            raise MalformedNist(_image_error(what, exc)) from exc
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
            reason = _SKIP_REASON.get(
                rec.type, f"Type-{rec.type} records are not kept by this node"
            )
            skipped.append(Skipped(rec.index, rec.type, reason))
            continue
        if rec.type == 2:
            continue  # descriptive text: kept in the transaction summary, not a sample
        cga = rec.text(11).upper() if rec.type in (10, 13, 14) else ""
        if cga in _UNDECODABLE:
            skipped.append(Skipped(rec.index, rec.type, f"{rec.label}: {_UNDECODABLE[cga]}"))
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


# -- writing ------------------------------------------------------------------------------------


def _field(rtype: int, tag: int, value: str | Value) -> bytes:
    if isinstance(value, str):
        body = value.encode("utf-8")
    else:
        body = RS.join(US.join(item.encode("utf-8") for item in sub) for sub in value)
    return f"{rtype}.{tag:03d}:".encode() + body


def _tagged(rtype: int, fields: dict[int, str | Value], data: bytes | None = None) -> bytes:
    """Serialise a tagged record; LEN (T.001) is computed until it is stable."""
    body = [_field(rtype, tag, v) for tag, v in sorted(fields.items()) if tag not in (1, 999)]
    tail = (GS + f"{rtype}.999:".encode() + data) if data is not None else b""
    length = 0
    while True:
        head = _field(rtype, 1, str(length))
        out = GS.join([head, *body]) + tail + FS
        if len(out) == length:
            return out
        length = len(out)


@dataclass(slots=True)
class OutImage:
    """An image to write: kind, encoded bytes and their ANSI/NIST compression name."""

    kind: Literal["face", "fingerprint", "mark"]
    data: bytes
    cga: str  # JPEGB, PNG, WSQ20
    width: int
    height: int
    grey: bool
    position: int | None = None
    capture_date: date | None = None
    ppi: int = 500
    image_type: str | None = None  # marks: SCAR, MARK or TATTOO (10.003) as received
    impression: int | None = None  # prints: IMP (14.003) as received; unknown (29) otherwise
    smt: list[str] = field(default_factory=list)  # marks: NCIC SMT codes (10.040) as received
    subject_profile: int = 0  # faces: SAP (10.013); 0 = unknown profile


def _image_type(img: OutImage) -> str:
    if img.kind == "face":
        return "FACE"
    imt = (img.image_type or "").upper()
    return imt if imt in MARK_TYPES else "MARK"  # never guess "tattoo" for a mark of unknown type


def _colour_space(img: OutImage) -> str:
    """10.012 CSP: GRAY for grey images, SRGB for colour (JPEG and PNG as the node writes them)."""
    return "GRAY" if img.grey else "SRGB"


def write(
    images: list[OutImage],
    *,
    ori: str,
    tcn: str,
    tot: str = "CTN",
    when: date,
    description: dict[str, str] | None = None,
    dai: str | None = None,
) -> bytes:
    """Write a transaction (ANSI/NIST-ITL 1-2011, version 0500): Type-2 and one record per image."""
    records: list[tuple[int, bytes]] = []
    idc = 1
    text = "; ".join(f"{k}={v}" for k, v in (description or {}).items())
    records.append((2, _tagged(2, {2: f"{idc:02d}", 3: text or "ctnode export"})))
    for img in images:
        idc += 1
        day = (img.capture_date or when).strftime("%Y%m%d")
        if img.kind in ("face", "mark"):
            imt = _image_type(img)
            fields: dict[int, str | Value] = {
                2: f"{idc:02d}",
                3: imt,
                4: ori,
                5: day,
                6: str(img.width),
                7: str(img.height),
                8: "0",  # SLC 0: no scale; THPS / TVPS give the pixel aspect ratio
                9: "1",
                10: "1",
                11: img.cga,
                12: _colour_space(img),
            }
            if imt == "FACE":
                fields[13] = str(img.subject_profile)  # SAP, mandatory for face images
            elif img.smt:
                fields[40] = [[code] for code in img.smt]
            records.append((10, _tagged(10, fields, img.data)))
        else:
            imp = img.impression if img.impression is not None else IMPRESSION_UNKNOWN
            fields = {
                2: f"{idc:02d}",
                3: str(imp),
                4: ori,
                5: day,
                6: str(img.width),
                7: str(img.height),
                8: "1",
                9: str(img.ppi),
                10: str(img.ppi),
                11: img.cga,
                12: "8",
                13: str(img.position if img.position is not None else 0),
            }
            records.append((14, _tagged(14, fields, img.data)))
    cnt: Value = [["1", str(len(records))]] + [
        [str(t), f"{_idc_of(buf):02d}"] for t, buf in records
    ]
    header = _tagged(
        1,
        {
            2: "0500",
            3: cnt,
            4: tot,
            5: when.strftime("%Y%m%d"),
            7: dai or ori,
            8: ori,
            9: tcn,
            11: "19.69",
            12: "19.69",
        },
    )
    return header + b"".join(buf for _, buf in records)


def _idc_of(buf: bytes) -> int:
    m = re.search(rb"\x1d\d+\.0{0,2}2:(\d+)", buf)
    return int(m.group(1)) if m else 0
