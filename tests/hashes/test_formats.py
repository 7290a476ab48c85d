"""Interop formats: round trips, the libraries reading our exports, hostile files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from threatexchange.cli.dataset.simple_serialization import (
    CliIndicatorSerialization,
    HMASerialization,
)
from threatexchange.exchanges.impl.file_api import (
    FileCollaborationConfig,
    LocalFileSignalExchangeAPI,
)
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal

from ctnode.hashes.formats import hma, stix, te
from ctnode.hashes.model import (
    Bank,
    HashFormatError,
    HashRecord,
    Label,
    RecordStatus,
    SignalType,
)
from ctnode.model.tlp import TLP

from .conftest import NOW, record

PDQS = PdqSignal.get_examples()[:4]
MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SHA = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
VPDQ = '["' + PDQS[0] + ',100,0.0", "' + PDQS[1] + ',90,1.0"]'


def records(bank: str = "CT_TEST") -> list[HashRecord]:
    return [
        record(
            bank,
            SignalType.PDQ,
            PDQS[0],
            frozenset({Label.RECRUITMENT, Label.GLORIFICATION}),
            TLP.GREEN,
        ),
        record(bank, SignalType.PDQ, PDQS[1], frozenset({Label.INSTRUCTION}), TLP.RED),
        record(bank, SignalType.MD5, MD5, frozenset({Label.GRAPHIC_VIOLENCE})),
        record(
            bank,
            SignalType.SHA256,
            SHA,
            frozenset({Label.IMMINENT_CREDIBLE_THREAT}),
            TLP.AMBER_STRICT,
        ),
        record(bank, SignalType.VPDQ, VPDQ),
    ]


def essentials(recs: list[HashRecord]) -> set[tuple[str, str, frozenset[Label], TLP]]:
    return {(r.signal_type.value, r.value, r.labels, r.tlp) for r in recs}


def test_hma2_round_trip_keeps_labels_tlp_provenance(tmp_path: Path, bank: Bank) -> None:
    path = tmp_path / "bank.json"
    assert hma.write_hma2(bank, records(), path) == 5
    body = json.loads(path.read_text())
    assert body["bank"] == {"name": "CT_TEST", "matching_enabled_ratio": 1.0}
    assert body["content"][2]["signals"] == {"video_md5": MD5}  # HMA's signal type name
    back = hma.read_hma2(path)
    assert back.banks == [Bank("CT_TEST")]
    assert essentials(back.records) == essentials(records())
    assert {r.record_id for r in back.records} == {r.record_id for r in records()}  # stable ids
    assert all(
        r.provenance.added_at == NOW and r.provenance.source_format == "hma2-json"
        for r in back.records
    )


def test_hma2_from_hma_api_shapes(tmp_path: Path) -> None:
    """Items as HMA's GET /c/bank/<name>/content/<id>?include_signals=true returns them."""
    items = [
        {
            "id": 7,
            "disable_until_ts": 1,
            "original_media_uri": None,
            "bank": {"name": "TCAP_MIRROR", "matching_enabled_ratio": 1.0},
            "signals": {"pdq": PDQS[2], "video_md5": MD5},
        },
        {
            "id": 8,
            "disable_until_ts": 0,
            "original_media_uri": None,
            "bank": {"name": "TCAP_MIRROR", "matching_enabled_ratio": 1.0},
            "signals": {"pdq": PDQS[3]},
            "note": "disabled in HMA",
        },
    ]
    path = tmp_path / "items.json"
    path.write_text(json.dumps(items))
    got = hma.read_hma2(path)
    assert got.banks[0].name == "TCAP_MIRROR" and len(got.records) == 3
    assert {r.provenance.original_id for r in got.records} == {"7", "8"}
    assert [r.status for r in got.records if r.value == PDQS[3]] == [RecordStatus.QUARANTINED]


def test_hma1_files_read_by_threatexchange_and_back(tmp_path: Path, bank: Bank) -> None:
    paths, skipped = hma.write_hma1(records(), tmp_path, privacy_group="303636684709969")
    assert skipped == 2  # SHA-256 and vPDQ: HMA 1.x matched PDQ and video MD5 only
    assert sorted(p.name for p in paths) == [
        "303636684709969.hash_pdq.te",
        "303636684709969.hash_video_md5.te",
    ]
    # python-threatexchange's own loader reads the rows
    for p in paths:
        rows = [
            HMASerialization.from_csv_row(line.split(","), "HASH_PDQ")
            for line in p.read_text().splitlines()
        ]
        assert all(r.indicator for r in rows)
    back = [rec for p in paths for rec in hma.read_hma1(p, bank).records]
    assert essentials(back) == essentials(records()[:3])


def test_te_signal_file_is_what_threatexchange_file_exchange_reads(
    tmp_path: Path, bank: Bank
) -> None:
    path = tmp_path / "signals.txt"
    assert te.write_signal_file(records(), path) == 5
    api = LocalFileSignalExchangeAPI(
        FileCollaborationConfig(name="c", api="local_file", enabled=True, filename=str(path))
    )
    (delta,) = list(api.fetch_iter([PdqSignal, VideoMD5Signal], None))
    assert set(delta.updates) >= {("pdq", PDQS[0]), ("video_md5", MD5), ("video_sha256", SHA)}
    back = te.read_signal_file(path, bank)
    assert {(r.signal_type, r.value) for r in back.records} == {
        (r.signal_type, r.value) for r in records()
    }


def test_te_simple_state_files_through_the_library(tmp_path: Path, bank: Bank) -> None:
    paths, skipped = te.write_simple_files(records(), tmp_path)
    assert skipped == 1
    loaded = CliIndicatorSerialization.load(tmp_path)
    assert {(i.indicator_type, i.indicator) for i in loaded} >= {
        ("HASH_PDQ", PDQS[0]),
        ("HASH_VIDEO_MD5", MD5),
    }
    back = [rec for p in paths for rec in te.read_simple_file(p, bank).records]
    assert essentials(back) == essentials(records()[:4])


def test_te_dataset_csv_round_trip_and_opinions(tmp_path: Path, bank: Bank) -> None:
    path = tmp_path / "dataset.csv"
    te.write_dataset_csv(records(), path)
    assert essentials(te.read_dataset_csv(path, bank).records) == essentials(records())
    path.write_text(
        "signal_type,signal_str,collab,category,tags\n"
        f"pdq,{PDQS[0]},Sample,POSITIVE_CLASS,recruitment tlp:green\n"
        f"pdq,{PDQS[1]},Sample,NEGATIVE_CLASS,\n"
        f"pdq,{PDQS[2]},Sample,INVESTIGATION_SEED,some-free-tag\n"
    )
    got = te.read_dataset_csv(path, bank)
    assert [r.labels for r in got.records] == [
        frozenset({Label.RECRUITMENT}),
        frozenset({Label.UNDER_REVIEW}),
    ]
    assert got.records[0].tlp is TLP.GREEN and got.records[1].tags == ("some-free-tag",)
    assert got.skipped == ["line 3: NEGATIVE_CLASS opinion, not banked"]


@pytest.mark.parametrize("mode", ["indicator", "observed-data"])
def test_stix_round_trip(tmp_path: Path, bank: Bank, mode: str) -> None:
    path = tmp_path / "bundle.json"
    written, skipped = stix.write_stix(records(), path, mode=mode)
    assert (written, skipped) == (4, 1)
    bundle = json.loads(path.read_text())
    markings = {o["id"] for o in bundle["objects"] if o["type"] == "marking-definition"}
    assert TLP.RED.marking_id in markings and TLP.CLEAR.marking_id not in markings
    back = stix.read_stix(path, bank)
    assert essentials(back.records) == essentials(records()[:4])
    again, _ = stix.to_bundle(records(), mode=mode)
    assert [o["id"] for o in again["objects"]] == [
        o["id"] for o in bundle["objects"]
    ]  # same ids each time


def test_stix_skips_what_it_cannot_bank(tmp_path: Path, bank: Bank) -> None:
    objects = [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--0f8d37a6-7d5c-4c3f-9b9a-2a8cc1a5b4e1",
            "created": "2024-01-01T00:00:00Z",
            "modified": "2024-01-01T00:00:00Z",
            "pattern": "[ipv4-addr:value = '198.51.100.1']",
            "pattern_type": "stix",
            "valid_from": "2024-01-01T00:00:00Z",
        },
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--1f8d37a6-7d5c-4c3f-9b9a-2a8cc1a5b4e1",
            "created": "2024-01-01T00:00:00Z",
            "modified": "2024-01-01T00:00:00Z",
            "pattern": "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
            "pattern_type": "stix",
            "valid_from": "2024-01-01T00:00:00Z",
        },
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--2f8d37a6-7d5c-4c3f-9b9a-2a8cc1a5b4e1",
            "created": "2024-01-01T00:00:00Z",
            "modified": "2024-01-01T00:00:00Z",
            "pattern": f"[file:hashes.MD5 = '{MD5}']",
            "pattern_type": "stix",
            "valid_from": "2024-01-01T00:00:00Z",
            "labels": ["glorification", "x-other"],
            "object_marking_refs": ["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"],
        },
    ]
    path = tmp_path / "b.json"
    path.write_text(
        json.dumps(
            {
                "type": "bundle",
                "id": "bundle--5f8d37a6-7d5c-4c3f-9b9a-2a8cc1a5b4e1",
                "objects": objects,
            }
        )
    )
    got = stix.read_stix(path, bank)
    assert len(got.records) == 1 and got.records[0].tlp is TLP.CLEAR  # TLP 1.0 white read as CLEAR
    assert got.records[0].labels == frozenset({Label.GLORIFICATION}) and got.records[0].tags == (
        "glorification",
        "x-other",
    )
    assert len(got.skipped) == 2 and "SHA-1" in got.skipped[1]


HOSTILE = [
    (
        "signals.txt",
        f"pdq {PDQS[0]}\npdq {PDQS[1][:-1]}\n",
        te.read_signal_file,
        r"signals\.txt, line 2, field 'signal': not a PDQ hash",
    ),
    (
        "signals.txt",
        f"tmk {PDQS[0]}\n",
        te.read_signal_file,
        r"line 1, field 'signal_type': unknown signal type 'tmk'",
    ),
    ("signals.txt", "pdq\n", te.read_signal_file, r"line 1: expected '<signal type> <signal>'"),
    ("signals.txt", b"pdq \xff\xfe\n", te.read_signal_file, r"signals\.txt, line 1: not UTF-8"),
    (
        "simple.HASH_PDQ.te",
        f"{PDQS[0]},x,2020-01-01,\n",
        te.read_simple_file,
        r"line 1, field 'first_descriptor_id'",
    ),
    ("simple.HASH_PDQ.te", f"{PDQS[0]},1\n", te.read_simple_file, r"line 1: expected 4 columns"),
    ("notes.te", "", te.read_simple_file, r"file name must be simple"),
    ("dataset.csv", "a,b\n", te.read_dataset_csv, r"line 1: header must be"),
    (
        "dataset.csv",
        f"signal_type,signal_str,collab,category,tags\npdq,{PDQS[0]},c,MAYBE,\n",
        te.read_dataset_csv,
        r"line 2, field 'category': unknown category 'MAYBE'",
    ),
    (
        "dataset.csv",
        'signal_type,signal_str,collab,category,tags\npdq,"unclosed\n',
        te.read_dataset_csv,
        r"bad CSV",
    ),
    (
        "1.hash_pdq.te",
        f"{PDQS[0]},1,2,not-a-date,\n",
        hma.read_hma1,
        r"line 1, field 'added_on': not a time",
    ),
    ("1.hash_pdq.te", f"{PDQS[0]},1,2\n", hma.read_hma1, r"line 1: expected 5 columns"),
    ("1.hash_tmk.te", "", hma.read_hma1, r"unknown signal type 'HASH_TMK'"),
    ("bank.json", "{", hma.read_hma2, r"bank\.json, line 1: not JSON"),
    ("bank.json", "[" * 50000, hma.read_hma2, r"nested too deeply|not JSON"),
    ("bank.json", '{"content": {}}', hma.read_hma2, r"field 'content': expected a 'content' list"),
    (
        "bank.json",
        '{"bank": {"name": "bad name"}, "content": []}',
        hma.read_hma2,
        r"field 'bank.name'",
    ),
    (
        "bank.json",
        '{"bank": {"name": "B"}, "content": [{"signals": {"pdq": 5}}]}',
        hma.read_hma2,
        r"field 'content\[0\]\.signals\.pdq': signal value must be a string",
    ),
    (
        "bank.json",
        '{"bank": {"name": "B"}, "content": [{"signals": {"pdq": "00"}}]}',
        hma.read_hma2,
        r"field 'content\[0\]\.signals\.pdq': not a PDQ hash",
    ),
    (
        "bank.json",
        '{"bank": {"name": "B"}, "content": [{"signals": {"pdq": "'
        + PDQS[0]
        + '"}, "metadata": {"json": {"ctnode": {"labels": ["cats"]}}}}]}',
        hma.read_hma2,
        r"field 'content\[0\]\.metadata\.json\.ctnode\.labels': unknown label 'cats'",
    ),
    (
        "bank.json",
        '{"bank": {"name": "B"}, "content": [{"signals": {"pdq": "'
        + PDQS[0]
        + '"}, "disable_until_ts": -1}]}',
        hma.read_hma2,
        r"disable_until_ts",
    ),
    (
        "b.json",
        '{"type": "bundle", "objects": [{"type": "indicator", "id": "indicator--x"}]}',
        stix.read_stix,
        r"field 'objects\[0\]': invalid indicator",
    ),
    ("b.json", '{"type": "report", "objects": []}', stix.read_stix, r"expected a STIX bundle"),
]


@pytest.mark.parametrize(
    ("name", "text", "reader", "message"),
    HOSTILE,
    ids=[f"{i}-{h[0]}" for i, h in enumerate(HOSTILE)],
)
def test_hostile_files_are_refused_naming_file_line_field(
    tmp_path: Path, bank: Bank, name: str, text: str | bytes, reader: object, message: str
) -> None:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    with pytest.raises(HashFormatError, match=message):
        if reader is hma.read_hma2:
            hma.read_hma2(path)
        else:
            reader(path, bank)  # type: ignore[operator]


def test_oversized_file_is_refused_before_reading(
    tmp_path: Path, bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ctnode.hashes.formats import common

    monkeypatch.setattr(common, "MAX_FILE_BYTES", 100)
    path = tmp_path / "signals.txt"
    path.write_text(f"pdq {PDQS[0]}\n" * 5)
    with pytest.raises(
        HashFormatError, match=r"signals\.txt: file is 345 bytes, over the limit of 100"
    ):
        te.read_signal_file(path, bank)
