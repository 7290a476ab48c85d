"""Safe decoding: not an image, truncated, decompression bomb, too small."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from ctnode.biometrics.errors import ImageTooLarge, NotAnImage, TruncatedImage
from ctnode.biometrics.images import decode_image
from ctnode.errors import InvalidInput, TooLarge


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares a huge size in a few bytes (the decompression-bomb shape)."""
    ihdr = struct.pack("!IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    body = struct.pack("!I", len(ihdr)) + chunk + struct.pack("!I", zlib.crc32(chunk))
    idat = zlib.compress(b"\0" * 64)
    body += (
        struct.pack("!I", len(idat))
        + b"IDAT"
        + idat
        + struct.pack("!I", zlib.crc32(b"IDAT" + idat))
    )
    return b"\x89PNG\r\n\x1a\n" + body


def _jpeg(size: tuple[int, int] = (200, 160)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (120, 80, 40)).save(buf, format="JPEG")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (b"", NotAnImage, "empty"),
        (b"%PDF-1.7 this is a document, not a picture" * 4, NotAnImage, "not an image"),
        (_png_header(60_000, 60_000), ImageTooLarge, "decompression bomb"),
        (_png_header(20, 20), NotAnImage, "too small"),
        (_jpeg()[:400], TruncatedImage, "ends early"),
    ],
    ids=["empty", "pdf", "bomb", "tiny", "truncated-jpeg"],
)
def test_bad_images_are_refused_with_a_named_reason(
    data: bytes, error: type[Exception], words: str
) -> None:
    with pytest.raises(error) as err:
        decode_image(data, max_pixels=40_000_000, mode="RGB", what="probe")
    assert isinstance(err.value, InvalidInput)
    assert words in str(err.value) and "probe" in str(err.value)


def test_bomb_maps_to_http_413() -> None:
    with pytest.raises(TooLarge) as err:
        decode_image(_png_header(10_000, 10_000), max_pixels=1_000_000, mode="L")
    assert err.value.status_code == 413


def test_truncated_png_and_wsq(bio_data: Path) -> None:
    png = (bio_data / "fingerprints" / "1_1.png").read_bytes()
    with pytest.raises(TruncatedImage):
        decode_image(png[: len(png) // 2], max_pixels=10**8, mode="L")
    wsq = (bio_data / "ansi-nist" / "sample.wsq").read_bytes()
    image = decode_image(wsq, max_pixels=10**8, mode="L")
    assert (image.width, image.height, image.format) == (545, 622, "WSQ")
    with pytest.raises(InvalidInput):
        decode_image(wsq[: len(wsq) // 2], max_pixels=10**8, mode="L")


def test_alpha_png_is_flattened(bio_data: Path) -> None:
    image = decode_image(
        (bio_data / "faces" / "face_recognition" / "32bit.png").read_bytes(),
        max_pixels=10**8,
        mode="RGB",
    )
    assert image.pixels.ndim == 3 and image.pixels.shape[2] == 3
