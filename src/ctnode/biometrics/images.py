"""Safe image decoding for biometric input: formats, size limits, truncation.

Every image that enters the node (upload, ANSI/NIST record) is decoded here, so
the checks live in one place: not an image, truncated data, more pixels than
``CTNODE_BIOMETRIC_MAX_IMAGE_PIXELS`` (a decompression bomb), or too small to
hold a face or a fingerprint.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

# Importing the plugin registers WSQ (FBI Wavelet Scalar Quantization) with Pillow.
import wsq  # noqa: F401  # registers the WSQ codec with Pillow as a side effect
from PIL import Image, UnidentifiedImageError

from ctnode.biometrics.errors import ImageTooLarge, NotAnImage, TruncatedImage

MIN_SIDE = 32  # smaller images cannot hold a face or a usable fingerprint


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
    """Decode ``data`` to pixels in ``mode``; raise a typed error naming the problem."""
    if not data:
        raise NotAnImage(f"{what}: empty file")
    # Pillow warns above MAX_IMAGE_PIXELS and fails above twice that; treat both as refusals.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
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
        except Exception as exc:  # format plugins (WSQ) fail with any exception type
            if "truncated" in str(exc).lower():
                raise TruncatedImage(f"{what}: the file ends early, in its header ({exc})") from exc
            raise NotAnImage(f"{what}: unreadable image header ({exc})") from exc
        width, height = img.size
        if width * height > max_pixels:
            raise ImageTooLarge(
                f"{what}: {width}×{height} = {width * height:,} pixels exceeds the limit of "
                f"{max_pixels:,} (CTNODE_BIOMETRIC_MAX_IMAGE_PIXELS); refused as a possible "
                "decompression bomb"
            )
        if width < MIN_SIDE or height < MIN_SIDE:
            raise NotAnImage(f"{what}: {width}×{height} pixels is too small (at least {MIN_SIDE})")
        fmt = str(img.format or "unknown")
        try:
            img.load()
        except OSError as exc:
            if "truncated" in str(exc).lower() or "broken data stream" in str(exc).lower():
                raise TruncatedImage(f"{what}: the {fmt} data ends early ({exc})") from exc
            raise NotAnImage(f"{what}: the {fmt} data does not decode ({exc})") from exc
        except Exception as exc:  # the WSQ codec raises bare Exception("WSQ Error: n")
            raise NotAnImage(f"{what}: the {fmt} data does not decode ({exc})") from exc
    return from_pil(img, mode, fmt)


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
