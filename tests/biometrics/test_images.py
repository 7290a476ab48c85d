"""Safe decoding: not an image, truncated, decompression bomb, too small."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ctnode.biometrics.errors import (
    CorruptImage,
    ImageTooLarge,
    NotAnImage,
    TruncatedImage,
    UnsupportedImage,
)
from ctnode.biometrics.images import decode_image
from ctnode.errors import InvalidInput, TooLarge
from tests.biometrics.kit import Material


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


def test_truncated_png_and_wsq(bio_files: Material) -> None:
    png = bio_files.finger(1)
    with pytest.raises(TruncatedImage):
        decode_image(png[: len(png) // 2], max_pixels=10**8, mode="L")
    wsq, size = bio_files.wsq()
    image = decode_image(wsq, max_pixels=10**8, mode="L")
    assert (image.width, image.height, image.format) == (*size, "WSQ")
    with pytest.raises(InvalidInput):
        decode_image(wsq[: len(wsq) // 2], max_pixels=10**8, mode="L")


def test_alpha_png_is_flattened(bio_files: Material) -> None:
    image = decode_image(bio_files.alpha_png(), max_pixels=10**8, mode="RGB")
    assert image.pixels.ndim == 3 and image.pixels.shape[2] == 3


# -- strict decoding: damaged streams are refused, with the right reason ---------------------------


def _photo_like_jpeg(seed: int = 0, size: tuple[int, int] = (320, 240)) -> bytes:
    """A JPEG with real texture (smooth gradients plus noise), so its entropy-coded data is long."""
    rng = np.random.default_rng(seed)
    h, w = size[1], size[0]
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx * 255 / w, yy * 255 / h, (xx + yy) * 127 / (w + h)], axis=-1)
    px = np.clip(base + rng.normal(0, 20, size=(h, w, 3)), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(px).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def _change_bytes(data: bytes, n: int, seed: int) -> bytes:
    """``n`` bytes changed at random places in the entropy-coded data (after the SOS marker)."""
    rng = np.random.default_rng(seed)
    out = bytearray(data)
    start = data.index(b"\xff\xda") + 20
    for pos in rng.choice(np.arange(start, len(data) - 2), size=n, replace=False):
        out[int(pos)] = (out[int(pos)] + int(rng.integers(1, 256))) % 256
    return bytes(out)


def test_jpeg_with_bytes_changed_mid_stream_is_refused_as_corrupt() -> None:
    """Pillow decodes these to garbage without a word; the strict decoder refuses them."""
    data = _photo_like_jpeg()
    damaged = _change_bytes(data, 10, seed=3)
    Image.open(io.BytesIO(damaged)).load()  # what the node used to accept
    with pytest.raises(CorruptImage) as err:
        decode_image(damaged, max_pixels=10**8, mode="RGB", what="probe")
    assert err.value.code == "corrupt_image" and "damaged" in err.value.message
    assert "probe" in err.value.message


def test_strict_jpeg_pixels_equal_pillows_on_a_clean_file() -> None:
    data = _photo_like_jpeg(seed=1)
    ours = decode_image(data, max_pixels=10**8, mode="RGB").pixels
    assert np.array_equal(ours, np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))
    grey = decode_image(data, max_pixels=10**8, mode="L")
    assert grey.pixels.ndim == 2 and grey.format == "JPEG"


def _png(seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, size=(64, 64), dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def test_png_with_a_changed_byte_fails_its_crc() -> None:
    data = bytearray(_png())
    idat = data.index(b"IDAT")
    data[idat + 40] ^= 0x01
    with pytest.raises(CorruptImage, match="CRC"):
        decode_image(bytes(data), max_pixels=10**8, mode="L")


def test_png_without_its_end_is_truncated() -> None:
    data = _png()
    with pytest.raises(TruncatedImage, match="ends early"):
        decode_image(data[: data.index(b"IEND") - 4], max_pixels=10**8, mode="L")


def test_a_format_the_node_does_not_take_is_unsupported() -> None:
    buf = io.BytesIO()
    Image.new("L", (64, 64), 128).save(buf, format="GIF")
    with pytest.raises(UnsupportedImage) as err:
        decode_image(buf.getvalue(), max_pixels=10**8, mode="L")
    assert err.value.code == "unsupported_image" and "GIF" in err.value.message


# The check: 120 seeded corruptions of 3 real photos; none may give a template that no
# longer matches its person. Each is refused (corrupt / truncated) or still matches.
PHOTOS = {  # photo → other photos of the same person (deepface master.csv, "Yes" pairs)
    "img1.jpg": ["img2.jpg", "img4.jpg", "img5.jpg"],
    "img22.jpg": ["img23.jpg"],
    "img20.jpg": ["img21.jpg"],
}


def _corruptions(data: bytes, seed: int) -> list[tuple[str, bytes]]:
    """40 damaged copies: bytes changed (1, 10, 100), cut short, runs overwritten."""
    rng = np.random.default_rng(seed)
    out: list[tuple[str, bytes]] = []
    sos = data.index(b"\xff\xda") + 20
    for i in range(40):
        kind = i % 5
        if kind < 3:
            n = (1, 10, 100)[kind]
            out.append((f"{n} bytes changed", _change_bytes(data, n, seed * 1000 + i)))
        elif kind == 3:
            cut = int(rng.integers(sos, len(data) - 2))
            out.append(("cut short", data[:cut]))
        else:
            b = bytearray(data)
            at = int(rng.integers(sos, len(data) - 600))
            b[at : at + 512] = bytes(512)
            out.append(("512 bytes zeroed", bytes(b)))
    return out


@pytest.mark.slow
def test_seeded_corruptions_never_enrol_a_template_that_misses_its_person(bio_data: Path) -> None:
    from ctnode.biometrics.face import load_embedder

    emb = load_embedder("sface")
    folder = bio_data / "faces" / "deepface"

    def template(data: bytes) -> np.ndarray:
        image = decode_image(data, max_pixels=50_000_000, mode="RGB")
        return emb.embed(image).vector

    refused = kept = 0
    for n, (photo, mates) in enumerate(PHOTOS.items()):
        data = (folder / photo).read_bytes()
        mate_vectors = [template((folder / m).read_bytes()) for m in mates]
        for what, damaged in _corruptions(data, seed=n + 1):
            try:
                vec = template(damaged)
            except (CorruptImage, TruncatedImage):
                refused += 1
                continue
            kept += 1
            best = max(float(vec @ m) for m in mate_vectors)
            assert best >= emb.default_threshold, f"{photo}, {what}: enrolled, scores {best:.2f}"
    assert refused + kept == 120
    assert refused >= 80  # most damage is seen by the decoder, not left to luck


def test_a_whole_jpeg_with_overwritten_data_is_damaged_not_truncated(
    bio_files: Material,
) -> None:
    """libjpeg reports both as "premature end": a file that still ends with EOI was damaged."""
    data = bio_files.face("a1")
    zeroed = bytearray(data)
    zeroed[len(data) // 2 : len(data) // 2 + 512] = bytes(512)
    with pytest.raises(CorruptImage) as err:
        decode_image(bytes(zeroed), max_pixels=10**8, mode="RGB", what="face")
    assert "breaks off before the end of the file" in err.value.message
    with pytest.raises(TruncatedImage):
        decode_image(data[: len(data) // 2], max_pixels=10**8, mode="RGB", what="face")
