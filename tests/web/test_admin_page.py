"""The admin page's API keys (made and revoked through the access service, audited) and the
node's settings shown read-only with secrets redacted (issue 14)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from ctnode.clock import as_utc
from ctnode.node import Node
from tests.web.test_console import ADMIN, client, sign_in

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


def test_a_keys_last_use_is_shown_and_written_at_most_once_a_minute(
        client: TestClient, node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    from ctnode.services import access

    token = node.access.create_key(ADMIN, name="gate-7", role="screener")
    key_id = token.split("_")[1]
    sign_in(client)
    cell = re.compile(rf"<code>{key_id}</code>.*?<td class=\"last-used\">([^<]*)</td>", re.S)
    assert cell.search(client.get("/console/admin").text).group(1) == "never"  # type: ignore[union-attr]
    t0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(access, "utcnow", lambda: t0)
    writes: list[str] = []
    touch = node.store.keys.touch_key

    def counted(kid: str, at: datetime, older_than: datetime) -> bool:
        writes.append(kid)
        return touch(kid, at, older_than)

    monkeypatch.setattr(node.store.keys, "touch_key", counted)
    for _ in range(20):
        node.access.authenticate(token)
    assert writes == [key_id]  # twenty requests, one write
    assert as_utc(node.store.keys.get_key(key_id)["last_used_at"]) == t0  # type: ignore[index]
    monkeypatch.setattr(access, "utcnow", lambda: t0 + timedelta(seconds=30))
    node.access.authenticate(token)
    assert writes == [key_id]
    monkeypatch.setattr(access, "utcnow", lambda: t0 + timedelta(seconds=61))
    node.access.authenticate(token)
    assert writes == [key_id, key_id]
    assert as_utc(node.store.keys.get_key(key_id)["last_used_at"]) == t0 + timedelta(seconds=61)  # type: ignore[index]
    # another process's recent write stands: the store's own condition refuses an older one
    assert not node.store.keys.touch_key(key_id, t0 + timedelta(seconds=62), t0)
    shown = cell.search(client.get("/console/admin").text).group(1)  # type: ignore[union-attr]
    assert "2026" in shown and "9:01:01" in shown  # the last write, as the language writes it
    r = client.get("/console/admin", headers={"Accept-Language": "fr"})
    assert "Dernière utilisation" in r.text
