"""Content-hash routes over HTTP: credentials and roles, wire shapes, uploads hashed and not
kept, hits decided on, import all or nothing with the error naming the line, exports."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import ImageOps

from ctnode.api.errors import install_error_handlers
from ctnode.api.routers.hashes import router
from ctnode.node import Node
from tests.conftest import ADMIN
from tests.hashes.conftest import picture


@pytest.fixture
def client(empty_node: Node) -> Iterator[TestClient]:
    app = FastAPI()
    app.state.node = empty_node
    install_error_handlers(app)
    app.include_router(router)
    with TestClient(app) as c:
        yield c


def key(node: Node, role: str) -> dict[str, str]:
    return {"X-API-Key": node.access.create_key(ADMIN, name=f"hashes-{role}", role=role)}


def png(seed: int, mirror: bool = False) -> bytes:
    img = picture(seed)
    if mirror:
        img = ImageOps.mirror(img)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_bank_hash_match_decide_over_http(client: TestClient, empty_node: Node) -> None:
    admin, analyst, screener = (key(empty_node, r) for r in ("admin", "analyst", "screener"))
    assert client.get("/hashes/banks").status_code == 401
    r = client.post("/hashes/banks", json={"name": "CT_TEST", "pdq_threshold": 31}, headers=analyst)
    assert r.status_code == 403
    r = client.post("/hashes/banks", json={"name": "ct-test"}, headers=admin)
    assert r.status_code == 422 and "name" in r.json()["detail"]
    r = client.post(
        "/hashes/banks", json={"name": "CT_TEST", "default_tlp": "GREEN"}, headers=admin
    )
    assert r.status_code == 201 and r.json()["default_tlp"] == "TLP:GREEN"

    r = client.post("/hashes/hash", params={"name": "a.png"}, content=png(1), headers=screener)
    assert r.status_code == 200, r.text
    hashed = r.json()
    assert hashed["content_type"] == "image" and len(hashed["sha256"]) == 64
    assert hashed["pdq"]["quality"] >= 50 and set(hashed) >= {"md5", "notes"}

    body = {"signal_type": "pdq", "values": [hashed["pdq"]["value"]], "labels": ["recruitment"]}
    r = client.post("/hashes/banks/CT_TEST/hashes", json=body, headers=analyst)
    assert r.status_code == 201 and r.json()["added"] == 1
    record_id = r.json()["record_ids"][0]
    r = client.post(
        "/hashes/banks/CT_TEST/hashes", json={**body, "values": ["xyz"]}, headers=analyst
    )
    assert r.status_code == 422 and "values[0]" in r.json()["detail"]

    r = client.post("/hashes/match/file", content=png(1, mirror=True), headers=screener)
    assert r.status_code == 200, r.text
    [hit] = r.json()["hits"]
    assert hit["record_id"] == record_id and hit["variant"] == "mirrored"
    assert hit["labels"] == ["recruitment"] and hit["tlp"] == "TLP:GREEN"
    assert hit["provenance"]["source_kind"] == "local" and "bits differ" in hit["explanation"]
    r = client.post(
        "/hashes/match",
        json={"signal_type": "pdq", "value": hashed["pdq"]["value"]},
        headers=screener,
    )
    assert r.status_code == 200 and r.json()["hits"][0]["distance"] == 0

    assert client.get("/hashes/hits", headers=screener).status_code == 403
    hits = client.get("/hashes/hits", headers=analyst).json()["hits"]
    assert {h["id"] for h in hits} >= {hit["hit_id"]}
    r = client.post(
        f"/hashes/hits/{hit['hit_id']}/decision",
        json={"decision": "confirmed", "comment": "known"},
        headers=analyst,
    )
    assert r.status_code == 200 and r.json()["decision"] == "confirmed"
    r = client.post(
        f"/hashes/hits/{hit['hit_id']}/decision",
        json={"decision": "unsure", "comment": "again"},
        headers=analyst,
    )
    assert r.status_code == 409

    r = client.patch("/hashes/banks/CT_TEST", json={"enabled": False}, headers=admin)
    assert r.status_code == 200 and r.json()["enabled"] is False
    r = client.post("/hashes/match/file", content=png(1), headers=screener)
    assert r.json()["hits"] == []
    r = client.post(
        "/hashes/banks/CT_TEST/removals", json={"record_ids": [record_id]}, headers=analyst
    )
    assert r.json()["removed"] == 1
    listed = client.get(
        "/hashes/banks/CT_TEST/hashes", params={"status": "removed"}, headers=analyst
    )
    assert [h["record_id"] for h in listed.json()["hashes"]] == [record_id]


def test_import_and_export_over_http(client: TestClient, empty_node: Node) -> None:
    admin, analyst = key(empty_node, "admin"), key(empty_node, "analyst")
    client.post("/hashes/banks", json={"name": "CT_TEST"}, headers=admin)
    bad = b"video_md5 d41d8cd98f00b204e9800998ecf8427e\npdq 12\n"
    r = client.post(
        "/hashes/banks/CT_TEST/import",
        params={"format": "te-signals", "filename": "s.txt"},
        content=bad,
        headers=analyst,
    )
    assert r.status_code == 422 and "s.txt, line 2" in r.json()["detail"]
    assert client.get("/hashes/banks/CT_TEST", headers=analyst).json()["hashes"] == {}
    r = client.post(
        "/hashes/banks/CT_TEST/import",
        params={"format": "te-signals", "filename": "s.txt"},
        content=bad.splitlines()[0],
        headers=analyst,
    )
    assert r.status_code == 200 and r.json()["added"] == 1
    r = client.get("/hashes/banks/CT_TEST/export", params={"format": "hma2"}, headers=analyst)
    assert r.status_code == 200 and r.headers["x-written"] == "1"
    doc = json.loads(r.content)
    assert doc["bank"]["name"] == "CT_TEST"
    assert doc["content"][0]["signals"] == {"video_md5": "d41d8cd98f00b204e9800998ecf8427e"}
    r = client.get("/hashes/banks/CT_TEST/export", params={"format": "nope"}, headers=analyst)
    assert r.status_code == 422
    r = client.delete("/hashes/banks/CT_TEST", headers=admin)
    assert r.json() == {"bank": "CT_TEST", "deleted": 1}


def test_the_forensics_store_over_http(store_url: str, tmp_path: Path) -> None:
    from ctnode.settings import Settings

    off = Node(Settings(data_dir=tmp_path / "off", database_url=store_url, mode="development"))
    app = FastAPI()
    app.state.node = off
    install_error_handlers(app)
    app.include_router(router)
    with TestClient(app) as c:
        admin = key(off, "admin")
        r = c.post("/hashes/hash?keep=true&reason=case", content=png(5), headers=admin)
        assert r.status_code == 422 and "forensics store is off" in r.json()["detail"]
    off.close()
    on = Node(
        Settings(
            data_dir=tmp_path / "on",
            database_url=store_url,
            mode="development",
            hash_forensics_days=7,
        )
    )
    app.state.node = on
    with TestClient(app) as c:
        admin, analyst = key(on, "admin"), key(on, "analyst")
        r = c.post("/hashes/hash", content=png(5), headers=admin)
        assert r.status_code == 200 and "forensic" not in r.json()  # not asked: not kept
        assert c.get("/hashes/forensics", headers=admin).json()["items"] == []
        r = c.post("/hashes/hash?keep=true&reason=case%207", content=png(5), headers=analyst)
        assert r.status_code == 403
        r = c.post("/hashes/hash?keep=true&reason=case%207", content=png(5), headers=admin)
        assert r.status_code == 200, r.text
        item = r.json()["forensic"]
        assert item["sha256"] == r.json()["sha256"]
        listed = c.get("/hashes/forensics", headers=admin).json()
        assert listed["enabled_days"] == 7 and [x["id"] for x in listed["items"]] == [item["id"]]
        assert c.get("/hashes/forensics", headers=analyst).status_code == 403
        r = c.get(f"/hashes/forensics/{item['id']}", headers=admin)
        assert r.status_code == 200 and r.content == png(5)
        assert r.headers["x-content-sha256"] == item["sha256"]
        assert c.get("/hashes/forensics/nope", headers=admin).status_code == 404
    on.close()


def test_a_file_uploaded_to_a_bank_is_banked_with_its_crops(
    client: TestClient, empty_node: Node
) -> None:
    admin, analyst, screener = (key(empty_node, r) for r in ("admin", "analyst", "screener"))
    client.post("/hashes/banks", json={"name": "CT_FILES"}, headers=admin)
    r = client.post("/hashes/hash", params={"name": "a.png"}, content=png(3), headers=screener)
    crops = r.json()["pdq"]["crops"]
    assert sorted(crops) == ["crop_bottom_10", "crop_centre_80", "crop_centre_90", "crop_top_10"]
    url = "/hashes/banks/CT_FILES/files"
    r = client.post(url, params={"filename": "a.png"}, content=png(3), headers=screener)
    assert r.status_code == 403  # banking needs hashes.edit
    r = client.post(
        url,
        params={"filename": "a.png", "label": ["recruitment"], "tlp": "GREEN"},
        content=png(3),
        headers=analyst,
    )
    assert r.status_code == 201, r.text
    assert r.json()["added"] == 7
    listed = client.get("/hashes/banks/CT_FILES/hashes", headers=analyst).json()["hashes"]
    derived = {
        h["value"] for h in listed if h["provenance"]["source_format"].startswith("derived:")
    }
    assert derived == set(crops.values())
    r = client.post(
        url, params={"filename": "b.png", "derived": "false"}, content=png(4), headers=analyst
    )
    assert r.json()["added"] == 3
