"""The face index rebuilt from the store in bulk (issue 11): every template of the model, across
pages, none of another model's, each opened with the node key and bound to its row."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import numpy as np
import pytest

from ctnode.biometrics.crypto import KeyError_
from ctnode.clock import utcnow
from ctnode.node import Node

E1 = "un_sc-DMe.001"
MODEL, OTHER, ENGINE, DIM = "bench-model:1", "bench-model:2", "bench-engine", 8


def _store(node: Node, vectors: np.ndarray, model: str, *, context: str | None = None) -> list[str]:
    key = node.biometrics.enrolment.key
    keep = date.today() + timedelta(days=30)
    samples, tpls, ids = [], [], []
    for vec in vectors:
        sid, tid = str(uuid.uuid4()), str(uuid.uuid4())
        samples.append({
            "id": sid, "entity_id": E1, "kind": "face", "source": "test", "legal_basis": "t",
            "provenance": {}, "note": "", "created_at": utcnow(), "created_by": "test",
            "retain_until": keep,
        })
        tpls.append({
            "id": tid, "sample_id": sid, "entity_id": E1, "modality": "face", "model_id": model,
            "engine": ENGINE, "dim": DIM, "retain_until": keep, "created_at": utcnow(),
            "template_ct": key.seal(vec.astype("<f4").tobytes(), context or f"template:{tid}"),
        })
        ids.append(tid)
    with node.store.begin() as conn:
        node.store.biometrics.insert_many(conn, "sample", samples)
        node.store.biometrics.insert_many(conn, "template", tpls)
    return ids


def _unit(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    unit: np.ndarray = v / np.linalg.norm(v, axis=1, keepdims=True)
    return unit


def test_rebuild_reads_every_page_of_the_model_and_nothing_else(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(type(node.store.biometrics), "PAGE", 7)
    mine = _unit(23, 1)
    ids = _store(node, mine[:10], MODEL)
    _store(node, _unit(9, 2), OTHER)  # interleaved with another model's rows
    ids += _store(node, mine[10:], MODEL)
    faces = node.biometrics.search.faces
    got_ids, got = faces.read_store(MODEL, ENGINE, DIM)
    assert sorted(got_ids) == sorted(ids) and got.shape == (23, DIM)
    by_id = dict(zip(ids, mine, strict=True))
    assert all(np.array_equal(got[i], by_id[t]) for i, t in enumerate(got_ids))
    index = faces.rebuild(MODEL, ENGINE, DIM)
    assert len(index) == 23
    for tid, vec in by_id.items():
        (best,) = index.search(vec, k=1, min_score=0.99)
        assert best.template_id == tid and best.score == pytest.approx(1.0, abs=1e-5)
    assert "23 templates" in faces.rebuilds[-1]


def test_a_template_sealed_for_another_row_stops_the_rebuild(node: Node) -> None:
    _store(node, _unit(3, 3), MODEL)
    _store(node, _unit(1, 4), MODEL, context="template:someone-else")
    with pytest.raises(KeyError_, match="belongs to another record"):
        node.biometrics.search.faces.read_store(MODEL, ENGINE, DIM)
