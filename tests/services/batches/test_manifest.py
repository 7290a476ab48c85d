"""Manifest screening end to end on a real node (SQLite and PostgreSQL) with the demo list."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from ctnode.cli.batches import manifest_table
from ctnode.errors import Forbidden, InvalidInput
from ctnode.model.access import Actor, Purpose
from ctnode.node import Node
from ctnode.services.batches import reports
from tests.conftest import ADMIN, SCREENER
from tests.conftest import TRAVEL_FIXTURES as FIXTURES

PURPOSE = Purpose("border screening", "national API law s.12", "CASE-1")


def paxlst(*travellers: str) -> bytes:
    body = "".join(f"NAD+FL+++{t}'ATT+2++M'" for t in travellers)
    return (f"UNA:+.? 'UNB+UNOA:4+AIR+NCTC+261127:1000+R1++APIS'UNH+1+PAXLST:D:05B:UN:IATA'"
            f"BGM+745'TDT+20+TA1+++TA'LOC+125+IST'DTM+189:2611271200:201'LOC+87+FRA'{body}"
            f"CNT+42:{len(travellers)}'UNT+9+1'UNZ+1+R1'").encode()


def test_listed_traveller_in_icao_form_is_found(node: Node) -> None:
    report = node.manifests.screen((FIXTURES / "paxlst_edge_cases.edi").read_bytes(), SCREENER,
                             PURPOSE)
    by_name = {r.query.names[0]: r for r in report.results}
    vedenov = by_name["ARSLAN TIMUROVICH VEDENOV"]
    assert vedenov.reportable and vedenov.reportable[0].reference == "DMi.002"
    assert vedenov.reportable[0].band == "match"
    assert vedenov.screening_id is not None
    assert not by_name["SEAN O'BRIEN"].reportable
    assert report.hit_count == 1
    assert len(report.manifest.skipped) == 1


def test_icao_transliterated_cyrillic_name_hits(node: Node) -> None:
    # Ильяс Магомедович Дагиров as a Russian passport prints it (ICAO 9303: ILIAS)
    report = node.manifests.screen(paxlst("DAGIROV:ILIAS:MAGOMEDOVICH"), SCREENER)
    (result,) = report.results
    assert result.reportable[0].reference == "DMi.006"


def test_hits_enter_review_queue_and_run_is_audited(node: Node) -> None:
    report = node.manifests.screen(paxlst("VEDENOV:ARSLAN", "SMITH:JOHN"), SCREENER, PURPOSE)
    queue = node.review.queue(ADMIN)
    mine = [s for s in queue if s["source"] == "manifest"]
    assert [s["id"] for s in mine] == [report.results[0].screening_id]
    events = [e for e in node.audit.entries(event="screen.manifest")]
    assert len(events) == 1
    entry = events[0]
    assert entry.purpose == "border screening" and entry.case_ref == "CASE-1"
    assert entry.detail["travellers"] == 2 and entry.detail["with_hits"] == 1
    assert entry.detail["message_id"] == report.message_id
    assert "VEDENOV" not in json.dumps(entry.detail)  # no names in the audit detail
    node.audit.verify()


def test_raw_message_is_stored_for_retention(node: Node) -> None:
    data = paxlst("SMITH:JOHN")
    report = node.manifests.screen(data, SCREENER)
    assert report.message_id is not None
    row = node.retention.get_message(report.message_id)
    assert row is not None and bytes(row["raw"]) == data and row["masked"] is None
    assert row["summary"]["travellers"] == 1


def test_unreadable_manifest_is_refused_and_audited(node: Node) -> None:
    with pytest.raises(InvalidInput):
        node.manifests.screen((FIXTURES / "cusres_unknown.edi").read_bytes(), SCREENER)
    assert [e.event for e in node.audit.entries(event="screen.manifest.refused")]


def test_role_without_screening_right_is_refused(node: Node) -> None:
    with pytest.raises(Forbidden):
        node.manifests.screen(paxlst("SMITH:JOHN"), Actor("x", "auditor"))


def test_reports_jsonl_csv_table(node: Node, formats: Path) -> None:
    report = node.manifests.screen((formats / "paxlst_d05b_multileg2_gtas.edi").read_bytes(),
                             SCREENER)
    lines = [json.loads(x) for x in reports.to_jsonl(report).splitlines()]
    assert lines[0]["type"] == "manifest" and len(lines[0]["flights"]) == 3
    assert lines[0]["flights"][0] == {"flight": "QQ877", "carrier": "QQ", "from": "MIA",
                                      "to": "IAD", "departure": "2008-07-10T15:00",
                                      "arrival": "2008-07-10T17:55"}
    assert [x["name"] for x in lines[1:]] == ["TODD BARRETT", "KRISTIN LANG"]
    assert lines[1]["documents"][0]["number"] == "YY3478621G"
    rows = list(csv.DictReader(io.StringIO(reports.to_csv(report))))
    assert [r["name"] for r in rows] == ["TODD BARRETT", "KRISTIN LANG"]
    buf = io.StringIO()
    manifest_table(report, Console(file=buf, width=200))
    text = buf.getvalue()
    assert "QQ877" in text and "TODD BARRETT" in text and "no hit" in text


def test_hit_explanations_in_json(node: Node) -> None:
    report = node.manifests.screen(paxlst("VEDENOV:ARSLAN:TIMUROVICH"), SCREENER)
    record = list(reports.records(report))[1]
    hit = record["hits"][0]
    assert hit["reference"] == "DMi.002"
    assert {e["feature"] for e in hit["explanation"]} >= {"name"}
    assert all({"query_value", "candidate_value", "contribution", "detail"} <= set(e)
               for e in hit["explanation"])


def test_an_unscreenable_traveller_does_not_stop_the_others(node: Node) -> None:
    report = node.manifests.screen(paxlst("X" * 600 + ":JOHN", "VEDENOV:ARSLAN"), SCREENER)
    bad, good = report.results
    assert bad.error and "500 characters" in bad.error and not bad.hits
    assert good.reportable[0].reference == "DMi.002"
    assert any("not screened" in i.message and i.skipped for i in report.manifest.issues)
    assert list(reports.records(report))[1]["error"] == bad.error


def test_progress_is_reported(node: Node) -> None:
    calls: list[tuple[int, int]] = []
    node.manifests.screen(paxlst("SMITH:JOHN", "DOE:JANE", "SMITH:JOHN"), SCREENER,
                    progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]  # the repeated traveller is screened once


def test_real_un_list_person_travelling_on_an_icao_russian_passport(node_with_un: Node) -> None:
    # QDi.365 is listed as "Ахмед Ражапович Чатаев";
    # the passport MRZ reads CHATAEV<<AKHMED<RAZHAPOVICH
    report = node_with_un.manifests.screen(paxlst("CHATAEV:AKHMED:RAZHAPOVICH"), SCREENER)
    (result,) = report.results
    assert result.reportable and result.reportable[0].reference == "QDi.365"
    assert result.reportable[0].band == "match"
