"""The fast 1:N indexes return what the naive exact references return."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ctnode.biometrics.fingerprint import load_engine
from ctnode.biometrics.fingerprint_index import FastFingerprintIndex, NaiveFingerprintIndex
from ctnode.biometrics.images import decode_image
from ctnode.biometrics.index import FastFaceIndex, NaiveFaceIndex


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


# -- in-place updates, versions, persistence ----------------------------------------------------


def test_enrol_and_delete_change_the_index_in_place_and_bump_its_version() -> None:
    ids, vecs = _gallery(500, seed=3)
    index = FastFaceIndex(128)
    index.add(ids, vecs)
    v0 = index.version
    index.add(["new"], vecs[7:8])
    assert index.version == v0 + 1
    assert {c.template_id for c in index.search(vecs[7], k=5, min_score=0.99)} == {"t7", "new"}
    index.remove(["t7", "not-there"])
    assert index.version == v0 + 2 and len(index) == 500
    assert [c.template_id for c in index.search(vecs[7], k=5, min_score=0.99)] == ["new"]


def test_exact_at_any_threshold_and_many_candidates() -> None:
    """Every template at or above ``min_score`` is found, however many there are (no top-k cut)."""
    rng = np.random.default_rng(11)
    centre = _unit(rng.standard_normal(128))
    close = np.stack([_mate(centre, float(rng.uniform(0.47, 0.9)), rng) for _ in range(600)])
    ids, far = _gallery(2000, seed=12)
    fast, naive = FastFaceIndex(128), NaiveFaceIndex()
    for idx in (fast, naive):
        idx.add(ids, far)
        idx.add([f"c{i}" for i in range(600)], close)
    a = fast.search(centre, k=1000, min_score=0.45)
    b = naive.search(centre, k=1000, min_score=0.45)
    assert len(b) >= 590
    assert [c.template_id for c in a] == [c.template_id for c in b]
    assert np.allclose([c.score for c in a], [c.score for c in b], atol=1e-5)


def test_saved_index_loads_memory_mapped_and_searches_the_same(tmp_path: Path) -> None:
    ids, vecs = _gallery(3000, seed=4)
    index = FastFaceIndex(128)
    index.add(ids, vecs)
    index.remove(ids[::5])
    index.stamp = "store-generation-42"
    folder = tmp_path / "face-index"
    index.save(folder)
    assert (folder / "manifest.json").stat().st_mode & 0o077 == 0
    loaded = FastFaceIndex.load(folder)
    assert isinstance(loaded._base, np.memmap)
    assert len(loaded) == len(index) and loaded.stamp == "store-generation-42"
    assert loaded.version == index.version
    rng = np.random.default_rng(8)
    for i in range(1, 3000, 97):
        q = _mate(vecs[i], 0.6, rng)
        a = [(c.template_id, round(c.score, 5)) for c in index.search(q, k=10, min_score=0.1)]
        b = [(c.template_id, round(c.score, 5)) for c in loaded.search(q, k=10, min_score=0.1)]
        assert a == b


def test_another_process_sees_changes_through_the_journal(tmp_path: Path) -> None:
    ids, vecs = _gallery(200, seed=5)
    folder = tmp_path / "idx"
    writer = FastFaceIndex(128)
    writer.add(ids, vecs)
    writer.save(folder)
    writer.attach(folder)
    reader = FastFaceIndex.load(folder)  # e.g. the server, loaded before the CLI's enrolment
    assert reader.refresh() is False  # nothing new: one stat
    extra = _gallery(1, seed=99)[1]
    writer.add(["enrolled-by-cli"], extra)
    writer.remove(["t3"])
    assert reader.refresh() is True
    assert [c.template_id for c in reader.search(extra[0], k=1, min_score=0.99)] == [
        "enrolled-by-cli"
    ]
    assert "t3" not in {c.template_id for c in reader.search(vecs[3], k=3, min_score=0.5)}
    later = FastFaceIndex.load(folder)  # a fresh process replays the journal on load
    assert len(later) == len(reader) == 200


def test_a_damaged_index_folder_is_refused_not_used(tmp_path: Path) -> None:
    from ctnode.biometrics.index_files import IndexFileError

    ids, vecs = _gallery(50)
    index = FastFaceIndex(128)
    index.add(ids, vecs)
    index.save(tmp_path / "idx")
    (tmp_path / "idx" / "codes.npy").write_bytes(b"garbage")
    with pytest.raises(IndexFileError):
        FastFaceIndex.load(tmp_path / "idx")
    with pytest.raises(IndexFileError):
        FastFaceIndex.load(tmp_path / "missing")


def test_a_template_that_clips_in_8_bits_is_still_found_exactly() -> None:
    """A component above 127/SCALE clips; such a template is re-scored at every search."""
    ids, vecs = _gallery(1000, seed=21)
    spike = np.zeros(128, dtype=np.float32)
    spike[0], spike[1] = 0.95, np.sqrt(1 - 0.95**2)
    fast, naive = FastFaceIndex(128), NaiveFaceIndex()
    for idx in (fast, naive):
        idx.add(ids, vecs)
        idx.add(["spike"], spike.reshape(1, -1))
    assert fast.eps < FastFaceIndex.EPS_CAP  # the outlier does not widen every search
    q = _unit(spike + 0.05 * np.random.default_rng(2).standard_normal(128).astype(np.float32))
    a = [c.template_id for c in fast.search(q, k=5, min_score=0.5)]
    assert a == [c.template_id for c in naive.search(q, k=5, min_score=0.5)] == ["spike"]
