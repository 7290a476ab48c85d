"""Biometric test material bundled with the suite: the biometric flows run on a fresh clone.

What is here (``tests/biometrics/fixtures``; NOTICE names the sources):

- **Two real faces, free of copyright**, cropped from scikit-image 0.26's sample images:
  the astronaut Eileen Collins (NASA photo, public domain) and the "camera" photo (CC0,
  Lav Varshney). A second photo of the astronaut is made from the first at test time
  (mirrored, rescaled, darker, re-encoded), and a group photo pastes both faces on one
  canvas. YuNet finds each face; SFace scores the two astronaut photos far above the
  match threshold and the two people far below it.
- **Synthetic fingerprints** (``fixtures/prints``, made by ``fixtures/make_prints.py``): ridge
  patterns grown from noise by Gabor filters along a loop's orientation field. NBIS finds
  60 or more minutiae in each; impression 2 of a finger is impression 1 turned, shifted
  and noised.
- **ANSI/NIST-ITL transactions** written at test time: Type-10 and Type-14 records by the
  node's own writer, and the record types it never writes (binary Type-3 to 8, Type-9,
  13, 15, 16, 17) by the small writer below, which follows ANSI/NIST-ITL 1-2011's layout.

What needs real people stays on the shared data (``bio_data``): genuine/impostor rates,
the seeded-corruption check, NIST's own reference files, group photos of many people.
"""

from __future__ import annotations

import io
import struct
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image

from ctnode.biometrics import ansi_nist
from ctnode.biometrics.images import encode_wsq

FIXTURES = Path(__file__).parent / "fixtures"
PRINTS = FIXTURES / "prints"
FS, GS, RS, US = b"\x1c", b"\x1d", b"\x1e", b"\x1f"
FINGERS = 4  # synthetic fingers 1..4, impressions 1 and 2 each


# -- faces ---------------------------------------------------------------------------------


def face(name: str) -> bytes:
    """``a1``, ``a2``: two photos of the astronaut; ``b``: another person; ``group``: both."""
    return _face(name)


@cache
def _face(name: str) -> bytes:
    if name == "a1":
        return (FIXTURES / "astronaut-eileen-collins.jpg").read_bytes()
    if name == "b":
        return (FIXTURES / "cameraman.jpg").read_bytes()
    a = Image.open(FIXTURES / "astronaut-eileen-collins.jpg").convert("RGB")
    if name == "a2":  # another photo of her: mirrored, smaller, darker, saved again
        px = np.asarray(a)[:, ::-1].astype(np.float32) * 0.8
        other = Image.fromarray(px.astype(np.uint8)).resize((288, 288))
        return _jpeg(other, quality=80)
    if name == "group":  # the astronaut (the larger face) beside the other person
        b = Image.open(FIXTURES / "cameraman.jpg").convert("RGB").resize((220, 220))
        canvas = Image.new("RGB", (620, 380), (200, 200, 200))
        canvas.paste(a, (0, 10))
        canvas.paste(b, (390, 80))
        return _jpeg(canvas, quality=90)
    raise KeyError(name)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


# -- fingerprints --------------------------------------------------------------------------


def finger(number: int, impression: int = 1) -> bytes:
    """A synthetic print (PNG, 500 ppi): ``finger(n, 2)`` is another impression of ``finger(n)``."""
    if impression == 1:
        return (PRINTS / f"{number}_1.png").read_bytes()
    buf = io.BytesIO()
    Image.fromarray(finger_pixels(number, impression)).save(buf, format="PNG")
    return buf.getvalue()


@cache
def finger_pixels(number: int, impression: int = 1) -> np.ndarray:
    """Impression 2: impression 1 turned 4 degrees, shifted (6, -5) pixels, with noise."""
    import cv2

    px = np.asarray(Image.open(PRINTS / f"{number}_1.png").convert("L"))
    if impression == 1:
        return px
    rng = np.random.default_rng(100 + number)
    h, w = px.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), 4, 1.0)
    turn[:, 2] += (6, -5)
    out = cv2.warpAffine(px, turn, (w, h), borderValue=255).astype(np.float64)
    out += rng.normal(0, 12, out.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


@cache
def finger_wsq(number: int, impression: int = 1) -> bytes:
    return encode_wsq(finger_pixels(number, impression))


CARD = (800, 750)  # a print box of a ten-print card at 500 ppi, about 1.6 x 1.5 inches


@cache
def card_wsq(number: int) -> bytes:
    """The print on white, in a ten-print card's box: 600,000 pixels, as NIST's cards."""
    px = finger_pixels(number)
    box = np.full((CARD[1], CARD[0]), 255, dtype=np.uint8)
    y, x = (CARD[1] - px.shape[0]) // 2, (CARD[0] - px.shape[1]) // 2
    box[y : y + px.shape[0], x : x + px.shape[1]] = px
    return encode_wsq(box)


# -- ANSI/NIST-ITL -------------------------------------------------------------------------


def field(rtype: int, tag: int, value: str | list[list[str]]) -> bytes:
    if isinstance(value, str):
        body = value.encode()
    else:
        body = RS.join(US.join(i.encode() for i in sub) for sub in value)
    return f"{rtype}.{tag:03d}:".encode() + body


def tagged(rtype: int, fields: dict[int, str | list[list[str]]], data: bytes | None = None) -> bytes:
    """A tagged record; LEN (T.001) computed until stable, the image as field 999."""
    body = [field(rtype, tag, v) for tag, v in sorted(fields.items())]
    tail = GS + f"{rtype}.999:".encode() + data if data is not None else b""
    length = 0
    while True:
        out = GS.join([field(rtype, 1, str(length)), *body]) + tail + FS
        if len(out) == length:
            return out
        length = len(out)


def binary(rtype: int, idc: int, data: bytes, *, size: tuple[int, int] = (0, 0),
           fgp: int = 1, gca: int = 0, imp: int = 0) -> bytes:
    """A binary record: Type-3 to 6 with the 18-byte header, Type-7 and 8 with LEN and IDC."""
    if rtype in (3, 4, 5, 6):
        fgps = bytes([fgp, 255, 255, 255, 255, 255])
        head = struct.pack("!IBB6sBHHB", 18 + len(data), idc, imp, fgps, 0, *size, gca)
        return head + data
    return struct.pack("!IB", 5 + len(data), idc) + data


def transaction(records: list[tuple[int, bytes]], *, version: str = "0500",
                tcn: str = "KIT-1") -> bytes:
    """Type-1 (CNT listing every record) + a Type-2 + ``records`` (type, bytes; IDC = order)."""
    two = tagged(2, {2: "00", 3: "synthetic test transaction"})
    listed = [(2, two), *records]
    cnt = [["1", str(len(listed))]] + [[str(t), f"{i:02d}"] for i, (t, _) in enumerate(listed)]
    head = tagged(1, {2: version, 3: cnt, 4: "CAR", 5: "20260102", 7: "KIT00001",
                      8: "KIT00001", 9: tcn, 11: "19.69", 12: "19.69"})
    return head + b"".join(buf for _, buf in listed)


def _print_record(rtype: int, idc: int, wsq: bytes, *, position: int, nqm: int | None = None,
                  imp: int = 0, size: tuple[int, int] = (280, 320)) -> bytes:
    fields: dict[int, str | list[list[str]]] = {
        2: f"{idc:02d}", 3: str(imp), 4: "KIT00001", 5: "20260102", 6: str(size[0]),
        7: str(size[1]), 8: "1", 9: "500", 10: "500", 11: "WSQ20", 12: "8", 13: str(position),
    }
    if nqm is not None:
        fields[22] = [[str(position), str(nqm)]]
    return tagged(rtype, fields, wsq)


def _face_record(idc: int, jpeg: bytes, *, imt: str = "FACE", cga: str = "JPEGB",
                 smt: str | None = None) -> bytes:
    fields: dict[int, str | list[list[str]]] = {
        2: f"{idc:02d}", 3: imt, 4: "KIT00001", 5: "20260102", 6: "360", 7: "360", 8: "0",
        9: "1", 10: "1", 11: cga, 12: "SRGB",
    }
    if imt == "FACE":
        fields[13] = "20"  # SAP 20: a frontal face
    if smt:
        fields[40] = [[smt]]
    return tagged(10, fields, jpeg)


def _minutiae_record(idc: int, position: int) -> bytes:
    """A Type-9 in the IAFIS layout (9.004 'S'): minutiae as a sender's AFIS wrote them."""
    return tagged(9, {2: f"{idc:02d}", 3: "0", 4: "S", 5: "U", 14: str(position),
                      23: [["001", "05000500000", "A"], ["002", "06000610090", "B"]]})


def _raw_grey(side: int = 64) -> bytes:
    return np.random.default_rng(side).integers(0, 255, side * side, dtype=np.uint8).tobytes()


@cache
def an2(name: str) -> bytes:
    """A synthetic transaction by name (what each holds is in ``AN2``)."""
    wsq1 = finger_wsq(1)
    if name == "minutiae-and-print":  # Type-9 + Type-14 of one finger (right index)
        return transaction([(9, _minutiae_record(1, 2)), (14, _print_record(14, 2, wsq1, position=2))])
    if name == "slaps":  # plain four-finger slaps: kept as images, never searched
        recs = [(14, _print_record(14, i + 1, finger_wsq(i + 1), position=p, imp=0))
                for i, p in enumerate((13, 14, 15))]
        return transaction(recs)
    if name == "ten-print-card":  # positions 1-14, WSQ, NIST quality (14.022)
        recs = [(14, _print_record(14, p, card_wsq(1 + (p - 1) % FINGERS), position=p,
                                   nqm=(1, 2, 3, 5)[p % 4], size=CARD))
                for p in range(1, 15)]
        return transaction(recs, version="0400")
    if name == "type-4-prints":  # legacy binary Type-4 records, WSQ (GCA 1)
        recs = [(4, binary(4, i + 1, finger_wsq(i + 1), size=(280, 320), fgp=i + 1, gca=1))
                for i in range(FINGERS)]
        return transaction(recs, version="0300")
    if name == "face-and-mark":
        jpeg = face("a1")
        return transaction([(10, _face_record(1, jpeg)),
                            (10, _face_record(2, jpeg, imt="TATTOO"))])
    if name == "face-and-jpegl-prints":  # the face is kept; the JPEGL prints are noted
        jpegl = b"\xff\xd8\xff\xc3" + bytes(64)
        recs = [(10, _face_record(1, face("a1")))]
        recs += [(14, tagged(14, {2: f"{i:02d}", 3: "0", 4: "KIT00001", 5: "20260102",
                                  6: "280", 7: "320", 8: "1", 9: "500", 10: "500",
                                  11: "JPEGL", 12: "8", 13: str(i)}, jpegl)) for i in (2, 3)]
        recs += [(17, tagged(17, {2: "04", 3: "0"}, _raw_grey()))]
        return transaction(recs)
    if name == "marks":  # a face (SAP 20) and three marks with their NCIC SMT codes (10.040)
        jpeg = face("a1")
        recs = [(10, _face_record(1, jpeg))]
        for idc, (imt, smt) in enumerate(
            [("MARK", "NM R ARM"), ("TATTOO", "TAT UL ARM"), ("TATTOO", "TAT UR ARM")], start=2
        ):
            recs.append((10, _face_record(idc, jpeg, imt=imt, smt=smt)))
        return transaction(recs)
    if name == "prints-impression-2":  # three single-finger prints, impression type 2
        return transaction([(14, _print_record(14, i, finger_wsq(i), position=i, imp=2))
                            for i in (1, 2, 3)])
    if name == "latent":  # a Type-13 latent and a Type-14 print
        return transaction([(13, _print_record(13, 1, wsq1, position=0, imp=4)),
                            (14, _print_record(14, 2, wsq1, position=2))])
    if name in NOTHING_KEPT:
        rtype = NOTHING_KEPT[name][0]
        if rtype in (3, 4, 5, 6, 7, 8):
            rec = binary(rtype, 1, _raw_grey(), size=(64, 64))
        else:
            rec = tagged(rtype, {2: "01", 3: "0"}, _raw_grey())
        return transaction([(rtype, rec)])
    raise KeyError(name)


# transaction → record type and words of the note, for those the node keeps nothing of
NOTHING_KEPT: dict[str, tuple[int, str]] = {
    "type-3": (3, "deprecated"),
    "type-5": (5, "deprecated"),
    "type-6": (6, "deprecated"),
    "type-7": (7, "user-defined"),
    "type-8-signature": (8, "signatures"),
    "type-15-palms": (15, "palm prints"),
    "type-16": (16, "Type-16"),
    "type-17-iris": (17, "iris"),
}
# transaction → ("ok", {kind: count}) or ("nothing", words of the note): as the shared
# reference files' table in test_ansi_nist.py
AN2: dict[str, tuple[str, object]] = {
    "minutiae-and-print": ("ok", {"minutiae": 1, "fingerprint": 1}),
    "slaps": ("ok", {"fingerprint": 3}),
    "ten-print-card": ("ok", {"fingerprint": 14}),
    "type-4-prints": ("ok", {"fingerprint": FINGERS}),
    "marks": ("ok", {"face": 1, "mark": 3}),
    "prints-impression-2": ("ok", {"fingerprint": 3}),
    "face-and-mark": ("ok", {"face": 1, "mark": 1}),
    "face-and-jpegl-prints": ("ok", {"face": 1}),
    "latent": ("ok", {"latent": 1, "fingerprint": 1}),
    **{name: ("nothing", words) for name, (_, words) in NOTHING_KEPT.items()},
}


def write_export(images: list[ansi_nist.OutImage]) -> bytes:
    return ansi_nist.write(images, ori="KIT00001", tcn="KIT-EXPORT", when=date(2026, 1, 2))


# -- the shared files when present, the kit otherwise ---------------------------------------

# kit face → the deepface photo that plays the same part in the shared data
SHARED_FACES = {"a1": "img1.jpg", "a2": "img2.jpg", "b": "img8.jpg", "group": "couple.jpg"}
# kit transaction → the NIST reference file that plays the same part
SHARED_AN2 = {
    "minutiae-and-print": "type-9-14-std.an2",
    "slaps": "type-4-14-slaps.an2",
    "ten-print-card": "type-14-tpcard-nqm.an2",
    "type-4-prints": "type-4-tpcard.an2",
    "face-and-jpegl-prints": "type-10-14-17-piv-index-iris.an2",
    "type-15-palms": "type-15-palms.an2",
    "type-17-iris": "type-17-iris.an2",
}


# kit transactions → the NIST reference files that together play the same part
SHARED_AN2_SETS = {
    "marks-and-prints": (["marks", "prints-impression-2"], [
        "type-10-tattoo-face-sap20.an2", "type-10-branded-tattoo-mark.an2",
        "type-14-amp-nqm-utf8.an2"]),
}


class Material:
    """Faces, prints and transactions for the biometric flows (enrol, search, store, export).

    With the shared biometric folder (``CTNODE_SHARED_DATA``) the real files are used; on a
    fresh clone the bundled kit plays the same parts. A test that uses it asserts what must
    hold for both (a flow, not an accuracy figure).
    """

    def __init__(self, shared: Path | None) -> None:
        self.shared = shared
        self.source = "shared" if shared else "kit"

    def face(self, part: str) -> bytes:
        if self.shared:
            return (self.shared / "faces" / "deepface" / SHARED_FACES[part]).read_bytes()
        return face(part)

    def finger(self, number: int, impression: int = 1) -> bytes:
        if self.shared:
            return (self.shared / "fingerprints" / f"{number}_{impression}.png").read_bytes()
        return finger(number, impression)

    def an2(self, name: str) -> bytes:
        if self.shared:
            return (self.shared / "ansi-nist" / SHARED_AN2[name]).read_bytes()
        return an2(name)

    def alpha_png(self) -> bytes:
        """A PNG with an alpha channel (32 bits a pixel)."""
        if self.shared:
            return (self.shared / "faces" / "face_recognition" / "32bit.png").read_bytes()
        buf = io.BytesIO()
        Image.open(FIXTURES / "astronaut-eileen-collins.jpg").convert("RGBA").save(buf, "PNG")
        return buf.getvalue()

    def wsq(self) -> tuple[bytes, tuple[int, int]]:
        """A WSQ fingerprint image and its size (width, height)."""
        if self.shared:
            return (self.shared / "ansi-nist" / "sample.wsq").read_bytes(), (545, 622)
        px = finger_pixels(1)
        return finger_wsq(1), (px.shape[1], px.shape[0])

    def an2_set(self, name: str) -> list[bytes]:
        kit, shared = SHARED_AN2_SETS[name]
        if self.shared:
            return [(self.shared / "ansi-nist" / n).read_bytes() for n in shared]
        return [an2(n) for n in kit]
