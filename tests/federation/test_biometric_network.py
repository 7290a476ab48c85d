"""Biometric hit/no-hit across the network: real node processes on loopback, real faces.

Topology (what each holder grants ``node-a``, the requester):

* ``node-b``: face queries for investigation; disclosure up to fields (name, reference).
  A face of one person (``a1.jpg``) is enrolled on a demo-list entity there.
* ``node-c``: name screening only; its agreement does not allow biometric queries, but
  node-a believes it does (its inbound terms say face), so node-a asks and node-c refuses.
* ``node-d``: agreement with face queries, but its process never starts (down).

Three processes start once for the module (node-d has a store and keys, no server);
tests run in file order. Faces: the shared deepface photos, else the bundled kit.
"""

from __future__ import annotations

import base64
import io
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from ctnode.cli.main import app as cli_app
from ctnode.errors import Forbidden, Refused
from ctnode.ingest.un_sc import DEMO_LIST
from ctnode.model.access import Actor, Purpose
from ctnode.services.biometrics.types import EnrolRequest, ProbeTemplate
from tests.biometrics.kit import Material
from tests.federation import cluster
from tests.federation.cluster import NodeProc, make_nodes, seed_stores

ADMIN = Actor(name="test-admin", role="admin")
ANALYST = Actor(name="test-analyst", role="analyst")  # federation rights, no biometric ones
NAMES = ["node-a", "node-b", "node-c", "node-d"]
ENTITY = "un_sc-DMe.001"
P = Purpose(purpose="investigation", legal_basis="Act 12 s.4", case_ref="CASE-B1")
runner = CliRunner()


@pytest.fixture(scope="module")
def faces(tmp_path_factory: pytest.TempPathFactory, bio_files: Material) -> Path:
    """a1.jpg and a2.jpg: two photos of one person; b.jpg: another person (the shared deepface
    photos when present, else the bundled kit: tests/biometrics/kit.py)."""
    path = tmp_path_factory.mktemp("faces")
    for part in ("a1", "a2", "b"):
        (path / f"{part}.jpg").write_bytes(bio_files.face(part))
    return path


@pytest.fixture(scope="module")
def bnet(tmp_path_factory: pytest.TempPathFactory, faces: Path) -> Iterator[dict[str, NodeProc]]:
    root = tmp_path_factory.mktemp("bnet")
    nodes = {n.name: n for n in make_nodes(root, NAMES)}
    seed_stores(list(nodes.values()))
    up = [nodes[name] for name in ("node-a", "node-b", "node-c")]  # node-d stays down
    with cluster.started(up):
        year = datetime.now(UTC) + timedelta(days=365)
        with cluster.opened(nodes) as handles:
            cluster.introduce(nodes, handles, ADMIN, organisation=cluster.by_letter,
                              country=lambda name: "X" + name[-1].upper())  # ISO user-assigned
            for h in handles.values():
                h.lists.import_source("un-sc", str(DEMO_LIST), ADMIN)

            def grant(holder: str, holder_bio: list[str], believed_bio: list[str]) -> None:
                terms: dict[str, Any] = {
                    "lists": ["*"],
                    "purposes": ["investigation"],
                    "rate_per_minute": 1000,
                    "max_disclosure": "fields",
                    "fields": ["name", "reference"],
                    "expires_at": year,
                }
                cluster.agree(handles, ADMIN, holder, "node-a", biometrics=holder_bio, **terms,
                              inbound={**terms, "biometrics": believed_bio})

            grant("node-b", ["face"], ["face"])
            grant("node-c", [], ["face"])
            grant("node-d", ["face"], ["face"])
            enrolled = handles["node-b"].biometrics.enrolment.enrol_face(
                ADMIN, EnrolRequest(ENTITY, (faces / "a1.jpg").read_bytes(), "Act 12 s.4")
            )
            assert enrolled.template_id
        cluster.ready(up)
        yield nodes


def by_peer(peers: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {p["peer_id"]: p for p in peers}


def probe_for(node: NodeProc, image: Path) -> ProbeTemplate:
    h = node.open()
    try:
        return h.biometrics.exchange.make_probe(ADMIN, image.read_bytes(), "face", P)
    finally:
        h.close()


def network(node: NodeProc, probe: ProbeTemplate, actor: Actor = ADMIN) -> dict[str, Any]:
    h = node.open()
    try:
        return h.federation.biometric.query(probe, actor, P, deadline=10.0).to_dict()
    finally:
        h.close()


def audit_events(node: NodeProc, event: str) -> list[dict[str, Any]]:
    r = node.api("GET", "/audit", params={"event": event})
    assert r.status_code == 200, r.text
    entries: list[dict[str, Any]] = r.json()["entries"]
    return entries


def test_face_hit_and_no_hit_across_the_network(bnet: dict[str, NodeProc], faces: Path) -> None:
    a = bnet["node-a"]
    # Another photo of the enrolled person, through the API (the image goes to node-a only).
    started = time.perf_counter()
    r = a.api(
        "POST",
        "/biometrics/search/face",
        params={"network": "true"},
        content=(faces / "a2.jpg").read_bytes(),
        headers={
            "Content-Type": "image/jpeg",
            "X-Purpose": P.purpose,
            "X-Legal-Basis": P.legal_basis,
            "X-Case-Ref": P.case_ref,
        },
    )
    first_ms = (time.perf_counter() - started) * 1000
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["candidates"] == []  # node-a holds no biometric records itself
    peers = by_peer(body["network"]["peers"])
    b = peers["node-b"]
    assert b["status"] == "hit", b
    assert b["hits"][0]["ref"].startswith("b_") and b["hits"][0]["band"] == "match"
    assert set(b["hits"][0]) == {"ref", "band"}  # an opaque reference and a band, nothing else
    assert peers["node-c"]["status"] == "refused"
    assert peers["node-c"]["reason"] == "biometric_not_agreed"
    assert "does not allow biometric queries" in peers["node-c"]["detail"]
    assert peers["node-d"]["status"] == "down"
    assert body["network"]["model_id"].startswith("sface")

    # A different person: no hit. Timed with the model already loaded on both sides.
    probe = probe_for(a, faces / "b.jpg")
    started = time.perf_counter()
    result = network(a, probe)
    warm_ms = (time.perf_counter() - started) * 1000
    assert by_peer(result["peers"])["node-b"]["status"] == "no_hit"
    assert by_peer(result["peers"])["node-b"]["hits"] == []
    print(
        f"\n[biometric network] first query (API, holder loads its model) {first_ms:.0f} ms; "
        f"warm query {warm_ms:.0f} ms (node-b answer {by_peer(result['peers'])['node-b']['ms']}"
        f" ms; a dead peer and a refusal included)"
    )
    sent = audit_events(a, "federation.biometric")
    assert len(sent) == 2
    assert sent[0]["detail"]["peers"]["node-b"]["status"] == "hit"
    assert sent[1]["detail"]["peers"]["node-b"]["status"] == "no_hit"


def test_cli_network_search_prints_each_peer(bnet: dict[str, NodeProc], faces: Path) -> None:
    env = {k: v for k, v in bnet["node-a"].env.items() if k != "CTNODE_BOOTSTRAP_ADMIN_KEY"}
    r = runner.invoke(
        cli_app,
        [
            "biometrics",
            "search",
            "--face",
            str(faces / "a2.jpg"),
            "--network",
            "--purpose",
            P.purpose or "",
            "--legal-basis",
            P.legal_basis or "",
            "--case",
            P.case_ref or "",
            "--json",
        ],
        env=env,
    )
    assert r.exit_code == 0, r.output
    assert '"status": "hit"' in r.output and '"status": "down"' in r.output


def test_refusal_is_audited_on_both_sides(bnet: dict[str, NodeProc]) -> None:
    refused_here = [
        e
        for e in audit_events(bnet["node-c"], "federation.refused")
        if e["detail"]["type"] == "biometric.request"
    ]
    assert refused_here and refused_here[0]["detail"]["reason"] == "biometric_not_agreed"
    told = [
        e
        for e in audit_events(bnet["node-a"], "federation.peer.refused")
        if e["detail"].get("type") == "biometric.request"
    ]
    assert told and told[0]["detail"]["peer"] == "node-c"
    assert "does not allow biometric queries" in told[0]["detail"]["message"]


def test_only_biometric_roles_may_send_a_query(bnet: dict[str, NodeProc], faces: Path) -> None:
    probe = probe_for(bnet["node-a"], faces / "a2.jpg")
    with pytest.raises(Forbidden, match=r"biometric .search. permission"):
        network(bnet["node-a"], probe, ANALYST)
    flagged = Actor(name="bio-analyst", role="analyst", biometric=True)
    result = network(bnet["node-a"], probe, flagged)
    assert by_peer(result["peers"])["node-b"]["status"] == "hit"


def test_other_model_is_never_compared(bnet: dict[str, NodeProc], faces: Path) -> None:
    probe = probe_for(bnet["node-a"], faces / "a2.jpg")
    other = ProbeTemplate("face", "arcface-r100:0000", probe.engine, probe.data)
    peer = by_peer(network(bnet["node-a"], other)["peers"])["node-b"]
    assert peer["status"] == "incompatible_model" and peer["hits"] == []
    assert peer["reason"] == "model_mismatch" and "sface" in peer["detail"]
    answered = audit_events(bnet["node-b"], "federation.biometric.answered")
    assert answered[-1]["detail"]["result"] == "incompatible_model"


def test_probe_is_not_retained_at_the_holder(bnet: dict[str, NodeProc], faces: Path) -> None:
    a, b = bnet["node-a"], bnet["node-b"]
    probe = probe_for(a, faces / "a2.jpg")
    result = network(a, probe)
    assert by_peer(result["peers"])["node-b"]["status"] == "hit"
    # The holder's audit keeps the keyed hash of the probe, no template.
    h = b.open()
    try:
        qhash = h.context.keyed_hash({"probe": probe.digest()})
    finally:
        h.close()
    answered = audit_events(b, "federation.biometric.answered")
    assert answered[-1]["query_hash"] == qhash
    assert [e for e in audit_events(b, "biometric.probe") if e["query_hash"] == qhash]
    # Nothing in the holder's store (every column of every table, WAL included) holds the
    # template, raw or as sent (base64); and no file in its data folder does either.
    b64 = base64.b64encode(probe.data)
    con = sqlite3.connect(b.data_dir / "ctnode.db")
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in con.execute(f'SELECT * FROM "{table}"'):  # names from sqlite_master
                for value in row:
                    blob = value if isinstance(value, bytes) else str(value).encode()
                    assert probe.data not in blob and b64 not in blob, table
    finally:
        con.close()
    for path in b.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert probe.data not in data and b64 not in data, path


def no_face_png() -> bytes:
    """A valid image with no face in it: a plain colour gradient, made here."""
    ramp = np.linspace(0, 255, 320, dtype=np.uint8)
    pixels = np.stack([np.tile(ramp, (240, 1)), np.tile(ramp[::-1], (240, 1)),
                       np.full((240, 320), 128, dtype=np.uint8)], axis=-1)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "PNG")
    return out.getvalue()


def test_a_probe_without_a_face_is_refused_and_audited(bnet: dict[str, NodeProc]) -> None:
    """Issue 13 item 4 on a served node: a face search whose image holds no face is refused
    (422 ``no_face``) and leaves a ``biometric.search.refused`` entry with its reason, also
    when the search was to go to the network; nothing is sent to a peer."""
    a, b = bnet["node-a"], bnet["node-b"]
    image = no_face_png()
    sent = len(audit_events(a, "federation.biometric"))
    answered = len(audit_events(b, "federation.biometric.answered"))
    for to_network in ("false", "true"):
        r = a.api("POST", "/biometrics/search/face", params={"network": to_network},
                  content=image, headers={"Content-Type": "image/png", "X-Purpose": P.purpose,
                                          "X-Legal-Basis": P.legal_basis,
                                          "X-Case-Ref": P.case_ref})
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "no_face", r.text
    refused = [e for e in audit_events(a, "biometric.search.refused")
               if e["detail"]["bytes"] == len(image)]
    assert len(refused) == 2, refused
    for entry in refused:
        assert entry["detail"]["modality"] == "face" and entry["detail"]["error"] == "no_face"
        assert "no face" in entry["detail"]["reason"], entry["detail"]
        assert (entry["purpose"], entry["case_ref"]) == (P.purpose, P.case_ref)
        assert entry["actor"] == "key:bootstrap-admin"  # the caller, not the node
    # refused before a template was made: no query left node-a, none reached node-b
    assert len(audit_events(a, "federation.biometric")) == sent
    assert len(audit_events(b, "federation.biometric.answered")) == answered


def test_disclosure_of_the_matched_record_after_approval(
    bnet: dict[str, NodeProc], faces: Path
) -> None:
    a, b = bnet["node-a"], bnet["node-b"]
    result = network(a, probe_for(a, faces / "a2.jpg"))
    ref = by_peer(result["peers"])["node-b"]["hits"][0]["ref"]
    ha, hb = a.open(), b.open()
    try:
        # Asking for the record behind a biometric hit needs the biometric permission.
        with pytest.raises(Forbidden, match=r"biometric .search. permission"):
            ha.federation.disclosure.request_disclosure(
                ANALYST, peer_id="node-b", ref=ref, justification="match", purpose=P
            )
        req = ha.federation.disclosure.request_disclosure(
            ADMIN, peer_id="node-b", ref=ref, justification="face match in case B1", purpose=P
        )
        assert req["status"] == "pending" and req["fields"] is None
        incoming = [
            d
            for d in hb.federation.disclosure.list_disclosures(ADMIN, direction="incoming")
            if d["ref"] == ref
        ]
        assert len(incoming) == 1 and incoming[0]["entity_id"] == ENTITY
        # Special category: a person without the biometric permission cannot decide.
        with pytest.raises(Forbidden, match=r"biometric .export. permission"):
            hb.federation.disclosure.decide_disclosure(
                ANALYST, incoming[0]["id"], approve=True, reason="checked"
            )
        decided = hb.federation.disclosure.decide_disclosure(
            ADMIN, incoming[0]["id"], approve=True, reason="same person, case B1", ttl_seconds=600
        )
        assert decided["status"] == "approved" and decided["delivered"] is True
        got = ha.federation.disclosure.get_disclosure(ADMIN, req["id"])
        assert got["status"] == "approved"
        props = {f["prop"]: f["value"] for f in got["fields"]}
        assert set(props) <= {"name", "reference"} and props["reference"] == "DMe.001"
        assert props["name"]
        assert got["expires_at"] is not None
    finally:
        ha.close()
        hb.close()


def test_disclosure_refused_when_biometrics_no_longer_agreed(
    bnet: dict[str, NodeProc], faces: Path
) -> None:
    a, b = bnet["node-a"], bnet["node-b"]
    result = network(a, probe_for(a, faces / "a2.jpg"))
    ref = by_peer(result["peers"])["node-b"]["hits"][0]["ref"]
    ha, hb = a.open(), b.open()
    try:
        hb.federation.directory.add_agreement(
            ADMIN,
            peer_id="node-a",
            direction="outbound",
            lists=["*"],
            purposes=["investigation"],
            rate_per_minute=1000,
            max_disclosure="fields",
            fields=["name", "reference"],
            expires_at=datetime.now(UTC) + timedelta(days=30),
        )  # replaces the one in force, without biometrics
        with pytest.raises(Refused, match="no longer allows biometric"):
            ha.federation.disclosure.request_disclosure(
                ADMIN, peer_id="node-b", ref=ref, justification="face match", purpose=P
            )
        after = by_peer(network(a, probe_for(a, faces / "a2.jpg"))["peers"])["node-b"]
        assert after["status"] == "refused" and after["reason"] == "biometric_not_agreed"
    finally:
        ha.close()
        hb.close()
