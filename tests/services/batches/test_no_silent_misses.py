"""Manifest and payment reports: coverage in the first record, suppressed hits marked."""

from __future__ import annotations

import csv
import io
import json

from ctnode.model.access import Purpose
from ctnode.node import Node
from ctnode.services.batches import reports
from tests.conftest import ANALYST, SAMPLES, SCREENER
from tests.conftest import TRAVEL_FIXTURES as FIXTURES

PURPOSE = Purpose("border screening", "national API law s.12", "CASE-1")
DATA = (FIXTURES / "paxlst_edge_cases.edi").read_bytes()
VEDENOV = "ARSLAN TIMUROVICH VEDENOV"


def test_a_suppressed_traveller_hit_stays_in_every_report_format(node: Node) -> None:
    first = node.manifests.screen(DATA, SCREENER, PURPOSE)
    (vedenov,) = [r for r in first.results if r.query.names[0] == VEDENOV]
    assert vedenov.query.identified  # born 1982-01-01 by the manifest
    did = node.review.decide(ANALYST, entity_id="un_sc-DMi.002", decision="false_positive",
                             comment="different man, passport checked",
                             screening_id=vedenov.screening_id)
    report = node.manifests.screen(DATA, SCREENER, PURPOSE)
    (again,) = [r for r in report.results if r.query.names[0] == VEDENOV]
    assert again.reportable == [] and [h.entity_id for h in again.suppressed] == ["un_sc-DMi.002"]
    records = [json.loads(line) for line in reports.to_jsonl(report).splitlines()]
    assert records[0]["type"] == "manifest" and records[0]["coverage"]["lists"][0]["list"] == "un_sc"
    (rec,) = [r for r in records[1:] if r["name"] == VEDENOV]
    assert rec["hits"] == [] and rec["suppressed"][0]["suppressed"]["decision_id"] == did
    assert rec["suppressed"][0]["suppressed"]["by"] == ANALYST.name
    rows = [r for r in csv.DictReader(io.StringIO(reports.to_csv(report))) if r["name"] == VEDENOV]
    assert rows[0]["reference"] == "DMi.002" and did in rows[0]["suppressed_by"]


def test_a_suppressed_payment_party_hit_stays_in_every_report_format(node: Node) -> None:
    """An MT103 ordering customer identified by birth date and passport (field 50F) hits the
    demo list; after a false positive on that subject the hit is still in every payment
    report format, marked with the decision's id and author."""
    data = (SAMPLES / "mt103_50F_person_id_synthetic.fin").read_bytes().replace(
        b"1/MUELLER-LUEDENSCHEIDT, JUERGEN", b"1/VEDENOV, ARSLAN TIMUROVICH").replace(
        b"4/19790217", b"4/19820101")
    first = node.payments.screen(data, SCREENER, PURPOSE)
    party = next(p for tx in first.transactions for p in tx.parties
                 if p.result is not None and p.result.reportable)
    assert party.result is not None and party.result.query.identified
    assert [h.entity_id for h in party.result.reportable] == ["un_sc-DMi.002"]
    did = node.review.decide(ANALYST, entity_id="un_sc-DMi.002", decision="false_positive",
                             comment="another man: passport and birth date checked",
                             screening_id=party.result.screening_id)
    report = node.payments.screen(data, SCREENER, PURPOSE)
    again = next(p for tx in report.transactions for p in tx.parties
                 if p.result is not None and p.result.suppressed)
    assert again.result is not None and again.result.reportable == []
    assert [h.entity_id for h in again.result.suppressed] == ["un_sc-DMi.002"]
    records = [json.loads(line) for line in reports.to_jsonl(report).splitlines()]
    parties = [p for r in records[1:] for p in r.get("parties", [])]
    (rec,) = [p for p in parties if p["suppressed"]]
    assert rec["hits"] == [] and rec["suppressed"][0]["suppressed"]["decision_id"] == did
    assert rec["suppressed"][0]["suppressed"]["by"] == ANALYST.name
    rows = [r for r in csv.DictReader(io.StringIO(reports.to_csv(report)))
            if r["suppressed_by"]]
    assert rows and rows[0]["reference"] == "DMi.002" and did in rows[0]["suppressed_by"]
    # --hits-only keeps the party whose only hit is suppressed
    kept = [json.loads(line) for line in reports.to_jsonl(report, hits_only=True).splitlines()]
    assert any(p["suppressed"] for r in kept[1:] for p in r.get("parties", []))
