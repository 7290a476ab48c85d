"""The matcher: per-bank thresholds, dihedral queries, disabled banks, quarantine, removal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from ctnode.hashes.hasher import hash_file
from ctnode.hashes.index import BruteForcePdqIndex
from ctnode.hashes.matcher import HashMatcher
from ctnode.hashes.model import Bank, BankKind, HashFormatError, Label, RecordStatus, SignalType
from ctnode.hashes.signals import pdq

from .conftest import record


def _bank_image(matcher: HashMatcher, path: Path, bank: str, key: int) -> str:
    hashed = hash_file(path)
    assert hashed.pdq is not None
    matcher.add([(key, record(bank, SignalType.PDQ, hashed.pdq.value))])
    matcher.add([(key + 1, record(bank, SignalType.SHA256, hashed.sha256))])
    return hashed.pdq.value


def _caption(img: Image.Image) -> Image.Image:
    out = img.copy()
    ImageDraw.Draw(out).rectangle((0, img.height - 14, img.width, img.height), fill=(255, 255, 255))
    return out


@pytest.mark.parametrize(
    ("name", "transform"),
    [
        ("mirror", lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)),
        ("rotate", lambda im: im.transpose(Image.Transpose.ROTATE_90)),
        ("shrink", lambda im: im.resize((im.width // 2, im.height // 2))),
        ("caption", _caption),
    ],
)
def test_edited_copies_are_found_with_explanation(
    make_image: Callable[..., Path], name: str, transform: Callable[[Image.Image], Image.Image]
) -> None:
    matcher = HashMatcher()
    matcher.put_bank(Bank("CT_TEST"))
    _bank_image(matcher, make_image(11), "CT_TEST", 1)
    for other in range(20, 25):
        _bank_image(matcher, make_image(other), "CT_TEST", other * 10)
    query = make_image(11, f"{name}.png", transform)
    _, hits = matcher.match_file(query)
    assert [h.record.signal_type for h in hits] == [
        SignalType.PDQ
    ]  # the file hash differs, PDQ finds it
    hit = hits[0]
    assert (
        hit.distance <= 31
        and hit.bank.name == "CT_TEST"
        and Label.GLORIFICATION in hit.record.labels
    )
    assert "bank CT_TEST" in hit.explanation and "TLP:AMBER" in hit.explanation
    if name in ("mirror", "rotate"):
        assert hit.variant != "original" and hit.variant.replace("_", " ") in hit.explanation


def test_identical_file_hits_twice_and_bare_hash_once(make_image: Callable[..., Path]) -> None:
    matcher = HashMatcher()
    matcher.put_bank(Bank("CT_TEST"))
    path = make_image(12)
    value = _bank_image(matcher, path, "CT_TEST", 1)
    hashes, hits = matcher.match_file(path)
    assert {h.record.signal_type for h in hits} == {SignalType.PDQ, SignalType.SHA256}
    assert all(h.distance == 0 for h in hits)
    assert len(matcher.match_value(SignalType.PDQ, value.upper())) == 1
    assert matcher.match_value(SignalType.SHA256, hashes.sha256)[0].explanation.startswith(
        "sha256 hash"
    )


def test_per_bank_threshold_disabled_bank_and_bank_filter() -> None:
    base = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    near = f"{int(base, 16) ^ ((1 << 20) - 1):064x}"  # 20 bits away
    assert pdq.distance(base, near) == 20
    matcher = HashMatcher(pdq_index=BruteForcePdqIndex)
    matcher.put_bank(Bank("STRICT", pdq_threshold=10))
    matcher.put_bank(Bank("LOOSE", pdq_threshold=31))
    matcher.add(
        [(1, record("STRICT", SignalType.PDQ, base)), (2, record("LOOSE", SignalType.PDQ, base))]
    )
    hits = matcher.match_value(SignalType.PDQ, near)
    assert [(h.bank.name, h.distance, h.threshold) for h in hits] == [("LOOSE", 20, 31)]
    matcher.put_bank(Bank("LOOSE", enabled=False, pdq_threshold=31))
    assert matcher.match_value(SignalType.PDQ, near) == []
    assert [h.bank.name for h in matcher.match_value(SignalType.PDQ, base, banks=["STRICT"])] == [
        "STRICT"
    ]
    with pytest.raises(HashFormatError, match="no bank named 'NOPE'"):
        matcher.match_value(SignalType.PDQ, base, banks=["NOPE"])


def test_quarantine_removal_and_benign_banks() -> None:
    value = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    matcher = HashMatcher()
    matcher.put_bank(Bank("CT_TEST"))
    matcher.put_bank(Bank("KNOWN_BENIGN", kind=BankKind.BENIGN))
    matcher.add(
        [
            (1, record("CT_TEST", SignalType.PDQ, value)),
            (2, record("KNOWN_BENIGN", SignalType.PDQ, value)),
        ]
    )
    kinds = {h.bank.kind for h in matcher.match_value(SignalType.PDQ, value)}
    assert kinds == {BankKind.CONTENT, BankKind.BENIGN}
    matcher.set_status(1, RecordStatus.QUARANTINED)
    assert [h.bank.name for h in matcher.match_value(SignalType.PDQ, value)] == ["KNOWN_BENIGN"]
    assert matcher.record(1) is not None and matcher.record(1).status is RecordStatus.QUARANTINED  # type: ignore[union-attr]
    matcher.set_status(1, RecordStatus.ACTIVE)
    assert len(matcher.match_value(SignalType.PDQ, value)) == 2
    assert matcher.remove([1, 1, 99]) == 1
    assert matcher.drop_bank("KNOWN_BENIGN") == 1
    assert matcher.match_value(SignalType.PDQ, value) == [] and len(matcher) == 0


def test_low_quality_query_is_flagged(tmp_path: Path) -> None:
    flat = tmp_path / "flat.png"
    Image.new("RGB", (100, 100), (90, 90, 90)).save(flat)
    hashed = hash_file(flat)
    assert hashed.pdq is not None
    matcher = HashMatcher()
    matcher.put_bank(Bank("CT_TEST"))
    matcher.add([(1, record("CT_TEST", SignalType.PDQ, hashed.pdq.value))])
    hit = matcher.match_hashes(hashed)[0]
    assert hit.low_quality_query and "caution" in hit.explanation


def test_records_need_their_bank_and_valid_values() -> None:
    matcher = HashMatcher()
    with pytest.raises(HashFormatError, match="no bank named 'CT_TEST'"):
        matcher.add([(1, record("CT_TEST", SignalType.MD5, "a" * 32))])
    matcher.put_bank(Bank("CT_TEST"))
    with pytest.raises(HashFormatError, match="not a PDQ hash"):
        matcher.match_value(SignalType.PDQ, "abc")
    with pytest.raises(HashFormatError, match="bank name"):
        Bank("lower case")
    with pytest.raises(HashFormatError, match="PDQ threshold 90"):
        Bank("CT_TEST", pdq_threshold=90)
    rec = record("CT_TEST", SignalType.MD5, "a" * 32)
    matcher.add([(5, rec), (5, replace(rec, value="b" * 32))])  # same key twice: replaced
    assert matcher.match_value(SignalType.MD5, "a" * 32) == []
    assert len(matcher.match_value(SignalType.MD5, "b" * 32)) == 1


def _crop10(im: Image.Image) -> Image.Image:
    w, h = im.size
    return im.crop((int(w * 0.05), int(h * 0.05), w - int(w * 0.05), h - int(h * 0.05)))


def _bar(im: Image.Image) -> Image.Image:
    out = im.copy()
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, im.height - im.height // 10, im.width, im.height), fill=(0, 0, 0))
    draw.text((6, im.height - im.height // 10 + 2), "caption @channel", fill=(255, 255, 255))
    return out


def test_derived_crops_match_as_their_item(make_image: Callable[..., Path]) -> None:
    from ctnode.hashes.model import DERIVED, Provenance

    from .conftest import NOW

    original = hash_file(make_image(31))
    assert original.pdq is not None
    assert [c for c, _ in original.pdq.crops] == list(pdq.BANK_CROPS)
    item = record("CT_TEST", SignalType.PDQ, original.pdq.value)
    derived = [
        replace(
            record("CT_TEST", SignalType.PDQ, value),
            provenance=Provenance("local", "test", NOW, item.record_id, f"{DERIVED}{crop}"),
        )
        for crop, value in original.pdq.crops
    ]
    assert all(d.item == item.record_id and d.derivation for d in derived)
    plain, full = HashMatcher(), HashMatcher()
    for m in (plain, full):
        m.put_bank(Bank("CT_TEST"))
        m.add([(1, item)])
    full.add([(10 + i, d) for i, d in enumerate(derived)])
    cropped = make_image(31, "cropped.png", _crop10)
    captioned = make_image(31, "captioned.png", _bar)
    assert plain.match_file(cropped)[1] == []  # PDQ alone does not survive a 10% crop
    [hit] = full.match_file(cropped)[1]
    assert hit.record == item and hit.variant == "original~crop_centre_90"
    assert "through a banked crop of the picture (crop_centre_90)" in hit.explanation
    [hit] = full.match_file(captioned)[1]
    assert hit.record == item and hit.distance <= 31
    # a different picture's crops do not match
    assert full.match_file(make_image(32, "other.png", _crop10))[1] == []
    # the crops match only while the item does
    full.set_status(1, RecordStatus.QUARANTINED)
    assert full.match_file(cropped)[1] == []
    full.set_status(1, RecordStatus.ACTIVE)
    assert [k for k, _ in full.derived([item.record_id])] == [10, 11, 12, 13]
    full.remove([10, 11, 12, 13])
    assert full.derived([item.record_id]) == [] and full.match_file(cropped)[1] == []
