"""Bounded inputs (issue 13, item 3 and 4): the credential is checked before a body is read,
every body is bounded while it streams in, JSON depth is limited, NUL and lone surrogates are
refused the same way everywhere, and every refusal is audited without letting strangers grow
the audit log at will.

The requests here are raw ASGI calls whose ``receive`` counts the chunks the app pulled, so
"the body was not read" is measured, not assumed.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ctnode.api.app import create_app
from ctnode.intel.taxii.media import TAXII_MEDIA_TYPE
from ctnode.node import Node
from tests.conftest import ADMIN

LIMIT = 64 * 1024
CHUNK = 16 * 1024
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def guarded(node: Node) -> Node:
    node.settings.max_upload_bytes = LIMIT
    node.settings.max_json_bytes = LIMIT
    node.settings.federation_max_message_bytes = LIMIT
    node.federation.directory.init(
        ADMIN, node_id="guard-node", organisation="Guard", country="ZZ",
        contact="duty@guard.invalid", endpoint="http://127.0.0.1:9",
    )
    return node


@pytest.fixture
def app(guarded: Node) -> FastAPI:
    return create_app(guarded)


@pytest.fixture
def key(guarded: Node) -> str:
    return guarded.access.create_key(ADMIN, name="guard-admin", role="admin")


class Sent:
    """What one raw ASGI request got back, and how many body chunks the app pulled."""

    def __init__(self) -> None:
        self.status = 0
        self.body = b""
        self.pulled = 0
        self.headers: dict[str, str] = {}

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    app: FastAPI,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    chunks: int = 0,
    chunk: bytes = b"x" * CHUNK,
    body: bytes | None = None,
    query: bytes = b"",
) -> Sent:
    """One request; the body is ``body`` in one piece, or ``chunks`` pieces of ``chunk``
    without a declared length (as a chunked upload would come)."""
    out = Sent()
    pieces = [body] if body is not None else [chunk] * chunks
    raw_headers = [(k.lower().encode(), v.encode("latin-1")) for k, v in (headers or {}).items()]
    if body is not None:
        raw_headers.append((b"content-length", str(len(body)).encode()))

    async def receive() -> dict[str, Any]:
        if out.pulled >= len(pieces):
            await asyncio.sleep(0)
            return {"type": "http.disconnect"}
        out.pulled += 1
        return {"type": "http.request", "body": pieces[out.pulled - 1],
                "more_body": out.pulled < len(pieces)}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out.status = message["status"]
            out.headers = {k.decode().lower(): v.decode("latin-1")
                           for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            out.body += message.get("body", b"")

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query,
        "root_path": "", "headers": raw_headers, "client": ("127.0.0.9", 40000),
        "server": ("127.0.0.1", 8000), "state": {},
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    return out


def events(node: Node, name: str) -> list[Any]:
    return list(node.audit.entries(event=name))


def test_no_key_no_body_read(app: FastAPI, guarded: Node) -> None:
    """Without a key (or with a wrong one) a 16 MB body on any route is refused 401 before a
    single chunk is read; the refusal is audited."""
    for headers in ({}, {"X-API-Key": "ctn_abcd_wrongwrongwrongwrong"}, {"Authorization": "Basic x"}):
        for path in ["/screen", "/screen/batch", "/screen/manifest", "/federation/screen",
                     "/biometrics/search/face", "/nope"]:
            r = call(app, "POST", path, headers={"Content-Type": "application/json", **headers},
                     chunks=1024)
            assert r.status == 401, (path, headers, r.status, r.body[:200])
            assert r.pulled == 0, (path, r.pulled)
            assert r.json()["code"] == "unauthorized"
    denied = events(guarded, "auth.denied")
    assert denied and all(e.detail["source"] == "127.0.0.9" for e in denied)


def test_json_body_bounded_while_streaming(app: FastAPI, key: str) -> None:
    """A chunked JSON body with no declared length is refused 413 as soon as it passes the
    limit: the app pulls at most one chunk beyond it."""
    r = call(app, "POST", "/screen", headers={"X-API-Key": key}, chunks=1024)
    assert r.status == 413 and r.json()["code"] == "too_large", r.body
    assert r.pulled <= LIMIT // CHUNK + 1
    # a declared length over the limit: refused before any chunk is read
    big = b"{" + b" " * LIMIT + b"}"
    r = call(app, "POST", "/federation/alerts", headers={"X-API-Key": key}, body=big)
    assert r.status == 413 and r.pulled == 0
    # an upload route with its own (here equal) limit, chunked
    r = call(app, "POST", "/screen/manifest", headers={"X-API-Key": key}, chunks=1024)
    assert r.status == 413 and r.pulled <= LIMIT // CHUNK + 1


def test_deep_json_refused_before_parsing(app: FastAPI, guarded: Node, key: str) -> None:
    """60,000 levels of nesting: 422 ``too_deep`` (never a RecursionError), audited with the
    caller; within the limit the route answers as before."""
    deep = b"[" * 30_000 + b"]" * 30_000
    assert len(deep) <= LIMIT
    r = call(app, "POST", "/screen", headers={"X-API-Key": key}, body=deep)
    assert r.status == 422 and r.json()["code"] == "too_deep", r.body
    (entry,) = events(guarded, "request.refused")
    assert entry.actor == "key:guard-admin"
    assert entry.detail["code"] == "too_deep" and entry.detail["path"] == "/screen"
    client = TestClient(app)
    ok = client.post("/screen", json={"name": "Kuressaar"}, headers={"X-API-Key": key})
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize(
    ("where", "kind"),
    [("body", "nul"), ("body", "surrogate"), ("key", "nul"), ("query", "nul"),
     ("query", "surrogate"), ("path", "nul"), ("path", "surrogate")],
)
def test_nul_and_surrogates_one_answer(app: FastAPI, guarded: Node, key: str, where: str,
                                       kind: str) -> None:
    """A NUL or a lone surrogate is one refusal wherever it is: 422 ``invalid_text``, audited."""
    text = "a\\u0000b" if kind == "nul" else "a\\ud800b"
    url_text = "a%00b" if kind == "nul" else "a%ED%A0%80b"
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    if where == "body":
        r = call(app, "POST", "/screen", headers=headers,
                 body=('{"name": "Ali", "names": ["' + text + '"]}').encode())
    elif where == "key":
        r = call(app, "POST", "/screen", headers=headers,
                 body=('{"name": "Ali", "' + text + '": 1}').encode())
    elif where == "query":
        r = call(app, "GET", "/search", headers=headers, query=b"q=" + url_text.encode())
    else:
        r = call(app, "GET", "/entities/" + url_text, headers=headers)
    assert r.status == 422, (r.status, r.body)
    assert r.json()["code"] == "invalid_text"
    (entry,) = events(guarded, "request.refused")
    assert entry.detail["code"] == "invalid_text"


def test_peer_endpoint_unknown_sender_header_refused_unread(app: FastAPI, guarded: Node) -> None:
    """The node-to-node endpoint: a sender header naming no peer is refused before the body is
    read; a chunked body over the limit is refused while streaming; deep or NUL-holding JSON
    is ``malformed``; all audited (first of the minute per source, repeats counted)."""
    path = "/federation/v1/messages"
    for _ in range(5):
        r = call(app, "POST", path, headers={"X-CTNode-Sender": "stranger-1"}, chunks=4096)
        assert r.status == 403 and r.json()["reason"] == "unknown_sender"
        assert r.pulled == 0
    r = call(app, "POST", path, chunks=4096)
    assert r.status == 413 and r.json()["reason"] == "too_large"
    assert r.pulled <= LIMIT // CHUNK + 1
    deep = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
    r = call(app, "POST", path, body=deep)
    assert r.status == 400 and r.json()["reason"] == "malformed"
    nul = json.dumps({"v": 1, "type": "ping", "sender": "x\x00y", "recipient": "guard-node",
                      "timestamp": "2026-01-01T00:00:00.000000Z", "nonce": "n", "body": {},
                      "signature": "s"}).encode()
    r = call(app, "POST", path, body=nul)
    assert r.status == 400 and r.json()["reason"] == "malformed"
    refused = events(guarded, "federation.refused")
    reasons = [e.detail["reason"] for e in refused]
    # five refusals of one stranger: one entry now, the four repeats counted (and the second
    # malformed message of the minute from that address is a repeat too)
    assert reasons.count("unknown_sender") == 1
    assert reasons.count("too_large") == 1 and reasons.count("malformed") == 1
    assert all(e.actor.startswith("unverified:") for e in refused)
    guarded.audit.refusals.flush(force=True)
    (agg,) = [e for e in events(guarded, "refusals.aggregated")
              if e.detail["reason"] == "unknown_sender"]
    assert agg.detail["repeats"] == 4 and agg.detail["claimed"] == "stranger-1"
    assert agg.detail["source"] == "127.0.0.9"
    (agg,) = [e for e in events(guarded, "refusals.aggregated") if e.detail["reason"] == "malformed"]
    assert agg.detail["repeats"] == 1
    assert guarded.audit.verify() > 0


def test_sender_header_must_match_the_envelope(app: FastAPI, guarded: Node) -> None:
    from ctnode.federation.envelope import seal
    from ctnode.federation.identity import Identity

    ident = guarded.federation.directory.ctx.identity
    other = Identity.create(guarded.settings.data_dir / "other", node_id="peer-x",
                            organisation="X", country="XX", contact="x@x.invalid",
                            endpoint="http://127.0.0.1:9", development=True)
    guarded.federation.directory.add_peer(ADMIN, other.descriptor().to_dict())
    env = seal(other, "ping", ident.node_id, {}).to_dict()
    raw = json.dumps(env).encode()
    r = call(app, "POST", "/federation/v1/messages", headers={"X-CTNode-Sender": "guard-node"},
             body=raw)
    assert r.status in (400, 403)
    r = call(app, "POST", "/federation/v1/messages", headers={"X-CTNode-Sender": "peer-x"},
             body=raw)
    assert r.status == 200 and r.json()["type"] == "pong"


def test_taxii_routes_guarded_in_taxii_form(app: FastAPI, guarded: Node, key: str) -> None:
    """The TAXII server meets the guard in its own dialect: HTTP Basic and Bearer keys are
    accepted; a refusal (no key, body too large, NUL in the query) is a TAXII error resource
    in the TAXII media type, the body unread or bounded while it streams in."""
    guarded.settings.taxii_max_content_length = LIMIT
    objects = "/taxii2/api1/collections/ct/objects/"
    _, key_id, secret = key.split("_", 2)
    basic = "Basic " + base64.b64encode(f"{key_id}:{secret}".encode()).decode()
    for auth in (basic, f"Bearer {key}"):
        r = call(app, "GET", "/taxii2/", headers={"Authorization": auth,
                                                   "Accept": TAXII_MEDIA_TYPE})
        assert r.status == 200 and r.json()["title"].startswith("ctnode TAXII"), r.body
    wrong = "Basic " + base64.b64encode(f"{key_id}:wrongwrongwrong".encode()).decode()
    for headers in ({}, {"Authorization": wrong}, {"Authorization": "Digest x"}):
        r = call(app, "POST", objects, headers={"Content-Type": TAXII_MEDIA_TYPE, **headers},
                 chunks=1024)
        assert (r.status, r.pulled) == (401, 0), (headers, r.body)
        assert r.headers["content-type"] == TAXII_MEDIA_TYPE
        assert "Basic" in r.headers["www-authenticate"]
        assert r.json()["title"] == "Unauthorized" and r.json()["http_status"] == "401"
    r = call(app, "POST", objects, headers={"Authorization": f"Bearer {key}",
                                            "Content-Type": TAXII_MEDIA_TYPE}, chunks=1024)
    assert r.status == 413 and r.json()["http_status"] == "413", r.body
    assert r.headers["content-type"] == TAXII_MEDIA_TYPE
    assert r.pulled <= LIMIT // CHUNK + 1
    r = call(app, "GET", objects, headers={"Authorization": f"Bearer {key}"},
             query=b"added_after=a%00b")
    assert r.status == 422 and r.json()["error_code"] == "invalid_text", r.body
    assert r.headers["content-type"] == TAXII_MEDIA_TYPE
