"""CSV lists through declarative mappings (TOML and JSON), and every way they are refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ctnode.errors import ImportFailed
from ctnode.ingest.csv_list import load_mapping, mapping_from_dict, parse_csv

FIXTURES = Path(__file__).parent / "fixtures"
CSV = FIXTURES / "national-list.csv"


def base_mapping(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "national-list.json").read_text())
    data.update(changes)
    return data


@pytest.mark.parametrize("mapping_file", ["national-list.toml", "national-list.json"])
def test_fixture_list(mapping_file: str) -> None:
    parsed = parse_csv(CSV, load_mapping(FIXTURES / mapping_file))
    assert parsed.dataset == "nl_demo"
    assert parsed.title == "Fictional national terrorist list"
    by_ref = parsed.by_reference()
    assert list(by_ref) == ["NL-001", "NL-002", "NL-003", "NL-004", "NL-005"]
    faris = by_ref["NL-001"]
    assert faris.id == "nl_demo-NL-001" and faris.schema == "Person"
    assert faris.get("name") == ["Faris Nadir AL-QAMARI", "فارس نادر القمري"]
    # Split cell: two aliases, each keeping the whole cell as original.
    assert [(s.value, s.original) for s in faris.statements if s.prop == "alias"] == [
        ("Faris al-Qamari", "Faris al-Qamari; Abu Nadir"),
        ("Abu Nadir", "Faris al-Qamari; Abu Nadir")]
    assert [(s.value, s.original) for s in faris.statements if s.prop == "birthDate"] == [
        ("1975-04-17", "17.04.1975")]
    assert faris.get("nationality") == ["sy"]
    assert faris.get("listingDate") == ["2019-03-14"]
    assert faris.get("topics") == ["sanction"] and faris.get("programId") == ["NL-CT"]
    # No full name column value: assembled from the name parts.
    assert by_ref["NL-002"].get("name") == ["Арслан Веденов", "Arslan Vedenov"]
    assert [s.lang for s in by_ref["NL-002"].statements if s.prop == "name"] == ["rus", None]
    assert by_ref["NL-002"].get("gender") == ["male"]
    assert by_ref["NL-003"].get("birthDate") == ["1968", "1971"]
    assert by_ref["NL-003"].get("listingDate") == []  # "n/a" is a null value
    assert by_ref["NL-004"].schema == "Organization"
    assert by_ref["NL-004"].get("alias") == ["Silver Crescent Brigade", "Crescent Youth Front"]
    warnings = "\n".join(parsed.warnings)
    assert "line 6: birthDate '1990-13-45' matches none of the date formats" in warnings
    assert "line 6: nationality 'Atlantis' is not a known country" in warnings


MAPPING_ERRORS = [
    ({"script": "x"}, "unknown mapping key(s) script"),
    ({"dataset": None}, "'dataset' is required"),
    ({"dataset": "bad name!"}, "'dataset' may only hold"),
    ({"schema": "Person"}, "exactly one of 'schema' or 'schema_column'"),
    ({"schema_values": {"person": "Wizard"}}, "schema_values.person: 'Wizard' is not"),
    ({"columns": [{"column": "x", "property": "shoeSize"}]}, "property 'shoeSize' belongs to"),
    ({"columns": [{"column": "x", "property": "name", "eval": "1"}]},
     "columns[1]: unknown key(s) eval"),
    ({"columns": []}, "'columns' must be a non-empty list"),
    ({"delimiter": ";;"}, "'delimiter' must be one character"),
    ({"encoding": "klingon"}, "unknown 'encoding'"),
]


@pytest.mark.parametrize(("changes", "expected"), MAPPING_ERRORS)
def test_bad_mappings_are_refused(changes: dict[str, Any], expected: str) -> None:
    data = base_mapping(**changes)
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(ImportFailed) as info:
        mapping_from_dict(data, source="m.json")
    assert info.value.message.startswith("m.json: ")
    assert expected in info.value.message


def test_mapping_file_syntax_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("dataset = \n")
    with pytest.raises(ImportFailed, match=r"bad\.toml: mapping is not valid toml"):
        load_mapping(bad)
    with pytest.raises(ImportFailed, match="cannot read mapping file"):
        load_mapping(tmp_path / "missing.json")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    return path


HEADER = ("ref,kind,full_name,given,family,name_original,aliases,dob,nationality,passport,"
          "listed,gender\n")


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, "ref,kind,full_name\nA,person,X\n")
    with pytest.raises(ImportFailed) as info:
        parse_csv(path, mapping_from_dict(base_mapping(), source="m.json"))
    assert "column(s) aliases, dob, family" in info.value.message
    assert "named in mapping m.json are not in the header" in info.value.message


def test_row_errors_name_the_line(tmp_path: Path) -> None:
    mapping = mapping_from_dict(base_mapping())
    path = write(tmp_path, HEADER + "A,person,X,,,,,,,,,\n,person,Y,,,,,,,,,\n")
    with pytest.raises(ImportFailed, match=r"list.csv: line 3: column ref \(the reference\) is "
                                           "empty"):
        parse_csv(path, mapping)
    path = write(tmp_path, HEADER + "A,person,X,,,,,,,,,\nA,person,Y,,,,,,,,,\n")
    with pytest.raises(ImportFailed, match="line 3: reference A already used on line 2"):
        parse_csv(path, mapping)
    path = write(tmp_path, HEADER + "A,person,X,,,,,,,,\n")
    with pytest.raises(ImportFailed, match="line 2: 11 fields, the header has 12"):
        parse_csv(path, mapping)
    path = write(tmp_path, HEADER)
    with pytest.raises(ImportFailed, match="no rows to import"):
        parse_csv(path, mapping)
    (tmp_path / "latin1.csv").write_bytes(HEADER.encode() + "A,person,Zoë,,,,,,,,,\n".encode(
        "latin-1"))
    with pytest.raises(ImportFailed, match="not valid utf-8-sig text"):
        parse_csv(tmp_path / "latin1.csv", mapping)


def test_merge_rows_and_unmapped_schema_values(tmp_path: Path) -> None:
    mapping = mapping_from_dict(base_mapping(merge_rows=True))
    path = write(tmp_path, HEADER + "A,person,X,,,,Alias One,,,,,\nA,person,,,,,Alias Two,,,,,\n"
                 "B,vessel,Boaty,,,,,,,,,\n")
    parsed = parse_csv(path, mapping)
    assert [e.reference for e in parsed.entities] == ["A"]
    assert parsed.entities[0].get("alias") == ["Alias One", "Alias Two"]
    assert any("1 rows with kind 'vessel' skipped" in w for w in parsed.warnings)
    path = write(tmp_path, HEADER + "A,person,X,,,,,,,,,\nA,group,X,,,,,,,,,\n")
    with pytest.raises(ImportFailed, match="line 3: reference A is a Organization here"):
        parse_csv(path, mapping)


def test_ofac_sdn_with_a_headerless_mapping(shared_data: Path, tmp_path: Path) -> None:
    mapping = load_mapping(FIXTURES / "ofac-sdn.toml")
    sdn = shared_data / "ofac-sdn" / "sdn.csv"
    # The shared copy's last row reuses ent_num 2677 (a corrupted row): refused, with lines.
    with pytest.raises(ImportFailed, match="line 9044: reference 2677 already used on line 57"):
        parse_csv(sdn, mapping)
    lines = sdn.read_bytes().split(b"\n")
    trimmed = tmp_path / "sdn.csv"
    trimmed.write_bytes(b"\n".join(lines[:9043]) + b"\n")
    parsed = parse_csv(trimmed, mapping, source_name="sdn.csv")
    counts: dict[str, int] = {}
    for entity in parsed.entities:
        counts[entity.schema] = counts.get(entity.schema, 0) + 1
    assert counts == {"Person": 4643, "Organization": 3700, "Vessel": 420, "Airplane": 280}
    assert sum("SDGT" in e.get("programId") for e in parsed.entities) == 1786
    bank = parsed.by_reference()["306"]
    assert bank.get("name") == ["BANCO NACIONAL DE CUBA"] and bank.get("programId") == ["CUBA"]
    assert parsed.warnings == []
