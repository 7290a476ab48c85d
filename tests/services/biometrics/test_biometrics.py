"""The biometric service on a real node (SQLite and PostgreSQL): rules, storage, search, probes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from ctnode.biometrics import ansi_nist
from ctnode.biometrics.errors import MalformedNist, ModelMismatch, NotAnImage
from ctnode.errors import Forbidden, InvalidInput, NotFound
from ctnode.model.access import Actor, Purpose
from ctnode.node import Node
from ctnode.services.biometrics.types import EnrolRequest, ProbeTemplate
from ctnode.store import schema_biometrics as tb
from ctnode.store.schema import audit_log
from tests.biometrics.kit import Material
from tests.conftest import ADMIN, ANALYST

pytestmark = pytest.mark.usefixtures("nbis")

P = Purpose(purpose="counter-terrorism screening", legal_basis="Act 12 s.4", case_ref="CASE-1")
E1, E2, E3 = "un_sc-DMe.001", "un_sc-DMe.002", "un_sc-DMe.003"


def _counts(node: Node) -> dict[str, int]:
    return node.store.biometrics.count_rows()


def _events(node: Node, prefix: str = "biometric.") -> list[str]:
    with node.store.engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.event).order_by(audit_log.c.seq))
        return [r[0] for r in rows if r[0].startswith(prefix)]


def test_enrol_and_search_faces_with_calibrated_decisions(node: Node, bio_files: Material) -> None:
    bio = node.biometrics
    r1 = bio.enrolment.enrol_face(ADMIN, EnrolRequest(E1, bio_files.face("a1"), "Act 12 s.4"))
    bio.enrolment.enrol_face(ADMIN, EnrolRequest(E2, bio_files.face("b"), "Act 12 s.4"))
    assert r1.template_id and r1.model_id and r1.model_id.startswith("sface")
    result = bio.search.face(ADMIN, bio_files.face("a2"), P)  # same person as img1
    assert result.candidates[0].entity_id == E1
    top = result.candidates[0]
    assert top.decision == "match" and top.list_reference == "DMe.001"
    # decisions are calibrated for this search's gallery (2 templates), above the pairwise 0.40
    assert top.explanation["gallery_size"] == 2 == result.searched
    assert top.explanation["per_comparison_thresholds"]["match"] == pytest.approx(0.40)
    assert top.explanation["match_threshold"] == result.calibration["match"] > 0.40
    assert top.explanation["model_id"] == r1.model_id
    assert all(
        c.entity_id != E2 for c in result.candidates
    )  # a different person is not a candidate
    assert _events(node) == ["biometric.enrol", "biometric.enrol", "biometric.search"]
    # stored encrypted: the raw JPEG bytes are nowhere in the row
    with node.store.engine.connect() as conn:
        ct = conn.execute(select(tb.biometric_samples.c.image_ct)).scalars().first()
    assert ct is not None and b"JFIF" not in ct


def test_group_photo_note_and_refusal(node: Node, bio_files: Material) -> None:
    bio = node.biometrics
    req = EnrolRequest(E1, bio_files.face("group"), "basis")
    assert "used the largest" in bio.enrolment.enrol_face(ADMIN, req).note
    from ctnode.biometrics.errors import SeveralFaces

    with pytest.raises(SeveralFaces):
        bio.enrolment.enrol_face(ADMIN, replace(req, multiple_faces="refuse"))


def test_only_biometric_roles_and_flagged_keys(node: Node, bio_files: Material) -> None:
    bio = node.biometrics
    req = EnrolRequest(E1, bio_files.face("a1"), "basis")
    with pytest.raises(Forbidden):
        bio.enrolment.enrol_face(ANALYST, req)
    with pytest.raises(Forbidden):
        bio.search.face(ANALYST, bio_files.face("a2"), P)
    assert _events(node) == ["biometric.denied", "biometric.denied"]
    flagged = Actor(name="bio-analyst", role="analyst", biometric=True)
    assert bio.enrolment.enrol_face(flagged, req).template_id
    with pytest.raises(InvalidInput, match="purpose and a legal basis"):
        bio.search.face(flagged, bio_files.face("a2"), Purpose())


def test_bad_input_stores_nothing(node: Node, bio_files: Material) -> None:
    bio = node.biometrics
    before = _counts(node)
    with pytest.raises(NotAnImage):
        bio.enrolment.enrol_face(ADMIN, EnrolRequest(E1, b"not an image at all" * 10, "basis"))
    from ctnode.biometrics.errors import NoFace, PoorPrint

    with pytest.raises(NoFace):
        bio.enrolment.enrol_face(ADMIN, EnrolRequest(E1, bio_files.finger(1), "basis"))
    with pytest.raises(PoorPrint):
        blank = bio_files.face("a1")
        bio.enrolment.enrol_fingerprint(ADMIN, EnrolRequest(E1, blank, "basis", position=1))
    with pytest.raises(NotFound):
        bio.enrolment.enrol_face(ADMIN, EnrolRequest("no-such-entity", bio_files.face("a1"), "b"))
    whole = bio_files.an2("minutiae-and-print")
    refused = whole[: len(whole) // 2]
    with pytest.raises(MalformedNist, match="truncated"):
        bio.enrolment.import_ansi_nist(ADMIN, refused, entity_id=E1, legal_basis="basis")
    assert _counts(node) == before
    assert _events(node).count("biometric.import.failed") == 4


def test_ansi_nist_import_search_and_export(node: Node, bio_files: Material) -> None:
    bio = node.biometrics
    data = bio_files.an2("minutiae-and-print")
    result = bio.enrolment.import_ansi_nist(ADMIN, data, entity_id=E3, legal_basis="Act 12 s.4")
    kinds = sorted((e.kind, e.template_id is not None) for e in result.enrolled)
    assert kinds == [("fingerprint", True), ("minutiae", False)]
    # A probe made from the same record finds the entity.
    found, _ = ansi_nist.samples(ansi_nist.parse(data), max_pixels=50_000_000)
    image = next(s.image for s in found if s.image is not None)
    from ctnode.biometrics.images import encode_png

    hit = bio.search.fingerprint(ADMIN, encode_png(image), P)
    assert hit.candidates and hit.candidates[0].entity_id == E3
    assert hit.candidates[0].decision == "match"
    # Slaps are kept as images, not searched, and say so.
    slaps = bio_files.an2("slaps")
    kept = bio.enrolment.import_ansi_nist(ADMIN, slaps, entity_id=E3, legal_basis="Act 12 s.4").enrolled
    assert len(kept) == 3 and all("multi-finger" in e.note and not e.template_id for e in kept)
    # Export and read back.
    back = ansi_nist.parse(bio.enrolment.export_ansi_nist(ADMIN, E3, P))
    assert [r.type for r in back.records].count(14) == 4
    with pytest.raises(InvalidInput):
        bio.enrolment.export_ansi_nist(ADMIN, E3, Purpose())


def test_probe_template_hit_no_hit_and_model_mismatch(node: Node, bio_files: Material) -> None:
    bio = node.biometrics
    bio.enrolment.enrol_face(ADMIN, EnrolRequest(E1, bio_files.face("a1"), "basis"))
    probe = bio.exchange.make_probe(ADMIN, bio_files.face("a2"), "face", P)
    answer = bio.exchange.answer(probe, P, requester="node-B")
    assert answer.hit and answer.band == "match" and answer.reference
    assert set(answer.as_dict()) == {"hit", "reference", "band", "model_id", "engine"}
    row = node.store.biometrics.get_hit(answer.reference)
    assert row is not None and row["entity_id"] == E1 and row["requester"] == "node-B"
    other = bio.exchange.make_probe(ADMIN, bio_files.face("b"), "face", P)
    assert bio.exchange.answer(other, P).hit is False
    with pytest.raises(ModelMismatch):
        bio.exchange.answer(replace(probe, model_id="arcface-r100:abc"), P)
    bad = ProbeTemplate("face", probe.model_id, probe.engine, np.zeros(128, "<f4").tobytes())
    with pytest.raises(InvalidInput):
        bio.exchange.answer(bad, P)
    # the audit holds only a hash of the probe, never the vector
    with node.store.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.query_hash, audit_log.c.detail).where(
                audit_log.c.event == "biometric.probe"
            )
        ).all()
    assert len(rows) == 2 and all(len(r[0]) == 64 for r in rows)


def test_retention_is_enforced(node: Node, bio_files: Material) -> None:
    bio = node.biometrics
    soon = date.today() + timedelta(days=3)
    bio.enrolment.enrol_face(ADMIN, EnrolRequest(E1, bio_files.face("a1"), "b", retain_until=soon))
    with pytest.raises(InvalidInput, match="in the past"):
        bio.enrolment.enrol_face(
            ADMIN,
            EnrolRequest(E1, bio_files.face("a1"), "b", retain_until=date(2000, 1, 1)),
        )
    assert bio.enrolment.purge_expired(ADMIN) == 0
    assert bio.enrolment.purge_expired(ADMIN, today=soon + timedelta(days=1)) == 1
    assert _counts(node)["biometric_templates"] == 0
    assert bio.search.face(ADMIN, bio_files.face("a2"), P).candidates == []
