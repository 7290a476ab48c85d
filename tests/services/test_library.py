"""The library service on a real node (SQLite and PostgreSQL): a Markdown guide is extracted,
validated, indexed and found with a highlighted snippet; bad metadata is refused naming the
field and leaves nothing; expired and withdrawn documents are not served; all is audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctnode.errors import Forbidden, InvalidInput, NotFound
from ctnode.node import Node
from tests.conftest import ADMIN, ANALYST, SCREENER

GUIDE = Path(__file__).parents[1] / "library" / "fixtures" / "guide.md"
META = {"languages": ["en"], "topics": ["forensics"], "source": "Test ministry",
        "date": "2026-01-10", "tlp": "TLP:GREEN"}


def test_add_search_read_and_withdraw(empty_node: Node) -> None:
    node = empty_node
    added = node.library.add(ANALYST, GUIDE.read_bytes(), META, file_name="guide.md")
    assert added["title"] == "Handling digital evidence in terrorism investigations"
    assert added["format"] == "markdown"
    hits, total = node.library.search(SCREENER, '"chain of custody"')
    assert total == 1 and hits[0].document_id == added["id"]
    assert "<mark>" in hits[0].snippet_html and "custody" in hits[0].snippet_text.lower()
    assert node.library.search(SCREENER, "custody", topics=["biometrics"]) == ([], 0)
    doc = node.library.get(SCREENER, added["id"], with_text=True)
    assert doc["topics"] == ["forensics"] and "Isolate it" in doc["texts"][0]["body"]
    data, name = node.library.original(ANALYST, added["id"])
    assert data == GUIDE.read_bytes() and name == "guide.md"
    with pytest.raises(Forbidden):
        node.library.withdraw(SCREENER, added["id"], "outdated")
    node.library.withdraw(ANALYST, added["id"], "superseded by the 2027 guide")
    assert node.library.search(SCREENER, "custody") == ([], 0)
    with pytest.raises(NotFound, match="withdrawn"):
        node.library.get(SCREENER, added["id"])
    events = [e.event for e in node.audit.entries() if e.event.startswith("library.")]
    assert events == ["library.add", "library.search", "library.search", "library.view",
                      "library.view", "library.withdraw", "library.search"]


def test_refusals_and_expiry(empty_node: Node) -> None:
    node = empty_node
    with pytest.raises(InvalidInput, match="field 'topics': 'cooking'"):
        node.library.add(ANALYST, GUIDE.read_bytes(), {**META, "topics": ["cooking"]},
                         file_name="guide.md")
    assert node.store.library.list_documents() == []
    assert [e.event for e in node.audit.entries()] == ["library.add.failed"]
    old = node.library.add(ANALYST, GUIDE.read_bytes(),
                           {**META, "date": "2020-01-01", "valid_until": "2021-01-01"},
                           file_name="old.md")
    assert node.library.search(ANALYST, "custody") == ([], 0)
    with pytest.raises(NotFound, match="expired"):
        node.library.get(ANALYST, old["id"])


def test_library_over_http(empty_node: Node) -> None:
    from fastapi.testclient import TestClient

    from ctnode.api.app import create_app

    node = empty_node
    analyst = node.access.create_key(ADMIN, name="a", role="analyst")
    with TestClient(create_app(node)) as client:
        h = {"X-API-Key": analyst}
        r = client.post("/library/documents", content=GUIDE.read_bytes(), headers=h,
                        params={"name": "guide.md", "topic": "forensics", "source": "T",
                                "date": "2026-01-10", "lang": "en"})
        assert r.status_code == 201, r.text
        doc_id = r.json()["id"]
        r = client.get("/library/search", params={"q": "hash values"}, headers=h)
        assert r.json()["total"] == 1 and "<mark>" in r.json()["hits"][0]["snippet_html"]
        assert client.get("/library/search", params={"q": "x"}).status_code == 401
        r = client.get(f"/library/documents/{doc_id}/original", headers=h)
        assert r.content == GUIDE.read_bytes()
        r = client.delete(f"/library/documents/{doc_id}", params={"reason": "old"}, headers=h)
        assert r.status_code == 204
        assert client.get(f"/library/documents/{doc_id}", headers=h).status_code == 404
