"""Copies under the agreement (issue 13 item 1): what a subscribed peer may query and what it
receives as copies are stated apart; copies carry only the agreed fields; a new subscription
starts with a signed full sync of the lists the node publishes, then deltas follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ctnode.errors import InvalidInput, ListConflict, NotFound
from ctnode.federation.agreements import Agreement, filter_copy
from ctnode.federation.envelope import Envelope, seal
from ctnode.model.access import Actor
from ctnode.model.entities import Entity, Statement
from ctnode.model.lists import ParsedList
from ctnode.node import Node
from tests.federation.test_protocol import pair  # noqa: F401 - the two-node fixture

ADMIN = Actor(name="test-admin", role="admin")
YEAR = datetime.now(UTC) + timedelta(days=365)
PROPS = {"name": "Ghazal Tarkhanova", "birthDate": "1979-03-02", "nationality": "kz",
         "passportNumber": "N1234567"}


def _gx(ids: list[str]) -> ParsedList:
    entities = []
    for i in ids:
        e = Entity(id=i, schema="Person", dataset="gx", reference=f"ref-{i}")
        e.statements = [Statement(prop=p, value=f"{v} {i}" if p == "name" else v,
                                  original=v, dataset="gx") for p, v in PROPS.items()]
        entities.append(e)
    return ParsedList(dataset="gx", title="GX national list", version="1",
                      source="/data/gx.csv", entities=entities)


def _subscribe(req: Node, hold: Node, copy_fields: list[str] | None) -> Agreement:
    hold.federation.directory.add_agreement(
        ADMIN, peer_id="req-node", direction="inbound", lists=["gx"],
        purposes=["investigation"], expires_at=YEAR, subscribed=True,
    )
    return req.federation.directory.add_agreement(
        ADMIN, peer_id="hold-node", direction="outbound", lists=["gx"],
        purposes=["investigation"], expires_at=YEAR, subscribed=True, copy_fields=copy_fields,
    )


def test_terms_state_copies_apart() -> None:
    from ctnode.federation.agreements import validate_copy_fields

    assert validate_copy_fields(["name", "birthDate", "name"], True) == ["birthDate", "name"]
    with pytest.raises(InvalidInput, match="only with a subscription"):
        validate_copy_fields(["name"], False)
    with pytest.raises(InvalidInput, match="not allowed: secret"):
        validate_copy_fields(["secret"], True)
    wire = {"id": "x", "schema": "Person", "dataset": "gx", "reference": "r",
            "statements": [{"prop": p, "value": v} for p, v in PROPS.items()]}
    cut = filter_copy(wire, ["name"])
    assert [s["prop"] for s in cut["statements"]] == ["name"] and cut["reference"] is None


def test_new_subscription_full_sync_carries_only_agreed_fields(
    pair: tuple[Node, Node],  # noqa: F811
) -> None:
    req, hold = pair
    req.lists.import_list(_gx(["gx-1", "gx-2", "gx-3"]), ADMIN)
    # the holder has never seen gx: the subscription itself brings the whole list
    _subscribe(req, hold, ["name", "birthDate"])
    (delta,) = [d for d in req.federation.updates.deltas(ADMIN) if d["dataset"] == "gx"]
    assert delta["summary"]["full"] is True and delta["summary"]["added"] == 3
    (receipt,) = delta["receipts"]
    assert receipt["status"] == "applied" and receipt["receipt"]["sender"] == "hold-node"
    copy = hold.store.entities.get_entity("req-node:gx-2")
    assert copy.get("name") == ["Ghazal Tarkhanova gx-2"]
    assert copy.get("birthDate") == ["1979-03-02"]
    assert copy.get("nationality") == [] and copy.get("passportNumber") == []
    assert copy.reference is None  # "reference" was not agreed
    ds = {d["name"]: d for d in hold.store.entities.list_datasets()}
    assert ds["gx"]["source"] == "peer:req-node"
    # the next import's delta is cut the same way; the old agreement (no copy fields): names
    req.lists.import_list(_gx(["gx-1", "gx-2", "gx-4"]), ADMIN,
                          confirm=True)  # delists 1 of 3 records (more than 5%)
    assert hold.store.entities.get_entity("req-node:gx-3").status == "delisted"
    assert hold.store.entities.get_entity("req-node:gx-4").get("birthDate") == ["1979-03-02"]
    assert hold.store.entities.get_entity("req-node:gx-4").get("passportNumber") == []
    # narrowing the agreement: the new full sync replaces the copy with names only
    _subscribe(req, hold, None)
    assert hold.store.entities.get_entity("req-node:gx-1").get("birthDate") == []
    assert hold.store.entities.get_entity("req-node:gx-1").get("name") == ["Ghazal Tarkhanova gx-1"]
    created = list(req.audit.entries(event="federation.delta.created"))
    assert [e.detail.get("copy_fields") for e in created if e.detail.get("full")] == [
        ["birthDate", "name"], ["name"]]


def test_a_restricted_record_leaves_copies_on_either_backend(
    pair: tuple[Node, Node],  # noqa: F811
) -> None:
    req, hold = pair
    req.lists.import_list(_gx(["gx-1", "gx-2", "gx-3"]), ADMIN)
    _subscribe(req, hold, ["name"])
    assert hold.store.entities.get_entity("req-node:gx-2").status == "listed"
    done = req.federation.restrictions.restrict(ADMIN, "gx-2", "ongoing operation")
    assert [r["status"] for r in done["receipts"]] == ["applied"]
    with pytest.raises(NotFound):
        hold.store.entities.get_entity("req-node:gx-2")  # deleted, not delisted
    assert [e["kind"] for e in hold.store.entities.entity_events("req-node:gx-2")][-1] == "removed"
    # a later import changing gx-2 and a new full sync both leave it out
    changed = _gx(["gx-1", "gx-2", "gx-3"])
    changed.entities[1].statements.append(
        Statement(prop="alias", value="G. Tarkhanova", original="G. Tarkhanova", dataset="gx"))
    req.lists.import_list(changed, ADMIN)
    _subscribe(req, hold, ["name"])
    with pytest.raises(NotFound):
        hold.store.entities.get_entity("req-node:gx-2")
    assert hold.store.entities.get_entity("req-node:gx-3").status == "listed"
    # a peer cannot withdraw records of a list it does not publish
    with pytest.raises(ListConflict):
        with hold.store.federation.begin() as conn:
            hold.store.entities.withdraw(conn, ["fx-001"], dataset="fx", detail={},
                                         source="peer:someone-else")
    req.federation.restrictions.unrestrict(ADMIN, "gx-2")
    assert hold.store.entities.get_entity("req-node:gx-2").get("alias") == []  # names only
    assert hold.store.entities.get_entity("req-node:gx-2").get("name") == ["Ghazal Tarkhanova gx-2"]


def test_a_peer_reaches_only_its_own_records_on_either_backend(
    pair: tuple[Node, Node],  # noqa: F811
) -> None:
    """Issue 13 item 2: the holder names req-node's records ``req-node:<id>``; a delta of
    req-node's own list naming the UN record held here, or another list's record as named
    here, or adding a record under such an id, is a signed refusal (4xx), audited, and the
    store is unchanged; an id too long to namespace is malformed, not a 500."""
    req, hold = pair
    req.lists.import_list(_gx(["gx-1", "gx-2"]), ADMIN)
    _subscribe(req, hold, ["name"])
    assert hold.store.entities.get_entity("req-node:gx-1").status == "listed"
    un_id = next(hold.store.entities.iter_entities(dataset="un_sc")).id
    fx_id = "req-node:fx-001"  # req-node's fx record, as the holder names it (another list)
    assert hold.store.entities.get_entity(fx_id).dataset == "fx"
    ident = req.federation.context.identity

    def person(eid: str) -> dict[str, object]:
        return {"id": eid, "dataset": "gx", "schema": "Person",
                "statements": [{"prop": "name", "value": "Nobody"}]}

    def send(**kinds: object) -> tuple[int, dict[str, object]]:
        body = {"delta_id": "d-evil", "dataset": "gx", "version": "x", **kinds}
        return hold.federation.inbound.receive(
            seal(ident, "list.delta", "hold-node", body).to_dict())

    before = hold.store.entities.count_entities()
    mark = hold.store.entities.change_mark()
    cases: list[tuple[str, dict[str, object]]] = [
        ("not_publisher", {"delisted": [un_id]}),
        ("not_publisher", {"withdrawn": [fx_id]}),
        ("not_publisher", {"relisted": [person(un_id)]}),
        ("id_collision", {"added": [person("gx-9"), person(un_id)]}),
        ("malformed", {"delisted": ["x" * 250]}),
        ("malformed", {"added": 7}),
    ]
    for reason, kinds in cases:
        status, answer = send(**kinds)
        assert status == (400 if reason == "malformed" else 403), (kinds, answer)
        assert answer["reason"] == reason, (kinds, answer)
        refusal = Envelope.parse(answer["envelope"])
        assert refusal.sender == "hold-node" and refusal.body["reason"] == reason
    assert hold.store.entities.count_entities() == before
    assert hold.store.entities.change_mark() == mark  # not one entity event
    assert hold.store.entities.get_entity(un_id).status == "listed"
    assert hold.store.entities.get_entity(fx_id).status == "listed"
    with pytest.raises(NotFound):
        hold.store.entities.get_entity("req-node:gx-9")
    refused = [e.detail["reason"] for e in hold.audit.entries(event="federation.refused")]
    assert refused.count("not_publisher") == 3 and refused.count("id_collision") == 1
    assert refused.count("malformed") >= 2
    # req-node's own ids reach its own records; the receipt speaks them back unprefixed
    status, answer = send(delisted=["gx-1", "gx-404"])
    assert status == 200, answer
    receipt = Envelope.parse(answer)
    assert receipt.body["delisted"] == ["gx-1"] and receipt.body["not_held"] == ["gx-404"]
    assert hold.store.entities.get_entity("req-node:gx-1").status == "delisted"


def test_a_delta_sent_again_gets_its_first_receipt_and_is_not_applied_twice(
    pair: tuple[Node, Node],  # noqa: F811
) -> None:
    """A publisher re-sends a delta whose receipt came after its deadline (as CI's loaded
    machine showed): the holder had applied it, and answering the second copy by applying it
    again said that nothing was delisted. The second copy (a new nonce, so not a replay) is
    answered with the first receipt, signed anew, audited as repeated; no second alert. A
    different body under the same id is applied."""
    req, hold = pair
    req.lists.import_list(_gx(["gx-1", "gx-2"]), ADMIN)
    _subscribe(req, hold, ["name"])
    ident = req.federation.context.identity

    def send(delta_id: str, **kinds: object) -> dict[str, object]:
        body = {"delta_id": delta_id, "dataset": "gx", "version": "2", **kinds}
        status, answer = hold.federation.inbound.receive(
            seal(ident, "list.delta", "hold-node", body).to_dict())
        assert status == 200, answer
        receipt = Envelope.parse(answer)
        assert receipt.type == "list.receipt" and receipt.sender == "hold-node"
        return {k: v for k, v in receipt.body.items() if k != "in_reply_to"}

    alerts = len(hold.store.federation.list_alerts())
    first = send("d-delist", delisted=["gx-1"])
    assert first["delisted"] == ["gx-1"] and first["not_held"] == []
    again = send("d-delist", delisted=["gx-1"])
    assert again == first
    assert hold.store.entities.get_entity("req-node:gx-1").status == "delisted"
    assert len(hold.store.federation.list_alerts()) == alerts + 1  # one delisting alert
    applied = [e.detail["delta_id"] for e in hold.audit.entries(event="federation.delta.applied")]
    assert applied.count("d-delist") == 1
    (repeated,) = hold.audit.entries(event="federation.delta.repeated")
    assert repeated.detail == {"delta_id": "d-delist", "type": "list.delta"}
    assert repeated.actor == "peer:req-node"
    # another body under the same id is another delta (a delta is cut when it is sent): applied
    # (gx-1 is delisted already, so this application finds neither listed)
    assert send("d-delist", delisted=["gx-1", "gx-404"])["not_held"] == ["gx-1", "gx-404"]
    # another delta id is another delta: applied
    assert send("d-withdraw", withdrawn=["gx-2"])["withdrawn"] == ["gx-2"]
    with pytest.raises(NotFound):
        hold.store.entities.get_entity("req-node:gx-2")
