"""A protected store on real node processes (issue 13 item 6): what a node deletes does not
survive in the bytes of its SQLite files, and the files are owner-only while it serves.

Two processes on loopback: ``node-h`` holds a record with distinctive values and releases
some of them to ``node-r`` after a person approves, with a time to live of seconds. At the
expiry ``node-r``'s own scheduler (job ``disclosure-expiry``) deletes the fields; nothing
reads the disclosure in between. The raw bytes of ``ctnode.db``, ``-wal`` and ``-shm`` are
read before (the values are there: the check can fail) and after (they are gone). Then a
screened manifest past its retention is deleted by the server's sweep, the same way.

The processes start once for the module; tests run in file order.
"""

from __future__ import annotations

import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ctnode.model.access import Actor
from ctnode.model.entities import Entity, Statement
from ctnode.model.lists import ParsedList
from tests.conftest import TRAVEL_FIXTURES
from tests.federation import cluster
from tests.federation.cluster import NodeProc, make_nodes, seed_stores

ADMIN = Actor(name="test-admin", role="admin")
NAME = "Oswin Trelawney Quillfeather"
# Values only the disclosure brings to node-r (the screen sends the name, not these).
PASSPORT = "QZ5519XK0731"
BIRTH_DATE = "1941-07-23"
# A traveller's surname found nowhere but in the manifest that names it.
TRAVELLER = "XANTHOPOULOU"
PURPOSE = {"X-Purpose": "investigation", "X-Legal-Basis": "Act 12 s.3", "X-Case-Ref": "CASE-13"}


def _holders_list() -> ParsedList:
    person = Entity(id="hx-1", schema="Person", dataset="hx", reference="HX-1")
    person.statements = [Statement(prop=p, value=v, original=v, dataset="hx") for p, v in
                         (("name", NAME), ("birthDate", BIRTH_DATE), ("nationality", "is"),
                          ("passportNumber", PASSPORT))]
    return ParsedList(dataset="hx", title="HX national list", version="1",
                      source="/data/hx.csv", entities=[person])


@pytest.fixture(scope="module")
def duo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("at-rest")
    nodes = {n.name: n for n in make_nodes(root, ["node-h", "node-r"])}
    seed_stores(list(nodes.values()))
    # node-r keeps its keys outside its data folder (CTNODE_KEYS_DIR)
    nodes["node-r"].extra_env["CTNODE_KEYS_DIR"] = str(root / "node-r-keys")
    for n in nodes.values():
        n.extra_env.update({
            "CTNODE_FEDERATION_DISCLOSURE_EXPIRY_SECONDS": "1",
            "CTNODE_MESSAGES_RAW_DELETE_DAYS": "0",  # a screened manifest is due at once
        })
    # set up before the servers start: node-r's keys are made once, by this process
    with cluster.opened(nodes) as handles:
        cluster.introduce(nodes, handles, ADMIN, organisation=cluster.by_letter)
        handles["node-h"].lists.import_list(_holders_list(), ADMIN)
        cluster.agree(handles, ADMIN, "node-h", "node-r", lists=["hx"],
                      purposes=["investigation"], rate_per_minute=1000, max_disclosure="fields",
                      fields=["name", "birthDate", "passportNumber"],
                      expires_at=datetime.now(UTC) + timedelta(days=365))
    with cluster.started(nodes.values()):
        cluster.ready(nodes.values(), warm_up=True)
        # each server started its scheduler before it said ready
        yield {"nodes": nodes, "ready": time.monotonic()}


def store_bytes(node: NodeProc) -> dict[str, bytes]:
    """The raw bytes of the node's SQLite files, as a copy of the disk would hold them."""
    out = {}
    for name in ("ctnode.db", "ctnode.db-wal", "ctnode.db-shm"):
        f = node.data_dir / name
        if f.exists():
            out[name] = f.read_bytes()
    return out


def holding(node: NodeProc, *values: str) -> dict[str, list[str]]:
    """Which of ``values`` (as written, upper or lower case) each SQLite file holds."""
    found: dict[str, list[str]] = {}
    for name, data in store_bytes(node).items():
        for v in values:
            if any(form.encode() in data for form in {v, v.upper(), v.lower(), v.title()}):
                found.setdefault(name, []).append(v)
    return found


def events(node: NodeProc, event: str) -> list[dict[str, Any]]:
    r = node.api("GET", "/audit", params={"event": event})  # reads the audit only
    assert r.status_code == 200, r.text
    entries: list[dict[str, Any]] = r.json()["entries"]
    return entries


def owner_only(folder: Path) -> None:
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700, oct(folder.stat().st_mode)
    for f in folder.glob("ctnode.db*"):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, (f.name, oct(f.stat().st_mode))


def test_expired_disclosed_fields_leave_no_bytes_behind(duo: dict[str, Any]) -> None:
    h, r = duo["nodes"]["node-h"], duo["nodes"]["node-r"]
    assert holding(r, PASSPORT, BIRTH_DATE) == {}  # nothing of the record at node-r yet
    got = r.api("POST", "/federation/screen", json={
        "name": NAME, "purpose": "investigation", "legal_basis": "Act 12 s.3",
        "case_ref": "CASE-13", "peers": ["node-h"], "deadline": 10.0})
    assert got.status_code == 200, got.text
    (peer,) = got.json()["peers"]
    assert peer["status"] == "hit", peer
    asked = r.api("POST", "/federation/disclosures", json={
        "peer_id": "node-h", "ref": peer["hits"][0]["ref"], "justification": "at the border",
        "purpose": "investigation", "legal_basis": "Act 12 s.3", "case_ref": "CASE-13"})
    assert asked.status_code == 201, asked.text
    pending = h.api("GET", "/federation/disclosures",
                    params={"direction": "incoming", "status": "pending"}).json()
    assert len(pending) == 1
    approved = h.api("POST", f"/federation/disclosures/{pending[0]['id']}/approve",
                     json={"reason": "case confirmed", "ttl_seconds": 4})
    assert approved.status_code == 200 and approved.json()["delivered"] is True, approved.text
    # The fields are in node-r's files now (the check below can fail).
    held = holding(r, PASSPORT, BIRTH_DATE)
    assert {v for found in held.values() for v in found} == {PASSPORT, BIRTH_DATE}, held
    # No one reads the disclosure at node-r: its scheduler expires it (audited as the node).
    end = time.monotonic() + 20
    while not (expired := events(r, "federation.disclosure.expired")):
        assert time.monotonic() < end, "node-r's job never expired the released fields"
        time.sleep(0.3)
    assert expired[0]["actor"] == "system"
    assert expired[0]["detail"]["id"] == asked.json()["id"]
    # The scrub follows the delete (same job run): wait for it, then not a byte is left.
    end = time.monotonic() + 10
    while (left := holding(r, PASSPORT, BIRTH_DATE)) and time.monotonic() < end:
        time.sleep(0.2)
    assert left == {}, f"expired fields still in node-r's files: {left}"
    owner_only(r.data_dir)
    # The requester's API agrees: expired, nothing to show.
    row = r.api("GET", f"/federation/disclosures/{asked.json()['id']}").json()
    assert row["status"] == "expired" and row["fields"] is None


def test_a_copy_of_the_data_folder_carries_no_key(duo: dict[str, Any]) -> None:
    """node-r, serving with CTNODE_KEYS_DIR, signed its requests above with a key kept apart:
    its data folder holds no key file, the keys folder is owner-only."""
    r = duo["nodes"]["node-r"]
    keys = Path(r.extra_env["CTNODE_KEYS_DIR"])
    assert (keys / "federation" / "node.key").exists() and (keys / "audit-hash.key").exists()
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    assert not [p.name for p in r.data_dir.rglob("*.key")], "a key in node-r's data folder"
    for f in keys.rglob("*.key"):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


def test_a_manifest_past_its_retention_leaves_no_bytes_behind(duo: dict[str, Any]) -> None:
    r = duo["nodes"]["node-r"]
    # The server's scheduled retention sweep first runs 5 s after its scheduler started (before
    # the server said ready); past that, the next (15 min) is far off, and only the sweep each
    # manifest screen begins with deletes: this test decides when.
    time.sleep(max(0.0, duo["ready"] + 6 - time.monotonic()))
    manifest = (TRAVEL_FIXTURES / "pnrgov_short_names.edi").read_bytes()
    marked = manifest.replace(b"VEDENOV", TRAVELLER.encode())
    assert marked != manifest and holding(r, TRAVELLER) == {}

    def screen(data: bytes) -> None:
        got = r.api("POST", "/screen/manifest", content=data,
                    headers={"Content-Type": "application/edifact", **PURPOSE})
        assert got.status_code == 200, got.text

    screen(marked)
    assert holding(r, TRAVELLER), "the screened manifest is not in node-r's files"
    # The next screen's sweep deletes the first manifest (due at once) and scrubs the store.
    screen(manifest)
    assert holding(r, TRAVELLER) == {}, "a deleted manifest is still in node-r's files"
    owner_only(r.data_dir)
