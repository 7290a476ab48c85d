"""Real ctnode node processes on loopback, for the federation tests.

Each node gets its own data folder (SQLite store, keys), a free port on
127.0.0.1 and a bootstrap admin API key; it is set up in this process through
the same service calls the CLI and API make, then served by ``ctnode serve`` in
its own process.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from ctnode.model.lists import ParsedList, copy_id
from ctnode.node import Node
from ctnode.settings import Settings

CTNODE = str(Path(sys.executable).with_name("ctnode"))


def reserve_port() -> socket.socket:
    """A socket bound to a free loopback port, held until the node starts (so nothing else
    on this busy machine takes the port between choosing it and serving on it)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    return s


@dataclass
class NodeProc:
    """One node: its folder, port, admin key, and (once started) its process."""

    name: str
    data_dir: Path
    port: int
    admin_key: str
    proc: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    reservation: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {
            "CTNODE_DATA_DIR": str(self.data_dir),
            "CTNODE_MODE": "development",
            "CTNODE_PORT": str(self.port),
            "CTNODE_HOST": "127.0.0.1",
            "CTNODE_DATABASE_URL": "",
            "CTNODE_BOOTSTRAP_ADMIN_KEY": self.admin_key,
            **self.extra_env,
        }

    def settings(self) -> Settings:
        return Settings(
            data_dir=self.data_dir,
            mode="development",
            port=self.port,
            database_url="",
        )  # no bootstrap key: the node's own server process installs it

    def open(self) -> Node:
        return Node(self.settings())

    def start(self) -> None:
        env = {**os.environ, **self.env}
        log = (self.data_dir / "server.log").open("ab")
        if self.reservation is not None:
            self.reservation.close()
            self.reservation = None
        self.proc = subprocess.Popen(
            [CTNODE, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited: {(self.data_dir / 'server.log').read_text()[-2000:]}"
                )
            try:
                # ready, not only alive: the server answers before it has warmed up
                # (rigour's tagger holds the interpreter while it starts, and a peer's
                # delta in that window would wait for it)
                if httpx.get(self.url + "/readyz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start within {timeout} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def api(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"X-API-Key": self.admin_key, **kw.pop("headers", {})}
        return httpx.request(method, self.url + path, headers=headers, timeout=30.0, **kw)


def as_copy(parsed: ParsedList, publisher: str) -> ParsedList:
    """``parsed`` as a subscriber holds it when ``publisher``'s sync brought it: a list
    published by that peer (``peer:<id>``), each record named ``<publisher>:<id>``."""
    return replace(parsed, source=f"peer:{publisher}", entities=[
        replace(e, id=copy_id(publisher, e.id)) for e in parsed.entities])


def make_nodes(root: Path, names: list[str]) -> list[NodeProc]:
    out = []
    for i, name in enumerate(names):
        key = f"ctn_{i:04d}beef{i:04d}_{'s' * 20}{name.replace('-', '')}"
        sock = reserve_port()
        out.append(
            NodeProc(
                name=name,
                data_dir=root / name,
                port=int(sock.getsockname()[1]),
                admin_key=key,
                reservation=sock,
            )
        )
    return out


def seed_stores(nodes: list[NodeProc]) -> None:
    """Give every node a freshly migrated, empty SQLite store (migrated once, then copied)."""
    first = nodes[0]
    Node(Settings(data_dir=first.data_dir, mode="development", database_url="")).close()
    db = first.data_dir / "ctnode.db"
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    for n in nodes[1:]:
        n.data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(db, n.data_dir / "ctnode.db")
