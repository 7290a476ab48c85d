"""The request guard: what every request meets before FastAPI reads its body.

FastAPI reads and parses a request's body *before* it solves the route's dependencies, so
a credential checked in a dependency comes too late: a caller without a key could make the
node read and parse hundreds of megabytes first. This pure ASGI middleware runs first, and
in this order:

1. the API key is checked from the headers (the body is not read; a refusal is a 401 and
   the connection is not drained). ``/healthz``, ``/readyz``, the OpenAPI pages and the peer endpoint
   ``/federation/v1/messages`` are the only paths without a key; the peer endpoint does its
   own checks (sender header, streaming limit; see ``routers/federation.py``);
2. the path and the query string may not hold a NUL, a lone surrogate or a non-UTF-8 byte;
3. a body is bounded while it streams in: ``max_upload_bytes`` on the upload routes (the
   routes that declare a raw request body), ``console_max_upload_bytes`` on the console's
   file forms (``session_uploads``), ``max_json_bytes`` on every other route; a
   JSON body is then checked by ``ctnode.textsafe.load_json`` (depth, NUL, lone
   surrogates, NaN) before the route ever parses it.

The TAXII server (``/taxii2/``, ``routers/taxii.py``) meets the same guard in its own
dialect: TAXII clients send the API key as HTTP Basic (key id : secret) or as a bearer
token, a TAXII POST is bounded by ``taxii_max_content_length`` (the ``max_content_length``
its API root announces), and every refusal is a TAXII error resource
(``application/taxii+json``; a 401 challenges with Basic and Bearer).

Every refusal is audited: ``request.refused`` for an authenticated caller, the refusal
ledger (``auth.denied``, then ``refusals.aggregated``) for everyone else.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse

from ctnode.errors import CTNodeError, TooLarge, Unauthorized
from ctnode.intel.taxii.media import TAXII_MEDIA_TYPE, TaxiiUnauthorized, error_resource
from ctnode.model.access import Actor
from ctnode.node import Node
from ctnode.services.access import ANONYMOUS
from ctnode.textsafe import check_url_part, load_json

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Paths answered without a credential (no body is read on any of them).
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/openapi.json", "/docs", "/redoc"})
# The reference pages' vendored scripts and styles (``api/docs.py``).
OPEN_PREFIXES = ("/docs/assets/",)
# The node-to-node endpoint: authenticated by the envelope's signature, checked in its route.
PEER_PATH = "/federation/v1/messages"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STATE_ACTOR = "ctnode_actor"
# The TAXII 2.1 server: its credentials and its refusals in TAXII's own form.
TAXII_PREFIX = "/taxii2"
TAXII_CHALLENGE = 'Basic realm="ctnode TAXII", Bearer'


def token_from_headers(x_api_key: str | None, authorization: str | None) -> str | None:
    """The API key of a request: ``X-API-Key``, or ``Authorization: ApiKey|Bearer <key>``."""
    if x_api_key is not None:
        return x_api_key
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() not in {"apikey", "bearer"} or not value.strip():
        raise Unauthorized("Authorization header must be 'ApiKey <key>' or 'Bearer <key>'")
    return value.strip()


def is_taxii(path: str) -> bool:
    return path == TAXII_PREFIX or path.startswith(TAXII_PREFIX + "/")


def taxii_token(x_api_key: str | None, authorization: str | None) -> str | None:
    """The API key of a TAXII request: HTTP Basic (user: the key id, password: its secret, or
    any user with the whole ``ctn_<id>_<secret>`` token as password), ``Bearer``, ``ApiKey``
    or ``X-API-Key``."""
    if x_api_key:
        return x_api_key
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    scheme, value = scheme.lower(), value.strip()
    if scheme in {"bearer", "apikey"} and value:
        return value
    if scheme == "basic":
        try:
            user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized("HTTP Basic credentials are not base64 of user:password") from None
        return password if password.startswith("ctn_") else f"ctn_{user}_{password}"
    raise Unauthorized("use HTTP Basic (key id : secret) or 'Authorization: Bearer <key>'")


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "?"


def is_json(content_type: str) -> bool:
    """Whether FastAPI would parse a body of this type as JSON (it does when none is given)."""
    main = content_type.split(";", 1)[0].strip().lower()
    return not main or main == "application/json" or (
        main.startswith("application/") and main.endswith("+json")
    )


def safe_path(path: str) -> str:
    """The path as it may go into the audit log (no NUL, no lone surrogate, bounded)."""
    return path.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\\0")[:200]


class RequestGuard:
    """Credential first, then bounded and checked input; see the module."""

    def __init__(self, app: ASGIApp, node: Node, upload_paths: list[re.Pattern[str]],
                 session_paths: tuple[str, ...] = (),
                 session_uploads: tuple[str, ...] = ()) -> None:
        self.app = app
        self.node = node
        self.upload_paths = upload_paths
        self.session_paths = session_paths
        self.session_uploads = frozenset(session_uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (scope["type"] != "http" or path in OPEN_PATHS or path == PEER_PATH
                or path.startswith(OPEN_PREFIXES)):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        source = client_address(scope)
        if self.session_paths and (path == "/" or path.startswith(self.session_paths)):
            # The console checks its own session; its input is bounded and checked here.
            try:
                receive = await self._checked(scope, headers, receive, console=True)
            except CTNodeError as exc:
                await _answer(exc, scope, receive, send, unread=True)
                return
            await self.app(scope, receive, send)
            return
        taxii = is_taxii(path)
        read_token = taxii_token if taxii else token_from_headers
        try:
            try:
                token = read_token(headers.get("x-api-key"), headers.get("authorization"))
            except Unauthorized as exc:
                await run_in_threadpool(self._audit_stranger, source, exc)
                raise
            actor: Actor = await run_in_threadpool(
                self.node.access.authenticate, token, source=source
            )
        except Unauthorized as exc:  # audited by the refusal ledger
            await _answer(exc, scope, receive, send, unread=True, taxii=taxii)
            return
        scope.setdefault("state", {})[STATE_ACTOR] = actor
        try:
            receive = await self._checked(scope, headers, receive)
        except CTNodeError as exc:
            await run_in_threadpool(self._audit, actor, scope, exc)
            await _answer(exc, scope, receive, send, unread=True, taxii=taxii)
            return
        await self.app(scope, receive, send)

    async def _checked(self, scope: Scope, headers: Headers, receive: Receive, *,
                       console: bool = False) -> Receive:
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogatepass")
        check_url_part(raw_path, "path")
        check_url_part(scope.get("query_string") or b"", "query string")
        if scope["method"] not in BODY_METHODS:
            return receive
        settings = self.node.settings
        upload = any(p.match(scope["path"]) for p in self.upload_paths)
        limit = settings.max_upload_bytes if upload else settings.max_json_bytes
        if console and scope["path"] in self.session_uploads:  # the console's file forms
            upload, limit = True, settings.console_max_upload_bytes
        if is_taxii(scope["path"]):  # the max_content_length its root announces
            limit = settings.taxii_max_content_length
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise TooLarge(f"body of {declared} bytes exceeds the limit of {limit} bytes")
        if upload:
            return _counting(receive, limit)
        body = await read_bounded(receive, limit)
        if body.strip() and is_json(headers.get("content-type", "")):
            load_json(body, max_depth=settings.max_json_depth)
        return _replay(body, receive)

    def _audit(self, actor: Actor, scope: Scope, exc: CTNodeError) -> None:
        self.node.audit.record(
            "request.refused",
            actor,
            detail={
                "method": str(scope["method"])[:10],
                "path": safe_path(scope["path"]),
                "code": exc.code,
                "status": exc.status_code,
                "message": exc.message[:200],
            },
        )

    def _audit_stranger(self, source: str, exc: CTNodeError) -> None:
        self.node.audit.refusals.refused(
            "auth.denied", source=source, reason="bad_scheme", claimed="key:?",
            actor=ANONYMOUS, detail={"key_id": None, "message": exc.message[:200]},
        )


async def read_bounded(receive: Receive, limit: int) -> bytes:
    """The whole body from the ASGI ``receive`` channel, refused above ``limit`` bytes as soon
    as the count passes it (a chunked body with no declared length included)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _counting(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises ``TooLarge`` once more than ``limit`` bytes came through (the
    upload routes also check it themselves; this holds whatever reads the body)."""
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        size += len(message.get("body", b""))
        if size > limit:
            raise TooLarge(f"body exceeds the limit of {limit} bytes")
        return message

    return counted


async def _answer(
    exc: CTNodeError, scope: Scope, receive: Receive, send: Send, *, unread: bool,
    taxii: bool = False,
) -> None:
    challenge = TAXII_CHALLENGE if taxii else "ApiKey"
    headers = {"WWW-Authenticate": challenge} if exc.status_code == 401 else {}
    if unread:
        headers["Connection"] = "close"  # the body is not read: do not keep the connection
    if taxii:  # a TAXII error resource, as every answer of the TAXII routes
        if isinstance(exc, Unauthorized):
            exc = TaxiiUnauthorized(exc.message)
        await JSONResponse(error_resource(exc), status_code=exc.status_code, headers=headers,
                           media_type=TAXII_MEDIA_TYPE)(scope, receive, send)
        return
    response = JSONResponse(
        status_code=exc.status_code,
        content={"detail": exc.message, "code": exc.code},
        headers=headers,
    )
    await response(scope, receive, send)
