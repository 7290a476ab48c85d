"""Monitoring on the fictional demo list: putting subjects under watch, the alerts a list
change raises (new, band, gone), false positives that stay quiet, who may do what, expiry."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ctnode.clock import utcnow
from ctnode.errors import Forbidden, InvalidInput, NotFound
from ctnode.ingest.un_sc import parse_un_sc
from ctnode.model.access import Actor, Purpose
from ctnode.model.entities import Entity
from ctnode.model.lists import ImportReport, ParsedList
from ctnode.model.monitoring import SubjectFields
from ctnode.node import Node
from tests.conftest import (
    ADMIN,
    ANALYST,
    DEMO_LIST,
    PAYMENT_FIXTURES,
    SCREENER,
    TRAVEL_FIXTURES,
)

P = Purpose("case work", "CT Act s.12", "CASE-7")
FARIS = SubjectFields(names=["Fares Nadir al-Qamari"], birth_dates=["1975-04-17"])
NOBODY = SubjectFields(names=["Ingrid Solveig Haugland"], birth_dates=["1961"])


def demo() -> ParsedList:
    return parse_un_sc(DEMO_LIST)


def alerts_of(node: Node, actor: Actor = ANALYST) -> list[tuple[str, str | None, str | None]]:
    return sorted((a["kind"], a["entity_id"], a["band"])
                  for a in node.monitoring.alerts(actor, limit=1000))


def test_a_new_subject_is_screened_at_once_and_its_hit_reaches_owner_and_queue(
        node: Node) -> None:
    result = node.monitoring.add([FARIS, NOBODY], ANALYST, P)
    faris, nobody = result.subjects
    assert not result.capped and faris.owner == ANALYST.name
    assert [(a["kind"], a["entity_id"], a["subject_id"]) for a in result.alerts] == [
        ("new", "un_sc-DMi.001", faris.id)]
    (alert,) = node.monitoring.alerts(ANALYST)
    assert alert["band"] == "match" and alert["cause"] == "added"
    (row,) = node.review.queue(ANALYST)
    assert row["id"] == alert["screening_id"] and row["source"] == "watch"
    assert row["purpose"] == "case work" and row["case_ref"] == "CASE-7"
    assert row["hits"][0]["entity_id"] == "un_sc-DMi.001" and row["hits"][0]["change"] == "new"
    # the same subject screened by hand has the same key: a decision covers both
    assert faris.subject_key == node.screening.subject_key(node.monitoring.query(FARIS))
    _subject, hits = node.monitoring.get(faris.id, ANALYST)
    assert [h["entity_id"] for h in hits] == ["un_sc-DMi.001"]
    assert node.monitoring.get(nobody.id, ANALYST)[1] == []


def test_subjects_are_sealed_at_rest_and_the_audit_holds_no_names(node: Node) -> None:
    result = node.monitoring.add([FARIS], ANALYST, P)
    engine = create_engine(node.settings.store_url)
    with engine.connect() as conn:
        sealed = conn.execute(text("select sealed from watch_subjects")).scalar_one()
        dump = " ".join(str(r) for r in conn.execute(text("select * from watch_subjects")))
    engine.dispose()
    # the birth date as written (a bare "1975" can occur in a keyed hash's hex digits)
    assert b"Qamari" not in bytes(sealed) and "Qamari" not in dump and "1975-04" not in dump
    (entry,) = node.audit.entries(event="watch.add")
    assert entry.result_ids == [result.subjects[0].id] and "Qamari" not in str(entry.detail)
    assert entry.purpose == "case work" and entry.detail["owner"] == ANALYST.name
    # another key cannot open it (the ciphertext is bound to the node's key and the row)
    (row,) = [node.store.monitoring.get_subject(result.subjects[0].id)]
    assert row is not None
    assert node.monitoring.open_fields(row).names == FARIS.names
    with pytest.raises(Exception, match="another record"):
        node.monitoring.open_fields({**row, "id": "other"})


def test_purpose_owner_and_expiry_rules(node: Node) -> None:
    with pytest.raises(InvalidInput, match="purpose and a legal basis"):
        node.monitoring.add([FARIS], ANALYST, Purpose("case work"))
    result = node.monitoring.add([NOBODY], ANALYST, P)
    year = utcnow() + timedelta(days=365)
    assert abs((result.subjects[0].expires_at - year).total_seconds()) < 60
    result = node.monitoring.add([NOBODY], ANALYST, P, days=5000, owner="desk-2")
    assert result.capped and result.subjects[0].owner == "desk-2"
    assert result.subjects[0].expires_at <= utcnow() + timedelta(days=730)
    with pytest.raises(InvalidInput, match="not in the future"):
        node.monitoring.add([NOBODY], ANALYST, P, expires=utcnow().date() - timedelta(days=1))
    with pytest.raises(InvalidInput, match="at least one non-empty name"):
        node.monitoring.add([SubjectFields(names=[" "])], ANALYST, P)
    assert node.monitoring.count() == 2


def test_who_may_watch_list_and_remove(node: Node) -> None:
    with pytest.raises(Forbidden):
        node.monitoring.add([FARIS], SCREENER, P)
    mine = node.monitoring.add([FARIS], ANALYST, P).subjects[0]
    other = Actor("other-analyst", "analyst")
    theirs = node.monitoring.add([NOBODY], other, P).subjects[0]
    assert [s.id for s in node.monitoring.list_subjects(ANALYST)] == [mine.id]
    assert {s.id for s in node.monitoring.list_subjects(ADMIN, everyone=True)} == {
        mine.id, theirs.id}
    with pytest.raises(Forbidden):
        node.monitoring.list_subjects(ANALYST, everyone=True)
    with pytest.raises(Forbidden):
        node.monitoring.list_subjects(SCREENER)
    with pytest.raises(Forbidden, match="belongs to other-analyst"):
        node.monitoring.remove(theirs.id, ANALYST)
    node.monitoring.remove(mine.id, ANALYST, reason="case closed")
    with pytest.raises(NotFound):
        node.monitoring.remove(mine.id, ANALYST)
    node.monitoring.remove(theirs.id, ADMIN)
    assert node.monitoring.count() == 0 and node.store.monitoring.count_hits() == 0
    (removed, _) = node.audit.entries(event="watch.remove")
    assert removed.detail["reason"] == "case closed"
    # the alert of the first screen stays: it is what the owner was told
    assert alerts_of(node) == [("new", "un_sc-DMi.001", "match")]


def _with(parsed: ParsedList, *extra: Entity, drop: str | None = None) -> ParsedList:
    out = copy.deepcopy(parsed)
    out.entities = [e for e in out.entities if e.reference != drop] + list(extra)
    out.version = (out.version or "") + "+1"
    return out


def _person(ref: str, name: str, birth: str | None = None) -> Entity:
    entity = Entity(id=f"un_sc-{ref}", schema="Person", dataset="un_sc", reference=ref)
    entity.add("name", name)
    entity.add("birthDate", birth)
    return entity


def test_a_list_change_alerts_new_band_and_gone(node: Node) -> None:
    base = demo()
    ingrid = node.monitoring.add([NOBODY], ANALYST, P).subjects[0]
    faris = node.monitoring.add([FARIS], ANALYST, P).subjects[0]
    # 1. a new listing under another spelling of a watched subject: "new"
    listed = _with(base, _person("DMi.901", "INGRID SOLVEIG HAUGLAND", "1961-03-02"))
    node.lists.import_list(listed, ADMIN)
    last = node.monitoring.last
    assert last is not None and last.records == 1 and last.subjects >= 1
    assert [(a["kind"], a["entity_id"], a["subject_id"]) for a in last.alerts] == [
        ("new", "un_sc-DMi.901", ingrid.id)]
    # 2. the record's birth date now contradicts the subject's: it drops a band
    changed = _with(base, _person("DMi.901", "INGRID SOLVEIG HAUGLAND", "1990-01-01"))
    node.lists.import_list(changed, ADMIN)
    last = node.monitoring.last
    assert last is not None
    (band,) = last.alerts
    assert band["kind"] == "band" and band["previous_band"] == "match"
    assert band["band"] == "possible"
    # 3. delisted: the hit is gone (1 of 18 records: more than 5%, so confirmed)
    node.lists.import_list(_with(base), ADMIN, confirm=True)
    last = node.monitoring.last
    assert last is not None
    assert [(a["kind"], a["entity_id"], a["band"]) for a in last.alerts] == [
        ("gone", "un_sc-DMi.901", None)]
    assert node.monitoring.get(ingrid.id, ANALYST)[1] == []
    assert [h["entity_id"] for h in node.monitoring.get(faris.id, ANALYST)[1]] == [
        "un_sc-DMi.001"]
    # every alert also entered the review queue and the audit log
    kinds = [r["hits"][0]["change"] for r in node.review.queue(ANALYST, limit=100)]
    assert sorted(kinds) == ["band", "gone", "new", "new"]
    assert len(list(node.audit.entries(event="watch.alert"))) == 4
    # and the full re-screen (the naive reference) finds nothing left to change
    assert node.monitoring.plan_full().changes == []


def test_a_false_positive_never_alerts_again(node: Node) -> None:
    faris = node.monitoring.add([FARIS], ANALYST, P)
    (alert,) = faris.alerts
    node.review.decide(ANALYST, entity_id="un_sc-DMi.001", decision="false_positive",
                       comment="another man, other father's name",
                       screening_id=alert["screening_id"])
    base = demo()
    # the record's birth date now contradicts: the hit goes (no alert) ...
    changed = copy.deepcopy(base)
    (rec,) = [e for e in changed.entities if e.reference == "DMi.001"]
    rec.statements = [s for s in rec.statements if s.prop != "birthDate"]
    rec.add("birthDate", "1990-01-01")
    node.lists.import_list(changed, ADMIN)
    last = node.monitoring.last
    assert last is not None and last.alerts == []
    assert [(c.kind, c.suppressed) for c in last.changes] == [("gone", True)]
    # ... and when it is corrected back, the hit returns, still a false positive: no alert
    node.lists.import_list(_with(base), ADMIN)
    last = node.monitoring.last
    assert last is not None and last.alerts == []
    assert [(c.kind, c.suppressed) for c in last.changes] == [("new", True)]
    # a subject that never had the decision is alerted by the same change
    other = node.monitoring.add([SubjectFields(names=["Faris Nadir al-Qamari"])], ANALYST, P)
    assert [a["entity_id"] for a in other.alerts] == ["un_sc-DMi.001"]
    assert len(node.monitoring.alerts(ANALYST)) == 2  # the two first screens, nothing else


def test_a_peer_delisting_reaches_the_watch_list(node: Node) -> None:
    """A peer's delta delists through ``Lists.changed`` (federation/list_updates.py): the
    same listener re-screens."""
    faris = node.monitoring.add([FARIS], ANALYST, P).subjects[0]
    with node.store.begin() as conn:
        applied = node.store.entities.delist(conn, ["un_sc-DMi.001"], dataset="un_sc",
                                             detail={"via": "peer:test"})
    node.lists.changed(ImportReport("un_sc", "peer:node-b", None, 0, removed=applied))
    last = node.monitoring.last
    assert last is not None and last.cause.startswith("peer:node-b")
    assert [(a["kind"], a["subject_id"]) for a in last.alerts] == [("gone", faris.id)]


def test_alerts_are_read_by_their_owner(node: Node) -> None:
    node.monitoring.add([FARIS], ANALYST, P)
    other = Actor("other-analyst", "analyst")
    assert node.monitoring.alerts(other) == []
    (alert,) = node.monitoring.alerts(ANALYST, unread=True)
    assert node.monitoring.mark_read([alert["id"]], other) == 0
    assert node.monitoring.mark_read([alert["id"]], ANALYST) == 1
    assert node.monitoring.alerts(ANALYST, unread=True) == []
    assert len(node.monitoring.alerts(ADMIN, everyone=True)) == 1
    with pytest.raises(Forbidden):
        node.monitoring.alerts(SCREENER)


def test_expiry_reminds_the_owner_then_deletes(node: Node) -> None:
    soon = node.monitoring.add([FARIS], ANALYST, P, days=3).subjects[0]
    later = node.monitoring.add([NOBODY], ANALYST, P, days=300).subjects[0]
    assert node.monitoring.run_expiry(ADMIN) == {"reminded": 1, "expired": 0}
    assert node.monitoring.run_expiry(ADMIN) == {"reminded": 0, "expired": 0}  # once
    (reminder,) = [a for a in node.monitoring.alerts(ANALYST) if a["kind"] == "expiry"]
    assert reminder["subject_id"] == soon.id and "under watch until" in reminder["cause"]
    with node.store.begin() as conn:
        conn.execute(text("update watch_subjects set expires_at = :t where id = :i"),
                     {"t": utcnow() - timedelta(minutes=1), "i": soon.id})
    assert node.monitoring.run_expiry(ADMIN) == {"reminded": 0, "expired": 1}
    assert [s.id for s in node.monitoring.list_subjects(ANALYST)] == [later.id]
    assert node.store.monitoring.count_hits() == 0  # the expired subject's hit went with it
    (expired,) = node.audit.entries(event="watch.expired")
    assert expired.result_ids == [soon.id]
    assert "watch-expiry" in node.jobs.jobs


def test_files_are_watched_whole_or_not_at_all(node: Node, tmp_path: Path) -> None:
    good = b'{"id": "c-1", "name": "Fares Nadir al-Qamari", "birthDate": "1975"}\n' \
           b'{"id": "c-2", "names": ["Ingrid Haugland"], "nationality": "no"}\n'
    bad = good + b'{"id": "c-3", "name": "X", "birthDate": "17.17.17"}\n'
    with pytest.raises(InvalidInput, match=r"upload.jsonl, line 3: field 'birthDate'"):
        node.monitoring.import_file(bad, "jsonl", ANALYST, P, name="upload.jsonl")
    assert node.monitoring.count() == 0
    result = node.monitoring.import_file(good, "jsonl", ANALYST, P, name="upload.jsonl")
    assert [s.fields.label for s in result.subjects] == ["c-1", "c-2"]
    assert [s.source for s in result.subjects] == ["import", "import"]
    assert [a["entity_id"] for a in result.alerts] == ["un_sc-DMi.001"]
    csv = b"id,name,birthDate,nationality\nk-9,Arslan Vedenov|Arslan Wedenow,1982,ru\n"
    result = node.monitoring.import_file(csv, "csv", ANALYST, P, name="customers.csv")
    assert result.subjects[0].fields.names == ["Arslan Vedenov", "Arslan Wedenow"]
    assert [a["entity_id"] for a in result.alerts] == ["un_sc-DMi.002"]
    with pytest.raises(InvalidInput, match=r"customers\.csv, line 2: unknown field"):
        node.monitoring.import_file(b"name,email\nA B,a@b\n", "csv", ANALYST, P,
                                    name="customers.csv")
    (entry, _) = node.audit.entries(event="watch.import")
    assert entry.detail["format"] == "jsonl" and entry.detail["subjects"] == 2


def test_travellers_only_for_a_window_asked_for(node: Node) -> None:
    manifest = (TRAVEL_FIXTURES / "paxlst_edge_cases.edi").read_bytes()
    with pytest.raises(InvalidInput, match="travellers are put under watch only for a window"):
        node.monitoring.import_file(manifest, "manifest", ANALYST, P)
    result = node.monitoring.import_file(manifest, "manifest", ANALYST, P, days=90)
    assert result.capped and result.subjects
    assert all(s.source == "manifest" for s in result.subjects)
    assert all(s.expires_at <= utcnow() + timedelta(days=30) for s in result.subjects)
    # only the screened fields are kept, sealed; the raw message is not stored at all
    engine = create_engine(node.settings.store_url)
    with engine.connect() as conn:
        kept = conn.execute(text("select count(*) from travel_messages")).scalar_one()
    engine.dispose()
    assert kept == 0
    fields = result.subjects[0].fields
    assert fields.names and set(fields.as_dict()) == {
        "names", "schema", "birth_dates", "nationalities", "documents", "label"}


def test_alerts_reach_the_webhook_without_names(node: Node) -> None:
    sent: list[list[dict[str, object]]] = []
    node.monitoring.notify = sent.append
    result = node.monitoring.add([FARIS], ANALYST, P)
    ((payload,),) = sent
    assert payload["id"] == result.alerts[0]["id"] and payload["kind"] == "new"
    assert payload["entity_id"] == "un_sc-DMi.001" and payload["owner"] == ANALYST.name
    assert "Qamari" not in str(payload) and "1975" not in str(payload)

    def broken(_alerts: list[dict[str, object]]) -> None:
        raise OSError("webhook down")

    node.monitoring.notify = broken  # a failing webhook never undoes the alert
    node.monitoring.add([FARIS], ANALYST, P)
    assert len(node.monitoring.alerts(ANALYST)) == 2


def test_payment_parties_are_watched(node: Node) -> None:
    data = (PAYMENT_FIXTURES / "pacs008_wallets.xml").read_bytes()
    result = node.monitoring.import_file(data, "payments", ANALYST, P, name="pacs.xml")
    assert result.subjects and all(s.source == "payments" for s in result.subjects)
    names = {n for s in result.subjects for n in s.fields.names}
    assert {"Arslan Timurovich Vedenov", "Jane Example", "Bookshop AG"} <= names
    assert [a["entity_id"] for a in result.alerts] == ["un_sc-DMi.002"]
