"""UN/EDIFACT PAXLST (API passenger and crew lists, D02B and D05B) → ``Manifest``.

Read per the WCO/IATA/ICAO API guidelines: TDT opens a flight leg (LOC 125/87
or a run of LOC 92 routing points, with DTM 189/232 times); NAD FL/FM/DDT/DDU/COT
opens a traveller, whose ATT, DTM, LOC, NAT, RFF and DOC segments follow.
Control counts (CNT, UNT) are checked and a disagreement is a warning, never a
refusal: the travellers in the file are what is screened.
"""

from __future__ import annotations

from ctnode.model.messages import Issue
from ctnode.travel.edifact import FRAME_TAGS, Frame, Interchange, Segment
from ctnode.travel.model import Leg, Manifest, TravelDocument, Traveller
from ctnode.travel.names import parse_date, parse_datetime, traveller_names

ROLES = {
    "FL": "passenger",
    "FM": "crew",
    "DDU": "in-transit passenger",
    "DDT": "in-transit crew",
    "COT": "passenger",  # older feeds
}
LIST_TYPES = {"745": "passenger list", "250": "crew list", "266": "flight close",
              "336": "crew list"}
# EDIFACT an..35: a name part this long was probably cut by the sender.
PART_LIMIT = 35


def _name_parts(seg: Segment) -> tuple[str, str, str]:
    """(surname, given names, raw) from NAD element 4 (C080 party name)."""
    comps = [c.strip() for c in seg.components(4)]
    raw = ":".join(seg.components(4))
    if not comps or not any(comps):
        return "", "", raw
    surname = comps[0]
    given = " ".join(c for c in comps[1:] if c)
    return surname, given, raw


def _new_traveller(seg: Segment, number: int, manifest: Manifest) -> Traveller | None:
    role = ROLES[seg.get(1)]
    surname, given, raw = _name_parts(seg)
    if not surname and not given:
        manifest.issues.append(Issue.of("error", "issue.paxlst.no_name", seg.where(4),
                                        skipped=True))
        return None
    for part in (surname, *given.split()):
        if len(part) >= PART_LIMIT:
            manifest.issues.append(Issue.of("warning", "issue.paxlst.long_part", seg.where(4),
                                            part=repr(part[:12]), n=len(part)))
    names, title = traveller_names(surname, given)
    return Traveller(ref=f"T{number}", role=role, surname=surname, given_names=given,
                     raw_name=raw, names=names, title=title, where=seg.where())


def _count(seg: Segment) -> tuple[str, int | None]:
    """CNT qualifier and count; tolerates the malformed ``CNT+41+8`` (count in element 2)."""
    qualifier, value = seg.get(1, 0), seg.get(1, 1)
    if not value:
        value = seg.get(2, 0)
    return qualifier, int(value) if value.strip().isdigit() else None


def parse_paxlst(inter: Interchange) -> Manifest:
    """Read a PAXLST interchange; never raises on content (problems go to ``issues``)."""
    manifest = Manifest(kind="PAXLST", issues=list(inter.issues))
    current: Traveller | None = None
    leg: Leg | None = None
    last_doc: TravelDocument | None = None
    frame = Frame(manifest)
    counts: dict[str, int] = {}
    for seg in inter.segments:
        tag = seg.tag
        if tag in FRAME_TAGS:
            frame.read(seg)
            if tag == "UNH":
                current, leg = None, None
        elif tag == "BGM":
            code = seg.get(1)
            manifest.list_type = LIST_TYPES.get(code, f"document {code}")
        elif tag == "TDT":
            flight = seg.get(2).replace(" ", "")
            carrier = seg.get(5) or (flight[:2] if len(flight) > 2 else None)
            leg = Leg(flight=flight, carrier=carrier, where=seg.where())
            manifest.legs.append(leg)
            current = None
        elif tag == "NAD":
            qualifier = seg.get(1)
            if qualifier in ROLES:
                current = _new_traveller(seg, len(manifest.travellers) + 1, manifest)
                last_doc = None
                if current is not None:
                    manifest.travellers.append(current)
            elif qualifier != "MS":
                current = None
        elif current is not None:
            last_doc = _traveller_segment(seg, current, last_doc, manifest)
        elif leg is not None and tag in {"LOC", "DTM"}:
            _leg_segment(seg, leg)
        if tag == "CNT":
            qualifier, value = _count(seg)
            if value is None:
                manifest.issues.append(Issue.of("warning", "issue.paxlst.count_unreadable",
                                                seg.where(1)))
            else:
                counts[qualifier] = value
                if seg.get(1, 1) == "" and seg.get(2):
                    manifest.issues.append(Issue.of(
                        "warning", "issue.paxlst.malformed_cnt", seg.where(1),
                        expected=f"{qualifier}:{value}"))
    _check_counts(manifest, counts)
    if manifest.version is None and not any(s.tag == "UNH" for s in inter.segments):
        manifest.issues.append(Issue.of("warning", "issue.paxlst.no_unh", "segment 1"))
    return manifest


def _check_counts(manifest: Manifest, counts: dict[str, int]) -> None:
    crew = sum(1 for t in manifest.travellers if "crew" in t.role)
    pax = len(manifest.travellers) - crew
    for qualifier, label, actual in (("42", "passengers", pax), ("41", "crew members", crew)):
        if qualifier in counts:
            manifest.declared_count = (manifest.declared_count or 0) + counts[qualifier]
            if counts[qualifier] != actual:
                manifest.issues.append(Issue.of(
                    "warning", "issue.paxlst.count", "CNT", qualifier=qualifier,
                    declared=counts[qualifier], what=label, actual=actual))


def _leg_segment(seg: Segment, leg: Leg) -> None:
    qualifier = seg.get(1)
    if seg.tag == "LOC":
        place = seg.get(2)
        if qualifier == "125" or (qualifier == "92" and leg.departure_airport is None):
            leg.departure_airport = place
        elif qualifier in {"87", "92"}:
            leg.arrival_airport = place
    else:
        qualifier, value = seg.get(1, 0), seg.get(1, 1)
        if qualifier == "189":
            leg.departure = parse_datetime(value)
        elif qualifier == "232":
            leg.arrival = parse_datetime(value)


def _traveller_segment(seg: Segment, t: Traveller, last_doc: TravelDocument | None,
                       manifest: Manifest) -> TravelDocument | None:
    tag = seg.tag
    if tag == "ATT" and seg.get(1) == "2":
        t.sex = seg.get(3) or None
    elif tag == "DTM":
        qualifier, value = seg.get(1, 0), seg.get(1, 1)
        if qualifier == "329":
            t.birth_date_raw = value
            t.birth_date = parse_date(value, birth=True)
            if t.birth_date is None:
                manifest.issues.append(Issue.of("warning", "issue.birth_date.screened_without",
                                                seg.where(1), value=repr(value)))
        elif qualifier == "36" and last_doc is not None:
            last_doc.expiry = parse_date(value, birth=False)
    elif tag == "LOC":
        qualifier = seg.get(1)
        place = seg.get(2) or " ".join(c for c in seg.components(2) if c)
        if qualifier == "178":
            t.embarkation = place
        elif qualifier == "179":
            t.debarkation = place
        elif qualifier == "174":
            t.residence = place
        elif qualifier == "180":
            t.birth_place = " ".join(c for c in seg.components(2) if c) or None
        elif qualifier == "91" and last_doc is not None:
            last_doc.issuing_state = place or None
    elif tag == "NAT":
        code = seg.get(2)
        if code and code not in t.nationalities:
            t.nationalities.append(code)
    elif tag == "RFF":
        qualifier, value = seg.get(1, 0), seg.get(1, 1)
        if value and qualifier in {"AVF", "ABO", "AEA", "CR", "SEA"}:
            t.booking_refs.append(f"{qualifier}:{value}")
    elif tag == "DOC":
        number = seg.get(2).replace(" ", "")
        if not number:
            manifest.issues.append(Issue.of("warning", "issue.document.no_number",
                                            seg.where(2)))
            return last_doc
        doc = TravelDocument(number=number, type=seg.get(1) or None)
        t.documents.append(doc)
        return doc
    return last_doc
