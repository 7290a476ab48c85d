"""The content-hash services over a real store (SQLite and PostgreSQL): banks, hashes with
provenance, matching with hits a person decides on, flood protection, delisting, imports
all or nothing, exports that keep TLP:RED home, and a second process kept in step."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageOps

from ctnode.errors import Conflict, Forbidden, InvalidInput
from ctnode.hashes import hasher
from ctnode.hashes.formats import hma
from ctnode.hashes.model import Bank, BankKind, Label, RecordStatus, SignalType
from ctnode.node import Node
from ctnode.services.hashes.banks import BankChange, NewHashes
from tests.conftest import ADMIN, ANALYST, SCREENER
from tests.hashes.conftest import picture

MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def image(tmp_path: Path, seed: int, name: str, transform=None) -> Path:  # type: ignore[no-untyped-def]
    img = picture(seed)
    if transform is not None:
        img = transform(img)
    path = tmp_path / name
    img.save(path)
    return path


def pdq_of(path: Path) -> str:
    found = hasher.hash_file(path).pdq
    assert found is not None
    return found.value


def flip_bits(value: str, bits: int) -> str:
    number = int(value, 16) ^ ((1 << bits) - 1)
    return f"{number:064x}"


def events(node: Node, prefix: str) -> list[str]:
    return [e.event for e in node.audit.entries() if e.event.startswith(prefix)]


@pytest.fixture
def banked(empty_node: Node, tmp_path: Path) -> tuple[Node, Path, str]:
    """A node with one content bank holding the PDQ of one picture and an MD5."""
    node = empty_node
    node.hashes.banks.create_bank(ADMIN, Bank("CT_TEST", description="test bank"))
    original = image(tmp_path, 1, "original.png")
    value = pdq_of(original)
    node.hashes.banks.add(
        ANALYST,
        "CT_TEST",
        NewHashes(SignalType.PDQ, (value,), frozenset({Label.GLORIFICATION}), "TLP:GREEN"),
    )
    node.hashes.banks.add(ANALYST, "CT_TEST", NewHashes(SignalType.MD5, (MD5.upper(),)))
    return node, original, value


def test_banks_are_listed_with_counts_changed_and_deleted(banked: tuple[Node, Path, str]) -> None:
    node, _, _ = banked
    [bank] = node.hashes.banks.list_banks(ANALYST)
    assert bank["name"] == "CT_TEST" and bank["pdq_threshold"] == 31
    assert bank["hashes"] == {"active": 2} and bank["default_tlp"] == "TLP:AMBER"
    changed = node.hashes.banks.change_bank(ADMIN, "CT_TEST", BankChange(pdq_threshold=10))
    assert changed["pdq_threshold"] == 10
    with pytest.raises(InvalidInput, match="PDQ threshold 99"):
        node.hashes.banks.change_bank(ADMIN, "CT_TEST", BankChange(pdq_threshold=99))
    with pytest.raises(Conflict):
        node.hashes.banks.create_bank(ADMIN, Bank("CT_TEST"))
    assert node.hashes.banks.delete_bank(ADMIN, "CT_TEST") == 2
    assert node.hashes.banks.list_banks(ANALYST) == []
    assert events(node, "hashes.bank") == [
        "hashes.bank.create",
        "hashes.bank.change",
        "hashes.bank.delete",
    ]


def test_permissions(banked: tuple[Node, Path, str]) -> None:
    node, _, value = banked
    with pytest.raises(Forbidden):
        node.hashes.banks.list_banks(SCREENER)
    with pytest.raises(Forbidden):
        node.hashes.banks.create_bank(ANALYST, Bank("OTHER"))
    with pytest.raises(Forbidden):
        node.hashes.matching.list_hits(SCREENER)
    # a screener may match (and the hit goes to an analyst for review)
    assert node.hashes.matching.match_value(SCREENER, SignalType.PDQ, value).hits


def test_match_value_exact_and_within_the_bank_threshold(banked: tuple[Node, Path, str]) -> None:
    node, _, value = banked
    found = node.hashes.matching.match_value(ANALYST, SignalType.MD5, MD5)
    assert [h.record.signal_type for _, h in found.hits] == [SignalType.MD5]
    near = flip_bits(value, 20)
    [(hit_id, hit)] = node.hashes.matching.match_value(ANALYST, SignalType.PDQ, near).hits
    assert hit.distance == 20 and hit.threshold == 31 and hit.record.tlp.label == "TLP:GREEN"
    assert hit.record.labels == {Label.GLORIFICATION}
    assert hit.record.provenance.source_kind == "local"
    assert "20 of 256 bits differ" in hit.explanation
    assert not node.hashes.matching.match_value(ANALYST, SignalType.PDQ, flip_bits(value, 40)).hits
    node.hashes.banks.change_bank(ADMIN, "CT_TEST", BankChange(pdq_threshold=19))
    assert not node.hashes.matching.match_value(ANALYST, SignalType.PDQ, near).hits
    node.hashes.banks.change_bank(ADMIN, "CT_TEST", BankChange(pdq_threshold=31, enabled=False))
    assert not node.hashes.matching.match_value(ANALYST, SignalType.PDQ, near).hits
    stored = node.hashes.matching.list_hits(ANALYST)
    assert [h["id"] for h in stored if h["id"] == hit_id] == [hit_id]
    assert stored[-1]["query_hash"] == MD5 and stored[-1]["decision"] is None
    with pytest.raises(InvalidInput, match="not a PDQ hash"):
        node.hashes.matching.match_value(ANALYST, SignalType.PDQ, "abc")


def test_a_mirrored_file_matches_and_a_person_decides(
    banked: tuple[Node, Path, str], tmp_path: Path
) -> None:
    node, _, _ = banked
    mirrored = image(tmp_path, 1, "mirrored.jpg", ImageOps.mirror)
    result = node.hashes.matching.match_file(SCREENER, mirrored)
    assert result.hashes is not None and result.hashes.content_type.value == "image"
    [(hit_id, hit)] = result.hits
    assert hit.variant == "mirrored" and hit.distance <= 31
    unrelated = image(tmp_path, 7, "other.png")
    assert node.hashes.matching.match_file(SCREENER, unrelated).hits == []
    decided = node.hashes.matching.decide(
        ANALYST, hit_id, "confirmed", "known propaganda video still"
    )
    assert decided["decision"] == "confirmed" and decided["decided_by"] == ANALYST.name
    with pytest.raises(Conflict):
        node.hashes.matching.decide(ANALYST, hit_id, "unsure", "again")
    with pytest.raises(InvalidInput, match="decision must be one of"):
        node.hashes.matching.decide(ANALYST, hit_id, "maybe", "x")
    assert node.hashes.matching.list_hits(ANALYST, decided=False) == []
    assert "hashes.decision" in events(node, "hashes.decision")
    entry = next(e for e in node.audit.entries() if e.event == "hashes.match")
    assert entry.query_hash and "mirrored" not in str(entry.detail)  # no file name, no content


def test_flood_protection_quarantines_a_hash_analysts_keep_rejecting(
    banked: tuple[Node, Path, str],
) -> None:
    node, _, value = banked
    node.settings.hash_flood_count = 2
    ids = []
    for _ in range(2):
        [(hit_id, _hit)] = node.hashes.matching.match_value(ANALYST, SignalType.PDQ, value).hits
        ids.append(hit_id)
    first = node.hashes.matching.decide(ANALYST, ids[0], "not_terrorist_content", "a cartoon")
    assert first["quarantined"] == []
    second = node.hashes.matching.decide(ANALYST, ids[1], "not_terrorist_content", "a cartoon")
    assert len(second["quarantined"]) == 1
    assert node.hashes.matching.match_value(ANALYST, SignalType.PDQ, value).hits == []
    [rec] = node.hashes.banks.list_records(ANALYST, "CT_TEST", status=RecordStatus.QUARANTINED)
    assert rec["value"] == value
    quarantine = next(e for e in node.audit.entries() if e.event == "hashes.quarantine")
    assert quarantine.detail["publishers"] == [ANALYST.name]


def test_matches_beside_a_benign_hash_count_too(banked: tuple[Node, Path, str]) -> None:
    node, _, value = banked
    node.settings.hash_flood_count = 1
    node.hashes.banks.create_bank(ADMIN, Bank("BENIGN", kind=BankKind.BENIGN))
    node.hashes.banks.add(ANALYST, "BENIGN", NewHashes(SignalType.PDQ, (flip_bits(value, 3),)))
    result = node.hashes.matching.match_value(ANALYST, SignalType.PDQ, value)
    assert [h.bank.name for h in result.benign] == ["BENIGN"]
    assert [h.bank.name for _, h in result.hits] == ["CT_TEST"]
    assert len(result.quarantined) == 1
    again = node.hashes.matching.match_value(ANALYST, SignalType.PDQ, value)
    assert again.hits == [] and len(again.benign) == 1


def test_removal_leaves_a_tombstone_that_no_longer_matches(banked: tuple[Node, Path, str]) -> None:
    node, _, value = banked
    [rec] = [r for r in node.hashes.banks.list_records(ANALYST, "CT_TEST") if r["value"] == value]
    report = node.hashes.banks.remove(ANALYST, "CT_TEST", [rec["record_id"]])
    assert report.removed == 1
    assert node.hashes.matching.match_value(ANALYST, SignalType.PDQ, value).hits == []
    [tomb] = node.hashes.banks.list_records(ANALYST, "CT_TEST", status=RecordStatus.REMOVED)
    assert tomb["record_id"] == rec["record_id"]
    with pytest.raises(InvalidInput, match="not in bank CT_TEST"):
        node.hashes.banks.remove(ANALYST, "CT_TEST", ["h-nothing"])
    # adding it again restores it
    node.hashes.banks.add(ANALYST, "CT_TEST", NewHashes(SignalType.PDQ, (value,)))
    assert node.hashes.matching.match_value(ANALYST, SignalType.PDQ, value).hits


def test_import_is_all_or_nothing_and_export_keeps_red_home(
    banked: tuple[Node, Path, str], tmp_path: Path
) -> None:
    node, _, value = banked
    bad = tmp_path / "signals.txt"
    bad.write_text(f"pdq {flip_bits(value, 100)}\npdq f8f8\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"signals.txt, line 2"):
        node.hashes.banks.import_file(ANALYST, "CT_TEST", bad, "te-signals")
    assert node.hashes.banks.get_bank(ANALYST, "CT_TEST")["hashes"] == {"active": 2}
    assert events(node, "hashes.import") == ["hashes.import.failed"]
    good = tmp_path / "good.txt"
    # the same hash twice in one file (once in upper case) is one record
    good.write_text(
        f"pdq {flip_bits(value, 100)}\nvideo_sha256 {'ab' * 32}\nvideo_sha256 {'AB' * 32}\n",
        encoding="utf-8",
    )
    report = node.hashes.banks.import_file(ANALYST, "CT_TEST", good, "te-signals")
    assert (report.added, report.refreshed) == (2, 1)
    again = node.hashes.banks.import_file(ANALYST, "CT_TEST", good, "te-signals")
    assert (again.added, again.refreshed) == (0, 3)
    assert node.hashes.matching.match_value(ANALYST, SignalType.SHA256, "AB" * 32).hits
    node.hashes.banks.add(ANALYST, "CT_TEST", NewHashes(SignalType.MD5, ("0" * 32,), tlp="RED"))
    out = tmp_path / "export.json"
    exported = node.hashes.banks.export(ANALYST, "CT_TEST", "hma2", out)
    assert exported.written == 4 and exported.withheld == {"TLP:RED never leaves the node": 1}
    back = hma.read_hma2(out)
    assert {r.value for r in back.records} >= {value, MD5, "ab" * 32}
    data, name, _ = node.hashes.banks.export_bytes(ANALYST, "CT_TEST", "te-simple")
    assert name == "CT_TEST.zip" and data[:2] == b"PK"


def test_a_second_process_sees_changes_through_the_store(
    banked: tuple[Node, Path, str], tmp_path: Path
) -> None:
    node, _, value = banked
    assert node.hashes.matching.match_value(ANALYST, SignalType.PDQ, value).hits
    other = Node(node.settings.model_copy(update={"data_dir": tmp_path / "other"}))
    try:
        [rec] = [
            r for r in other.hashes.banks.list_records(ANALYST, "CT_TEST") if r["value"] == value
        ]
        other.hashes.banks.remove(ANALYST, "CT_TEST", [rec["record_id"]])
    finally:
        other.close()
    assert node.hashes.matching.match_value(ANALYST, SignalType.PDQ, value).hits == []
    Image.new("RGB", (4, 4)).save(tmp_path / "tiny.png")  # tiny images hash too (low quality)
    assert node.hashes.matching.hash_files(ANALYST, [tmp_path / "tiny.png"])[0].pdq is not None


def test_the_flat_and_multi_index_matchers_agree(banked: tuple[Node, Path, str]) -> None:
    from ctnode.services.hashes.index import HashIndex

    node, _, value = banked
    node.hashes.banks.add(ANALYST, "CT_TEST", NewHashes(SignalType.PDQ, (flip_bits(value, 9),)))
    flat, mih, cluster = (
        HashIndex(node.store.hashes, kind).current() for kind in ("flat", "mih", "cluster")
    )
    for bits in (0, 12, 25, 31, 40):
        query = flip_bits(value, bits)
        got = [
            sorted((h.record.record_id, h.distance) for h in m.match_value(SignalType.PDQ, query))
            for m in (flat, mih, cluster)
        ]
        assert got[0] == got[1] == got[2]
    assert len(flat.match_value(SignalType.PDQ, value)) == 2


def test_a_file_added_to_a_bank_brings_its_crops_which_match_as_the_item(
    empty_node: Node, tmp_path: Path
) -> None:
    from ctnode.services.hashes.banks import NewFiles

    node = empty_node
    node.hashes.banks.create_bank(ADMIN, Bank("CT_FILES"))
    original = image(tmp_path, 5, "poster.png")
    hashed = node.hashes.matching.hash_files(ANALYST, [original])
    report = node.hashes.banks.add_files(
        ANALYST, "CT_FILES", hashed, NewFiles(frozenset({Label.RECRUITMENT}), "TLP:GREEN")
    )
    assert report.added == 7  # MD5, SHA-256, PDQ and 4 derived crops
    records = node.hashes.banks.list_records(ANALYST, "CT_FILES")
    pdqs = [r for r in records if r["signal_type"] == "pdq"]
    [item] = [r for r in pdqs if not r["provenance"]["original_id"]]
    crops = [r for r in records if r["provenance"]["source_format"].startswith("derived:")]
    assert len(crops) == 4
    assert {r["provenance"]["original_id"] for r in crops} == {item["record_id"]}
    assert all(r["labels"] == ["recruitment"] and r["tlp"] == "TLP:GREEN" for r in crops)
    assert item["quality"] == 100 and item["provenance"]["source_format"] == "file"

    def crop(im: Image.Image) -> Image.Image:
        w, h = im.size
        return im.crop((w // 20, h // 20, w - w // 20, h - h // 20))

    cropped = image(tmp_path, 5, "cropped.png", crop)
    result = node.hashes.matching.match_file(ANALYST, cropped)
    [(_, hit)] = result.hits
    assert hit.record.record_id == item["record_id"] and hit.variant.endswith("~crop_centre_90")
    # without derived crops the crop is not found
    node.hashes.banks.create_bank(ADMIN, Bank("CT_PLAIN"))
    node.hashes.banks.add_files(ANALYST, "CT_PLAIN", hashed, NewFiles(derived=False))
    assert len(node.hashes.banks.list_records(ANALYST, "CT_PLAIN")) == 3
    hits = node.hashes.matching.match_file(ANALYST, cropped, banks=["CT_PLAIN"]).hits
    assert hits == []
    # removing the item removes its crops too, and the crop stops matching
    removed = node.hashes.banks.remove(ANALYST, "CT_FILES", [item["record_id"]])
    assert removed.removed == 5
    assert node.hashes.matching.match_file(ANALYST, cropped, banks=["CT_FILES"]).hits == []
    after = node.hashes.banks.list_records(ANALYST, "CT_FILES")
    statuses = {r["record_id"]: r["status"] for r in after}
    assert all(statuses[r["record_id"]] == "removed" for r in crops)
