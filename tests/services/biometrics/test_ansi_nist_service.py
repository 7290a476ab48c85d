"""ANSI/NIST-ITL through the biometric service: budgets from the settings, valid transactions
imported for what the node keeps with notes for the rest, lossless-JPEG prints skipped with a
note, exports with 10.013, allowed colour spaces, and mark / impression types as received."""

from __future__ import annotations

import pytest

from ctnode.biometrics import ansi_nist
from ctnode.biometrics.errors import NistTooLarge
from ctnode.model.access import Purpose
from ctnode.node import Node
from tests.biometrics.kit import Material
from tests.conftest import ADMIN

pytestmark = pytest.mark.usefixtures("nbis")

P = Purpose(purpose="counter-terrorism screening", legal_basis="Act 12 s.4", case_ref="CASE-1")
E3 = "un_sc-DMe.003"


def _events(node: Node, event: str) -> list[dict[str, object]]:
    return [e.detail for e in node.audit.entries(event=event)]


def test_a_transaction_of_records_the_node_does_not_keep_is_recorded_with_notes(
    node: Node, bio_files: Material
) -> None:
    bio = node.biometrics
    before = node.store.biometrics.count_rows()
    result = bio.enrolment.import_ansi_nist(ADMIN, bio_files.an2("type-17-iris"),
                                            entity_id=E3, legal_basis="Act 12 s.4")
    assert result.enrolled == [] and result.as_dict()["kept_nothing"] is True
    assert [s.record_type for s in result.skipped] == [17]
    assert "iris" in result.skipped[0].reason
    after = node.store.biometrics.count_rows()
    assert after["biometric_transactions"] == before["biometric_transactions"] + 1
    assert after["biometric_samples"] == before["biometric_samples"]
    (imported,) = _events(node, "biometric.import")
    assert imported["records"] == 0 and "iris" in str(imported["skipped"])


def test_lossless_jpeg_prints_are_skipped_and_the_face_kept(node: Node, bio_files: Material) -> None:
    bio = node.biometrics
    result = bio.enrolment.import_ansi_nist(
        ADMIN, bio_files.an2("face-and-jpegl-prints"), entity_id=E3,
        legal_basis="Act 12 s.4")
    assert [e.kind for e in result.enrolled] == ["face"]
    jpegl = [s for s in result.skipped if s.record_type == 14]
    assert len(jpegl) == 2 and all("lossless JPEG (JPEGL)" in s.reason for s in jpegl)


def test_the_pixel_budget_comes_from_the_settings(node: Node, bio_files: Material) -> None:
    small = Node(node.settings.model_copy(update={"ansi_nist_max_total_pixels": 1_000_000}))
    try:
        before = small.store.biometrics.count_rows()
        with pytest.raises(NistTooLarge, match="budget of 1,000,000 decoded pixels"):
            small.biometrics.enrolment.import_ansi_nist(
                ADMIN, bio_files.an2("ten-print-card"), entity_id=E3,
                legal_basis="Act 12 s.4")
        assert small.store.biometrics.count_rows() == before
        (failed,) = _events(small, "biometric.import.failed")
        assert failed["error"] == "ansi_nist_too_large"
    finally:
        small.close()
    few = Node(node.settings.model_copy(update={"ansi_nist_max_records": 3}))
    try:
        with pytest.raises(NistTooLarge, match="at most 3 per transaction"):
            few.biometrics.enrolment.inspect_ansi_nist(ADMIN, bio_files.an2("type-4-prints"))
    finally:
        few.close()


def test_export_keeps_mark_and_impression_types_and_writes_allowed_fields(
    node: Node, bio_files: Material
) -> None:
    bio = node.biometrics
    for data in bio_files.an2_set("marks-and-prints"):
        bio.enrolment.import_ansi_nist(ADMIN, data, entity_id=E3, legal_basis="Act 12 s.4")
    back = ansi_nist.parse(bio.enrolment.export_ansi_nist(ADMIN, E3, P))
    type10 = [r for r in back.records if r.type == 10]
    types = sorted(r.text(3) for r in type10)
    assert types == ["FACE", "MARK", "TATTOO", "TATTOO"]  # never every mark a tattoo
    smt = sorted(r.text(40) for r in type10 if r.text(3) != "FACE")
    assert smt == ["NM R ARM", "TAT UL ARM", "TAT UR ARM"]
    face = next(r for r in type10 if r.text(3) == "FACE")
    assert 13 in face.fields  # 10.013 SAP, mandatory for a face
    assert all(r.text(12) in ansi_nist.COLOUR_SPACES for r in type10)
    prints = [r for r in back.records if r.type == 14]
    assert len(prints) == 3 and {r.text(3) for r in prints} == {"2"}  # impression as received
