"""Hostile input never gets a 500: the whole HTTP API fuzzed from its own OpenAPI schema.

Two halves:

- ``test_fuzz_every_operation``: schemathesis generates requests for every
  operation in ``app.openapi()`` (valid and deliberately invalid data, both
  modes) and sends them in process (ASGI) with an admin key (biometric flag
  on), against a node holding the demo list. Every answer must be below 500,
  every 4xx must be JSON with a non-empty ``detail``, and a response must fit
  its declared schema where the schema declares one. Bounded and derandomised:
  ``EXAMPLES`` examples per operation, a fixed seed, no example database, so CI
  replays the same requests. SQLite only (time budget; see the comment at the test).
- Hand-written hostile cases for what a schema cannot describe: the
  node-to-node ``/federation/v1/messages`` route (its body is a signed
  envelope read from the raw request) and the raw-body uploads (biometrics,
  manifests, payments): garbage bytes, oversized bodies, wrong content types,
  deeply nested JSON, NUL bytes, lone surrogates, non-UTF-8; and NUL / lone
  surrogates in every path, query and body string of every operation. These run
  on both backends.

A test also checks that the fuzzed operations are every route of the app, so a
new route cannot be left out silently.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import quote

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from ctnode.api.app import create_app
from ctnode.model.screening import ScreenQuery
from ctnode.node import Node
from tests.conftest import ADMIN

# Generated requests per operation (valid and invalid data mixed); 51 operations. Raise it
# for a deeper local run: CTNODE_FUZZ_EXAMPLES=200 pytest tests/api/test_fuzz.py
EXAMPLES = int(os.environ.get("CTNODE_FUZZ_EXAMPLES", "8"))
# Uploads are refused above this in the fuzzed node, so "too large" is cheap to reach.
SMALL_LIMIT = 64 * 1024

# The manifest route takes UN/EDIFACT as text: generate it as text/plain would be.
schemathesis.serializer.alias("application/edifact", "text/plain")


@pytest.fixture
def fuzz_node(node: Node) -> Node:
    """The demo-list node with a federation identity (so its routes do more than say 503),
    small upload limits, and its transliterators warmed up (see ``WARM_UP``)."""
    node.settings.max_upload_bytes = SMALL_LIMIT
    node.settings.max_json_bytes = SMALL_LIMIT
    node.settings.federation_max_message_bytes = SMALL_LIMIT
    node.federation.directory.init(
        ADMIN,
        node_id="fuzz-node",
        organisation="Fuzz",
        country="ZZ",
        contact="duty@fuzz.invalid",
        endpoint="http://127.0.0.1:9",
    )
    names = [WARM_UP[i : i + 400] for i in range(0, len(WARM_UP), 400)]
    node.screening.screen(ScreenQuery(names=names, schema="Person"), ADMIN)
    return node


# One character of every 64 in the BMP: the first screening with a script loads its ICU
# transliterator (up to seconds when the machine is busy); do it before the clock runs.
WARM_UP = "".join(chr(c) for c in range(0x80, 0x10000, 64) if not 0xD800 <= c < 0xE000)


@pytest.fixture
def fuzz_app(fuzz_node: Node) -> FastAPI:
    fuzz_node.start()  # as a served node: /readyz is 200, not 503 "loading"
    return create_app(fuzz_node)


@pytest.fixture
def admin_headers(fuzz_node: Node) -> dict[str, str]:
    token = fuzz_node.access.create_key(ADMIN, name="fuzz-admin", role="admin", biometric=True)
    return {"X-API-Key": token}


@pytest.fixture
def asgi_session(fuzz_app: FastAPI) -> Iterator[Any]:
    """One in-process client for all generated requests (not one per request)."""
    from schemathesis.python import asgi

    with asgi.get_client(cast(Any, fuzz_app)) as client:  # its ASGIApp alias is narrower
        yield client


@pytest.fixture
def api_schema(fuzz_app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


schema = schemathesis.pytest.from_fixture("api_schema")


def assert_refusal_explained(status: int, content: bytes) -> None:
    """A 4xx says why: a JSON object with a non-empty ``detail`` string."""
    assert status < 500, f"server error {status}: {content[:300]!r}"
    if status < 400:
        return
    try:
        body = json.loads(content)
    except ValueError:
        raise AssertionError(f"{status} body is not JSON: {content[:200]!r}") from None
    assert isinstance(body, dict), f"{status} body is not an object: {body!r}"
    detail = body.get("detail")
    if "http_status" in body and "title" in body:  # a TAXII error resource (/taxii2/ routes)
        detail = body.get("description")
    assert isinstance(detail, str) and detail.strip(), f"{status} body has no detail: {body!r}"


# Not ``negative_data_rejection``: pydantic's lax mode accepts e.g. 0 for a boolean and a
# number for a datetime on purpose, which that check reports as schema-violating data accepted.
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


# SQLite only: on both backends the fuzzing alone took ~3 minutes on the shared 2-core
# machine, past this module's budget. What differs between the backends is how they store
# text (NUL, lone surrogates), and the hand-written cases below send those to every
# parameter and body field on both backends.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_fuzz_every_operation(
    case: schemathesis.Case[Any], admin_headers: dict[str, str], asgi_session: Any
) -> None:
    """Generated requests, valid and invalid, on every operation: never a 5xx, every
    refusal explained, every answer in its declared shape."""
    # A generous read timeout: the machine CI shares is busy, and slowness is not a failure here.
    response = case.call(session=asgi_session, headers=admin_headers, timeout=60)
    case.validate_response(response, checks=CHECKS, headers=admin_headers)
    assert_refusal_explained(response.status_code, response.content)


def test_every_route_is_fuzzed(fuzz_app: FastAPI) -> None:
    """Every route of the app is in the OpenAPI document the fuzzer reads (nothing hidden
    with include_in_schema=False), and the raw-body routes have hand-written cases below."""
    from fastapi.routing import APIRoute

    documented = {(m.lower(), p) for p, ops in fuzz_app.openapi()["paths"].items() for m in ops}
    routed = {
        (m.lower(), r.path)
        for r in fuzz_app.routes
        if isinstance(r, APIRoute)
        for m in r.methods or ()
    }
    assert routed <= documented, routed - documented
    raw = {p for m, p in documented if m == "post" and p in RAW_BODY_ROUTES}
    assert raw == set(RAW_BODY_ROUTES), "a raw-body route has no hostile cases"


# -- hand-written hostile cases --------------------------------------------------------------


def test_unknown_paths_and_methods(hostile: TestClient, fuzz_app: FastAPI) -> None:
    """What the fuzzer never sends: undeclared methods and paths. The framework's own 404 and
    405 have the same body as ours (``detail`` and ``code``)."""
    for path, declared in fuzz_app.openapi()["paths"].items():
        url = re.sub(r"\{[^}]+\}", "x", path)
        # a method the path does not declare (PATCH mostly; some paths take it, e.g. a hash bank's)
        method = next((m for m in ("PATCH", "PUT", "DELETE", "POST", "GET")
                       if m.lower() not in declared), None)
        assert method is not None, path
        r = hostile.request(method, url)
        assert r.status_code == 405, (path, method, r.status_code)
        assert_refusal_explained(r.status_code, r.content)
        assert r.json()["code"] == "method_not_allowed"
    for url in ["/nope", "/entities", "/federation/v2/messages", "/" + "a/" * 2000]:
        r = hostile.get(url)
        assert r.status_code == 404, (url, r.status_code)
        assert_refusal_explained(r.status_code, r.content)
        assert r.json()["code"] == "not_found"
    # Row numbers past a signed 64-bit integer are refused before they reach the database driver.
    # (audit sequence numbers are 32-bit in the store, so past 2**31 - 1 for after_seq)
    for url in ["/audit?after_seq=2147483648", "/audit?after_seq=9223372036854775808",
                "/watch?offset=9223372036854775808"]:
        r = hostile.get(url)
        assert r.status_code == 422, (url, r.status_code, r.text)
        assert_refusal_explained(r.status_code, r.content)
    assert hostile.get("/audit?after_seq=2147483647").json()["entries"] == []
    r = hostile.get("/watch?offset=9223372036854775807")
    assert r.status_code == 200, r.text
    # Bytes that are not UTF-8 in a path are refused like a NUL or a lone surrogate anywhere.
    r = hostile.get("/%ff%fe")
    assert r.status_code == 422 and r.json()["code"] == "invalid_text", r.text


# Routes that read the raw request body themselves (the fuzzer sends the declared media
# types only, and nothing at all to /federation/v1/messages, which declares no body).
RAW_BODY_ROUTES = {
    "/federation/v1/messages": "application/json",
    "/entities/{entity_id}/biometrics/face": "image/jpeg",
    "/entities/{entity_id}/biometrics/fingerprint": "image/png",
    "/entities/{entity_id}/biometrics/ansi-nist": "application/octet-stream",
    "/biometrics/search/face": "image/jpeg",
    "/biometrics/search/fingerprint": "image/png",
    "/screen/manifest": "application/edifact",
    "/screen/payments": "application/xml",
}
# JSON routes that take a body the fuzzer does generate; here they get bytes no schema makes.
JSON_ROUTES = [
    "/screen",
    "/screen/batch",
    "/match/default",
    "/decisions",
    "/keys",
    "/federation/peers",
    "/federation/agreements",
    "/federation/screen",
    "/federation/disclosures",
    "/federation/alerts",
]

DEEP = 100_000
HOSTILE_BODIES: dict[str, bytes] = {
    "empty": b"",
    "garbage": bytes(range(256)) * 8,
    "non_utf8": b'{"name": "caf\xe9 \xff\xfe"}',
    "nul_bytes": b'{"name": "a\x00b"}',
    "escaped_nul": json.dumps({"name": "a\u0000b", "names": ["\u0000"]}).encode(),
    "lone_surrogate": b'{"name": "x\\ud800y", "names": ["\\udfff"]}',
    "deep_array": b"[" * DEEP + b"]" * DEEP,
    "deep_object": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "json_scalar": b"42",
    "json_array": b"[]",
    "json_null": b"null",
    "huge_number": b'{"limit": 1' + b"0" * 5000 + b"}",
    "nan": b'{"name": "x", "limit": NaN}',
}


@pytest.fixture
def hostile(fuzz_app: FastAPI, admin_headers: dict[str, str]) -> TestClient:
    client = TestClient(fuzz_app, raise_server_exceptions=False)
    client.headers.update(
        admin_headers | {"X-Purpose": "fuzzing", "X-Legal-Basis": "test", "X-Case-Ref": "fuzz-1"}
    )
    return client


def _post(client: TestClient, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
    path = path.replace("{entity_id}", "un_sc-DMi.001")
    headers = {"Content-Type": content_type.encode("latin-1")}
    r = client.post(path, content=body, headers=headers)
    return r.status_code, r.content


def test_hostile_bodies(hostile: TestClient) -> None:
    """Garbage, non-UTF-8, NUL, lone surrogates, deep nesting, non-objects, on every route
    that reads a body (as its own media type, and JSON routes as JSON): a 4xx that says why."""
    routes = [*RAW_BODY_ROUTES.items(), *((p, "application/json") for p in JSON_ROUTES)]
    failures = []
    for kind, body in HOSTILE_BODIES.items():
        for path, content_type in routes:
            status, content = _post(hostile, path, body, content_type)
            try:
                assert_refusal_explained(status, content)
            except AssertionError as exc:
                failures.append(f"{kind}: POST {path}: {exc}")
    assert not failures, "\n".join(failures)


def test_wrong_content_types(hostile: TestClient) -> None:
    """A JSON document under another content type, everywhere a body is read."""
    body = json.dumps({"name": "Ali Hassan", "queries": {}}).encode()
    content_types = [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/form-data; boundary=xyz",
        "",
        "x/\u00e9",
    ]
    failures = []
    for content_type in content_types:
        for path in [*JSON_ROUTES, *RAW_BODY_ROUTES]:
            status, content = _post(hostile, path, body, content_type)
            try:
                assert_refusal_explained(status, content)
            except AssertionError as exc:
                failures.append(f"POST {path} ({content_type!r}): {exc}")
    assert not failures, "\n".join(failures)


def test_oversized_bodies_are_refused_with_413(hostile: TestClient) -> None:
    """Over the limit, declared or not: 413 before the body is all read."""
    big = b"A" * (SMALL_LIMIT + 1)
    for path, content_type in sorted(RAW_BODY_ROUTES.items()):
        status, content = _post(hostile, path, big, content_type)
        assert status == 413, (path, status, content[:200])
        assert_refusal_explained(status, content)


def test_huge_json_bodies_are_refused_fast(hostile: TestClient) -> None:
    """A megabyte-scale JSON body on a JSON route is refused (4xx) in bounded time."""
    body = json.dumps({"name": "x" * 2_000_000, "names": ["y" * 1000] * 1000}).encode()
    for path in JSON_ROUTES:
        t = time.perf_counter()
        status, content = _post(hostile, path, body, "application/json")
        assert_refusal_explained(status, content)
        assert 400 <= status < 500, (path, status)
        assert time.perf_counter() - t < 10, path


def test_federation_message_shapes(hostile: TestClient) -> None:
    """Envelope-shaped hostility on the node-to-node route: wrong types in every field,
    strings with NUL and lone surrogates; refused as malformed or unknown sender, audited."""
    fields = ["v", "type", "sender", "recipient", "nonce", "sent_at", "body", "signature",
              "key_changes"]
    nasty: list[Any] = [None, 0, -1, 1e308, True, "", "\x00", "\ud800", "x" * 10_000, [], {}, [[]]]
    failures = []
    for field in fields:
        for value in nasty:
            env: dict[str, Any] = {f: "x" for f in fields}
            env["recipient"] = "fuzz-node"
            env[field] = value
            raw = json.dumps(env).encode()
            status, content = _post(hostile, "/federation/v1/messages", raw, "application/json")
            try:
                assert_refusal_explained(status, content)
                assert 400 <= status < 500
            except AssertionError as exc:
                failures.append(f"{field}={value!r:.30}: {exc}")
    assert not failures, "\n".join(failures)


HOSTILE_HEADERS = [
    {"X-API-Key": "ctn_\u00ff\u00fe_x"},
    {"X-API-Key": "ctn__"},
    {"X-API-Key": "_" * 10_000},
    {"Authorization": "ApiKey"},
    {"Authorization": "Bearer \u00e9\u00e9"},
    {"Authorization": "Basic Zm9vOmJhcg=="},
    {"X-Purpose": "p" * 1000},
    {"X-Legal-Basis": "\u00ff" * 600},
]


def test_hostile_headers(fuzz_app: FastAPI, admin_headers: dict[str, str]) -> None:
    """Credentials and purpose headers the fuzzer does not vary (it sends a valid key)."""
    client = TestClient(fuzz_app, raise_server_exceptions=False)
    failures = []
    for headers in HOSTILE_HEADERS:
        encoded = {k: v.encode("latin-1") for k, v in headers.items()}
        if "X-API-Key" not in headers and "Authorization" not in headers:
            encoded["X-API-Key"] = admin_headers["X-API-Key"].encode()
        for method, path in [("POST", "/screen"), ("GET", "/search?q=x"), ("GET", "/audit")]:
            r = client.request(method, path, json={"name": "x"}, headers=encoded)
            try:
                assert_refusal_explained(r.status_code, r.content)
            except AssertionError as exc:
                failures.append(f"{method} {path} {list(headers)}: {exc}")
    assert not failures, "\n".join(failures)


# Strings no backend stores alike: NUL (PostgreSQL refuses it in text) and a lone surrogate
# (no UTF-8 form). The fuzzer rarely draws them, so every parameter and body field gets them.
NASTY = {"nul": "a\x00b", "surrogate": "a\ud800b"}
ENTITY = "un_sc-DMi.001"


def _bodies(s: str) -> dict[str, dict[str, Any]]:
    """A body per JSON route, otherwise valid, with ``s`` in every string field."""
    subject = {"id": s, "name": f"Ali {s}", "nationality": s, "document": s, "birthDate": s}
    return {
        "/screen": subject,
        "/screen/batch": {"subjects": [subject, {"name": "x", "names": [s]}]},
        "/match/default": {
            "queries": {s: {"id": s, "schema": "Person", "properties": {"name": [s], "x": s}}}
        },
        "/decisions": {"entity_id": ENTITY, "decision": "unsure", "comment": s, "subject": subject},
        "/keys": {"name": s, "role": "screener"},
        "/federation/peers": {k: s for k in ("node_id", "organisation", "country", "signature")},
        "/federation/agreements": {
            "peer_id": s,
            "direction": s,
            "lists": [s],
            "purposes": [s],
            "expires_at": "2030-01-01T00:00:00Z",
            "max_disclosure": s,
            "fields": [s],
        },
        "/federation/screen": {
            "name": f"Ali {s}",
            "schema": s,
            "nationality": [s],
            "document": [s],
            "purpose": s,
            "legal_basis": s,
            "case_ref": s,
            "peers": [s],
            "lists": [s],
        },
        "/federation/disclosures": {
            "peer_id": s,
            "ref": s,
            "justification": s,
            "purpose": s,
            "legal_basis": s,
            "case_ref": s,
        },
        "/federation/disclosures/x/approve": {"reason": s},
        "/federation/disclosures/x/refuse": {"reason": s},
        "/federation/alerts": {"kind": s, "title": s, "body": s, "peers": [s]},
    }


def _string_params(op: dict[str, Any], where: str) -> list[str]:
    names = []
    for p in op.get("parameters", []):
        schema = p.get("schema", {})
        types = {schema.get("type")} | {a.get("type") for a in schema.get("anyOf", [])}
        if p["in"] == where and ("string" in types or where == "path"):
            names.append(p["name"])
    return names


@pytest.mark.parametrize("kind", sorted(NASTY))
def test_nul_and_surrogates_everywhere(hostile: TestClient, fuzz_app: FastAPI, kind: str) -> None:
    """Every path parameter, every string query parameter and every JSON body field of every
    operation: a 4xx that says why, or an answer; never a driver error."""
    s = NASTY[kind]
    failures = []
    for path, ops in fuzz_app.openapi()["paths"].items():
        for method, op in ops.items():
            url = path
            for name in _string_params(op, "path"):
                url = url.replace("{" + name + "}", quote(s.encode("utf-8", "surrogatepass")))
            params = {
                name: s.encode("utf-8", "surrogatepass") for name in _string_params(op, "query")
            }
            if "reason" in params:
                params["reason"] = b"because: " + params["reason"]
            body = _bodies(s).get(re.sub(r"\{[^}]+\}", "x", path)) if method == "post" else None
            # json.dumps escapes a lone surrogate as \\udXXX, as a hostile client would send it.
            r = hostile.request(
                method.upper(),
                url,
                params=params,
                content=None if body is None else json.dumps(body).encode(),
                headers={"Content-Type": "application/json"},
            )
            try:
                assert_refusal_explained(r.status_code, r.content)
            except AssertionError as exc:
                failures.append(f"{method.upper()} {path}: {exc}")
    verify = hostile.get("/audit/verify")  # refused writes left the hash chain whole
    assert verify.status_code == 200 and verify.json()["ok"], verify.text
    assert not failures, "\n".join(failures)
