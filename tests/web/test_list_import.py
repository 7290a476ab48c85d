"""Lists import in the console (issue 14): a dry-run preview that changes nothing, then the
import; a mass delisting needs a confirmation; only admins; another person's upload is not
theirs to apply."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ctnode.node import Node
from tests.web.conftest import console_client, http_sign_in

TOKEN = re.compile(r'name="token" value="([0-9a-f]+)"')
FIXTURES = Path(__file__).resolve().parents[1] / "federation" / "fixtures"


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    yield from console_client(node, ada="admin", ana="analyst")


sign_in = http_sign_in


def preview(client: TestClient, csrf: str, name: str, **form: str) -> tuple[int, str]:
    r = client.post("/console/lists/import",
                    data={"csrf_token": csrf, "kind": "ftm", "dataset": "fx", **form},
                    files={"file": (name, (FIXTURES / name).read_bytes())})
    return r.status_code, r.text


def test_preview_then_import_then_a_delisting_needs_confirmation(
        client: TestClient, node: Node) -> None:
    csrf = sign_in(client, "ada")
    assert 'id="import-link"' in client.get("/console/lists").text
    status, page = preview(client, csrf, "watchlist-v1.jsonl", version="2026-01-01")
    assert status == 200 and "Preview: nothing is changed yet" in page
    assert re.search(r'id="n-added">4<', page)
    assert node.lists.count("fx") == 0  # a dry run: nothing kept, nothing audited
    assert not [e for e in node.audit.entries(event="import") if e.actor == "user:ada"]
    token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
    r = client.post("/console/lists/import/apply", data={"csrf_token": csrf, "token": token})
    assert r.status_code == 200 and 'id="imported"' in r.text
    assert node.lists.count("fx") == 4
    (entry,) = [e for e in node.audit.entries(event="import") if e.actor == "user:ada"]
    assert entry.actor == "user:ada" and entry.detail["added"] == 4
    # the token is used up
    r = client.post("/console/lists/import/apply", data={"csrf_token": csrf, "token": token})
    assert r.status_code == 404

    # v2 delists 1 of 4 (more than 5%): the preview says so and asks for a confirmation
    status, page = preview(client, csrf, "watchlist-v2.jsonl", version="2026-02-01")
    assert status == 200 and re.search(r'id="n-removed">1<', page)
    assert "would delist more than 5%" in page and 'name="confirm"' in page
    token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
    r = client.post("/console/lists/import/apply", data={"csrf_token": csrf, "token": token})
    assert r.status_code == 409 and "would delist 1 of the 4" in r.text
    assert node.lists.count("fx") == 4  # refused: unchanged
    status, page = preview(client, csrf, "watchlist-v2.jsonl", version="2026-02-01")
    token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
    r = client.post("/console/lists/import/apply",
                    data={"csrf_token": csrf, "token": token, "confirm": "true"})
    assert r.status_code == 200 and 'id="imported"' in r.text
    assert re.search(r'id="n-removed">1<', r.text) and re.search(r'id="n-added">1<', r.text)
    assert node.lists.count("fx", status="delisted") == 1

    # an older version is refused at the preview, unless allowed
    status, page = preview(client, csrf, "watchlist-v1.jsonl", version="2025-01-01")
    assert status == 409 and "older than the version held" in page
    # a file that is not a list: its line named, nothing kept
    r = client.post("/console/lists/import",
                    data={"csrf_token": csrf, "kind": "un-sc"},
                    files={"file": ("x.xml", b"<not-a-list/>")})
    assert r.status_code == 422 and 'id="import-error"' in r.text


def test_a_list_of_another_publisher_is_refused_in_the_console(
        client: TestClient, node: Node) -> None:
    """The console's import refuses a file of another publisher than the list held, at the
    preview and at the import, changing nothing; the Source field states it."""
    csrf = sign_in(client, "ada")
    ours = (b'{"id": "n1", "schema": "Person", "datasets": ["nl_ministry"], '
            b'"properties": {"name": ["Nationalperson Listed"]}}\n')
    r = client.post("/console/lists/import",
                    data={"csrf_token": csrf, "kind": "ftm", "dataset": "fx"},
                    files={"file": ("ours.jsonl", ours)})
    token = TOKEN.search(r.text).group(1)  # type: ignore[union-attr]
    r = client.post("/console/lists/import/apply", data={"csrf_token": csrf, "token": token})
    assert r.status_code == 200 and node.lists.count("fx") == 1
    # watchlist-v1 states no source: refused, its dataset unchanged, audited
    status, page = preview(client, csrf, "watchlist-v1.jsonl")
    assert status == 409 and "holds the list of &#39;nl_ministry&#39;" in page
    assert "does not state its source" in page and node.lists.count("fx") == 1
    assert [e for e in node.audit.entries(event="import.failed") if e.actor == "user:ada"]
    status, page = preview(client, csrf, "watchlist-v1.jsonl", source="nl_ministry")
    assert status == 200 and "Preview: nothing is changed yet" in page
    token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
    r = client.post("/console/lists/import/apply",
                    data={"csrf_token": csrf, "token": token, "confirm": "true"})
    assert r.status_code == 200 and node.lists.count("fx") == 4
    assert {d["name"]: d["publisher"] for d in node.store.entities.list_datasets()}[
        "fx"] == "nl_ministry"


def test_only_admins_import_and_only_their_own_upload(client: TestClient) -> None:
    csrf = sign_in(client, "ada")
    _status, page = preview(client, csrf, "watchlist-v1.jsonl")
    token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
    csrf = sign_in(client, "ana")
    assert 'id="import-link"' not in client.get("/console/lists").text
    assert client.get("/console/lists/import").status_code == 403
    status, _page = preview(client, csrf, "watchlist-v1.jsonl")
    assert status == 403
    r = client.post("/console/lists/import/apply", data={"csrf_token": csrf, "token": token})
    assert r.status_code == 403


def test_the_warnings_of_a_list_are_said_in_the_persons_language(client: TestClient) -> None:
    lines = ('{"id": "w1", "schema": "Person", "properties": {"name": ["Wadi Test"], '
             '"nationality": ["Atlantis"]}}\n'
             '{"id": "w2", "schema": "Organization", "properties": {"name": ["Wadi Co"], '
             '"birthDate": ["1970"]}}\n')
    csrf = sign_in(client, "ada")

    def page() -> str:
        r = client.post("/console/lists/import",
                        data={"csrf_token": csrf, "kind": "ftm", "dataset": "fx"},
                        files={"file": ("w.jsonl", lines.encode())})
        assert r.status_code == 200
        return r.text

    english = page()  # the service's own words, as the API says them
    assert ("w.jsonl: line 1: nationality &#39;Atlantis&#39; is not a known country; kept as "
            "written") in english
    client.post("/console/language", data={"csrf_token": csrf, "language": "ar"})
    arabic = page()
    assert "w.jsonl: السطر 1: nationality &#39;Atlantis&#39; ليس بلدًا معروفًا؛ حُفظ كما كُتب" \
        in arabic
    assert ("w.jsonl: السطر 2: الخاصية &#39;birthDate&#39; ليست من Organization؛ أُهملت"
            in arabic)
    assert "is not a known country" not in arabic and "is not part of" not in arabic
