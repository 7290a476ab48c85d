"""Review in the console shows who was screened (the sealed subject of a screening with hits),
and says so when only keyed hashes remain (issue 14)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from ctnode.node import Node
from ctnode.store import schema as tables
from tests.web.test_console import client, sign_in  # noqa: F401  (the fixture)


def test_a_reviewer_sees_who_was_screened(client: TestClient, node: Node) -> None:  # noqa: F811
    csrf = sign_in(client)
    client.post("/console/screen", data={"csrf_token": csrf, "name": "فارس نادر",
                                         "birth_date": "1975-04-17", "document": "X 1234567"})
    queue = client.get("/console/review").text
    sid = re.search(r'href="/console/review/([0-9a-f-]{36})"', queue).group(1)  # type: ignore[union-attr]
    assert "فارس نادر" not in queue  # the queue lists screenings, not subjects
    page = client.get(f"/console/review/{sid}").text
    assert '<bdi class="name">فارس نادر</bdi>' in page and "1975-04-17" in page
    assert "X 1234567" in page and 'id="no-subject"' not in page
    with node.store.begin() as conn:
        conn.execute(tables.screenings.update().values(subject_sealed=None,
                                                       subject_expires_at=None))
    page = client.get(f"/console/review/{sid}").text
    assert 'id="no-subject"' in page and "فارس نادر" not in page
