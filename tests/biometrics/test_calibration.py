"""Per-search calibration: thresholds grow with the gallery; a peer probe hits only at match."""

from __future__ import annotations

import numpy as np
import pytest

from ctnode.biometrics.calibration import (
    ImpostorModel,
    calibration_for,
    for_gallery,
    impostor_model,
)

SFACE = "sface-2021dec-int8bq:abc"
NBIS = "nbis-mindtct-lfsv2"


def test_thresholds_rise_with_gallery_size_and_never_fall_below_per_comparison() -> None:
    base = calibration_for("face", SFACE, default_match=0.4)
    small, mid, big = (for_gallery(base, n) for n in (1, 1_000, 1_000_000))
    assert small.possible >= base.possible and small.match >= base.match
    assert small.possible < mid.possible < big.possible
    assert mid.match > mid.possible
    rates = mid.expected_false_alarms()
    assert rates is not None and rates["possible"] <= 0.0101 and rates["match"] <= 0.000101


def test_per_search_false_alarm_matches_simulation() -> None:
    """The formula 1-(1-p)^n against searches of simulated impostor scores from the model."""
    model = ImpostorModel("normal", mu=0.12, sigma=0.09)
    base = calibration_for("face", "some-model:1", default_match=0.3)
    cal = for_gallery(base, 1000, impostor=model)
    rng = np.random.default_rng(0)
    best = (rng.normal(0.12, 0.09, size=(20_000, 1000))).max(axis=1)
    share = float((best >= cal.possible).mean())
    assert 0.006 <= share <= 0.014  # 1% by construction, sampling error aside


def test_old_per_comparison_bands_flag_most_searches_of_a_few_hundred_faces() -> None:
    """Why this exists: at 0.30 per comparison, a gallery of 500 strangers is almost always 'possible'."""
    model = impostor_model(SFACE)
    assert model is not None
    assert model.search_false_alarm(0.30, 500) > 0.9
    cal = for_gallery(calibration_for("face", SFACE, default_match=0.4), 500)
    assert model.search_false_alarm(cal.possible, 500) <= 0.0101


def test_a_peer_probe_answers_hit_only_at_match() -> None:
    cal = for_gallery(calibration_for("face", SFACE, default_match=0.4), 1_000)
    between = (cal.possible + cal.match) / 2
    assert cal.decide(between) == "possible" and not cal.peer_hit(between)
    assert cal.peer_hit(cal.match)
    explained = cal.explain(between)
    assert explained["gallery_size"] == 1_000 and "impostor_model" in explained
    assert explained["per_comparison_thresholds"]["match"] == 0.40


def test_fingerprint_thresholds_for_sixteen_prints_exceed_the_old_forty() -> None:
    """1 false match in 1,680 non-mate comparisons at 40 with 16 enrolled: calibrated above it."""
    base = calibration_for("fingerprint", NBIS, default_match=40.0)
    cal = for_gallery(base, 16)
    assert cal.possible > 40 and cal.match > cal.possible
    model = impostor_model(NBIS)
    assert model is not None and model.search_false_alarm(40.0, 16) > 0.01


def test_an_unmeasured_model_keeps_its_per_comparison_thresholds() -> None:
    base = calibration_for("face", "onnx:mine.onnx:123", default_match=0.5)
    cal = for_gallery(base, 10_000)
    assert (cal.match, cal.possible) == (base.match, base.possible)
    assert cal.expected_false_alarms() is None
    assert "no impostor model" in cal.explain(0.6)["calibration"]


@pytest.mark.parametrize("p", [1e-2, 1e-5, 1e-9])
def test_tail_inversion(p: float) -> None:
    for model in (impostor_model(SFACE), impostor_model(NBIS)):
        assert model is not None
        t = model.threshold_for_tail(p)
        assert model.tail(t) == pytest.approx(p, rel=1e-3)


@pytest.mark.slow
def test_thousand_identity_galleries_keep_false_possibles_under_one_percent(bio_data) -> None:  # type: ignore[no-untyped-def]
    """The issue's check, on real photos plus synthetic identities (bench/biometrics/calibrate.py)."""
    from bench.biometrics.calibrate import bench_faces

    out = bench_faces(galleries=20, gallery_size=1000)
    check = out["gallery_check"]
    assert check["impostor_searches"] >= 1000
    assert check["share_possible"] <= 0.01
    assert check["answered_match_peer_hit"] == 0
    assert check["genuine_rank1"] == check["genuine_searches"]
    # the synthetic identities score against the real photos like real impostors do
    assert out["synthetic"]["ks_all"] < 0.06
