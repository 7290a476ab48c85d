"""ANSI/NIST-ITL: every NIST reference file imports or is refused with a clear reason; bad files."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from ctnode.biometrics import ansi_nist
from ctnode.biometrics.errors import MalformedNist
from ctnode.biometrics.images import encode_png, encode_wsq

MAX = 50_000_000

# file → ("ok", {kind: count}) or ("refused", words the reason must contain)
EXPECTED: dict[str, tuple[str, object]] = {
    "rec01_rec02_rec16.nst.an2": ("nothing", "Type-16"),
    "type-10-14-17-piv-index-iris.an2": ("refused", "lossless JPEG (JPEGL)"),
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


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reference_file_imports_or_is_refused(bio_data: Path, name: str) -> None:
    outcome, detail = EXPECTED[name]
    data = (bio_data / "ansi-nist" / name).read_bytes()
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
    if name == "type-14-tpcard-nqm.an2":  # a ten-print card: positions 1-14, NIST quality
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
    bio_data: Path, mutate: object, words: str
) -> None:
    data = (bio_data / "ansi-nist" / "type-9-14-std.an2").read_bytes()
    with pytest.raises(MalformedNist) as err:
        ansi_nist.parse(mutate(data))  # type: ignore[operator]
    assert words in err.value.message


def test_corrupt_wsq_inside_a_record_is_refused(bio_data: Path) -> None:
    tx = ansi_nist.parse((bio_data / "ansi-nist" / "type-4-slaps.an2").read_bytes())
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
