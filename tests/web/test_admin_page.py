"""The admin page's API keys (made and revoked through the access service, audited) and the
node's settings shown read-only with secrets redacted (issue 14)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from ctnode.node import Node
from tests.web.test_console import client, sign_in

__all__ = ["client"]  # the fixture, shared with test_console

TOKEN = re.compile(r'id="one-time-key">.*?<code>(ctn_[^<]+)</code>', re.S)


def test_an_admin_makes_a_key_once_uses_it_and_revokes_it(client: TestClient, node: Node) -> None:
    csrf = sign_in(client)
    r = client.post("/console/admin/keys", data={"csrf_token": csrf, "name": "border-desk",
                                                 "role": "screener", "scope": ["search"]})
    assert r.status_code == 200
    token = TOKEN.search(r.text).group(1)  # type: ignore[union-attr]
    key_id = token.split("_")[1]
    assert node.access.authenticate(token).role == "screener"
    page = client.get("/console/admin").text
    assert "border-desk" in page and key_id in page and token not in page  # shown once
    assert [e.actor for e in node.audit.entries(event="key.create")][-1] == "user:ana"
    r = client.post("/console/admin/keys/revoke", data={"csrf_token": csrf, "key_id": key_id})
    assert r.status_code == 200 and "API key revoked" in r.text
    assert [e.actor for e in node.audit.entries(event="key.revoke")] == ["user:ana"]
    assert client.post("/console/admin/keys/revoke",
                       data={"csrf_token": csrf, "key_id": key_id}).status_code == 404
    bad = client.post("/console/admin/keys", data={"csrf_token": csrf, "name": "x", "role": "god"})
    assert bad.status_code == 422 and "role must be one of" in bad.text
    assert client.post("/console/admin/keys", data={"name": "x", "role": "admin"}).status_code == 403


def test_settings_are_read_only_and_secrets_only_set_or_not(client: TestClient, node: Node) -> None:
    node.settings.database_url = "postgresql+psycopg://u:hunter2@db/x"
    sign_in(client)
    page = client.get("/console/admin").text
    assert "CTNODE_MATCH_THRESHOLD" in page and "CTNODE_DATABASE_URL" in page
    assert "hunter2" not in page
    row = re.search(r"CTNODE_DATABASE_URL</code></td><td><em>([^<]+)</em>", page)
    assert row and row.group(1) == "set"


def test_a_screener_sees_no_keys_and_makes_none(client: TestClient) -> None:
    csrf = sign_in(client, "sam")
    assert client.get("/console/admin").status_code == 403
    assert client.post("/console/admin/keys", data={"csrf_token": csrf, "name": "x",
                                                    "role": "admin"}).status_code == 403
