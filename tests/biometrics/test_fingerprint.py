"""NBIS minutiae: extraction, genuine vs impostor scores, poor prints refused."""

from __future__ import annotations

import numpy as np
import pytest

from ctnode.biometrics.errors import PoorPrint
from ctnode.biometrics.fingerprint import MIN_MINUTIAE, Minutiae, NbisEngine, load_engine
from ctnode.biometrics.images import DecodedImage, decode_image
from tests.biometrics.kit import Material

pytestmark = pytest.mark.usefixtures("nbis")


def _print(bio_files: Material, finger: int, impression: int = 1) -> DecodedImage:
    return decode_image(bio_files.finger(finger, impression), max_pixels=10**8, mode="L")


def test_genuine_pair_beats_threshold_impostor_does_not(bio_files: Material) -> None:
    eng: NbisEngine = load_engine()
    a, b, c = (eng.extract(_print(bio_files, *n)) for n in ((3, 1), (3, 2), (2, 1)))
    assert len(a) >= MIN_MINUTIAE
    assert eng.compare(a, b) >= eng.default_threshold
    assert eng.compare(a, c) < eng.default_threshold


def test_template_bytes_round_trip(bio_files: Material) -> None:
    eng = load_engine()
    m = eng.extract(_print(bio_files, 4, 2))
    back = Minutiae.from_bytes(m.to_bytes(), model_id=m.model_id, engine=m.engine)
    assert np.array_equal(back.points, m.points) and (back.width, back.height) == (
        m.width,
        m.height,
    )
    assert eng.compare(m, back) == eng.compare(m, m)


@pytest.mark.parametrize("fill", ["blank", "noise"])
def test_poor_print_is_refused(fill: str) -> None:
    rng = np.random.default_rng(0)
    px = (
        np.full((300, 300), 255, dtype=np.uint8)
        if fill == "blank"
        else rng.integers(0, 255, size=(300, 300), dtype=np.uint8)
    )
    with pytest.raises(PoorPrint) as err:
        load_engine().extract(DecodedImage(px, 300, 300, "RAW"))
    assert "minutiae" in err.value.message
