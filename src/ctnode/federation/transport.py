"""The only module of ctnode that opens connections to other hosts.

Envelopes between nodes: one contract, two implementations, ``HttpTransport``
(HTTP(S) between real node processes, via httpx) and ``InProcessTransport``
(handlers in the same process, for protocol tests and the sign/verify benchmark).
Lists from their publishers: :func:`download` (``node.py`` hands it to the lists
service). TAXII 2.1 pulls: :class:`TaxiiHttpClient` (the puller's
``TaxiiTransport``). Later outbound calls (webhooks) belong here too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import httpx

from ctnode.errors import TooLarge, Unavailable

if TYPE_CHECKING:  # the TAXII client imports the STIX parser: only its pulls need it
    from ctnode.intel.taxii.client import HttpResult

MESSAGES_PATH = "/federation/v1/messages"

FailureKind = Literal["down", "timeout", "invalid"]


@dataclass(frozen=True, slots=True)
class Reply:
    """What came back: the HTTP status and the JSON body."""

    status: int
    body: Any


class TransportFailure(Exception):
    """The peer could not be reached (``down``), did not answer in time (``timeout``),
    or answered something that is not JSON (``invalid``)."""

    def __init__(self, kind: FailureKind, message: str) -> None:
        super().__init__(message)
        self.kind: FailureKind = kind
        self.message = message


class Transport(Protocol):
    def send(self, endpoint: str, envelope: dict[str, Any], timeout: float) -> Reply: ...

    def close(self) -> None: ...


SENDER_HEADER = "X-CTNode-Sender"

#: Seconds an idle connection to a peer is kept for this node's next request to it.
KEEPALIVE_EXPIRY = 5.0
#: Seconds a served node (``ctnode serve``) keeps a client's idle connection open: far past
#: KEEPALIVE_EXPIRY. At equal times (uvicorn's default was 5 s, as httpx's), a request sent
#: on a connection idle for almost 5 s could cross the peer closing it, and the peer read
#: ``down`` ("Server disconnected without sending a response"): on a loaded machine a
#: screen about 5 s after the last one to the same peer lost that peer's answer. Now the
#: requester always lets a connection go well before the peer would close it.
SERVER_KEEP_ALIVE = 30


class HttpTransport:
    """POSTs each envelope as JSON to ``<endpoint>/federation/v1/messages``."""

    def __init__(self, *, max_connections: int = 64, verify_tls: bool = True) -> None:
        self.client = httpx.Client(
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections,
                keepalive_expiry=KEEPALIVE_EXPIRY,
            ),
            verify=verify_tls,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": "ctnode-federation/1"},
        )

    def send(self, endpoint: str, envelope: dict[str, Any], timeout: float) -> Reply:
        try:
            resp = self.client.post(
                endpoint + MESSAGES_PATH,
                json=envelope,
                timeout=timeout,
                # checked by the receiver before it reads the body (unknown senders: refused)
                headers={SENDER_HEADER: str(envelope.get("sender", ""))},
            )
        except httpx.TimeoutException as exc:
            raise TransportFailure("timeout", f"no answer within {timeout:.1f} s") from exc
        except httpx.TransportError as exc:
            raise TransportFailure("down", f"{type(exc).__name__}: {exc}") from exc
        try:
            body = resp.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise TransportFailure("invalid", f"HTTP {resp.status_code}, body is not JSON") from exc
        return Reply(status=resp.status_code, body=body)

    def close(self) -> None:
        self.client.close()


Handler = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


class InProcessTransport:
    """Delivers envelopes to handlers registered by endpoint, in this process."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}

    def register(self, endpoint: str, handler: Handler) -> None:
        self.handlers[endpoint.rstrip("/")] = handler

    def send(self, endpoint: str, envelope: dict[str, Any], timeout: float) -> Reply:
        handler = self.handlers.get(endpoint.rstrip("/"))
        if handler is None:
            raise TransportFailure("down", f"no node at {endpoint}")
        # Round-trip through JSON so both sides see exactly what HTTP would carry.
        status, body = handler(json.loads(json.dumps(envelope)))
        return Reply(status=status, body=json.loads(json.dumps(body)))

    def close(self) -> None:
        self.handlers.clear()


USER_AGENT = "ctnode-list-fetch/0.1"


def download(url: str, timeout: float, max_bytes: int) -> bytes:
    """GET ``url``, streamed and stopped as soon as it passes ``max_bytes`` (so a hostile or
    broken server cannot fill memory); at most 5 redirects; every failure typed."""
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5,
                          headers={"User-Agent": USER_AGENT}) as client, \
                client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise Unavailable(f"{url}: the server answered HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise TooLarge(f"{url}: {declared} bytes announced, more than the limit of "
                               f"{max_bytes}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"{url}: more than the limit of {max_bytes} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.TimeoutException:
        raise Unavailable(f"{url}: no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise Unavailable(f"{url}: cannot be fetched ({type(exc).__name__}: {exc})") from None


class TaxiiHttpClient:
    """The TAXII puller's HTTP GET (``ctnode.intel.taxii.client.TaxiiTransport``) over httpx:
    HTTP Basic (user, password) or a bearer token, a timeout, TLS verification."""

    def __init__(
        self,
        *,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float = 30.0,
        verify: bool = True,
    ) -> None:
        auth = (
            httpx.BasicAuth(user, password) if user is not None and password is not None else None
        )
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.Client(auth=auth, headers=headers, timeout=timeout, verify=verify)

    def get(
        self, url: str, params: Sequence[tuple[str, str]], headers: Mapping[str, str]
    ) -> HttpResult:
        from ctnode.intel.taxii.client import HttpResult

        try:
            resp = self._client.get(url, params=list(params), headers=dict(headers))
        except httpx.HTTPError as exc:
            raise Unavailable(f"TAXII server {url} could not be reached: {exc}") from exc
        return HttpResult(
            resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, resp.content
        )

    def close(self) -> None:
        self._client.close()


WEBHOOK_AGENT = "ctnode-webhook/1"


def post_webhook(url: str, payload: dict[str, Any], timeout: float) -> int:
    """POST ``payload`` as JSON to a configured webhook (monitoring alerts); no redirects,
    no proxy from the environment. Returns the HTTP status; a failure is ``Unavailable``."""
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False,
                          headers={"User-Agent": WEBHOOK_AGENT}) as client:
            response = client.post(url, json=payload)
    except httpx.HTTPError as exc:
        raise Unavailable(f"{url}: webhook not reached ({type(exc).__name__}: {exc})") from None
    if response.status_code >= 400:
        raise Unavailable(f"{url}: the webhook answered HTTP {response.status_code}")
    return response.status_code
