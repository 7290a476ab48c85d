"""ANSI/NIST-ITL: every NIST reference file imports or is refused with a clear reason; bad files."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from ctnode.biometrics import ansi_nist
from ctnode.biometrics.errors import MalformedNist, NistTooLarge
from ctnode.biometrics.images import encode_png, encode_wsq
from tests.biometrics import kit
from tests.biometrics.kit import Material
from tests.conftest import shared_data_dir

MAX = 50_000_000

# file → ("ok", {kind: count}) or ("refused", words the reason must contain)
EXPECTED: dict[str, tuple[str, object]] = {
    "rec01_rec02_rec16.nst.an2": ("nothing", "Type-16"),
    "type-10-14-17-piv-index-iris.an2": ("ok", {"face": 1}),  # JPEGL prints skipped, noted
    "type-10-branded-tattoo-mark.an2": ("ok", {"mark": 2}),
    "type-10-sap10.an2": ("ok", {"face": 1}),
    "type-10-tattoo-face-sap20.an2": ("ok", {"mark": 1, "face": 1}),
    "type-10-tattoo-zoom.an2": ("ok", {"mark": 2}),
    "type-13-14-latent-match.an2": ("ok", {"latent": 1, "fingerprint": 1}),
    "type-13-tip-eji-wsq.an2": ("ok", {"latent": 5}),
    "type-14-amp-nqm-utf8.an2": ("ok", {"fingerprint": 3}),
    "type-14-tip-eji-wsq.an2": ("ok", {"fingerprint": 5}),
    "type-14-tpcard-nqm.an2": ("ok", {"fingerprint": 14}),
    "type-15-palms.an2": ("nothing", "palm prints"),
    "type-17-iris.an2": ("nothing", "iris"),
    "type-3.an2": ("nothing", "deprecated"),
    "type-4-14-slaps.an2": ("ok", {"fingerprint": 3}),
    "type-4-slaps.an2": ("ok", {"fingerprint": 4}),
    "type-4-tpcard.an2": ("ok", {"fingerprint": 14}),
    "type-5.an2": ("nothing", "deprecated"),
    "type-6.an2": ("nothing", "deprecated"),
    "type-7-latent.an2": ("nothing", "user-defined"),
    "type-8-sig-fax.an2": ("nothing", "signatures"),
    "type-8-sig-raw.an2": ("nothing", "signatures"),
    "type-8-sig.an2": ("nothing", "signatures"),
    "type-9-10-14.an2": ("ok", {"minutiae": 1, "face": 1, "fingerprint": 1}),
    "type-9-13-9-14-m1.an2": ("ok", {"minutiae": 2, "latent": 1, "fingerprint": 1}),
    "type-9-13-m1.an2": ("ok", {"minutiae": 1, "latent": 1}),
    "type-9-13-std.an2": ("ok", {"minutiae": 1, "latent": 1}),
    "type-9-14-m1.an2": ("ok", {"minutiae": 1, "fingerprint": 1}),
    "type-9-14-std.an2": ("ok", {"minutiae": 1, "fingerprint": 1}),
    "type-9-4-iafis.an2": ("ok", {"minutiae": 1, "fingerprint": 1}),
}


def test_every_reference_file_is_covered(bio_data: Path) -> None:
    files = {p.name for p in (bio_data / "ansi-nist").glob("*.an2")}
    assert files == set(EXPECTED), "a NIST file without an expected outcome"


def _reference_cases() -> list[tuple[str, str]]:
    """The bundled synthetic transactions always; NIST's reference files when the shared
    folder is there (CTNODE_SHARED_DATA)."""
    cases = [("kit", name) for name in sorted(kit.AN2)]
    if (shared_data_dir() / "biometrics" / "ansi-nist").is_dir():
        cases += [("shared", name) for name in sorted(EXPECTED)]
    return cases


@pytest.mark.parametrize(
    ("source", "name"), _reference_cases(), ids=[f"{s}/{n}" for s, n in _reference_cases()]
)
def test_reference_file_imports_or_is_refused(source: str, name: str) -> None:
    if source == "kit":
        outcome, detail = kit.AN2[name]
        data = kit.an2(name)
    else:
        outcome, detail = EXPECTED[name]
        data = (shared_data_dir() / "biometrics" / "ansi-nist" / name).read_bytes()
    if outcome == "refused":
        with pytest.raises(MalformedNist) as err:
            ansi_nist.samples(ansi_nist.parse(data), max_pixels=MAX)
        assert str(detail) in err.value.message
        assert "record" in err.value.message  # names the record
        return
    tx = ansi_nist.parse(data)
    found, skipped = ansi_nist.samples(tx, max_pixels=MAX)
    if outcome == "nothing":
        assert found == []
        assert skipped and any(str(detail) in s.reason for s in skipped)
        return
    counts: dict[str, int] = {}
    for s in found:
        counts[s.kind] = counts.get(s.kind, 0) + 1
        if s.kind != "minutiae":
            assert s.image is not None and s.image.width >= 32 and s.image.height >= 32
    assert counts == detail
    if name in ("type-10-14-17-piv-index-iris.an2", "face-and-jpegl-prints"):
        # the face is kept, the JPEGL prints noted
        jpegl = [s for s in skipped if s.record_type == 14]
        assert len(jpegl) == 2 and all("lossless JPEG (JPEGL)" in s.reason for s in jpegl)
        assert all(f"record {s.record} (Type-14" in s.reason for s in jpegl)
        assert any(s.record_type == 17 for s in skipped)
    if name in ("type-14-tpcard-nqm.an2", "ten-print-card"):
        # a ten-print card: positions 1-14, NIST quality
        assert tx.version == "0400"
        assert sorted(s.position or 0 for s in found) == list(range(1, 15))
        assert all(s.original_format == "WSQ20" for s in found)
        assert {s.quality for s in found} <= {20.0, 60.0, 80.0, 100.0}


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda d: d[: len(d) // 2], "truncated"),
        (lambda d: d[:-1], "truncated"),
        (lambda d: d + b"junk", "unexpected bytes"),
        (lambda d: b"hello, this is not a NIST file at all", "does not start with a Type-1"),
        (lambda d: b"", "only 0 bytes"),
        (lambda d: re.sub(rb"1\.003:1\x1f(\d)", lambda m: b"1.003:1\x1f9", d, count=1), "CNT"),
    ],
    ids=["half", "last-byte", "trailing", "text", "empty", "bad-cnt"],
)
def test_malformed_transactions_are_refused_with_reason(
    bio_files: Material, mutate: object, words: str
) -> None:
    data = bio_files.an2("minutiae-and-print")
    with pytest.raises(MalformedNist) as err:
        ansi_nist.parse(mutate(data))  # type: ignore[operator]
    assert words in err.value.message


def test_corrupt_wsq_inside_a_record_is_refused(bio_files: Material) -> None:
    tx = ansi_nist.parse(bio_files.an2("type-4-prints"))
    rec = next(r for r in tx.records if r.type == 4)
    assert rec.data is not None
    rec.data = rec.data[:200]  # a WSQ stream cut short
    with pytest.raises(MalformedNist) as err:
        ansi_nist.samples(tx, max_pixels=MAX)
    assert f"record {rec.index} (Type-4" in err.value.message


def test_written_transaction_reads_back() -> None:
    rng = np.random.default_rng(1)
    finger = rng.integers(0, 255, size=(300, 260), dtype=np.uint8)
    face = rng.integers(0, 255, size=(120, 100, 3), dtype=np.uint8)
    from ctnode.biometrics.images import DecodedImage

    face_png = encode_png(DecodedImage(face, 100, 120, "PNG"))
    images = [
        ansi_nist.OutImage("face", face_png, "PNG", 100, 120, False),
        ansi_nist.OutImage("fingerprint", encode_wsq(finger), "WSQ20", 260, 300, True, position=3),
    ]
    out = ansi_nist.write(images, ori="TEST00001", tcn="T-1", when=date(2026, 1, 2))
    tx = ansi_nist.parse(out)
    assert [r.type for r in tx.records] == [1, 2, 10, 14]
    assert tx.tcn == "T-1" and tx.version == "0500"
    found, skipped = ansi_nist.samples(tx, max_pixels=MAX)
    assert skipped == []
    kinds = {s.kind: s for s in found}
    assert kinds["face"].image is not None
    assert np.array_equal(kinds["face"].image.pixels, face)  # PNG is lossless
    assert kinds["fingerprint"].position == 3
    assert kinds["fingerprint"].image is not None
    assert kinds["fingerprint"].image.pixels.shape == (300, 260)


@pytest.mark.usefixtures("nbis")
def test_faces_and_latents_in_reference_files_get_templates_or_a_note(
    bio_data: Path, tmp_path: Path
) -> None:
    """The service step after parsing: face detection, minutiae; nothing written."""
    from ctnode.node import Node
    from ctnode.settings import Settings

    node = Node(Settings(data_dir=tmp_path, mode="development"))
    try:
        bio = node.biometrics
        for name, faces, searchable in [
            ("type-9-10-14.an2", 1, 2),
            ("type-9-13-std.an2", 0, 0),
        ]:
            data = (bio_data / "ansi-nist" / name).read_bytes()
            _, prepared, _ = bio.enrolment.parse_ansi_nist(data)
            assert sum(p.kind == "face" and p.template is not None for p in prepared) == faces
            assert sum(p.template is not None for p in prepared) == searchable, name
            for p in prepared:
                if p.template is None and p.kind in ("latent", "fingerprint"):
                    assert p.note, f"{name}: a print kept without a template must say why"
    finally:
        node.close()


# -- budgets, partial imports, exports read by an independent parser --------------------------


def test_a_transaction_of_records_the_node_does_not_keep_reads_with_notes(
    bio_files: Material,
) -> None:
    reading = ansi_nist.read(bio_files.an2("type-15-palms"), max_pixels=MAX)
    assert reading.keeps_nothing and reading.samples == []
    notes = reading.notes()
    assert notes and all("palm" in str(n["reason"]) for n in notes)
    assert reading.transaction.version  # the summary is there to store


def test_too_many_records_are_refused_before_reading_them(bio_files: Material) -> None:
    data = bio_files.an2("ten-print-card")
    with pytest.raises(NistTooLarge) as err:
        ansi_nist.parse(data, max_records=10)
    assert err.value.status_code == 413 and "lists 15 records" in err.value.message
    assert len(ansi_nist.parse(data).records) == 16


def test_total_decoded_pixels_have_a_budget(bio_files: Material) -> None:
    tx = ansi_nist.parse(bio_files.an2("ten-print-card"))
    with pytest.raises(NistTooLarge) as err:
        ansi_nist.samples(tx, max_pixels=MAX, max_total_pixels=3_000_000)
    assert "budget of 3,000,000 decoded pixels" in err.value.message
    assert "record" in err.value.message and "(Type-14" in err.value.message
    found, _ = ansi_nist.samples(tx, max_pixels=MAX)  # the default budget takes a ten-print card
    assert len(found) == 14


def _bomb_transaction(records: int, side: int) -> bytes:
    """Small file, huge images: PNGs of one grey level compress about 1,000 to 1."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (side, side), 200).save(buf, format="PNG")
    png = buf.getvalue()
    images = [
        ansi_nist.OutImage("fingerprint", png, "PNG", side, side, True, position=1)
        for _ in range(records)
    ]
    return ansi_nist.write(images, ori="X", tcn="BOMB", when=date(2026, 1, 1))


def test_a_small_file_of_huge_images_is_refused_before_decoding_them_all() -> None:
    data = _bomb_transaction(records=12, side=6000)  # 12 × 36M pixels in a few hundred kB
    assert len(data) < 2_000_000
    tx = ansi_nist.parse(data)
    with pytest.raises(NistTooLarge) as err:
        ansi_nist.samples(tx, max_pixels=40_000_000)
    # the fifth image would pass 150M pixels: refused before it is decoded
    assert "record 6 (Type-14" in err.value.message


def test_export_passes_an_independent_parser_with_the_fields_right() -> None:
    nistitl = pytest.importorskip("nistitl", reason="nistitl (dev dependency) is not installed")
    from ctnode.biometrics.images import DecodedImage

    rng = np.random.default_rng(4)
    face = encode_png(
        DecodedImage(rng.integers(0, 255, (120, 100, 3), dtype=np.uint8), 100, 120, "PNG")
    )
    finger = encode_wsq(rng.integers(0, 255, size=(300, 260), dtype=np.uint8))
    images = [
        ansi_nist.OutImage("face", face, "PNG", 100, 120, False),
        ansi_nist.OutImage(
            "mark", face, "PNG", 100, 120, False, image_type="SCAR", smt=["SC R ARM"]
        ),
        ansi_nist.OutImage("mark", face, "PNG", 100, 120, False),  # type unknown
        ansi_nist.OutImage(
            "fingerprint", finger, "WSQ20", 260, 300, True, position=3, impression=3
        ),
        ansi_nist.OutImage("fingerprint", finger, "WSQ20", 260, 300, True, position=4),
    ]
    out = ansi_nist.write(images, ori="TEST00001", tcn="T-2", when=date(2026, 1, 2))
    msg = nistitl.Message()
    msg.parse(out)
    recs = list(msg)
    assert [r.type for r in recs] == [1, 2, 10, 10, 10, 14, 14]
    t10 = [r for r in recs if r.type == 10]
    assert [str(r._3) for r in t10] == ["FACE", "SCAR", "MARK"]  # 10.003 IMT
    assert str(t10[0]._13) == "0"  # 10.013 SAP present on the face (0: unknown profile)
    assert all(str(r._12) in ansi_nist.COLOUR_SPACES for r in t10)  # 10.012 CSP, never RGB24
    assert all(str(r._12) == "SRGB" for r in t10)
    t14 = [r for r in recs if r.type == 14]
    assert [str(r._3) for r in t14] == ["3", "29"]  # 14.003 IMP: as received, else unknown
    assert [str(r._13) for r in t14] == ["3", "4"]
    # and our own reader keeps what was written
    reading = ansi_nist.read(out, max_pixels=MAX)
    assert [s.image_type for s in reading.samples if s.record_type == 10] == [
        "FACE",
        "SCAR",
        "MARK",
    ]
    assert [s.impression for s in reading.samples if s.record_type == 14] == [3, 29]
    assert reading.samples[1].smt == ["SC R ARM"]


def test_import_keeps_mark_types_and_impressions_for_export(bio_data: Path) -> None:
    reading = ansi_nist.read(
        (bio_data / "ansi-nist" / "type-10-branded-tattoo-mark.an2").read_bytes(), max_pixels=MAX
    )
    assert sorted(s.image_type or "" for s in reading.samples) == ["MARK", "TATTOO"]
    card = ansi_nist.read(
        (bio_data / "ansi-nist" / "type-14-tpcard-nqm.an2").read_bytes(), max_pixels=MAX
    )
    assert {s.impression for s in card.samples} == {2, 3}
