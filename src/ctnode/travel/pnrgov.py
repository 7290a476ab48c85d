"""UN/EDIFACT PNRGOV (IATA PNR push to governments, versions 10.1 to 13.1 and later) → ``Manifest``.

A PNR starts at ``SRC`` (or at an ``RCI`` with a new record locator); ``TIF``
names a traveller (surname; given name with the title often glued on,
``JOHNMR``; a reference number); ``SSR DOCS`` carries passport data
(``/P/GBR/123456789/GBR/12JUL64/M/23AUG19/SMITHJR/JONATHON/ROBERT``) and ``SSR
DOCO`` a visa. A traveller named again in the itinerary (seat ``TIF``) is the
same person and is screened once.
"""

from __future__ import annotations

from ctnode.model.messages import Issue
from ctnode.travel.edifact import FRAME_TAGS, Frame, Interchange, Segment
from ctnode.travel.model import Leg, Manifest, TravelDocument, Traveller
from ctnode.travel.names import parse_date, traveller_names

SEXES = {"M": "M", "F": "F", "MI": "M", "FI": "F", "U": None, "X": None}


def _tvl_leg(seg: Segment) -> Leg:
    dep_date, dep_time = seg.get(1, 0), seg.get(1, 1)
    arr_date, arr_time = seg.get(1, 2), seg.get(1, 3)
    carrier = seg.get(4) or None
    number = seg.get(5)
    departure = parse_date(dep_date, birth=False, fmt="DDMMYY")
    if departure and len(dep_time) == 4 and dep_time.isdigit():
        departure = f"{departure}T{dep_time[:2]}:{dep_time[2:]}"
    arrival = parse_date(arr_date, birth=False, fmt="DDMMYY") if arr_date else None
    if arrival is None and departure and arr_time:
        arrival = departure[:10]
    if arrival and len(arr_time) == 4 and arr_time.isdigit():
        arrival = f"{arrival}T{arr_time[:2]}:{arr_time[2:]}"
    return Leg(flight=f"{carrier or ''}{number}", carrier=carrier,
               departure_airport=seg.get(2) or None, arrival_airport=seg.get(3) or None,
               departure=departure, arrival=arrival, where=seg.where())


class _State:
    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self.pnr: str | None = None
        self.pnr_started = False
        self.in_pnr_travellers: dict[str, Traveller] = {}
        self.current: Traveller | None = None

    def start_pnr(self, locator: str | None) -> None:
        self.pnr = locator
        self.pnr_started = True
        self.in_pnr_travellers = {}
        self.current = None
        if locator:
            self.manifest.pnrs.append(locator)


def parse_pnrgov(inter: Interchange) -> Manifest:
    """Read a PNRGOV interchange; never raises on content (problems go to ``issues``)."""
    manifest = Manifest(kind="PNRGOV", list_type="pnr", issues=list(inter.issues))
    st = _State(manifest)
    frame = Frame(manifest)
    itinerary: list[Leg] = []
    for seg in inter.segments:
        tag = seg.tag
        if tag in FRAME_TAGS:
            frame.read(seg)
        elif tag == "TVL" and not st.pnr_started:
            manifest.legs.append(_tvl_leg(seg))
        elif tag == "TVL":
            itinerary.append(_tvl_leg(seg))
        elif tag == "EQN" and not st.pnr_started:
            value = seg.get(1)
            manifest.declared_count = int(value) if value.isdigit() else None
        elif tag == "SRC":
            st.start_pnr(None)
        elif tag == "RCI":
            locator = seg.get(1, 1) or None
            if not st.pnr_started or (st.pnr is not None and locator != st.pnr):
                st.start_pnr(locator)
            elif st.pnr is None and locator:
                st.pnr = locator
                manifest.pnrs.append(locator)
        elif tag == "TIF":
            _tif(seg, st)
        elif tag == "SSR" and seg.get(1, 0) in {"DOCS", "DOCO"}:
            _ssr(seg, st)
    if not manifest.legs:
        # No flight in the header: report the distinct flights of the PNRs' itineraries.
        seen: set[tuple[str, str | None, str | None]] = set()
        for leg in itinerary:
            key = (leg.flight, leg.departure_airport, leg.departure)
            if key not in seen:
                seen.add(key)
                manifest.legs.append(leg)
    if manifest.declared_count is not None and manifest.declared_count != len(manifest.pnrs):
        manifest.issues.append(Issue.of("warning", "issue.pnrgov.count", "EQN",
                                        declared=manifest.declared_count,
                                        actual=len(manifest.pnrs)))
    return manifest


def _tif(seg: Segment, st: _State) -> None:
    surname = seg.get(1, 0).strip()
    given = seg.get(2, 0).strip()
    ref = seg.get(2, 2).strip()
    key = ref or f"{surname}/{given}"
    if key in st.in_pnr_travellers:
        st.current = st.in_pnr_travellers[key]
        return
    if not surname and not given:
        st.manifest.issues.append(Issue.of("error", "issue.pnrgov.tif_no_name", seg.where(1),
                                           skipped=True))
        return
    names, title = traveller_names(surname, given)
    traveller = Traveller(
        ref=f"T{len(st.manifest.travellers) + 1}", role="passenger", surname=surname,
        given_names=given, raw_name=f"{surname}/{given}", names=names, title=title,
        pnr=st.pnr, where=seg.where())
    st.in_pnr_travellers[key] = traveller
    st.manifest.travellers.append(traveller)
    st.current = traveller


def _ssr(seg: Segment, st: _State) -> None:
    code = seg.get(1, 0)
    text = seg.get(1, 8) or "/".join(c for c in seg.components(1)[8:] if c)
    fields = [f.strip() for f in text.split("/")]
    if fields and fields[0] == "":
        fields = fields[1:]
    fields += [""] * (10 - len(fields))
    traveller = st.current
    if code == "DOCS":
        doc_type, issuer, number, nationality, dob, sex, expiry, surname = fields[:8]
        given = " ".join(f for f in fields[8:] if f)
        if traveller is None or (surname and surname != traveller.surname
                                 and not surname.startswith(traveller.surname)):
            match = [t for t in st.in_pnr_travellers.values() if t.surname == surname]
            traveller = match[0] if match else traveller
        if traveller is None:
            if not surname:
                st.manifest.issues.append(Issue.of("error", "issue.pnrgov.docs_no_traveller",
                                                   seg.where(1), skipped=True))
                return
            names, title = traveller_names(surname, given)
            traveller = Traveller(ref=f"T{len(st.manifest.travellers) + 1}", role="passenger",
                                  surname=surname, given_names=given,
                                  raw_name=f"{surname}/{given}", names=names, title=title,
                                  pnr=st.pnr, where=seg.where())
            st.manifest.travellers.append(traveller)
            st.in_pnr_travellers[f"{surname}/{given}"] = traveller
        elif surname:
            doc_names, _ = traveller_names(surname, given)
            traveller.names = list(dict.fromkeys([*doc_names[:2], *traveller.names]))[:5]
        if dob:
            traveller.birth_date_raw = dob
            traveller.birth_date = parse_date(dob, birth=True)
            if traveller.birth_date is None:
                st.manifest.issues.append(Issue.of("warning", "issue.birth_date.unreadable",
                                                   seg.where(1), value=repr(dob)))
        if sex in SEXES:
            traveller.sex = SEXES[sex]
        if nationality and nationality not in traveller.nationalities:
            traveller.nationalities.append(nationality)
        if number:
            traveller.documents.append(TravelDocument(
                number=number.replace(" ", ""), type=doc_type or None,
                issuing_state=issuer or None, expiry=parse_date(expiry, birth=False)))
    elif code == "DOCO" and traveller is not None:
        birth_place, doc_type, number = fields[0], fields[1], fields[2]
        if birth_place and traveller.birth_place is None:
            traveller.birth_place = birth_place
        if number:
            traveller.documents.append(TravelDocument(
                number=number.replace(" ", ""), type=doc_type or "V",
                issuing_state=fields[5] or None))
