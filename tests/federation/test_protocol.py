"""The federation protocol in one process: rules, envelopes, the store on both backends.

The holder is the suite's ``node`` fixture (SQLite and PostgreSQL); the requester
is a second node on SQLite; they talk through ``InProcessTransport``, which
carries exactly the JSON HTTP would. The real-process tests are in
``test_network.py``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from nacl.signing import SigningKey
from sqlalchemy import create_engine

from ctnode.errors import Conflict, Forbidden, InvalidInput, Refused
from ctnode.federation.agreements import Agreement, validate_terms
from ctnode.federation.envelope import MESSAGE_TYPES, REFUSAL_REASONS, Envelope, seal
from ctnode.federation.identity import Descriptor, Identity, check_endpoint
from ctnode.federation.transport import InProcessTransport
from ctnode.model.access import Actor, Purpose
from ctnode.model.screening import ScreenQuery
from ctnode.node import Node
from ctnode.settings import Settings
from ctnode.store import schema_federation  # noqa: F401 - registers the fed_ tables
from ctnode.store.schema import metadata
from tests.biometrics.kit import Material
from tests.federation.cluster import as_copy

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
ADMIN = Actor(name="test-admin", role="admin")
SCREENER = Actor(name="test-screener", role="screener")
P = Purpose(purpose="investigation", legal_basis="Act 1", case_ref="C-1")
YEAR = datetime.now(UTC) + timedelta(days=365)


# -- pure rules ----------------------------------------------------------------------------


def test_endpoint_policy() -> None:
    assert check_endpoint("http://127.0.0.1:8000/", development=False) == "http://127.0.0.1:8000"
    assert check_endpoint("https://ctnode.example.org", development=False)
    with pytest.raises(InvalidInput, match="plain http"):
        check_endpoint("http://10.0.0.5:8000", development=False)
    assert check_endpoint("http://10.0.0.5:8000", development=True)
    with pytest.raises(InvalidInput):
        check_endpoint("ftp://127.0.0.1", development=True)


def test_descriptor_signature_and_key_file(tmp_path: Path) -> None:
    ident = Identity.create(
        tmp_path / "fed",
        node_id="xx-test",
        organisation="X",
        country="xx",
        contact="c@x",
        endpoint="http://127.0.0.1:9",
        development=False,
    )
    assert (tmp_path / "fed" / "node.key").stat().st_mode & 0o777 == 0o600
    desc = ident.descriptor().to_dict()
    assert Descriptor.parse(desc, development=False).country == "XX"
    for field, value in (("organisation", "Y"), ("public_key", desc["public_key"][:-4] + "AAA=")):
        with pytest.raises(InvalidInput):
            Descriptor.parse({**desc, field: value}, development=False)
    with pytest.raises(InvalidInput, match="already has a key"):
        Identity.create(
            tmp_path / "fed",
            node_id="xx-test",
            organisation="X",
            country="XX",
            contact="c",
            endpoint="http://127.0.0.1:9",
            development=False,
        )
    (tmp_path / "fed" / "node.key").chmod(0o644)
    with pytest.raises(InvalidInput, match="readable by others"):
        Identity.load(tmp_path / "fed")


def test_envelope_shape_checks(tmp_path: Path) -> None:
    ident = Identity.create(
        tmp_path,
        node_id="aa",
        organisation="A",
        country="AA",
        contact="c",
        endpoint="http://127.0.0.1:9",
        development=True,
    )
    good = seal(ident, "ping", "bb", {}).to_dict()
    assert Envelope.parse(good).verify_signature(ident.public_key)
    other = SigningKey.generate()
    assert not Envelope.parse(good).verify_signature(
        Identity(tmp_path, other, ident.profile).public_key
    )
    cases = [
        ({**good, "type": "exfiltrate"}, "malformed"),
        ({**good, "v": 2}, "malformed"),
        ({**good, "body": []}, "malformed"),
        ({**good, "timestamp": "yesterday"}, "malformed"),
        ({**good, "signature": None}, "unsigned"),
        ("not an object", "malformed"),
    ]
    for data, reason in cases:
        with pytest.raises(Refused) as exc:
            Envelope.parse(data)
        assert exc.value.reason == reason
    old = seal(ident, "ping", "bb", {}, at=datetime.now(UTC) - timedelta(seconds=300))
    with pytest.raises(Refused) as exc:
        old.check_fresh(120)
    assert exc.value.reason == "stale"
    future = seal(ident, "ping", "bb", {}, at=datetime.now(UTC) + timedelta(seconds=300))
    with pytest.raises(Refused):
        future.check_fresh(120)


def test_agreement_terms_and_checks() -> None:
    lists, purposes, fields = validate_terms(
        direction="outbound",
        lists=["fx", "fx"],
        purposes=["Border Screening"],
        rate_per_minute=5,
        max_disclosure="fields",
        fields=["name"],
    )
    assert purposes == ["border_screening"] and lists == ["fx"]
    with pytest.raises(InvalidInput):
        validate_terms(
            direction="sideways",
            lists=["x"],
            purposes=["p"],
            rate_per_minute=1,
            max_disclosure="hit",
            fields=[],
        )
    with pytest.raises(InvalidInput, match="not disclosable"):
        validate_terms(
            direction="outbound",
            lists=["x"],
            purposes=["p"],
            rate_per_minute=1,
            max_disclosure="fields",
            fields=["biometric"],
        )
    now = datetime.now(UTC)
    agr = Agreement(
        id="1",
        peer_id="p",
        direction="outbound",
        lists=lists,
        purposes=purposes,
        rate_per_minute=5,
        max_disclosure="fields",
        fields=fields,
        subscribed=False,
        expires_at=now + timedelta(days=1),
        created_at=now,
        created_by="t",
    )
    agr.check(now=now, purpose="border-screening", lists=["fx"])
    for kwargs, reason in (
        ({"purpose": "investigation"}, "purpose"),
        ({"purpose": "border_screening", "lists": ["un_sc"]}, "list_not_shared"),
        ({"purpose": "border_screening", "now": now + timedelta(days=2)}, "expired"),
    ):
        with pytest.raises(Refused) as exc:
            agr.check(**{"now": now, **kwargs})  # type: ignore[arg-type]
        assert exc.value.reason == reason


# -- migration and docs ------------------------------------------------------------------------


def test_migration_creates_exactly_the_federation_tables(tmp_path: Path) -> None:
    node = Node(Settings(data_dir=tmp_path, mode="development"))
    try:
        engine = create_engine(node.settings.store_url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        fed = {t.name for t in metadata.sorted_tables if t.name.startswith("fed_")}
        ours = [d for d in diff if any(name in repr(d) for name in fed)]
        assert ours == []
        engine.dispose()
    finally:
        node.close()


def test_docs_describe_every_message_reason_event_and_setting() -> None:
    from ctnode.audit.events import EVENTS

    text = (REPO / "docs" / "federation.md").read_text(encoding="utf-8")
    for name in MESSAGE_TYPES:
        assert f"`{name}`" in text, f"message type {name} undocumented"
    for reason in REFUSAL_REASONS:
        assert f"`{reason}`" in text, f"refusal reason {reason} undocumented"
    for event in EVENTS:
        if event.startswith("federation."):
            assert f"`{event}`" in text, f"audit event {event} undocumented"
    for field in Settings.model_fields:
        if field.startswith("federation_"):
            assert f"CTNODE_{field.upper()}" in text, f"setting {field} undocumented"


# -- two nodes in one process (holder on SQLite and PostgreSQL) -----------------------------------


@pytest.fixture
def pair(node: Node, tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    """(requester, holder): holder is the suite's demo node on either backend."""
    transport = InProcessTransport()
    requester = Node(Settings(data_dir=tmp_path / "req", mode="development"))
    for n, name, port in ((requester, "req-node", 9101), (node, "hold-node", 9102)):
        n.federation.context.transport = transport
        n.federation.directory.init(
            ADMIN,
            node_id=name,
            organisation=name,
            country="ZZ",
            contact="duty@x",
            endpoint=f"http://127.0.0.1:{port}",
        )
        transport.register(f"http://127.0.0.1:{port}", n.federation.inbound.receive)
        parsed = n.lists.parse_source("ftm", str(FIXTURES / "watchlist-v1.jsonl"), dataset="fx")
        if name == "hold-node":  # the holder's fx is the requester's list (issue 13: publisher)
            # a copy names its records by their publisher: req-node:fx-001 (issue 13)
            parsed = as_copy(parsed, "req-node")
        n.lists.import_list(parsed, ADMIN)
    requester.federation.directory.add_peer(ADMIN, node.federation.directory.descriptor(ADMIN).to_dict())
    node.federation.directory.add_peer(ADMIN, requester.federation.directory.descriptor(ADMIN).to_dict())
    yield requester, node
    requester.close()


def test_in_process_screen_disclose_delta_checkpoint(pair: tuple[Node, Node]) -> None:
    req, hold = pair
    q = ScreenQuery(names=["Zoltan Abramovich Kuressaar"])
    # No agreement yet: refused, with a reason.
    res = req.federation.network.screen(q, SCREENER, P, peers=["hold-node"])
    assert res.peers[0].status == "refused" and res.peers[0].reason == "no_agreement"
    hold.federation.directory.add_agreement(
        ADMIN,
        peer_id="req-node",
        direction="outbound",
        lists=["fx"],
        purposes=["investigation"],
        expires_at=YEAR,
        rate_per_minute=6,
        max_disclosure="fields",
        fields=["name", "reference"],
    )
    req.federation.directory.add_agreement(
        ADMIN,
        peer_id="hold-node",
        direction="inbound",
        lists=["fx"],
        purposes=["investigation"],
        expires_at=YEAR,
    )
    res = req.federation.network.screen(q, SCREENER, P)
    ans = res.peers[0]
    assert ans.status == "hit" and ans.hits[0]["ref"].startswith("r_")
    # Each answer says what it screened: the holder's shared list, by name and version.
    assert ans.coverage is not None and [c["list"] for c in ans.coverage["lists"]] == ["fx"]
    assert res.to_dict()["local"]["coverage"]["lists"]
    res = req.federation.network.screen(ScreenQuery(names=["Nobody Known Atall"]), SCREENER, P)
    assert res.peers[0].status == "no_hit"
    # The demo UN list is not shared under this agreement.
    res = req.federation.network.screen(q, SCREENER, P, lists=["un_sc"])
    assert res.peers[0].reason == "list_not_shared"
    # Disclosure: request, approve, fields released (only the agreed ones).
    d = req.federation.disclosure.request_disclosure(
        ADMIN, peer_id="hold-node", ref=ans.hits[0]["ref"], justification="why", purpose=P
    )
    incoming = hold.federation.disclosure.list_disclosures(ADMIN, direction="incoming", status="pending")
    assert len(incoming) == 1
    with pytest.raises(InvalidInput):
        hold.federation.disclosure.decide_disclosure(ADMIN, incoming[0]["id"], approve=True, reason=" ")
    # A person may release fewer fields than agreed, never more, and at least one.
    with pytest.raises(InvalidInput, match="does not allow releasing passportNumber"):
        hold.federation.disclosure.decide_disclosure(
            ADMIN, incoming[0]["id"], approve=True, reason="ok", fields=["name", "passportNumber"])
    with pytest.raises(InvalidInput, match="at least one field"):
        hold.federation.disclosure.decide_disclosure(
            ADMIN, incoming[0]["id"], approve=True, reason="ok", fields=[])
    hold.federation.disclosure.decide_disclosure(
        ADMIN, incoming[0]["id"], approve=True, reason="ok", ttl_seconds=1
    )
    got = req.federation.disclosure.get_disclosure(ADMIN, d["id"])
    assert {f["prop"] for f in got["fields"]} == {"name", "reference"}
    time.sleep(1.1)
    assert req.federation.disclosure.get_disclosure(ADMIN, d["id"])["fields"] is None
    # Rate: 6 a minute; 5 requests so far (the disclosure request is not a query).
    statuses = [req.federation.network.screen(q, SCREENER, P).peers[0].status for _ in range(3)]
    assert statuses[0] == "hit" and statuses[-1] == "refused"
    # Deltas with receipts: the holder takes updates of fx from the requester.
    req.federation.directory.add_agreement(
        ADMIN,
        peer_id="hold-node",
        direction="outbound",
        lists=["fx"],
        purposes=["investigation"],
        expires_at=YEAR,
        subscribed=True,
    )
    hold.federation.directory.add_agreement(
        ADMIN,
        peer_id="req-node",
        direction="inbound",
        lists=["fx"],
        purposes=["investigation"],
        expires_at=YEAR,
        subscribed=True,
    )
    req.lists.import_source("ftm", str(FIXTURES / "watchlist-v2.jsonl"), ADMIN, dataset="fx",
                            confirm=True)  # v2 delists 1 of 4 records (more than 5%)
    receipts = req.federation.updates.deltas(ADMIN)[0]["receipts"]
    assert receipts[0]["status"] == "applied", receipts
    assert receipts[0]["detail"]["delisted"] == ["fx-002"]
    # the holder's copy names each record by its publisher (issue 13); the receipt above
    # speaks the publisher's own ids
    assert hold.store.entities.get_entity("req-node:fx-002").status == "delisted"
    assert hold.store.entities.get_entity("req-node:fx-005").get("name") == [
        "Ingrid Solveig Haraldsdottir"]
    # Signed checkpoints verify; the holder keeps the requester's.
    req.federation.checkpoints.checkpoint(ADMIN)
    n, used = req.federation.checkpoints.verify_audit(ADMIN)
    assert n > 10 and used == 1
    cp = hold.federation.checkpoints.fetch_checkpoint(ADMIN, "req-node")
    assert hold.federation.checkpoints.checkpoints(ADMIN, "req-node")[-1]["hash"] == cp["hash"]


def test_production_node_refuses_plain_http_peers(tmp_path: Path) -> None:
    dev = Node(Settings(data_dir=tmp_path / "dev", mode="development"))
    prod = Node(Settings(data_dir=tmp_path / "prod", mode="production"))
    try:
        dev.federation.directory.init(
            ADMIN,
            node_id="far-away",
            organisation="F",
            country="XF",
            contact="c",
            endpoint="http://10.1.2.3:8000",
        )
        desc = dev.federation.directory.descriptor(ADMIN).to_dict()
        with pytest.raises(InvalidInput, match="plain http"):
            prod.federation.directory.add_peer(ADMIN, desc)
        with pytest.raises(InvalidInput, match="plain http"):
            prod.federation.directory.init(
                ADMIN,
                node_id="prod",
                organisation="P",
                country="XP",
                contact="c",
                endpoint="http://10.1.2.4:8000",
            )
    finally:
        dev.close()
        prod.close()


def test_removed_peer_is_refused_and_released_nothing(pair: tuple[Node, Node]) -> None:
    req, hold = pair
    hold.federation.directory.add_agreement(
        ADMIN,
        peer_id="req-node",
        direction="outbound",
        lists=["fx"],
        purposes=["investigation"],
        expires_at=YEAR,
        max_disclosure="fields",
        fields=["name"],
    )
    q = ScreenQuery(names=["Zoltan Abramovich Kuressaar"])
    ref = req.federation.network.screen(q, SCREENER, P, peers=["hold-node"]).peers[0].hits[0]
    req.federation.disclosure.request_disclosure(
        ADMIN, peer_id="hold-node", ref=ref["ref"], justification="why", purpose=P
    )
    pending = hold.federation.disclosure.list_disclosures(ADMIN, direction="incoming", status="pending")
    hold.federation.directory.remove_peer(ADMIN, "req-node")
    with pytest.raises(Conflict):
        hold.federation.disclosure.decide_disclosure(ADMIN, pending[0]["id"], approve=True, reason="ok")
    res = req.federation.network.screen(q, SCREENER, P, peers=["hold-node"])
    assert res.peers[0].status == "refused" and res.peers[0].reason == "unknown_sender"
    # A screener may screen but not manage the directory or decide disclosures.
    with pytest.raises(Forbidden):
        req.federation.directory.add_peer(SCREENER, hold.federation.directory.descriptor(ADMIN).to_dict())
    with pytest.raises(Forbidden):
        req.federation.disclosure.list_disclosures(SCREENER)


def test_insecure_federation_settings_refused_outside_development() -> None:
    with pytest.raises(ValueError, match="VERIFY_TLS"):
        Settings(_env_file=None, federation_verify_tls=False)  # type: ignore[call-arg]
    assert not Settings(
        _env_file=None,
        mode="development",  # type: ignore[call-arg]
        federation_verify_tls=False,
    ).federation_verify_tls


# -- biometric terms and probes ---------------------------------------------------------------


def test_biometric_terms_and_probe_wire_shape() -> None:
    from ctnode.federation.agreements import validate_biometrics
    from ctnode.federation.biometric_probes import probe_from_wire, probe_to_wire
    from ctnode.services.biometrics.types import ProbeTemplate

    assert validate_biometrics([" Face", "face", "fingerprint"]) == ["face", "fingerprint"]
    with pytest.raises(InvalidInput, match="iris"):
        validate_biometrics(["iris"])
    now = datetime.now(UTC)
    agr = Agreement(
        id="1",
        peer_id="p",
        direction="outbound",
        lists=["*"],
        purposes=["investigation"],
        rate_per_minute=5,
        max_disclosure="reference",
        fields=[],
        subscribed=False,
        expires_at=now + timedelta(days=1),
        created_at=now,
        created_by="t",
    )
    agr.check(now=now, purpose="investigation")  # name screening: unaffected
    with pytest.raises(Refused, match="does not allow biometric queries") as err:
        agr.check(now=now, purpose="investigation", biometric="face")  # '*' implies none
    assert err.value.reason == "biometric_not_agreed"
    probe = ProbeTemplate("fingerprint", "nbis", "bozorth3", b"\x01\x02\x03", 7)
    assert probe_from_wire(probe_to_wire(probe)) == probe
    for bad in (
        {**probe_to_wire(probe), "modality": "iris"},
        {**probe_to_wire(probe), "template": "not base64!"},
        {**probe_to_wire(probe), "template": ""},
        {**probe_to_wire(probe), "position": 99},
        {**probe_to_wire(probe), "model_id": 3},
        "a string",
    ):
        with pytest.raises(Refused) as err:
            probe_from_wire(bad)
        assert err.value.reason == "malformed"


def test_in_process_biometric_hit_and_disclosure(
    pair: tuple[Node, Node], bio_files: Material
) -> None:
    """The holder on SQLite and PostgreSQL: a face hit, its reference, its disclosure."""
    from ctnode.services.biometrics.types import EnrolRequest

    req, hold = pair
    hold.biometrics.enrolment.enrol_face(
        ADMIN, EnrolRequest("un_sc-DMe.001", bio_files.face("a1"), "Act 1")
    )
    probe = req.biometrics.exchange.make_probe(ADMIN, bio_files.face("a2"), "face", P)
    terms = {
        "lists": ["*"],
        "purposes": ["investigation"],
        "expires_at": YEAR,
        "max_disclosure": "fields",
        "fields": ["name", "reference"],
    }
    hold.federation.directory.add_agreement(ADMIN, peer_id="req-node", direction="outbound", **terms)
    req.federation.directory.add_agreement(
        ADMIN, peer_id="hold-node", direction="inbound", biometrics=["face"], **terms
    )
    res = req.federation.biometric.query(probe, ADMIN, P)
    assert res.peers[0].status == "refused" and res.peers[0].reason == "biometric_not_agreed"
    hold.federation.directory.add_agreement(
        ADMIN, peer_id="req-node", direction="outbound", biometrics=["face"], **terms
    )
    res = req.federation.biometric.query(probe, ADMIN, P)
    ans = res.peers[0]
    assert ans.status == "hit" and ans.hits[0]["band"] == "match", ans
    ref = ans.hits[0]["ref"]
    d = req.federation.disclosure.request_disclosure(
        ADMIN, peer_id="hold-node", ref=ref, justification="face", purpose=P
    )
    (incoming,) = hold.federation.disclosure.list_disclosures(ADMIN, direction="incoming")
    assert incoming["ref"] == ref and incoming["entity_id"] == "un_sc-DMe.001"
    hold.federation.disclosure.decide_disclosure(ADMIN, incoming["id"], approve=True, reason="ok")
    got = req.federation.disclosure.get_disclosure(ADMIN, d["id"])
    assert {f["prop"] for f in got["fields"]} == {"name", "reference"}


def test_a_local_false_positive_never_answers_a_peer_no_hit(pair: tuple[Node, Node]) -> None:
    """A false positive the holder's analyst recorded for an identified subject suppresses
    the hit in the holder's own screens (marked), but a peer asking about that subject is
    still answered "hit": the decision was made for the holder's own screens."""
    from tests.conftest import ANALYST

    req, hold = pair
    for n, direction, peer in ((hold, "outbound", "req-node"), (req, "inbound", "hold-node")):
        n.federation.directory.add_agreement(
            ADMIN, peer_id=peer, direction=direction, lists=["un_sc"],
            purposes=["investigation"], expires_at=YEAR, max_disclosure="reference")
    subject = ScreenQuery(names=["Arslan Timurovich Vedenov"], birth_dates=["1982-01-01"])
    first = hold.screening.screen(subject, SCREENER, P)
    assert first.hits[0].entity_id == "un_sc-DMi.002" and first.screening_id
    hold.review.decide(ANALYST, entity_id="un_sc-DMi.002", decision="false_positive",
                       comment="another man, passport checked",
                       screening_id=first.screening_id)
    local = hold.screening.screen(subject, SCREENER, P)
    assert "un_sc-DMi.002" not in [h.entity_id for h in local.hits]
    assert [h.entity_id for h in local.suppressed] == ["un_sc-DMi.002"]
    res = req.federation.network.screen(subject, SCREENER, P, peers=["hold-node"],
                                        lists=["un_sc"])
    (answer,) = res.peers
    assert answer.status == "hit", answer
