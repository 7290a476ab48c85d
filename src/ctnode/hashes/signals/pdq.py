"""PDQ: Meta's 256-bit perceptual image hash, computed by the ``pdqhash`` package.

``hash_image`` returns the hash, PDQ's quality score (0-100) and the hashes of the
image's 8 dihedral variants (rotations by 90°, flips), which ``pdqhash`` computes
from one pass over the image. A query carries all 8, so a mirrored or rotated
copy of a banked image is found; a bare hex hash carries only itself.

Pixels are read as RGB (alpha dropped, palettes expanded) with no EXIF rotation,
like HMA, so a hash we compute equals the one python-threatexchange computes for
the same file (tested). Decoding is bounded: images over ``max_pixels`` are
refused before they are decoded.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pdqhash

from ctnode.hashes.model import HashFormatError, PdqHash

#: Refuse to decode images larger than this (a 8000 × 6000 photo is 48 Mpx).
DEFAULT_MAX_PIXELS = 64_000_000

#: Names of pdqhash.compute_dihedral's outputs, in its order: the transform applied to the image.
#: Rotations are counter-clockwise.
VARIANTS = (
    "original",
    "rotated_90",
    "rotated_180",
    "rotated_270",
    "flipped_vertically",
    "mirrored",
    "transposed",
    "anti_transposed",
)

HashBytes = npt.NDArray[np.uint8]

#: Standard crops of an image whose PDQ hashes travel with it: name → the fractions of the
#: width/height cut from the (left, top, right, bottom). PDQ does not survive cropping (every
#: DCT coefficient shifts), so a bank that holds the picture itself also holds its crops,
#: each recorded as a *derived* hash of the same item; a query carries the caption-bar crops.
CROPS: dict[str, tuple[float, float, float, float]] = {
    "crop_centre_90": (0.05, 0.05, 0.05, 0.05),  # 5% off each side: 81% of the area
    "crop_centre_80": (0.10, 0.10, 0.10, 0.10),  # 10% off each side: 64% of the area
    "crop_bottom_10": (0.0, 0.0, 0.0, 0.10),  # a caption bar over the bottom tenth cut off
    "crop_top_10": (0.0, 0.10, 0.0, 0.0),  # a banner over the top tenth cut off
}
#: Banked beside an image added from a file (``derived`` records of the same item).
BANK_CROPS = tuple(CROPS)
#: Searched beside a query image: a caption bar or banner cut off the query meets the same
#: crop of the banked original.
QUERY_CROPS = ("crop_bottom_10", "crop_top_10")


def normalise(value: str, *, field: str = "value") -> str:
    try:
        # threatexchange's PDQ signal loads the image library: only when a hash is checked
        from threatexchange.signal_type.pdq.signal import PdqSignal

        return PdqSignal.validate_signal_str(value.strip().lower())
    except ValueError:
        raise HashFormatError(
            f"not a PDQ hash (64 hexadecimal characters): {value[:80]!r}", field=field
        ) from None


def distance(a: str, b: str) -> int:
    """Hamming distance of two hex PDQ hashes: the reference every PDQ index is tested against."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def to_bytes(values: list[str] | tuple[str, ...]) -> HashBytes:
    """Hex hashes → an (n, 32) uint8 array (the layout faiss binary indexes take)."""
    if not values:
        return np.zeros((0, 32), dtype=np.uint8)
    return (
        np.frombuffer(bytes.fromhex("".join(values)), dtype=np.uint8)
        .reshape(len(values), 32)
        .copy()
    )


def from_bytes(row: HashBytes) -> str:
    return bytes(row).hex()


def _bits_to_hex(bits: npt.NDArray[np.int64]) -> str:
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


def load_rgb(
    source: Path | bytes, *, name: str, max_pixels: int = DEFAULT_MAX_PIXELS
) -> npt.NDArray[np.uint8]:
    """Decode an image to an (h, w, 3) uint8 array, refusing bombs and non-images by name."""
    # the image library loads only when an image is hashed (a name screen never pays for it)
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
            with opened as img:
                width, height = img.size
                if width * height > max_pixels:
                    raise HashFormatError(
                        f"image is {width}x{height} pixels, over the limit of {max_pixels:,}",
                        source=name,
                    )
                if width < 1 or height < 1:
                    raise HashFormatError("image has no pixels", source=name)
                rgb = img.convert("RGB")
                return np.asarray(rgb, dtype=np.uint8)
    except HashFormatError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise HashFormatError(f"not a readable image: {exc}", source=name) from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        # Pillow reports truncated or corrupt files with these; the message says which.
        raise HashFormatError(f"image could not be decoded: {exc}", source=name) from None


def hash_array(pixels: npt.NDArray[np.uint8], crops: tuple[str, ...] = ()) -> PdqHash:
    """PDQ of an RGB array with its quality, 8 dihedral variants (pdqhash.compute_dihedral)
    and the hashes of the named standard ``crops`` (``CROPS``)."""
    if pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError("expected an (h, w, 3) RGB array")
    vectors, quality = pdqhash.compute_dihedral(np.ascontiguousarray(pixels))
    hexes = tuple(_bits_to_hex(v) for v in vectors)
    return PdqHash(
        value=hexes[0],
        quality=int(quality),
        variants=tuple(zip(VARIANTS, hexes, strict=True)),
        crops=tuple((name, crop_hash(pixels, name)) for name in crops),
    )


def crop_hash(pixels: npt.NDArray[np.uint8], name: str) -> str:
    """PDQ of one standard crop (``CROPS[name]``) of an RGB array."""
    left, top, right, bottom = CROPS[name]
    h, w = pixels.shape[:2]
    box = pixels[int(h * top) : h - int(h * bottom), int(w * left) : w - int(w * right)]
    if box.size == 0:
        box = pixels
    vector, _ = pdqhash.compute(np.ascontiguousarray(box))
    return _bits_to_hex(vector)


def hash_image(
    source: Path | bytes,
    *,
    name: str,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    crops: tuple[str, ...] = (),
) -> PdqHash:
    return hash_array(load_rgb(source, name=name, max_pixels=max_pixels), crops)
