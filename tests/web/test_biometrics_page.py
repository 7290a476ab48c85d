"""The Biometrics page over HTTP in-process: a face search with the probe beside each candidate,
its score and calibrated decision; candidates' images only for a role that may view them,
each view audited (issue 14). Needs real faces: the shared biometric data (skipped with one
line without it)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from ctnode.node import Node
from ctnode.services.biometrics.types import EnrolRequest
from tests.web.test_console import ADMIN, PASSWORD, client, sign_in  # noqa: F401  (the fixture)

FORM = {"modality": "face", "purpose": "border check", "legal_basis": "Act 12 s.4",
        "case_ref": "C-9"}


def test_face_search_side_by_side_and_images_by_role(
        client: TestClient, node: Node, bio_data: Path) -> None:  # noqa: F811
    faces = bio_data / "faces" / "deepface"
    enrolled = (faces / "img1.jpg").read_bytes()
    sample = node.biometrics.enrolment.enrol_face(ADMIN, EnrolRequest(
        entity_id="un_sc-DMe.001", image=enrolled, legal_basis="Act 12 s.4")).sample_id
    probe = (faces / "img2.jpg").read_bytes()

    csrf = sign_in(client)
    assert 'href="/console/biometrics"' in client.get("/console/screen").text
    r = client.post("/console/biometrics", data={"csrf_token": csrf, **FORM},
                    files={"probe": ("probe.jpg", probe, "image/jpeg")})
    assert r.status_code == 200, r.text
    first = r.text.split('<article class="candidate band-match">')[1].split("</article>")[0]
    assert 'href="/console/entity/un_sc-DMe.001"' in first
    assert 'src="data:image/jpeg;base64,' in first  # the probe, beside ...
    src = re.search(r'src="(/console/biometrics/image/[^"]+)"', first).group(1)  # type: ignore[union-attr]
    assert sample in src and "purpose=border%20check" in src  # ... the enrolled image
    assert re.search(r'class="score">Score 0\.\d{3}<', first)
    image = client.get(src.replace("&amp;", "&"))
    assert image.status_code == 200 and image.content == enrolled
    assert image.headers["content-type"] == "image/jpeg"
    views = [e for e in node.audit.entries(event="biometric.view")]
    assert views[-1].actor == "user:ana" and views[-1].purpose == "border check"
    assert [e.actor for e in node.audit.entries(event="biometric.search")] == ["user:ana"]
    # a search without a legal basis is refused and says why
    r = client.post("/console/biometrics", data={"csrf_token": csrf, **FORM, "legal_basis": ""},
                    files={"probe": ("probe.jpg", probe, "image/jpeg")})
    assert r.status_code == 422 and 'id="bio-error"' in r.text

    # a person who may search but not view sees the candidates without their images
    node.users.create(ADMIN, username="bo", role="analyst", password=PASSWORD,
                      biometric_scopes=["search"])
    client.cookies.clear()
    csrf = sign_in(client, "bo")
    r = client.post("/console/biometrics", data={"csrf_token": csrf, **FORM},
                    files={"probe": ("probe.jpg", probe, "image/jpeg")})
    assert r.status_code == 200 and "band-match" in r.text
    assert "/console/biometrics/image/" not in r.text and 'class="notice no-image"' in r.text
    assert client.get(src.replace("&amp;", "&")).status_code == 403


def test_people_without_the_biometric_permission_have_no_biometrics_page(
        client: TestClient) -> None:  # noqa: F811
    sign_in(client, "sam")
    assert client.get("/console/biometrics").status_code == 403
    assert 'href="/console/biometrics"' not in client.get("/console/screen").text
