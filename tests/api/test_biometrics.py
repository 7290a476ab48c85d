"""Biometric routes: wire shapes, the biometric permission, purpose headers, errors as 4xx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ctnode.api.errors import install_error_handlers
from ctnode.api.routers.biometrics import router
from ctnode.node import Node
from tests.biometrics.kit import Material
from tests.conftest import ADMIN

PURPOSE = {"X-Purpose": "screening", "X-Legal-Basis": "Act 12 s.4", "X-Case-Ref": "C-9"}


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    app = FastAPI()
    app.state.node = node
    install_error_handlers(app)
    app.include_router(router)
    with TestClient(app) as c:
        yield c


def _key(node: Node, role: str, biometric: bool = False) -> dict[str, str]:
    token = node.access.create_key(ADMIN, name=f"{role}-{biometric}", role=role, biometric=biometric)
    return {"X-API-Key": token}


def test_enrol_search_view_over_http(client: TestClient, node: Node, bio_files: Material) -> None:
    admin = _key(node, "admin")
    img1 = bio_files.face("a1")
    r = client.post(
        "/entities/un_sc-DMe.001/biometrics/face",
        content=img1,
        headers=admin | {"Content-Type": "image/jpeg"},
        params={"legal_basis": "Act 12 s.4", "source": "test"},
    )
    assert r.status_code == 201, r.text
    sample = r.json()
    assert sample["kind"] == "face" and sample["model_id"].startswith("sface")
    probe = bio_files.face("a2")
    r = client.post("/biometrics/search/face", content=probe, headers=admin | PURPOSE)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["candidates"][0]["entity_id"] == "un_sc-DMe.001"
    assert body["candidates"][0]["decision"] == "match"
    assert set(body["candidates"][0]) >= {"list_reference", "score", "decision", "explanation"}
    r = client.post("/biometrics/search/face", content=probe, headers=admin)
    assert r.status_code == 422 and "purpose" in r.json()["detail"]
    r = client.get(f"/biometrics/samples/{sample['sample_id']}/image", headers=admin | PURPOSE)
    assert r.status_code == 200 and r.content == img1 and r.headers["content-type"] == "image/jpeg"
    listed = client.get("/entities/un_sc-DMe.001/biometrics", headers=admin).json()
    assert [s["sample_id"] for s in listed["samples"]] == [sample["sample_id"]]


def test_permission_and_bad_input(client: TestClient, node: Node, bio_files: Material) -> None:
    img = bio_files.face("a1")
    url = "/entities/un_sc-DMe.001/biometrics/face"
    analyst = _key(node, "analyst")
    r = client.post(url, content=img, headers=analyst | PURPOSE)
    assert r.status_code == 403
    flagged = _key(node, "analyst", biometric=True)
    r = client.post(url, content=b"GIF89a" + b"\0" * 100, headers=flagged | PURPOSE)
    assert r.status_code == 422 and r.json()["code"] == "not_an_image"
    r = client.post(url, content=img, headers=flagged)
    assert r.status_code == 422 and "legal_basis" in r.json()["detail"]
    bad_nist = b"1.001:20\x1d1.002:0400\x1c"
    r = client.post(
        "/entities/un_sc-DMe.001/biometrics/ansi-nist", content=bad_nist, headers=flagged | PURPOSE
    )
    assert r.status_code == 422 and r.json()["code"] == "malformed_ansi_nist"
    # a search probe without a face (a fingerprint) is refused, and audited (issue 13)
    print_png = bio_files.finger(1)
    r = client.post("/biometrics/search/face", content=print_png,
                    headers=flagged | PURPOSE | {"Content-Type": "image/png"})
    assert r.status_code == 422, r.text
    (entry,) = node.audit.entries(event="biometric.search.refused")
    assert entry.detail["modality"] == "face" and entry.detail["bytes"] == len(print_png)
    assert entry.detail["error"] == r.json()["code"] and entry.purpose == "screening"


@pytest.mark.parametrize("backend", ["sqlite"])  # runs once, on SQLite
def test_a_key_with_only_the_search_permission(node: Node, bio_files: Material) -> None:
    """POST /keys with biometric_scopes: the key searches faces and may not view images."""
    from ctnode.api.routers.admin import router as admin_router

    admin = _key(node, "admin")
    app = FastAPI()
    app.state.node = node
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(admin_router)
    with TestClient(app) as client:
        made = client.post("/keys", json={"name": "desk", "role": "screener",
                                          "biometric_scopes": ["search"]}, headers=admin)
        assert made.status_code == 201, made.text
        desk = {"X-API-Key": made.json()["token"], **PURPOSE}
        face = bio_files.face("a1")
        enrolled = client.post("/entities/un_sc-DMe.001/biometrics/face", content=face,
                               headers={**admin, **PURPOSE})
        assert enrolled.status_code == 201, enrolled.text
        probe = bio_files.face("a2")
        found = client.post("/biometrics/search/face", content=probe, headers=desk)
        assert found.status_code == 200 and found.json()["faces"][0]["face"] == 1
        image = client.get(f"/biometrics/samples/{enrolled.json()['sample_id']}/image",
                           headers=desk)
        assert image.status_code == 403 and "'view' permission" in image.text
        bad = client.post("/keys", json={"name": "x", "role": "screener",
                                         "biometric_scopes": ["purge"]},
                          headers=admin)
        assert bad.status_code == 422
