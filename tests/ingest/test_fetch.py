"""Fetching a list from a URL (a real HTTP server on loopback) or a path; every failure typed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ctnode.errors import InvalidInput, TooLarge, Unavailable
from ctnode.federation.transport import download
from ctnode.ingest.fetch import fetch_source
from ctnode.ingest.un_sc import DEMO_LIST, parse_un_sc

DEMO = DEMO_LIST.read_bytes()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/list.xml":
            self.send_response(200)
            self.send_header("Content-Length", str(len(DEMO)))
            self.end_headers()
            self.wfile.write(DEMO)
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/list.xml")
            self.end_headers()
        elif self.path == "/announced-huge":
            self.send_response(200)
            self.send_header("Content-Length", str(10**12))
            self.end_headers()
        elif self.path == "/endless":
            self.send_response(200)
            self.end_headers()  # no length: HTTP/1.0 body until close
            try:
                for _ in range(1000):
                    self.wfile.write(b"x" * 65536)
            except OSError:
                pass  # the client hung up, as it should
        elif self.path == "/slow":
            time.sleep(2)
            self.send_response(200)
            self.end_headers()
        else:
            self.send_response(404)
            self.end_headers()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_download_and_parse(server: str) -> None:
    data = fetch_source(f"{server}/list.xml", timeout=5, download=download)
    assert data == DEMO
    assert len(parse_un_sc(data, source_name=f"{server}/list.xml").entities) == 16
    assert fetch_source(f"{server}/moved", timeout=5, download=download) == DEMO


def test_http_errors_are_unavailable(server: str) -> None:
    with pytest.raises(Unavailable, match="answered HTTP 404"):
        fetch_source(f"{server}/nothing", timeout=5, download=download)
    with pytest.raises(Unavailable, match=r"no answer within 0\.3 s"):
        fetch_source(f"{server}/slow", timeout=0.3, download=download)
    with pytest.raises(Unavailable, match="cannot be fetched"):
        # the discard port: refused
        fetch_source("http://127.0.0.1:9/list.xml", timeout=2, download=download)


def test_size_limit(server: str) -> None:
    with pytest.raises(TooLarge, match="announced"):
        fetch_source(f"{server}/announced-huge", timeout=5, download=download)
    with pytest.raises(TooLarge, match="more than the limit of 1000000 bytes"):
        fetch_source(f"{server}/endless", timeout=5, download=download, max_bytes=1_000_000)
    with pytest.raises(TooLarge):
        fetch_source(str(DEMO_LIST), timeout=5, download=download, max_bytes=100)


def test_local_paths(tmp_path: Path) -> None:
    assert fetch_source(str(DEMO_LIST), timeout=1, download=download) == DEMO
    assert fetch_source(DEMO_LIST.as_uri(), timeout=1, download=download) == DEMO
    with pytest.raises(InvalidInput, match="file not found"):
        fetch_source(str(tmp_path / "missing.xml"), timeout=1, download=download)
    with pytest.raises(InvalidInput, match="not a regular file"):
        fetch_source(str(tmp_path), timeout=1, download=download)
    with pytest.raises(InvalidInput, match="unsupported source scheme 'ftp'"):
        fetch_source("ftp://example.org/list.xml", timeout=1, download=download)
