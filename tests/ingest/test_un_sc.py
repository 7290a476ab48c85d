"""The UN SC list parser on the real lists (shared data), the demo list and small cases."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest

from ctnode.ingest.un_sc import DEMO_LIST, parse_un_sc
from ctnode.ingest.un_sc_records import split_alias
from ctnode.model.entities import Entity
from ctnode.model.lists import ParsedList

NEW = "un-sc-consolidated.xml"
OLD = "un-sc-consolidated-2026-01-28.xml"


@pytest.fixture(scope="module")
def new_list(shared_data: Path) -> ParsedList:
    return parse_un_sc(shared_data / NEW)


@pytest.fixture(scope="module")
def old_list(shared_data: Path) -> ParsedList:
    return parse_un_sc(shared_data / OLD)


def stmts(entity: Entity, prop: str) -> list[tuple[str, str, str | None]]:
    return [(s.value, s.original, s.lang) for s in entity.statements if s.prop == prop]


# -- real lists -------------------------------------------------------------------------


def test_real_list_counts_and_identity(new_list: ParsedList, shared_data: Path) -> None:
    assert new_list.dataset == "un_sc"
    assert new_list.version == "2026-05-08T23:00:06.922Z"
    assert new_list.source == str(shared_data / NEW)
    assert len(new_list.entities) == 1009
    assert Counter(e.schema for e in new_list.entities) == {"Person": 737, "Organization": 272}
    assert all(e.id == f"un_sc-{e.reference}" for e in new_list.entities)
    assert len({e.id for e in new_list.entities}) == 1009
    # References are trimmed ("KPe.051 " in the file).
    assert "KPe.051" in new_list.references
    # Every statement keeps the source string it came from.
    for entity in new_list.entities:
        for stmt in entity.statements:
            assert stmt.original, (entity.id, stmt)
            assert stmt.dataset == "un_sc"


def test_real_list_programmes_aliases_and_scripts(new_list: ParsedList) -> None:
    programmes = Counter(e.first("programId") for e in new_list.entities)
    assert programmes["Al-Qaida"] == 343 and programmes["DPRK"] == 155
    assert programmes["Taliban"] == 140
    with_original = [e for e in new_list.entities
                     if any(s.prop == "name" and s.lang for s in e.statements)]
    # 380 records have NAME_ORIGINAL_SCRIPT; one of them is in Latin script (no lang).
    langs = Counter(s.lang for e in new_list.entities for s in e.statements
                    if s.prop == "name" and s.lang)
    assert len(with_original) >= 379
    assert langs["rus"] >= 11
    assert langs["ara"] + langs["fas"] + langs["pus"] >= 368
    assert all(e.first("topics") == "sanction" for e in new_list.entities)
    weak = sum(len(e.get("weakAlias")) for e in new_list.entities)
    assert weak >= 600


def test_real_list_versions_differ_by_the_known_delta(new_list: ParsedList,
                                                      old_list: ParsedList) -> None:
    assert len(old_list.entities) == 999
    assert old_list.version == "2026-01-28T00:00:11.197Z"
    added = new_list.references - old_list.references
    removed = old_list.references - new_list.references
    assert added == {"QDi.437", "QDi.438", "QDi.439", *(f"SDi.{n:03d}" for n in range(7, 15))}
    assert removed == {"QDe.137"}
    # Changed content, leaving out the INTERPOL link (new field) and the narrative notes
    # (reworded across most records): the README counts 29 changed records.
    old, new = old_list.by_reference(), new_list.by_reference()

    def core(entity: Entity) -> set[tuple[str, str]]:
        return {(s.prop, s.value) for s in entity.statements
                if s.prop not in {"sourceUrl", "notes"}}

    changed = {ref for ref in new.keys() & old.keys() if core(new[ref]) != core(old[ref])}
    assert 24 <= len(changed) <= 32
    assert {"TAi.002", "TAi.038"} <= changed
    gained = {v for v, _, _ in stmts(new["TAi.002"], "passportNumber")} - {
        v for v, _, _ in stmts(old["TAi.002"], "passportNumber")}
    assert gained == {"P04581926"}


def test_person_record_fields(new_list: ParsedList) -> None:
    by_ref = new_list.by_reference()
    gedo = by_ref["SDi.007"]
    # Stray spaces trimmed in the value, kept in the original.
    assert stmts(gedo, "name") == [("GEDO HAMDAN AHMED", " GEDO  HAMDAN   AHMED ", None)]
    assert gedo.first("firstName") == "GEDO" and gedo.first("lastName") == "AHMED"
    assert gedo.first("secondName") == "HAMDAN"
    assert stmts(gedo, "gender") == [("male", "Gender: Male", None)]
    assert stmts(gedo, "nationality") == [("sd", "Sudan", None)]
    assert gedo.get("alias") == ["ABU NASHUK"]
    assert gedo.get("listingDate") == ["2026-02-24"]

    anizi = by_ref["QDi.335"]
    assert anizi.get("birthDate") == ["1973-03-06"]
    assert anizi.get("idNumber") == ["273030601222"]
    assert anizi.get("modifiedAt") == ["2023-02-02"]  # the latest LAST_DAY_UPDATED
    assert "Abu Usama" in anizi.get("weakAlias")
    assert "‘Abd al-Rahman Khalaf al-Anizi" in anizi.get("alias")
    assert anizi.get("sourceUrl") == [
        "https://www.interpol.int/en/How-we-work/Notices/View-UN-Notices-Individuals"]
    assert anizi.get("country") == ["sy"]


def test_birth_dates_keep_their_wording(new_list: ParsedList) -> None:
    every = [(s.value, s.original) for e in new_list.entities for s in e.statements
             if s.prop == "birthDate"]
    assert all(len(v) in (4, 7, 10) and v[:4].isdigit() for v, _ in every)
    approx = [(v, o) for v, o in every if o.startswith("APPROXIMATELY")]
    assert approx and all(o == f"APPROXIMATELY {v}" for v, o in approx)
    ranged = [(v, o) for v, o in every if o.startswith("BETWEEN")]
    assert ranged
    for value, original in ranged:
        _, lo, _, hi = original.split()
        assert int(lo) <= int(value) <= int(hi)
    # A note "Sep." beside YEAR 1958 gives a month-precision date.
    assert ("1958-09", "Sep. 1958") in every


def test_warnings_name_record_and_field(new_list: ParsedList) -> None:
    text = "\n".join(new_list.warnings)
    assert "SDi.001" in text and "nationality 'na'" in text
    assert "Hijri" not in text  # the Hijri date of birth is read (see below)


def test_hijri_birth_date_is_converted(new_list: ParsedList) -> None:
    """"24/06/1402 (Hijri Calendar)": the UN list also gives that person 1982-04-18, which
    is what the Umm al-Qura conversion gives."""
    holders = [e for e in new_list.entities
               if any("Hijri" in s.original for s in e.statements if s.prop == "birthDate")
               or "1982-04-18" in e.get("birthDate")]
    assert holders and all("1982-04-18" in e.get("birthDate") for e in holders)


_HIJRI_ONLY = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00.000Z"><INDIVIDUALS><INDIVIDUAL>
<DATAID>1</DATAID><FIRST_NAME>TEST</FIRST_NAME><SECOND_NAME>PERSON</SECOND_NAME>
<UN_LIST_TYPE>Demo</UN_LIST_TYPE><REFERENCE_NUMBER>DMi.900</REFERENCE_NUMBER>
<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE>
<NOTE>24/06/1402 (Hijri Calendar)</NOTE></INDIVIDUAL_DATE_OF_BIRTH>
<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE>
<NOTE>1380 (Hijri)</NOTE></INDIVIDUAL_DATE_OF_BIRTH>
<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE>
<NOTE>31/13/1402 (Hijri Calendar)</NOTE></INDIVIDUAL_DATE_OF_BIRTH>
</INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"""


def test_hijri_only_birth_dates() -> None:
    parsed = parse_un_sc(io.BytesIO(_HIJRI_ONLY.encode()), source_name="hijri.xml")
    (entity,) = parsed.entities
    dates = stmts(entity, "birthDate")
    assert ("1982-04-18", "24/06/1402 (Hijri Calendar)", None) in dates
    assert {v for v, o, _ in dates if o == "1380 (Hijri)"} == {"1960", "1961"}
    assert any("31/13/1402" in w and "month 13 out of range" in w for w in parsed.warnings)


def test_entities_are_organizations_with_aliases(new_list: ParsedList) -> None:
    by_ref = new_list.by_reference()
    adf = by_ref["CDe.001"]
    assert adf.schema == "Organization"
    assert "Allied Democratic Forces" in adf.get("alias")
    assert "NALU" in adf.get("previousName")  # f.k.a.
    assert not adf.get("birthDate") and not adf.get("nationality")


# -- alias cells ------------------------------------------------------------------------

ALIAS_CASES: list[tuple[str, list[tuple[str, str | None]]]] = [
    ("Abas Rashidi; Abbas Rashedi; Abas Rashedi",
     [("Abas Rashidi", None), ("Abbas Rashedi", None), ("Abas Rashedi", None)]),
    ("Es Sayed, Kader", [("Es Sayed, Kader", None)]),
    ("Agha Jan Alizai اغا جان عالیزی", [("Agha Jan Alizai", None), ("اغا جان عالیزی", "fas")]),
    ("Abdul Haq son of M. Anwar Khan (عبد الحق ولد محمد انور خان)",
     [("Abdul Haq son of M. Anwar Khan", None), ("عبد الحق ولد محمد انور خان", "ara")]),
    ("حسن غول (Hassan Ghul; Hassan Gul; Hasan Gul)",
     [("حسن غول", "ara"), ("Hassan Ghul", None), ("Hassan Gul", None), ("Hasan Gul", None)]),
    ("Amir Khazmat (original script: Амир Хазмат)",
     [("Amir Khazmat", None), ("Амир Хазмат", "rus")]),
    ("Jin Tiesan (金铁三)", [("Jin Tiesan", None), ("金铁三", "zho")]),
    ("華信船務(香港)有限公司", [("華信船務(香港)有限公司", "zho")]),
    ('"MUKHTAR, Shaykh"', [("MUKHTAR, Shaykh", None)]),
    ("Ezatullah Haqqani (previously listed as)", [("Ezatullah Haqqani", None)]),
    ("Encep Nurjaman (birth name)", [("Encep Nurjaman", None)]),
    ("Khirullah Said Wali Khairkhwa, born in Kandahar on 01 Jan.1967",
     [("Khirullah Said Wali Khairkhwa", None)]),
    ("Al-Qaida in Yemen (AQY)", [("Al-Qaida in Yemen (AQY)", None)]),
    ("Lom-ali Butayev (Butaev)", [("Lom-ali Butayev (Butaev)", None)]),
    ("Mohammed Sabet; Mohammad Sabet b) M. Javad Kareemi Sabet",
     [("Mohammed Sabet", None), ("Mohammad Sabet", None), ("M. Javad Kareemi Sabet", None)]),
]


@pytest.mark.parametrize(("raw", "expected"), ALIAS_CASES)
def test_split_alias(raw: str, expected: list[tuple[str, str | None]]) -> None:
    assert split_alias(raw) == expected


def test_alias_statements_keep_the_cell_as_original(new_list: ParsedList) -> None:
    cell = "Husain Salimi; Hosain Salimi; Hussain Salimi"
    hits = [(e.reference, s.value) for e in new_list.entities for s in e.statements
            if s.original.startswith(cell)]
    assert len(hits) == 9  # nine spellings, each its own alias, one original cell
    assert len({ref for ref, _ in hits}) == 1


# -- demo list and input forms ----------------------------------------------------------


def test_demo_list_is_fictional_and_parses() -> None:
    text = DEMO_LIST.read_text(encoding="utf-8")
    assert "FICTIONAL DEMO DATA" in text
    parsed = parse_un_sc(DEMO_LIST)
    assert parsed.warnings == []
    assert 10 <= len(parsed.entities) <= 20
    assert {e.schema for e in parsed.entities} == {"Person", "Organization"}
    assert all("Fictional demo record" in (e.first("notes") or "") for e in parsed.entities)
    langs = {s.lang for e in parsed.entities for s in e.statements if s.lang}
    assert {"ara", "rus", "fas", "pus", "zho"} <= langs
    by_ref = parsed.by_reference()
    assert by_ref["DMi.003"].get("birthDate") == ["1968", "1969", "1970", "1971"]
    assert stmts(by_ref["DMi.002"], "birthDate") == [("1982", "APPROXIMATELY 1982", None)]
    assert by_ref["DMi.001"].get("passportNumber") == ["N0000731"]


def test_input_forms_and_progress() -> None:
    data = DEMO_LIST.read_bytes()
    calls: list[tuple[int, int]] = []
    from_bytes = parse_un_sc(data, progress=lambda done, total: calls.append((done, total)))
    assert from_bytes.source == "<bytes>"
    assert calls[-1] == (len(data), len(data))
    from_text = parse_un_sc(data.decode("utf-8"), source_name="demo.xml")
    assert from_text.source == "demo.xml"
    from_file = parse_un_sc(io.BytesIO(data), source_name="stream")
    assert [e.fingerprint() for e in from_bytes.entities] == \
        [e.fingerprint() for e in from_text.entities] == \
        [e.fingerprint() for e in from_file.entities]


def test_hijri_conversion_pure_function() -> None:
    from datetime import date

    from ctnode.model.dates import hijri_to_gregorian, hijri_year_to_gregorian

    assert hijri_to_gregorian(1402, 6, 24) == date(1982, 4, 18)  # Umm al-Qura
    assert hijri_to_gregorian(1445, 9, 1) == date(2024, 3, 11)  # Ramadan 1445
    assert hijri_to_gregorian(1, 1, 1) == date(622, 7, 19)  # tabular, civil epoch
    assert hijri_to_gregorian(1300, 1, 1) == date(1882, 11, 12)  # outside Umm al-Qura
    assert hijri_year_to_gregorian(1380) == (1960, 1961)
    with pytest.raises(ValueError, match="day 31 out of range"):
        hijri_to_gregorian(1402, 6, 31)
