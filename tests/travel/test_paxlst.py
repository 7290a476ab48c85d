"""PAXLST parsing: every shared sample and our own edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctnode.errors import UnknownMessageType
from ctnode.travel.parse import parse_manifest
from tests.conftest import TRAVEL_FIXTURES as FIXTURES


def test_d05b_two_legs_without_documents(formats: Path) -> None:
    m = parse_manifest((formats / "paxlst_d05b_multileg_gtas.edi").read_bytes())
    assert (m.kind, m.version, m.list_type) == ("PAXLST", "D:05B", "passenger list")
    assert (m.sender, m.recipient) == ("AIR1", "DHS")
    assert [(leg.flight, leg.departure_airport, leg.arrival_airport) for leg in m.legs] == [
        ("AA123", "ATL", "ORD"), ("AA124", "ORD", "JFK")]
    assert m.legs[0].departure == "2007-02-19T15:40"
    assert [t.names[0] for t in m.travellers] == ["MICHAEL CLARK", "CHERYL CLARK"]
    assert m.travellers[0].birth_date == "1972-09-07"
    assert m.travellers[0].booking_refs[:2] == ["AVF:TYR123", "ABO:ABC123"]
    assert m.declared_count == 2
    assert not [i for i in m.issues if i.severity == "error"]


def test_d05b_three_legs_with_passports_and_junk_after_unz(formats: Path) -> None:
    m = parse_manifest((formats / "paxlst_d05b_multileg2_gtas.edi").read_bytes())
    assert [leg.flight for leg in m.legs] == ["QQ877", "QQ827", "QQ827"]
    assert m.legs[2].arrival_airport == "CDG" and m.legs[2].arrival == "2008-08-11T06:30"
    barrett = m.travellers[0]
    assert barrett.names == ["TODD BARRETT"]
    assert barrett.nationalities == ["FRA"]
    doc = barrett.documents[0]
    assert (doc.type, doc.number, doc.issuing_state, doc.expiry) == (
        "P", "YY3478621G", "FRA", "2008-12-30")
    assert any("13Nov09" in i.message for i in m.issues)


def test_d02b_custom_una_and_wrong_control_count(formats: Path) -> None:
    m = parse_manifest((formats / "paxlst_d02b_custom_una_gtas.edi").read_bytes())
    assert m.version == "D:02B"
    assert len(m.travellers) == 10
    assert m.declared_count == 136
    assert any("declares 136 passengers, the message holds 10" in i.message for i in m.issues)
    # two-digit birth year 54 is 1954, not 2054
    assert m.travellers[0].birth_date == "1954-10-16"
    assert m.legs[0].flight == "TN506"


def test_d02b_crew_list_on_one_line_with_malformed_cnt(formats: Path) -> None:
    m = parse_manifest((formats / "paxlst_d02b_crew_oneline_gtas.edi").read_bytes())
    assert m.list_type == "crew list"
    assert len(m.travellers) == 8
    assert {t.role for t in m.travellers} == {"crew"}
    steur = m.travellers[0]
    assert steur.names == ["Andrea Pat Steur"]
    assert steur.birth_place == "Hartford USA"
    assert steur.residence == "GBR"
    assert any("malformed CNT" in i.message for i in m.issues)
    assert any("UNT says 152" in i.message for i in m.issues)


def test_edge_cases_release_char_icao_name_bad_date_and_skipped_traveller() -> None:
    m = parse_manifest((FIXTURES / "paxlst_edge_cases.edi").read_bytes())
    names = [t.names for t in m.travellers]
    assert names[0] == ["IULIIA SHCHUKINA", "YULIYA SHCHUKINA"]  # ICAO form + list-style form
    assert names[1] == ["SEAN O'BRIEN"]
    assert m.travellers[1].birth_date == "2012-05-15"  # a child: 12 → 2012
    assert m.travellers[0].documents[0].expiry == "2031-01-01"
    assert len(m.travellers) == 4
    skipped = m.skipped
    assert len(skipped) == 1 and "segment 26 (NAD) line 27" in skipped[0].where
    assert any("991399" in i.message for i in m.issues)
    assert any("35 characters" in i.message for i in m.issues)


def test_truncated_file_is_read_as_far_as_it_goes() -> None:
    m = parse_manifest((FIXTURES / "paxlst_truncated.edi").read_bytes())
    assert [t.names[0] for t in m.travellers] == ["ILIAS DAGIROV", "ANNA SMITH"]  # DAGI⏎ROV joined
    assert any("UNZ missing" in i.message for i in m.issues)


def test_unknown_message_type_is_refused_with_position() -> None:
    with pytest.raises(UnknownMessageType) as err:
        parse_manifest((FIXTURES / "cusres_unknown.edi").read_bytes())
    assert "CUSRES" in err.value.message and "segment 2 (UNH)" in err.value.message
