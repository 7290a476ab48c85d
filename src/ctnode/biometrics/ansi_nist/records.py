"""ANSI/NIST-ITL records: the strict parser of a transaction (layout, lengths, CNT), no images.

A transaction is a Type-1 header followed by the records its CNT field
(1.003) lists. Tagged records (Type-2, 9, 10, 13, 14, ...) are ``T.NNN:value``
fields separated by GS (0x1D) and ended by FS (0x1C); values split into
subfields (RS, 0x1E) and items (US, 0x1F); the image, when there is one, is
the binary value of field 999 and runs to the end of the record. Binary
records (Type-3 to 8) have a fixed header: a 4-byte length, then IDC.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field

from ctnode.biometrics.errors import MalformedNist, NistTooLarge

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
SKIP_REASONS = {
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
UNDECODABLE = {
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
