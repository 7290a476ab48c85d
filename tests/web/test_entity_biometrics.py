"""The Entity page's biometric records (issue 14): modality, quality, enrolled when and by whom,
only for a role that may view biometrics; images only once a purpose and a legal basis are
given, each image view audited by the biometric service. Needs a real face (the shared
biometric data; skipped with one line without it)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from ctnode.node import Node
from ctnode.services.biometrics.types import EnrolRequest
from tests.web.test_console import ADMIN, PASSWORD, client, sign_in  # noqa: F401  (the fixture)

ENTITY = "un_sc-DMe.001"
IMG = re.compile(r'src="(/console/biometrics/image/[^"]+)"')


def test_biometric_records_on_the_entity_page_by_role(
        client: TestClient, node: Node, bio_data: Path) -> None:  # noqa: F811
    face = (bio_data / "faces" / "deepface" / "img1.jpg").read_bytes()
    sample = node.biometrics.enrolment.enrol_face(ADMIN, EnrolRequest(
        entity_id=ENTITY, image=face, legal_basis="Act 12 s.4")).sample_id

    sign_in(client)
    page = client.get(f"/console/entity/{ENTITY}").text
    assert 'id="biometrics"' in page and "Face (photo)" in page and "cli:test" in page
    assert IMG.search(page) is None and "hidden" in page  # no image without a purpose
    lists = node.audit.entries(event="biometric.view")
    assert [(e.actor, e.detail["what"]) for e in lists] == [("user:ana", "list")]

    page = client.get(f"/console/entity/{ENTITY}",
                      params={"purpose": "border check", "legal_basis": "Act 12 s.4"}).text
    src = IMG.search(page).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert sample in src
    r = client.get(src)
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg" and r.content == face
    seen = [e for e in node.audit.entries(event="biometric.view") if e.detail["what"] == "image"]
    assert [(e.actor, e.detail["sample_id"]) for e in seen] == [("user:ana", sample)]

    # an analyst who may search but not view: the record, without the section or any image
    node.users.create(ADMIN, username="bo", role="analyst", password=PASSWORD,
                      biometric_scopes=["search"])
    client.cookies.clear()
    sign_in(client, "bo")
    page = client.get(f"/console/entity/{ENTITY}",
                      params={"purpose": "border check", "legal_basis": "Act 12 s.4"})
    assert page.status_code == 200 and 'id="biometrics"' not in page.text
    assert client.get(src).status_code == 403
