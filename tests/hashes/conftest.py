"""Fixture strategy for the hashes engine: every image is generated here with numpy and Pillow
(seeded, so hashes are stable), videos with the ffmpeg command line when it is installed; no
network, no store. Formats are exercised on files the tests write, and read back by
python-threatexchange's own classes where it has them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ctnode.hashes.formats.common import record_id_for
from ctnode.hashes.model import Bank, HashRecord, Label, Provenance, SignalType
from ctnode.model.tlp import TLP

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def picture(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A textured, asymmetric picture: gradients, shapes and a little noise (PDQ quality 100)."""
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
    for _ in range(6):
        x0, y0 = int(rng.integers(0, w - 40)), int(rng.integers(0, h - 40))
        box = (x0, y0, x0 + int(rng.integers(20, 120)), y0 + int(rng.integers(20, 100)))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    return img


@pytest.fixture
def make_image(tmp_path: Path) -> Callable[..., Path]:
    def make(
        seed: int,
        name: str | None = None,
        transform: Callable[[Image.Image], Image.Image] | None = None,
    ) -> Path:
        img = picture(seed)
        if transform is not None:
            img = transform(img)
        path = tmp_path / (name or f"img-{seed}.png")
        img.save(path)
        return path

    return make


def record(
    bank: str,
    kind: SignalType,
    value: str,
    labels: frozenset[Label] = frozenset({Label.GLORIFICATION}),
    tlp: TLP = TLP.AMBER,
) -> HashRecord:
    return HashRecord(
        record_id=record_id_for(bank, kind, value),
        bank=bank,
        signal_type=kind,
        value=value,
        provenance=Provenance("local", "test-admin", NOW),
        labels=labels,
        tlp=tlp,
    )


@pytest.fixture
def bank() -> Bank:
    return Bank(name="CT_TEST")
