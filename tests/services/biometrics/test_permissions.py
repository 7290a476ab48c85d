"""Separate biometric permissions on a real node: a key made for search may search and
nothing else; each refusal names the permission and is audited (issue 10)."""

from __future__ import annotations

import pytest

from ctnode.errors import Forbidden, InvalidInput
from ctnode.model.access import Purpose
from ctnode.node import Node
from ctnode.services.biometrics.types import EnrolRequest
from tests.biometrics.kit import Material
from tests.conftest import ADMIN

pytestmark = pytest.mark.usefixtures("nbis")

P = Purpose(purpose="counter-terrorism screening", legal_basis="Act 12 s.4", case_ref="CASE-1")
E1 = "un_sc-DMe.001"


def test_a_search_key_may_search_and_nothing_else(node: Node, bio_files: Material) -> None:
    bio = node.biometrics
    face = bio_files.face("a1")
    sample = bio.enrolment.enrol_face(ADMIN, EnrolRequest(E1, face, "Act 12 s.4"))
    token = node.access.create_key(ADMIN, name="border-desk", role="screener",
                                   biometric_scopes=["search"])
    desk = node.access.authenticate(token)
    assert desk.biometric_scopes == frozenset({"search"}) and not desk.biometric
    probe = bio_files.face("a2")
    assert bio.search.face(desk, probe, P).candidates[0].entity_id == E1
    refused = [
        ("view", lambda: bio.enrolment.get_image(desk, sample.sample_id, P)),
        ("view", lambda: bio.enrolment.list_samples(desk, E1, P)),
        ("export", lambda: bio.enrolment.export_ansi_nist(desk, E1, P)),
        ("delete", lambda: bio.enrolment.delete_sample(desk, sample.sample_id, "test")),
        ("delete", lambda: bio.enrolment.purge_expired(desk)),
        ("enrol", lambda: bio.enrolment.enrol_face(desk, EnrolRequest(E1, face, "b"))),
    ]
    for scope, call in refused:
        with pytest.raises(Forbidden, match=f"biometric '{scope}' permission"):
            call()
    denied = [e.detail["permission"] for e in node.audit.entries(event="biometric.denied")]
    assert denied == [scope for scope, _ in refused]
    # an image viewer may view and not export
    viewer = node.access.authenticate(node.access.create_key(
        ADMIN, name="reviewer", role="analyst", biometric_scopes=["view", "search"]))
    assert bio.enrolment.get_image(viewer, sample.sample_id, P)[0]
    with pytest.raises(Forbidden):
        bio.enrolment.export_ansi_nist(viewer, E1, P)
    with pytest.raises(InvalidInput, match="unknown biometric permission 'purge'"):
        node.access.create_key(ADMIN, name="x", role="analyst", biometric_scopes=["purge"])
