"""OFAC SDN legacy CSV: sdn.csv + alt.csv + add.csv (+ sdn_comments.csv) joined.

The fixture folder ``fixtures/ofac`` holds real rows of the public SDN list (public domain,
US Government work) in OFAC's own headerless format, with the official trailing ``\\x1a``;
its add.csv rows are written in the real format with made-up street names.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ctnode.errors import ImportFailed
from ctnode.ingest.ofac_sdn import parse_ofac_sdn
from ctnode.payments.crypto import classify

FIXTURE = Path(__file__).parent / "fixtures" / "ofac"


@pytest.fixture(scope="module")
def parsed() -> dict[str, object]:
    result = parse_ofac_sdn(FIXTURE)
    return {"list": result, "by_ref": {e.reference: e for e in result.entities}}


def test_entries_schemas_and_names(parsed: dict[str, object]) -> None:
    by_ref = parsed["by_ref"]
    assert isinstance(by_ref, dict)
    assert by_ref["2676"].schema == "Person"
    assert by_ref["306"].schema == "Organization"
    assert by_ref["4238"].schema == "Vessel"
    assert by_ref["2676"].get("name") == ["AL ZAWAHIRI, Dr. Ayman"]
    assert "AL-ZAWAHIRI, Ayman" in by_ref["2676"].get("alias")  # alt.csv joined
    assert by_ref["306"].get("weakAlias") == ["BNC"]  # a.k.a. in the remarks
    assert by_ref["2676"].id == "us_ofac_sdn-2676"


def test_remarks_read(parsed: dict[str, object]) -> None:
    by_ref = parsed["by_ref"]
    assert isinstance(by_ref, dict)
    zawahiri = by_ref["2676"]
    assert zawahiri.get("birthDate") == ["1951-06-19"]
    assert zawahiri.get("passportNumber") == ["1084010", "19820215"]
    passport = next(s for s in zawahiri.statements if s.value == "1084010")
    assert passport.original == "Passport 1084010 (Egypt)"  # the remark item it came from
    yan = by_ref["25308"]
    assert yan.get("citizenship") == ["cn"]
    assert yan.get("gender") == ["male"]
    assert "421002197703250019" in yan.get("idNumber")
    assert by_ref["11748"].get("nationality") == ["so"]
    assert by_ref["11748"].get("birthDate")  # "DOB circa 1979-1982": one per year
    assert by_ref["15036"].get("imoNumber") == ["9187629"]
    assert by_ref["306"].get("country") == ["cu"]  # add.csv


def test_wallets_become_crypto_wallets(parsed: dict[str, object]) -> None:
    result = parsed["list"]
    wallets = [e for e in result.entities if e.schema == "CryptoWallet"]  # type: ignore[attr-defined]
    by_holder: dict[str, list[str]] = {}
    for w in wallets:
        by_holder.setdefault(w.first("holderId"), []).append(w.first("currency"))
        address = w.first("publicKey")
        found = classify(address)
        assert found is not None and found.chain in ("BTC", "ETH", "XMR", "LTC", "ZEC", "DASH",
                                                     "BTG", "HEX64"), address
    assert by_holder["us_ofac_sdn-25308"] == ["XBT"] * 6
    assert {"XBT", "ETH", "XMR", "LTC", "ZEC", "DASH", "BTG"} <= set(
        by_holder["us_ofac_sdn-29585"])
    yan_wallet = next(w for w in wallets if w.first("holderId") == "us_ofac_sdn-25308")
    assert yan_wallet.first("holder") == "YAN, Xiaobing"
    assert yan_wallet.statements[0].original.startswith("Digital Currency Address - XBT")


def test_cut_remark_is_reported_not_misread(parsed: dict[str, object]) -> None:
    result = parsed["list"]
    warnings = " ".join(result.warnings)  # type: ignore[attr-defined]
    assert "entry 33854: remarks cut at 1,000 characters" in warnings
    chatex = [e for e in result.entities  # type: ignore[attr-defined]
              if e.schema == "CryptoWallet" and e.first("holderId") == "us_ofac_sdn-33854"]
    for w in chatex:  # the cut last address ("XBT 3") is not taken for an address
        found = classify(w.first("publicKey") or "")
        assert found is not None and found.valid


def test_comments_file_restores_the_cut_remark(tmp_path: Path) -> None:
    for f in FIXTURE.iterdir():
        shutil.copy(f, tmp_path / f.name)
    tail = "J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy; Linked To: EXAMPLE."
    (tmp_path / "sdn_comments.csv").write_text(f'33854,"{tail}"\n', encoding="utf-8")
    result = parse_ofac_sdn(tmp_path)
    assert not any("33854: remarks cut" in w for w in result.warnings)
    keys = {e.first("publicKey") for e in result.entities if e.schema == "CryptoWallet"}
    assert "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy" in keys


def test_bad_input_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_text('36,AEROCARIBBEAN AIRLINES,-0- ,CUBA\n', encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"sdn.csv: line 1: 4 columns, sdn.csv has 12"):
        parse_ofac_sdn(tmp_path)
    (tmp_path / "sdn.csv").write_text(
        'X1,NAME,-0- ,CUBA,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n', encoding="utf-8")
    with pytest.raises(ImportFailed, match="ent_num 'X1' is not a number"):
        parse_ofac_sdn(tmp_path / "sdn.csv")
    with pytest.raises(ImportFailed, match=r"no sdn\.csv found"):
        parse_ofac_sdn(tmp_path / "missing")


def test_whole_shared_list(shared_data: Path) -> None:
    result = parse_ofac_sdn(shared_data / "ofac-sdn")
    by_schema: dict[str, int] = {}
    for e in result.entities:
        by_schema[e.schema] = by_schema.get(e.schema, 0) + 1
    # 9,044 rows: 4,643 individuals, 3,701 entities, 420 vessels, 280 aircraft (README)
    assert by_schema["Person"] == 4643 and by_schema["Vessel"] == 420
    assert by_schema["Organization"] == 3701 and by_schema["Airplane"] == 280
    assert by_schema["CryptoWallet"] >= 120
    aliases = sum(len(e.get("alias")) + len(e.get("previousName")) for e in result.entities)
    assert aliases >= 12_000  # 12,409 alt.csv rows, a few repeating a name
    persons = [e for e in result.entities if e.schema == "Person"]
    assert sum(1 for e in persons if e.get("birthDate")) > 4000
    assert sum(1 for e in persons if e.get("nationality")) > 1500
    assert any("appears twice" in w for w in result.warnings)  # the shared copy's last row
