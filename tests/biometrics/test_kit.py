"""The bundled biometric kit keeps what kit.py promises: the tests that use it rely on it."""

from __future__ import annotations

import itertools

import pytest

from ctnode.biometrics import ansi_nist
from ctnode.biometrics.images import decode_image
from tests.biometrics import kit


@pytest.mark.usefixtures("nbis")
def test_synthetic_prints_match_their_own_finger_only() -> None:
    from ctnode.biometrics.fingerprint import load_engine

    eng = load_engine()

    def template(n: int, impression: int):  # type: ignore[no-untyped-def]
        return eng.extract(decode_image(kit.finger(n, impression), max_pixels=10**7, mode="L"))

    first = {n: template(n, 1) for n in range(1, kit.FINGERS + 1)}
    second = {n: template(n, 2) for n in range(1, kit.FINGERS + 1)}
    assert all(len(t) >= 60 for t in first.values())
    for n in first:
        assert eng.compare(first[n], second[n]) > 200
    for a, b in itertools.permutations(first, 2):
        assert eng.compare(first[a], second[b]) < 30, (a, b)
        assert eng.compare(first[a], first[b]) < 30, (a, b)


def test_every_kit_transaction_parses_and_says_what_it_holds() -> None:
    for name in kit.AN2:
        reading = ansi_nist.read(kit.an2(name), max_pixels=50_000_000)
        assert reading.transaction.tcn == "KIT-1"
        assert reading.keeps_nothing == (kit.AN2[name][0] == "nothing"), name


def test_material_without_the_shared_folder_is_the_kit() -> None:
    material = kit.Material(None)
    assert material.source == "kit"
    assert material.face("a1") == kit.face("a1") and material.an2("slaps") == kit.an2("slaps")
    width, height = material.wsq()[1]
    assert (width, height) == (280, 320)
