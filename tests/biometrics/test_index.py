"""The fast 1:N indexes return what the naive exact references return."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ctnode.biometrics.fingerprint import load_engine
from ctnode.biometrics.images import decode_image
from ctnode.biometrics.index import (
    FastFaceIndex,
    FastFingerprintIndex,
    NaiveFaceIndex,
    NaiveFingerprintIndex,
)


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def _gallery(n: int, dim: int = 128, seed: int = 0) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    return [f"t{i}" for i in range(n)], _unit(rng.standard_normal((n, dim)))


def _mate(v: np.ndarray, cos: float, rng: np.random.Generator) -> np.ndarray:
    """A vector at cosine ``cos`` from ``v`` (a synthetic 'same person')."""
    noise = rng.standard_normal(v.shape).astype(np.float32)
    noise -= noise.dot(v) * v
    noise /= np.linalg.norm(noise)
    return _unit(cos * v + np.sqrt(1 - cos**2) * noise)


def test_scan_mode_equals_naive_including_removals() -> None:
    ids, vecs = _gallery(3000)
    fast, naive = FastFaceIndex(128, ivf_min=10_000), NaiveFaceIndex()
    fast.add(ids, vecs)
    naive.add(ids, vecs)
    gone = ids[::7]
    fast.remove(gone)
    naive.remove(gone)
    assert len(fast) == len(naive) == 3000 - len(gone)
    rng = np.random.default_rng(5)
    for i in range(1, 3000, 211):
        q = _mate(vecs[i], 0.6, rng)
        a = fast.search(q, k=10, min_score=0.05)
        b = naive.search(q, k=10, min_score=0.05)
        assert [c.template_id for c in a] == [c.template_id for c in b]
        assert np.allclose([c.score for c in a], [c.score for c in b], atol=1e-5)
    assert fast.mode == "scan"


def test_ivf_mode_returns_only_naive_candidates_with_exact_scores() -> None:
    ids, vecs = _gallery(6000, seed=2)
    fast, naive = FastFaceIndex(128, ivf_min=2000, nprobe=24), NaiveFaceIndex()
    fast.add(ids, vecs)
    naive.add(ids, vecs)
    assert fast.mode == "ivf"
    rng = np.random.default_rng(9)
    found = 0
    for t in rng.choice(6000, size=20, replace=False):
        q = _mate(vecs[t], 0.8, rng)
        expected = {c.template_id: c.score for c in naive.search(q, k=5, min_score=0.40)}
        got = {c.template_id: c.score for c in fast.search(q, k=5, min_score=0.40)}
        assert expected == pytest.approx(expected | got, abs=1e-5)  # nothing the naive lacks
        assert set(got) <= set(expected)
        found += ids[t] in got
    assert found >= 18  # recall of close mates on uniform synthetic data (worst case for IVF)


def test_re_adding_an_id_replaces_its_vector() -> None:
    ids, vecs = _gallery(10)
    fast = FastFaceIndex(128)
    fast.add(ids, vecs)
    fast.add(["t3"], vecs[4:5])
    hits = fast.search(vecs[4], k=2, min_score=0.99)
    assert {c.template_id for c in hits} == {"t3", "t4"} and len(fast) == 10


@pytest.mark.usefixtures("nbis")
def test_fast_fingerprint_index_equals_naive(bio_data: Path) -> None:
    eng = load_engine()
    names = [f"{f}_{i}" for f in range(1, 5) for i in (1, 2, 3)]
    tpls = [
        eng.extract(
            decode_image(
                (bio_data / "fingerprints" / f"{n}.png").read_bytes(), max_pixels=10**8, mode="L"
            )
        )
        for n in names
    ]
    fast, naive = FastFingerprintIndex(), NaiveFingerprintIndex(eng)
    fast.add(names, tpls)
    naive.add(names, tpls)
    fast.remove(["2_2"])
    naive.remove(["2_2"])
    for probe in tpls[::4]:
        a = fast.search(probe, k=6, min_score=0)
        b = naive.search(probe, k=6, min_score=0)
        assert [(c.template_id, c.score) for c in a] == [(c.template_id, c.score) for c in b]
