"""Images for the hashes benchmarks: real ones (shared faces, scikit-image's samples) and generated ones."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CTNODE_SHARED_DATA", REPO.parent / "shared" / "data"))


def real_images() -> list[tuple[str, Image.Image]]:
    """The shared face photos and scikit-image's bundled sample images (RGB)."""
    out: list[tuple[str, Image.Image]] = []
    faces = SHARED / "biometrics" / "faces"
    for path in sorted(faces.rglob("*")):
        if path.suffix.lower() in (".jpg", ".jpeg", ".png"):
            with Image.open(path) as img:
                out.append((f"faces/{path.relative_to(faces)}", img.convert("RGB")))
    try:
        import skimage.data as sk  # bench-only extra: pip install -e .[bench-hashes]

        folder = Path(sk.__file__).parent
        for path in sorted(folder.glob("*")):
            if path.suffix.lower() in (".png", ".jpg") and path.stat().st_size > 20_000:
                with Image.open(path) as img:
                    out.append((f"skimage/{path.name}", img.convert("RGB")))
    except ImportError:
        print(
            "scikit-image not installed: only the shared faces are used (pip install -e '.[bench-hashes]')"
        )
    return out


def generated(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A textured picture (waves, gradients, shapes, noise): distinct per seed, PDQ quality 100."""
    rng = np.random.default_rng(seed)
    w, h = size
    x = np.linspace(0, 1, w)[None, :]
    y = np.linspace(0, 1, h)[:, None]
    a, b, c = rng.uniform(0.5, 4, 3)
    base = np.stack(
        [
            127 + 120 * np.sin(a * 6.28 * x + b * y),
            127 + 120 * np.cos(b * 6.28 * y * x + c),
            255 * (x * y) ** rng.uniform(0.3, 2),
        ],
        axis=-1,
    )
    img = Image.fromarray(np.clip(base + rng.normal(0, 6, base.shape), 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(3, 10))):
        x0, y0 = int(rng.integers(0, w - 40)), int(rng.integers(0, h - 40))
        box = (x0, y0, x0 + int(rng.integers(20, 160)), y0 + int(rng.integers(20, 120)))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    return img


def _jpeg(quality: int) -> Callable[[Image.Image], Image.Image]:
    def f(img: Image.Image) -> Image.Image:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality)
        buf.seek(0)
        return Image.open(buf).convert("RGB")

    return f


def _crop(img: Image.Image) -> Image.Image:
    w, h = img.size
    dx, dy = int(w * 0.05), int(h * 0.05)  # 10% off the width and height, 5% per side
    return img.crop((dx, dy, w - dx, h - dy))


def _caption(img: Image.Image) -> Image.Image:
    w, h = img.size
    bar = max(12, h // 10)  # a caption bar over the bottom tenth, with text
    out = img.copy()
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, h - bar, w, h), fill=(0, 0, 0))
    draw.text((8, h - bar + 2), "BREAKING: shared from channel @example", fill=(255, 255, 255))
    return out


def _brightness(factor: float) -> Callable[[Image.Image], Image.Image]:
    def f(img: Image.Image) -> Image.Image:
        arr = np.asarray(img, dtype=np.float32) * factor
        return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))

    return f


TRANSFORMS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "jpeg q10": _jpeg(10),
    "jpeg q30": _jpeg(30),
    "jpeg q50": _jpeg(50),
    "jpeg q70": _jpeg(70),
    "jpeg q90": _jpeg(90),
    "resize 50%": lambda im: im.resize(
        (max(1, im.width // 2), max(1, im.height // 2)), Image.Resampling.BILINEAR
    ),
    "crop 10%": _crop,
    "rotate 90°": lambda im: im.transpose(Image.Transpose.ROTATE_90),
    "mirror": lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    "caption bar": _caption,
    "brightness +30%": _brightness(1.3),
    "brightness -30%": _brightness(0.7),
}


def _crop_box(
    left: float, top: float, right: float, bottom: float
) -> Callable[[Image.Image], Image.Image]:
    def f(img: Image.Image) -> Image.Image:
        w, h = img.size
        return img.crop((int(w * left), int(h * top), w - int(w * right), h - int(h * bottom)))

    return f


def _caption_of(share: float) -> Callable[[Image.Image], Image.Image]:
    def f(img: Image.Image) -> Image.Image:
        w, h = img.size
        bar = max(12, int(h * share))
        out = img.copy()
        draw = ImageDraw.Draw(out)
        draw.rectangle((0, h - bar, w, h), fill=(0, 0, 0))
        draw.text((8, h - bar + 2), "BREAKING: shared from channel @example", fill=(255, 255, 255))
        return out

    return f


#: Edits *outside* the goal's twelve, whose geometry differs from the banked crops
#: (signals.pdq.CROPS): how far derived crops carry beyond the exact shapes they bank.
EXTRA: dict[str, Callable[[Image.Image], Image.Image]] = {
    "crop 10% off-centre": _crop_box(0.10, 0.10, 0.0, 0.0),
    "crop 6%": _crop_box(0.03, 0.03, 0.03, 0.03),
    "caption bar 15%": _caption_of(0.15),
}


def png_bytes(img: Image.Image) -> bytes:
    """Lossless bytes of an image (BMP: no compression cost; the pixels are what is hashed)."""
    buf = io.BytesIO()
    img.save(buf, "BMP")
    return buf.getvalue()
