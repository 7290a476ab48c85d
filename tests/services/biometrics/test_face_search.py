"""Face search as the service wires it: every face of a probe, decisions per gallery size,
peer hits only at "match", refused searches audited, quality stored, and the 1:N index
updated in place, kept in files and shared between processes (issues 10 and 11)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from ctnode.biometrics.calibration import for_gallery
from ctnode.biometrics.errors import CorruptImage, SeveralFaces
from ctnode.biometrics.images import decode_image
from ctnode.errors import InvalidInput
from ctnode.model.access import Purpose
from ctnode.node import Node
from ctnode.services.biometrics.face_index import read_stamp
from ctnode.services.biometrics.types import EnrolRequest, ProbeTemplate
from ctnode.store.schema import audit_log
from tests.biometrics.kit import Material
from tests.conftest import ADMIN

P = Purpose(purpose="counter-terrorism screening", legal_basis="Act 12 s.4", case_ref="CASE-1")
E1, E2, E3 = "un_sc-DMe.001", "un_sc-DMe.002", "un_sc-DMe.003"


def _damaged(jpeg: bytes) -> bytes:
    """512 bytes of the coded data overwritten with zeros, in the middle of the file."""
    data = bytearray(jpeg)
    at = len(data) // 2
    data[at : at + 512] = bytes(512)
    return bytes(data)


def _audit(node: Node, event: str) -> list[dict[str, object]]:
    with node.store.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.detail).where(audit_log.c.event == event).order_by(audit_log.c.seq)
        )
        return [r[0] for r in rows]


def _crop_of_second_face(node: Node, data: bytes) -> bytes:
    """The second-largest face of a group photo, cut out (with a margin) as a JPEG."""
    image = decode_image(data, max_pixels=50_000_000, mode="RGB")
    faces = node.biometrics.engines.face.embed_all(image)
    assert len(faces) >= 2
    box = faces[1].face
    m = box.w // 2
    px = image.pixels[max(0, box.y - m) : box.y + box.h + m, max(0, box.x - m) : box.x + box.w + m]
    buf = io.BytesIO()
    Image.fromarray(px).save(buf, format="JPEG", quality=95)
    return buf.getvalue()


def test_every_face_of_a_group_photo_is_searched_and_named(node: Node, bio_files: Material) -> None:
    bio = node.biometrics
    group = bio_files.face("group")
    # the listed person is the smaller face of the photo
    bio.enrolment.enrol_face(ADMIN, EnrolRequest(E1, _crop_of_second_face(node, group), "basis"))
    bio.enrolment.enrol_face(ADMIN, EnrolRequest(E2, bio_files.face("a2"), "basis"))
    result = bio.search.face(ADMIN, group, P)
    assert len(result.faces) >= 2
    assert [f.number for f in result.faces] == list(range(1, len(result.faces) + 1))
    second = result.faces[1]
    assert second.face["box"]["w"] > 0 and second.face["quality"]["score"] > 0
    assert [c.entity_id for c in second.candidates][:1] == [E1]
    assert all(c.entity_id != E1 for c in result.faces[0].candidates)
    found = [c for c in result.candidates if c.entity_id == E1]
    assert found and found[0].face == 2 and found[0].explanation["face"] == 2
    wire = result.as_dict()
    assert wire["faces"][1]["face"] == 2 and wire["candidates"][0]["face"] in (1, 2)
    # only the largest face: the listed person is missed (what the node used to do)
    largest = bio.search.face(ADMIN, group, P, probe_faces="largest")
    assert len(largest.faces) == 1 and all(c.entity_id != E1 for c in largest.candidates)
    with pytest.raises(SeveralFaces):
        bio.search.face(ADMIN, group, P, probe_faces="refuse")
    details = _audit(node, "biometric.search")
    assert details[0]["faces"] == len(result.faces) and details[0]["gallery_size"] == 2


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def _at_cosine(target: np.ndarray, cos: float, seed: int = 0) -> np.ndarray:
    """A unit vector at cosine ``cos`` from unit ``target``."""
    rng = np.random.default_rng(seed)
    other = rng.standard_normal(target.size).astype(np.float32)
    other = _unit(other - (other @ target) * target)
    return _unit(cos * target + np.sqrt(1 - cos * cos) * other)


def test_decisions_follow_the_gallery_size_and_peers_get_hit_only_at_match(
    node: Node, bio_files: Material
) -> None:
    bio = node.biometrics
    bio.enrolment.enrol_face(ADMIN, EnrolRequest(E1, bio_files.face("a1"), "basis"))
    emb = bio.engines.face
    index = bio.search.faces.get(emb.model_id, emb.engine, emb.dim)
    (tid,) = list(index._rows)
    target = np.asarray(index._exact(np.asarray([0]))[0])
    # a few hundred enrolled faces (synthetic templates, as the bench makes them)
    rng = np.random.default_rng(7)
    noise = np.stack([_unit(x) for x in rng.standard_normal((299, emb.dim))])
    bio.search.faces.added(emb.model_id, emb.engine, [f"syn-{i}" for i in range(299)], noise)
    cal = for_gallery(bio.engines.calibration("face"), 300)
    assert cal.possible > bio.engines.calibration("face").possible
    between = (cal.possible + cal.match) / 2
    probe_possible = _at_cosine(target, between)
    probe_match = _at_cosine(target, min(0.99, cal.match + 0.05), seed=1)

    result = bio.search.face_vector(ADMIN, probe_possible, P, k=5, model_id=emb.model_id,
                                    engine=emb.engine)
    assert result.searched == 300 and result.calibration["gallery_size"] == 300
    assert result.candidates[0].decision == "possible"
    assert result.candidates[0].explanation["possible_threshold"] == pytest.approx(
        cal.possible, abs=1e-4)

    def probe(vec: np.ndarray) -> ProbeTemplate:
        return ProbeTemplate("face", emb.model_id, emb.engine, vec.astype("<f4").tobytes())

    answer = bio.exchange.answer(probe(probe_possible), P, requester="node-B")
    assert answer.hit is False and answer.reference is None and answer.band == "no match"
    answer = bio.exchange.answer(probe(probe_match), P, requester="node-B")
    assert answer.hit is True and answer.band == "match" and answer.reference
    probes = _audit(node, "biometric.probe")
    assert probes[0]["hit"] is False and probes[0]["best_band"] == "possible"
    assert tid  # the real template stayed in the index beside the synthetic ones


def test_refused_searches_are_audited(node: Node, bio_files: Material) -> None:
    bio = node.biometrics
    with pytest.raises(InvalidInput, match="purpose and a legal basis"):
        bio.search.face(ADMIN, bio_files.face("a2"), Purpose())
    with pytest.raises(CorruptImage):
        bio.search.face(ADMIN, _damaged(bio_files.face("a2")), P)
    refused = _audit(node, "biometric.search.refused")
    assert [r["error"] for r in refused] == ["invalid_input", "corrupt_image"]
    assert _audit(node, "biometric.search") == []


def test_enrolment_stores_and_shows_the_measured_quality(node: Node, bio_files: Material) -> None:
    bio = node.biometrics
    result = bio.enrolment.enrol_face(ADMIN, EnrolRequest(E1, bio_files.face("a1"), "b"))
    assert result.quality_detail is not None
    assert result.quality == result.quality_detail["score"]
    assert set(result.quality_detail["components"]) >= {"sharpness", "inter_eye_distance", "yaw"}
    (row,) = bio.enrolment.list_samples(ADMIN, E1)
    assert row["quality"] == result.quality
    assert row["provenance"]["quality"]["components"]["sharpness"]["native"] > 0
    assert result.as_dict()["quality_detail"]["method"].startswith("ctnode face quality")


def test_damaged_image_is_refused_with_its_reason_and_nothing_stored(
    node: Node, bio_files: Material
) -> None:
    bio = node.biometrics
    data = _damaged(bio_files.face("a1"))
    before = node.store.biometrics.count_rows()
    with pytest.raises(CorruptImage) as err:
        bio.enrolment.enrol_face(ADMIN, EnrolRequest(E1, data, "basis"))
    # the file is whole (it ends with its EOI marker): damaged, not "truncated"
    assert err.value.code == "corrupt_image" and "damaged" in err.value.message
    assert node.store.biometrics.count_rows() == before
    assert _audit(node, "biometric.import.failed")[-1]["error"] == "corrupt_image"


def test_the_index_is_updated_in_place_and_kept_in_files(
    node: Node, bio_files: Material, tmp_path: Path
) -> None:
    bio = node.biometrics
    faces = bio.search.faces
    r1 = bio.enrolment.enrol_face(ADMIN, EnrolRequest(E1, bio_files.face("a1"), "b"))
    assert bio.search.face(ADMIN, bio_files.face("a2"), P).candidates[0].entity_id == E1
    assert len(faces.rebuilds) == 1 and "not built yet" in faces.rebuilds[0]
    emb = bio.engines.face
    index = faces.get(emb.model_id, emb.engine, emb.dim)
    version = index.version
    # an enrolment goes into the held index in place: no rebuild, the version moves on
    r2 = bio.enrolment.enrol_face(ADMIN, EnrolRequest(E2, bio_files.face("b"), "b"))
    assert faces.get(emb.model_id, emb.engine, emb.dim) is index
    assert index.version > version and len(index) == 2 and r2.template_id in index._rows
    folder = faces.folder(emb.model_id, emb.engine)
    assert read_stamp(folder) == node.store.biometrics.template_version(
        "face", emb.model_id, emb.engine) == 2
    # so is a deletion
    bio.enrolment.delete_sample(ADMIN, r1.sample_id, "correction")
    assert len(index) == 1 and r1.template_id not in index._rows
    assert all(c.entity_id != E1
               for c in bio.search.face(ADMIN, bio_files.face("a2"), P).candidates)
    assert len(faces.rebuilds) == 1

    # another process on the same data (the CLI beside a server) opens the files: no rebuild
    other = Node(node.settings)
    try:
        found = other.biometrics.search.face(ADMIN, bio_files.face("b"), P)
        assert found.candidates[0].entity_id == E2
        assert other.biometrics.search.faces.rebuilds == []
        # it enrols; the first process sees it at its next search (journal), still no rebuild
        r3 = other.biometrics.enrolment.enrol_face(
            ADMIN, EnrolRequest(E3, bio_files.face("a1"), "b"))
    finally:
        other.close()
    again = bio.search.face(ADMIN, bio_files.face("a2"), P)
    assert again.candidates[0].entity_id == E3 and again.searched == 2
    assert r3.template_id in index._rows and len(faces.rebuilds) == 1


def test_a_stale_or_damaged_index_is_rebuilt_and_said_so(node: Node, bio_files: Material) -> None:
    bio = node.biometrics
    bio.enrolment.enrol_face(ADMIN, EnrolRequest(E1, bio_files.face("a1"), "b"))
    emb = bio.engines.face
    bio.search.faces.get(emb.model_id, emb.engine, emb.dim)
    folder = bio.search.faces.folder(emb.model_id, emb.engine)
    (folder / "codes.npy").write_bytes(b"garbage")

    def fresh_search() -> list[str]:
        other = Node(node.settings)
        try:
            cands = other.biometrics.search.face(ADMIN, bio_files.face("a2"), P).candidates
            assert cands[0].entity_id == E1
            return other.biometrics.search.faces.rebuilds
        finally:
            other.close()

    (line,) = fresh_search()
    assert "unreadable" in line and "1 templates" in line
    assert fresh_search() == []  # the rebuilt files are used as they are
    # a template the files never heard of (a process that died before its journal entry)
    (folder / "stamp.json").write_text('{"version": 0}')
    (line,) = fresh_search()
    assert "out of date" in line


def test_a_search_asks_the_store_nothing_about_staleness(node: Node, bio_files: Material) -> None:
    bio = node.biometrics
    bio.enrolment.enrol_face(ADMIN, EnrolRequest(E1, bio_files.face("a1"), "b"))
    emb = bio.engines.face
    probe = bio.engines.face.embed(decode_image(bio_files.face("a2"), max_pixels=10**8,
                                                mode="RGB")).vector
    bio.search.face_vector(None, probe, P, k=5, model_id=emb.model_id, engine=emb.engine)
    calls: list[str] = []
    rows = node.store.biometrics
    for name in ("template_version", "count_templates", "generation", "iter_templates"):
        original = getattr(rows, name)

        def spy(*a: object, _n: str = name, _o: object = original, **kw: object) -> object:
            calls.append(_n)
            return _o(*a, **kw)  # type: ignore[operator]

        setattr(rows, name, spy)
    for _ in range(5):
        bio.search.face_vector(None, probe, P, k=5, model_id=emb.model_id, engine=emb.engine)
    assert calls == []


def test_the_index_job_catches_another_hosts_changes(node: Node, bio_files: Material) -> None:
    """A template written by another host (no journal here) is picked up by the job's check."""
    bio = node.biometrics
    r1 = bio.enrolment.enrol_face(ADMIN, EnrolRequest(E1, bio_files.face("a1"), "b"))
    emb = bio.engines.face
    index = bio.search.faces.get(emb.model_id, emb.engine, emb.dim)
    assert node.jobs.run("biometric-index", ADMIN) == []  # nothing changed: no rebuild
    # another host deletes the sample straight in the shared store
    with node.store.begin() as conn:
        node.store.biometrics.delete_samples(conn, [r1.sample_id])
    assert len(index) == 1  # this host has not heard of it
    (line,) = node.jobs.run("biometric-index", ADMIN)  # type: ignore[misc]
    assert "the store changed" in line
    assert len(bio.search.faces.get(emb.model_id, emb.engine, emb.dim)) == 0
