"""A loopback HTTP server over the TAXII protocol layer, for tests only.

It stands where the node's API routes will stand after the integration step: it
parses the request, calls one ``ctnode.intel.taxii.protocol`` function, and writes
the response. HTTP Basic credentials are checked so the clients' auth is exercised.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from ctnode.errors import CTNodeError
from ctnode.intel.taxii import protocol
from ctnode.intel.taxii.collection import MemoryCollection
from ctnode.intel.taxii.media import TaxiiNotFound
from ctnode.intel.taxii.resources import ApiRoot, Collection, Discovery, Status
from ctnode.model.tlp import TLP

USER, PASSWORD = "analyst", "s3cret-test-key"
COLLECTION_ID = "365fed99-08fa-fdcd-a1b3-fb247eb41d01"


class TaxiiTestServer:
    def __init__(self, store: MemoryCollection, tlp_levels: frozenset[TLP] | None = None) -> None:
        self.store = store
        self.tlp_levels = tlp_levels
        self.statuses: dict[str, Status] = {}
        self.base = ""
        self.limits = protocol.Limits(default_limit=100, max_limit=500)

    def collection(self) -> Collection:
        return Collection(
            COLLECTION_ID, "Indicators", can_read=True, can_write=True, alias="indicators"
        )

    def handle(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: bytes,
    ) -> protocol.TaxiiResponse:
        accept = headers.get("accept")
        parts = [p for p in path.split("/") if p]
        if parts == ["taxii2"]:
            return protocol.discovery(
                Discovery("ctnode test", [f"{self.base}/api1/"], default=f"{self.base}/api1/"),
                accept,
            )
        if parts == ["api1"]:
            return protocol.api_root(
                ApiRoot("api1", max_content_length=self.limits.max_content_length), accept
            )
        if parts[:2] == ["api1", "status"] and len(parts) == 3:
            return protocol.status(self.statuses.get(parts[2]), accept)
        if parts == ["api1", "collections"]:
            return protocol.collections([self.collection()], accept)
        if len(parts) >= 3 and parts[:2] == ["api1", "collections"]:
            col = self.collection() if parts[2] == COLLECTION_ID else None
            rest = parts[3:]
            if not rest:
                return protocol.collection(col, accept)
            req = protocol.TaxiiRequest(col, query, accept, self.tlp_levels, self.limits)
            if rest == ["objects"] and method == "GET":
                return protocol.get_objects(self.store, req)
            if rest == ["objects"] and method == "POST":
                now = datetime.now(UTC)
                st, resp = protocol.add_objects(
                    lambda cid, objs: self.store.add(cid, objs, now),
                    req,
                    body,
                    headers.get("content-type"),
                    now,
                )
                self.statuses[st.id] = st
                return resp
            if rest == ["manifest"]:
                return protocol.get_manifest(self.store, req)
            if len(rest) == 2 and rest[0] == "objects":
                return protocol.get_object(self.store, req, rest[1])
            if len(rest) == 3 and rest[0] == "objects" and rest[2] == "versions":
                return protocol.get_versions(self.store, req, rest[1])
        raise TaxiiNotFound(f"no TAXII resource at {path}")


@contextmanager
def serve(server: TaxiiTestServer) -> Iterator[str]:
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def _go(self, method: str) -> None:
            url = urlsplit(self.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            length = int(headers.get("content-length", "0") or 0)
            body = self.rfile.read(length) if length else b""
            if headers.get("authorization") != expected:
                resp = protocol.TaxiiResponse(401, {"title": "Unauthorized", "http_status": "401"})
            else:
                try:
                    resp = server.handle(
                        method,
                        url.path,
                        parse_qsl(url.query, keep_blank_values=True),
                        headers,
                        body,
                    )
                except CTNodeError as exc:
                    resp = protocol.error(exc)
            payload = resp.json_bytes()
            self.send_response(resp.status)
            for key, value in resp.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._go("GET")

        def do_POST(self) -> None:
            self._go("POST")

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.base
    finally:
        httpd.shutdown()
        httpd.server_close()
