"""The Watch page (issues 14 and 15): put a person and a file under watch, read the alert a
list change raises, acknowledge it, stop watching with a reason; roles."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ctnode.node import Node
from tests.conftest import ADMIN
from tests.web.conftest import console_client, http_sign_in


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    yield from console_client(node, ana="analyst", sam="screener")


sign_in = http_sign_in


def test_watch_a_person_and_a_file_read_alerts_and_stop(client: TestClient, node: Node) -> None:
    csrf = sign_in(client, "ana")
    page = client.get("/console/watch")
    assert page.status_code == 200 and "Nobody is under watch for you." in page.text
    # purpose and legal basis are required
    r = client.post("/console/watch/add", data={"csrf_token": csrf, "name": "Faris Nadir"})
    assert r.status_code == 422 and 'id="watch-error"' in r.text
    assert node.monitoring.count("user:ana") == 0
    r = client.post("/console/watch/add", data={
        "csrf_token": csrf, "name": "Faris Nadir", "birth_date": "1975-04-17",
        "purpose": "investigation", "legal_basis": "Act 12 s.4", "case_ref": "W-1", "days": "30"})
    assert r.status_code == 200 and re.search(r"Put under watch: 1 · Alerts raised: 1", r.text)
    assert "FARIS" in r.text.upper() and "new hit" in r.text  # the first screen's alert
    # a file: all or nothing, the line named
    bad = b'{"name": "Jonas Berg"}\n{"name": "X", "colour": "red"}\n'
    r = client.post("/console/watch/import", data={
        "csrf_token": csrf, "format": "jsonl", "purpose": "investigation",
        "legal_basis": "Act 12 s.4"}, files={"file": ("w.jsonl", bad)})
    assert r.status_code == 422 and "w.jsonl, line 2: unknown field(s) colour" in r.text
    assert node.monitoring.count("user:ana") == 1
    good = b"name,birthDate\nJonas Berg,1970\nAmina Okafor,1988-02-03\n"
    r = client.post("/console/watch/import", data={
        "csrf_token": csrf, "format": "csv", "purpose": "investigation",
        "legal_basis": "Act 12 s.4"}, files={"file": ("w.csv", good)})
    assert r.status_code == 200 and "Put under watch: 2" in r.text
    assert node.monitoring.count("user:ana") == 3
    # acknowledge the alert
    alert_ids = re.findall(r'name="alert_id" value="([^"]+)"', r.text)
    assert len(alert_ids) == 1
    r = client.post("/console/watch/read", data={"csrf_token": csrf, "alert_id": alert_ids},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "No alert." in client.get("/console/watch").text  # unread only
    assert "new hit" in client.get("/console/watch", params={"show": "all"}).text
    # stop watching one, with a reason (audited)
    (subject,) = [s for s in node.monitoring.list_subjects(ADMIN, everyone=True)
                  if s.fields.names[0].upper().startswith("JONAS")]
    r = client.post(f"/console/watch/{subject.id}/remove",
                    data={"csrf_token": csrf, "reason": "case closed"}, follow_redirects=False)
    assert r.status_code == 303 and node.monitoring.count("user:ana") == 2
    (entry,) = node.audit.entries(event="watch.remove")
    assert entry.actor == "user:ana" and entry.detail["reason"] == "case closed"


def test_a_screener_has_no_watch_page(client: TestClient) -> None:
    sign_in(client, "sam")
    assert 'href="/console/watch"' not in client.get("/console/screen").text
    assert client.get("/console/watch").status_code == 403
