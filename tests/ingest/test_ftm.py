"""FollowTheMoney JSON lines: import (with folding of sanctions and passports) and export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from followthemoney import model

from ctnode.errors import ImportFailed
from ctnode.ingest.ftm import entity_to_ftm, parse_ftm
from ctnode.ingest.un_sc import DEMO_LIST, parse_un_sc
from ctnode.model.entities import Entity

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "opensanctions-sample.ftm.json"


def test_sample_import_folds_sanctions_and_documents() -> None:
    with SAMPLE.open("rb") as fh:
        parsed = parse_ftm(fh, dataset="demo", source_name=str(SAMPLE))
    by_id = {e.id: e for e in parsed.entities}
    assert set(by_id) == {"demo-person-1", "demo-org-1", "demo-vessel-1"}
    person = by_id["demo-person-1"]
    assert person.schema == "Person" and person.reference == "person-1"
    # Two lines with one id are fragments of one entity.
    assert person.get("weakAlias") == ["Faris"] and person.get("alias") == ["Abu Nadir"]
    assert person.get("name") == ["Faris Nadir al-Qamari", "فارس نادر القمري"]
    # Countries cleaned, original kept.
    assert [(s.value, s.original) for s in person.statements if s.prop == "nationality"] == [
        ("sy", "Syria")]
    # Sanction -> programId/listingDate; Passport -> passportNumber; createdAt -> listingDate.
    assert person.get("programId") == ["Fictional CT regime"]
    assert person.get("listingDate") == ["2019-03-14"]
    assert person.get("passportNumber") == ["N0000731"]
    assert by_id["demo-vessel-1"].schema == "Vessel"
    warnings = "\n".join(parsed.warnings)
    assert "line 3: property 'ownershipCount' is not part of Organization" in warnings
    assert "line 9: property 'birthDate' is not part of Vessel" in warnings
    assert "1 Membership entities skipped" in warnings
    assert "1 Address entities skipped" in warnings


def test_un_list_round_trips_through_ftm() -> None:
    original = parse_un_sc(DEMO_LIST)
    lines = [orjson.dumps(entity_to_ftm(e)) for e in original.entities]
    back = parse_ftm(lines, dataset="un_sc", source_name="export.ftm.json")
    assert back.warnings == []
    assert [e.id for e in back.entities] == [e.id for e in original.entities]
    assert [e.reference for e in back.entities] == [e.reference for e in original.entities]
    for before, after in zip(original.entities, back.entities, strict=True):
        assert before.schema == after.schema
        assert before.properties == after.properties


def test_export_shape_is_valid_ftm() -> None:
    entity = Entity(id="un_sc-DMi.001", schema="Person", dataset="un_sc", reference="DMi.001",
                    first_seen=datetime(2026, 1, 1, tzinfo=UTC))
    entity.add("name", "Faris Nadir al-Qamari")
    entity.add("nationality", "sy", "Syrian Arab Republic")
    entity.add("listingDate", "2019-03-14")
    entity.add("notAnFtmProperty", "dropped")
    data = entity_to_ftm(entity)
    assert data["id"] == "un_sc-DMi.001" and data["schema"] == "Person"
    assert data["datasets"] == ["un_sc"] and data["target"] is True
    assert data["caption"] == "Faris Nadir al-Qamari"
    assert data["first_seen"] == "2026-01-01T00:00:00+00:00"
    assert data["properties"] == {"name": ["Faris Nadir al-Qamari"], "nationality": ["sy"],
                                  "createdAt": ["2019-03-14"]}
    proxy = model.get_proxy(json.loads(json.dumps(data)))
    assert proxy.get("nationality") == ["sy"]
    entity.status = "delisted"
    assert entity_to_ftm(entity)["target"] is False


BAD_LINES = [
    (b'{"id": "a", "schema": "Person"', "line 1: not valid JSON"),
    (b'["not", "an", "object"]', "line 1: expected a JSON object"),
    (b'{"schema": "Person", "properties": {}}', "line 1: field 'id' is missing"),
    (b'{"id": "a b", "schema": "Person"}', "line 1: field 'id' is missing or not a plain"),
    (b'{"id": "a", "schema": "Wizard", "properties": {}}', "line 1: field 'schema' 'Wizard'"),
    (b'{"id": "a", "schema": "Person", "properties": []}', "field 'properties' is not an object"),
]


@pytest.mark.parametrize(("line", "expected"), BAD_LINES)
def test_bad_lines_are_refused_with_the_line(line: bytes, expected: str) -> None:
    with pytest.raises(ImportFailed) as info:
        parse_ftm([line], dataset="x", source_name="bad.json")
    assert info.value.message.startswith("bad.json: ")
    assert expected in info.value.message


def test_conflicting_schemas_for_one_id() -> None:
    lines = ['{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}',
             '{"id": "a", "schema": "Vessel", "properties": {"name": ["A"]}}']
    with pytest.raises(ImportFailed, match="line 2: entity a appears as Person and as Vessel"):
        parse_ftm(lines, dataset="x", source_name="s")
    lines[1] = '{"id": "a", "schema": "LegalEntity", "properties": {"country": ["de"]}}'
    parsed = parse_ftm(lines, dataset="x", source_name="s")
    assert parsed.entities[0].schema == "Person"  # the more specific of the two


def test_invalid_values_are_warned_not_fatal() -> None:
    line = orjson.dumps({"id": "p", "schema": "Person", "properties": {
        "name": ["P"], "birthDate": ["yesterday"], "nationality": ["Atlantis"], "alias": [7]}})
    parsed = parse_ftm([line.decode()], dataset="x", source_name="s")
    entity = parsed.entities[0]
    assert entity.get("birthDate") == []
    assert entity.get("nationality") == ["Atlantis"]
    assert entity.get("alias") == []
    text = "\n".join(parsed.warnings)
    assert "birthDate 'yesterday' is not a valid date" in text
    assert "nationality 'Atlantis' is not a known country" in text


def test_crypto_wallets_are_kept_with_their_holder() -> None:
    from ctnode.payments.wallets import WalletIndex

    lines = [
        '{"id": "p1", "schema": "Person", "properties": {"name": ["Ivan Petrov"]}}',
        '{"id": "w1", "schema": "CryptoWallet", "properties": {"publicKey": '
        '["0x7F367cC41522cE07553e823bf3be79A889DEbe1B"], "currency": ["ETH"], '
        '"holder": ["p1"]}}',
        '{"id": "w2", "schema": "CryptoWallet", "properties": {"publicKey": '
        '["LaizKtS5DUhPuP1nTQcc83MS7HwK6vk85z"], "currency": ["LTC"], "holder": ["nobody"]}}',
    ]
    parsed = parse_ftm(lines, dataset="ofac", source_name="wallets.ftm.json")
    wallets = {e.reference: e for e in parsed.entities if e.schema == "CryptoWallet"}
    assert set(wallets) == {"w1", "w2"}
    assert wallets["w1"].get("holderId") == ["ofac-p1"]
    assert wallets["w1"].get("holder") == ["Ivan Petrov"]
    assert wallets["w2"].get("holderId") == ["nobody"]
    assert not any("has no name" in w for w in parsed.warnings)
    found = WalletIndex(parsed.entities).scan(
        [("70", "TO 0x7f367cc41522ce07553e823bf3be79a889debe1b")])
    assert [lw.entity_id for f in found for lw in f.listed] == ["ofac-w1"]


def test_values_cleaned_once_per_text_read_as_each_line_says() -> None:
    """Dates, countries and other typed values are cleaned once per distinct text (a
    million-person list repeats few): every line still gets FtM's cleaned value, its own
    original, and its own warning when the value is invalid."""
    from followthemoney import registry

    dates = ["1961-04-02", "1961", "1961-4-2", "1961-02-30", "not a date", "1961-04-02"]
    lines = [orjson.dumps({"id": f"p{i}", "schema": "Person", "properties": {
        "name": [f"Person {i}"], "birthDate": [d], "nationality": ["Italy", "N/A", "Atlantis"],
        "gender": ["male"]}}) for i, d in enumerate(dates)]
    parsed = parse_ftm(lines + lines[:1], dataset="t", source_name="t.jsonl")
    for i, raw in enumerate(dates):
        e = next(x for x in parsed.entities if x.reference == f"p{i}")
        want = registry.date.clean(raw)
        assert e.get("birthDate") == ([want] if want else [])
        assert [s.original for s in e.statements if s.prop == "birthDate"] == (
            [raw] if want else [])
        assert e.get("nationality") == ["it", "Atlantis"] and e.get("gender") == ["male"]
    warnings = "\n".join(parsed.warnings)
    for lineno, raw in enumerate(dates, start=1):
        if registry.date.clean(raw) is None:
            assert f"line {lineno}" in warnings and raw in warnings
        assert f"line {lineno}" in warnings  # Atlantis, on every line


def test_the_collector_is_paused_while_parsing_and_resumed_after() -> None:
    import gc

    seen: list[bool] = []

    def lines() -> Iterator[bytes]:
        for i in range(3):
            seen.append(gc.isenabled())
            yield orjson.dumps({"id": f"p{i}", "schema": "Person",
                                "properties": {"name": [f"P {i}"]}})

    assert gc.isenabled()
    parse_ftm(lines(), dataset="t", source_name="t")
    assert seen == [False, False, False] and gc.isenabled()
    with pytest.raises(ImportFailed):
        parse_ftm([b"{not json"], dataset="t", source_name="t")
    assert gc.isenabled()
