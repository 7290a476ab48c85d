"""Face quality: ISO/IEC 29794-5-style components, each measured, combined into one score."""

from __future__ import annotations

import numpy as np
import pytest

from ctnode.biometrics.quality import WEIGHTS, Landmarks, assess
from tests.biometrics.kit import Material


def _face_crop(seed: int = 0, *, blur: bool = False, level: float = 128.0) -> np.ndarray:
    """A 112×112 crop with face-like structure: edges (eyes, mouth) on a shaded oval."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:112, 0:112]
    img = level + 40 * np.cos((xx - 56) / 20.0) * np.cos((yy - 56) / 25.0)
    img[38:46, 30:46] -= 80  # eyes
    img[38:46, 66:82] -= 80
    img[80:86, 40:72] -= 60  # mouth
    img += rng.normal(0, 6, size=img.shape)
    if blur:
        for _ in range(12):  # repeated box blur ≈ a wide Gaussian
            img = (
                np.roll(img, 1, 0)
                + np.roll(img, -1, 0)
                + np.roll(img, 1, 1)
                + img * 2
                + np.roll(img, -1, 1)
            ) / 6
    return np.clip(img, 0, 255).astype(np.uint8)


FRONTAL = Landmarks((100.0, 100.0), (180.0, 100.0), (140.0, 140.0), (110.0, 180.0), (170.0, 180.0))


def test_components_and_score_are_reported() -> None:
    q = assess(FRONTAL, _face_crop(), detector_score=0.92)
    assert set(q.components) == set(WEIGHTS)
    assert q.components["inter_eye_distance"].native == pytest.approx(80.0)
    assert abs(q.components["yaw"].native) < 1 and abs(q.components["roll"].native) < 1
    assert 0 <= q.score <= 100 and q.score > 80
    shown = q.as_dict()
    assert shown["components"]["inter_eye_distance"]["unit"] == "pixels"
    assert "29794-5" in shown["method"]


def test_blur_lowers_sharpness_and_the_score() -> None:
    sharp = assess(FRONTAL, _face_crop(), detector_score=0.92)
    blurred = assess(FRONTAL, _face_crop(blur=True), detector_score=0.92)
    assert blurred.components["sharpness"].native < sharp.components["sharpness"].native / 4
    assert blurred.score < sharp.score - 10
    assert any("sharpness" in w for w in blurred.warnings)


def test_small_face_turned_head_and_dark_image_are_named() -> None:
    small = Landmarks((100.0, 100.0), (118.0, 100.0), (109.0, 110.0))
    assert (
        assess(small, _face_crop(), detector_score=0.9).components["inter_eye_distance"].value == 0
    )
    turned = Landmarks((100.0, 100.0), (160.0, 100.0), (160.0, 140.0))  # nose under one eye
    q = assess(turned, _face_crop(), detector_score=0.9)
    assert abs(q.components["yaw"].native) > 40 and any("yaw" in w for w in q.warnings)
    rolled = Landmarks((100.0, 100.0), (170.0, 140.0), (130.0, 150.0))
    assert assess(rolled, _face_crop(), detector_score=0.9).components["roll"].native == (
        pytest.approx(29.7, abs=0.5)
    )
    dark = assess(FRONTAL, _face_crop(level=15.0), detector_score=0.9)
    assert dark.components["exposure"].value < 40 and dark.score < 80


def test_real_photos_score_well_and_blur_is_seen(bio_files: Material) -> None:
    import cv2

    from ctnode.biometrics.face import load_embedder
    from ctnode.biometrics.images import DecodedImage, decode_image

    emb = load_embedder("sface")
    img = decode_image(
        bio_files.face("a1"),
        max_pixels=50_000_000,
        mode="RGB",
    )
    clean = emb.embed(img)
    assert clean.quality is not None and clean.quality.score > 90
    sigma = 15 * img.width / 1382  # 15 pixels on the 1,382-pixel-wide deepface photo
    blurred_px = np.ascontiguousarray(cv2.GaussianBlur(img.pixels, (0, 0), sigma))
    blurred = emb.embed(DecodedImage(blurred_px, img.width, img.height, "JPEG"))
    assert blurred.quality is not None and blurred.quality.score < clean.quality.score - 30
