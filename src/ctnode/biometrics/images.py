"""Strict image decoding for biometric input: formats, size limits, damage.

Every image that enters the node (upload, ANSI/NIST record) is decoded here, so
the checks live in one place. An image is refused, with a typed error naming
the reason, when it is:

- not an image (``not_an_image``), or a format the node does not take
  (``unsupported_image``: GIF, PSD, PDF ...; JPEG variants libjpeg-turbo cannot read);
- truncated (``truncated_image``): the data ends before the last pixel;
- damaged (``corrupt_image``): the decoder had to recover from an error. JPEG
  goes through libjpeg-turbo with warnings treated as errors (``simplejpeg``,
  ``strict=True``): changed bytes in the entropy-coded data desynchronise the
  Huffman decoder, which libjpeg reports as "corrupt data" / "extraneous bytes"
  warnings that Pillow silently ignores. PNG chunks are checked against their
  CRC-32. Any warning Pillow raises while decoding is a refusal too;
- larger than ``max_pixels`` (``image_too_large``: a decompression bomb), or
  too small to hold a face or a fingerprint.

What strict decoding cannot see: a change that keeps the stream valid (one byte
in a JPEG often only shifts the colour of one 8×8 block; WSQ has no checksum).
Such images decode to pixels close to the original; the face quality measure
(``ctnode.biometrics.quality``) is the second line of defence.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import simplejpeg

# Importing the plugin registers WSQ (FBI Wavelet Scalar Quantization) with Pillow.
import wsq  # noqa: F401  # registers the WSQ codec with Pillow as a side effect
from PIL import Image, UnidentifiedImageError

from ctnode.biometrics.errors import (
    CorruptImage,
    ImageTooLarge,
    NotAnImage,
    TruncatedImage,
    UnsupportedImage,
)

MIN_SIDE = 32  # smaller images cannot hold a face or a usable fingerprint
# Formats the node decodes (Pillow's names). MPO is how Pillow names a camera JPEG that
# carries a second (preview) picture; it is decoded as JPEG.
ACCEPTED_FORMATS = frozenset(
    {"JPEG", "MPO", "PNG", "WSQ", "JPEG2000", "BMP", "TIFF", "WEBP", "PPM"}
)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True, slots=True)
class DecodedImage:
    """Pixels (``uint8``, H×W for grey, H×W×3 RGB) and what the file said about itself."""

    pixels: npt.NDArray[np.uint8]
    width: int
    height: int
    format: str  # Pillow's name of the encoding: JPEG, PNG, WSQ, JPEG2000, RAW ...

    @property
    def is_grey(self) -> bool:
        return self.pixels.ndim == 2


def decode_image(
    data: bytes, *, max_pixels: int, mode: Literal["L", "RGB"], what: str = "image"
) -> DecodedImage:
    """Decode ``data`` to pixels in ``mode``; raise a typed error naming the problem.

    Strict: a decoder warning, a bad checksum or data that ends early refuses the
    image (see the module docstring for what each error means).
    """
    if not data:
        raise NotAnImage(f"{what}: empty file")
    # Pillow warns above MAX_IMAGE_PIXELS and fails above twice that; treat both as refusals,
    # and every other warning raised while reading the image as damage.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            img = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageTooLarge(
                f"{what}: refused as a possible decompression bomb ({exc})"
            ) from exc
        except UnidentifiedImageError as exc:
            raise NotAnImage(
                f"{what}: not an image in a known format (JPEG, PNG, WSQ, JPEG 2000, BMP, TIFF)"
            ) from exc
        except Warning as exc:
            raise CorruptImage(f"{what}: the image header is damaged ({exc})") from exc
        except Exception as exc:  # format plugins (WSQ) fail with any exception type
            if "truncated" in str(exc).lower():
                raise TruncatedImage(f"{what}: the file ends early, in its header ({exc})") from exc
            raise NotAnImage(f"{what}: unreadable image header ({exc})") from exc
        fmt = str(img.format or "unknown")
        if fmt not in ACCEPTED_FORMATS:
            raise UnsupportedImage(
                f"{what}: {fmt} images are not accepted; send JPEG, PNG, WSQ, JPEG 2000, "
                "BMP or TIFF"
            )
        width, height = img.size
        _check_size(width, height, max_pixels=max_pixels, what=what)
        if fmt in ("JPEG", "MPO"):
            return _strict_jpeg(data, img, mode, what)
        if fmt == "PNG":
            _check_png_chunks(data, what)
        try:
            img.load()
        except Warning as exc:
            raise CorruptImage(f"{what}: the {fmt} data is damaged ({exc})") from exc
        except OSError as exc:
            if "truncated" in str(exc).lower() or "broken data stream" in str(exc).lower():
                raise TruncatedImage(f"{what}: the {fmt} data ends early ({exc})") from exc
            raise CorruptImage(f"{what}: the {fmt} data does not decode ({exc})") from exc
        except Exception as exc:  # the WSQ codec raises bare Exception("WSQ Error: n")
            raise CorruptImage(f"{what}: the {fmt} data does not decode ({exc})") from exc
    return from_pil(img, mode, fmt)


def _check_size(width: int, height: int, *, max_pixels: int, what: str) -> None:
    if width * height > max_pixels:
        raise ImageTooLarge(
            f"{what}: {width}×{height} = {width * height:,} pixels exceeds the limit of "
            f"{max_pixels:,} (CTNODE_BIOMETRIC_MAX_IMAGE_PIXELS); refused as a possible "
            "decompression bomb"
        )
    if width < MIN_SIDE or height < MIN_SIDE:
        raise NotAnImage(f"{what}: {width}×{height} pixels is too small (at least {MIN_SIDE})")


def _jpeg_error(what: str, exc: Exception, data: bytes = b"") -> Exception:
    """libjpeg-turbo's message → the typed error that names the reason.

    libjpeg says "premature end of data segment" both for a file cut short and for a
    complete file whose coded data was overwritten (it runs out of valid codes): a file
    that still ends with its EOI marker was damaged, not truncated.
    """
    text = str(exc)
    low = text.lower()
    if "premature end" in low or "insufficient data" in low or "ends" in low:
        if data.rstrip(b"\x00").endswith(b"\xff\xd9"):
            return CorruptImage(
                f"{what}: the JPEG data is damaged: its coded data breaks off before the end of "
                f"the file ({text}); ask for a fresh copy"
            )
        return TruncatedImage(f"{what}: the JPEG data ends early ({text})")
    variant = ("unsupported jpeg process", "color conversion", "precision", "not supported")
    if any(v in low for v in variant):
        return UnsupportedImage(f"{what}: a JPEG variant the node does not decode ({text})")
    return CorruptImage(f"{what}: the JPEG data is damaged ({text}); ask for a fresh copy")


def _strict_jpeg(
    data: bytes, img: Image.Image, mode: Literal["L", "RGB"], what: str
) -> DecodedImage:
    """Decode a JPEG with libjpeg-turbo, every recoverable error (warning) being a refusal."""
    colour = "GRAY" if mode == "L" else "RGB"
    try:
        _, _, space, _ = simplejpeg.decode_jpeg_header(data, strict=True)
        if str(space).upper() in ("CMYK", "YCCK"):
            # libjpeg-turbo checks the stream; Pillow does the (Adobe-inverted) CMYK conversion.
            simplejpeg.decode_jpeg(data, colorspace="CMYK", strict=True)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                img.load()
            return from_pil(img, mode, "JPEG")
        pixels = simplejpeg.decode_jpeg(data, colorspace=colour, strict=True)
    except ValueError as exc:
        raise _jpeg_error(what, exc, data) from exc
    except (OSError, Warning) as exc:
        raise CorruptImage(f"{what}: the JPEG data is damaged ({exc})") from exc
    if mode == "L" and pixels.ndim == 3:
        pixels = pixels[:, :, 0]
    arr = np.ascontiguousarray(pixels, dtype=np.uint8)
    return DecodedImage(
        pixels=arr, width=int(arr.shape[1]), height=int(arr.shape[0]), format="JPEG"
    )


def _check_png_chunks(data: bytes, what: str) -> None:
    """Every PNG chunk's CRC-32, and the IEND chunk at the end (Pillow checks neither for IDAT)."""
    pos = len(_PNG_SIGNATURE)
    while True:
        if pos + 8 > len(data):
            raise TruncatedImage(f"{what}: the PNG data ends early (no IEND chunk)")
        length, ctype = struct.unpack_from("!I4s", data, pos)
        end = pos + 8 + length + 4
        if end > len(data):
            raise TruncatedImage(
                f"{what}: the PNG data ends early, inside chunk {ctype.decode('latin-1')!r}"
            )
        crc = struct.unpack_from("!I", data, end - 4)[0]
        if zlib.crc32(data[pos + 4 : end - 4]) != crc:
            raise CorruptImage(
                f"{what}: PNG chunk {ctype.decode('latin-1')!r} at byte {pos} fails its CRC "
                "check (damaged data)"
            )
        pos = end
        if ctype == b"IEND":
            break
    if data[pos:].strip(b"\0"):
        raise CorruptImage(f"{what}: {len(data) - pos} unexpected bytes after the PNG's IEND chunk")


def from_pil(img: Image.Image, mode: Literal["L", "RGB"], fmt: str) -> DecodedImage:
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit grey: scale to 8 bits rather than clip
        arr16 = np.asarray(img, dtype=np.float64)
        peak = float(arr16.max()) or 1.0
        img = Image.fromarray((arr16 * (255.0 / peak)).astype(np.uint8), "L")
    if img.mode in ("RGBA", "LA", "P", "PA"):
        img = img.convert("RGBA")
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img)
    converted = img.convert(mode)
    pixels = np.ascontiguousarray(np.asarray(converted, dtype=np.uint8))
    return DecodedImage(pixels=pixels, width=converted.width, height=converted.height, format=fmt)


def raw_grey(data: bytes, width: int, height: int, *, max_pixels: int, what: str) -> DecodedImage:
    """An uncompressed 8-bit grey image (ANSI/NIST compression ``NONE``)."""
    if width <= 0 or height <= 0:
        raise NotAnImage(f"{what}: declared size {width}×{height} is not valid")
    if width * height > max_pixels:
        raise ImageTooLarge(f"{what}: {width}×{height} pixels exceeds the limit of {max_pixels:,}")
    if len(data) < width * height:
        raise TruncatedImage(
            f"{what}: uncompressed {width}×{height} image needs {width * height} bytes, "
            f"the record holds {len(data)}"
        )
    pixels = np.frombuffer(data[: width * height], dtype=np.uint8).reshape(height, width).copy()
    return DecodedImage(pixels=pixels, width=width, height=height, format="RAW")


def is_grey_file(data: bytes) -> bool:
    """Whether an encoded image holds one grey channel (read from its header, not decoded)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.mode in ("1", "L", "I", "I;16", "LA")
    except Exception:  # noqa: BLE001 - an unreadable header is not grey; decoding says why
        return False


def encode_png(image: DecodedImage) -> bytes:
    """Lossless PNG of the decoded pixels (how the node keeps images it re-encodes)."""
    buf = io.BytesIO()
    Image.fromarray(image.pixels).save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def encode_wsq(pixels: npt.NDArray[np.uint8], ppi: int = 500) -> bytes:
    """WSQ at the FBI's usual 0.75 bit rate (how fingerprints leave the node in ANSI/NIST)."""
    buf = io.BytesIO()
    Image.fromarray(pixels, "L").save(buf, format="WSQ", bitrate=0.75, ppi=ppi)
    return buf.getvalue()


def encode_jpeg(pixels: npt.NDArray[np.uint8], quality: int = 92) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()
