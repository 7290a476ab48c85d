"""PNRGOV parsing: glued titles, wrapped lines, SSR DOCS/DOCO, several PNRs."""

from __future__ import annotations

from pathlib import Path

from ctnode.travel.parse import parse_manifest


def test_pnrgov_10_1_two_pnrs_glued_titles(formats: Path) -> None:
    m = parse_manifest((formats / "pnrgov_10_1_gtas.edi").read_bytes())
    assert (m.kind, m.version) == ("PNRGOV", "10:1")
    assert m.pnrs == ["MFN4TI", "ABCDEF"]
    assert m.legs[0].flight == "DL324"
    assert (m.legs[0].departure_airport, m.legs[0].arrival_airport) == ("LHR", "JFK")
    assert m.legs[0].departure == "2010-12-12T09:15"
    smith, jones = m.travellers
    # TIF+SMITHJR+JOHNMR: title MR split off, suffix JR tried both ways; DOCS names first
    assert smith.title == "MR"
    assert "JOHN SMITHJR" in smith.names and "JOHN SMITH" in smith.names
    assert smith.names[0] == "JONATHON ROBERT SMITHJR"
    assert smith.birth_date == "1964-07-12" and smith.sex == "M"
    assert smith.documents[0].number == "123456789"
    assert smith.documents[0].expiry == "2019-08-23"
    assert smith.pnr == "MFN4TI"
    assert jones.names[:2] == ["WILLIAMNEVELL JONES", "WILLIAM JONES"]
    # the seat TIF in the itinerary is the same traveller, screened once
    assert len(m.travellers) == 2


def test_pnrgov_wrapped_lines_inside_values(formats: Path) -> None:
    m = parse_manifest((formats / "pnrgov_2pnrs_gtas.edi").read_bytes())
    smith = m.travellers[0]
    # "SMITHJ⏎R/MRJONATHON/ROBERT": the line break is dropped, the title glued in front removed
    assert smith.names[0] == "JONATHON ROBERT SMITHJR"
    assert smith.birth_date == "1964-07-12"
    assert "MFN4TI" in m.pnrs


def test_pnrgov_13_1_docs_and_doco_visa(formats: Path) -> None:
    m = parse_manifest((formats / "pnrgov_13_1_doco_gtas.edi").read_bytes())
    assert m.version == "13:1"
    assert m.pnrs == ["06A9FD"]
    (ackary,) = m.travellers
    assert ackary.names[0] == "CHARLES MUHAMMAD ACKARY"  # CHARLESMR/MUHAMMAD
    assert ackary.birth_date == "1948-12-26"
    docs = {(d.type, d.number) for d in ackary.documents}
    assert docs == {("P", "602120901"), ("V", "8675309")}
    assert ackary.birth_place == "HERE VA"


def test_flights_from_itinerary_when_the_header_has_none() -> None:
    data = (b"UNH+1+PNRGOV:13:1:IA'MSG+:22'ORG+XX'EQN+1'SRC'RCI+XX:ABC123'"
            b"TIF+DOE+JANEMRS:A:1'TVL+011226:1000::1300+IST+FRA+TK+1589'"
            b"TVL+011226:1000::1300+IST+FRA+TK+1589'TVL+051226:0800+FRA+IST+TK+1590'UNT+9+1'")
    m = parse_manifest(data)
    assert [(leg.flight, leg.departure) for leg in m.legs] == [
        ("TK1589", "2026-12-01T10:00"), ("TK1590", "2026-12-05T08:00")]
    assert m.travellers[0].names == ["JANE DOE"] and m.travellers[0].title == "MRS"
    assert m.pnrs == ["ABC123"]
