"""ANSI/NIST-ITL writing: an export transaction (version 0500) of faces, marks and prints."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ctnode.biometrics.ansi_nist.records import (
    FS,
    GS,
    IMPRESSION_UNKNOWN,
    MARK_TYPES,
    RS,
    US,
    Value,
)


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
