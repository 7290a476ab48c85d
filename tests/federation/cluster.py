"""Real ctnode node processes on loopback, for the federation tests.

Each node gets its own data folder (SQLite store, keys), a free port on
127.0.0.1 and a bootstrap admin API key; it is set up in this process through
the same service calls the CLI and API make, then served by ``ctnode serve`` in
its own process.

A test's network is set up with the steps below: ``make_nodes`` and ``seed_stores``; each
node ``opened`` in this process to ``introduce`` the nodes to each other (identity and peers)
and ``agree`` on what they share; ``started`` around the processes' lives and ``ready``
once each answers. The servers read identity, lists, peers and agreements from their
stores when used, so they may start before the set-up (their start-up overlaps it) or after.
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
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from ctnode.model.access import Actor
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
        keys = self.extra_env.get("CTNODE_KEYS_DIR")  # the server's keys, when kept apart
        return Settings(
            data_dir=self.data_dir,
            mode="development",
            port=self.port,
            database_url="",
            keys_dir=Path(keys) if keys else None,
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


def by_letter(name: str) -> str:
    """An organisation named by the node's last letter: ``node-x`` is "Coordinator X"."""
    return f"Coordinator {name[-1].upper()}"


@contextmanager
def opened(procs: Mapping[str, NodeProc]) -> Iterator[dict[str, Node]]:
    """Each node (by name) opened in this process for its set-up, closed afterwards."""
    handles: dict[str, Node] = {}
    try:
        for name, p in procs.items():
            handles[name] = p.open()
        yield handles
    finally:
        for h in handles.values():
            h.close()


def introduce(procs: Mapping[str, NodeProc], handles: Mapping[str, Node], actor: Actor, *,
              organisation: Callable[[str], str] = lambda name: f"Coordinator {name}",
              country: Callable[[str], str] = lambda name: "AA") -> None:
    """Give each node (by name) its identity, its endpoint the process's URL and its contact
    duty@<name>.example, then every other node as a peer, by its signed descriptor."""
    for name, h in handles.items():
        h.federation.directory.init(
            actor, node_id=name, organisation=organisation(name), country=country(name),
            contact=f"duty@{name}.example", endpoint=procs[name].url)
    descs = {name: h.federation.directory.descriptor(actor).to_dict()
             for name, h in handles.items()}
    for name, h in handles.items():
        for other, desc in descs.items():
            if other != name:
                h.federation.directory.add_peer(actor, desc)


def agree(handles: Mapping[str, Node], actor: Actor, holder: str, asker: str, *,
          inbound: Mapping[str, Any] | None = None, **terms: Any) -> None:
    """One agreement, both sides: ``holder`` shares with ``asker`` under ``terms`` (outbound),
    and ``asker`` takes it under the same terms, or under ``inbound`` where its side differs."""
    handles[holder].federation.directory.add_agreement(
        actor, peer_id=asker, direction="outbound", **terms)
    handles[asker].federation.directory.add_agreement(
        actor, peer_id=holder, direction="inbound", **(terms if inbound is None else inbound))


@contextmanager
def started(procs: Iterable[NodeProc]) -> Iterator[None]:
    """The processes started (not waited for), and stopped afterwards whatever happens."""
    procs = list(procs)
    try:
        for n in procs:
            n.start()
        yield
    finally:
        for n in procs:
            n.stop()


def ready(procs: Iterable[NodeProc], *, warm_up: bool = False) -> None:
    """Each process answers; with ``warm_up`` each has also built its match index by a first
    screen (not to count against a later deadline)."""
    procs = list(procs)
    for n in procs:
        n.wait_ready()
    if warm_up:
        for n in procs:
            assert n.api("POST", "/screen", json={"name": "Warm Up"}).status_code == 200
