"""Signal types: hashes equal to python-threatexchange's, dihedral variants, hostile inputs."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file

from ctnode.hashes import content
from ctnode.hashes.hasher import HashOptions, hash_bytes, hash_file
from ctnode.hashes.model import ContentType, HashFormatError, SignalType
from ctnode.hashes.signals import distance, normalise, parse_signal_type, pdq, vpdq


def test_pdq_equals_threatexchange_and_keeps_quality(make_image: Callable[..., Path]) -> None:
    for seed in range(5):
        path = make_image(seed)
        ours = hash_file(path)
        theirs, quality = pdq_from_file(path)
        assert ours.content_type is ContentType.IMAGE
        assert ours.pdq is not None
        assert ours.pdq.value == theirs
        assert ours.pdq.quality == quality
        assert ours.md5 == hashlib.md5(path.read_bytes()).hexdigest()  # the reference
        assert ours.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_dihedral_variants_are_the_transformed_images_hashes(
    make_image: Callable[..., Path],
) -> None:
    original = hash_file(make_image(3)).pdq
    assert original is not None
    variants = dict(original.variants)
    assert len(variants) == 8 and variants["original"] == original.value
    mirrored = hash_file(
        make_image(3, "m.png", lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    ).pdq
    rotated = hash_file(
        make_image(3, "r.png", lambda im: im.transpose(Image.Transpose.ROTATE_90))
    ).pdq
    assert mirrored is not None and rotated is not None
    assert distance(SignalType.PDQ, mirrored.value, variants["mirrored"]) <= 8
    assert distance(SignalType.PDQ, rotated.value, variants["rotated_90"]) <= 8
    assert (
        distance(SignalType.PDQ, mirrored.value, original.value) > 60
    )  # a plain compare misses it


def test_flat_image_has_low_quality(tmp_path: Path) -> None:
    path = tmp_path / "flat.png"
    Image.new("RGB", (200, 200), (120, 120, 120)).save(path)
    hashed = hash_file(path).pdq
    assert hashed is not None and hashed.quality < 50


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
            "image",
        ),  # a PNG signature and nothing valid after it
        (b"GIF89a\x01\x00", "image"),  # truncated GIF header
    ],
)
def test_broken_images_are_refused_with_the_file_name(data: bytes, message: str) -> None:
    kind = content.detect(data)
    if kind is ContentType.IMAGE:
        with pytest.raises(HashFormatError, match=r"upload\.png: .*" + message):
            hash_bytes(data, "upload.png")
    else:  # Pillow did not even recognise it: hashed as plain bytes, no PDQ
        assert hash_bytes(data, "upload.png").pdq is None


def test_truncated_png_is_refused(make_image: Callable[..., Path], tmp_path: Path) -> None:
    data = make_image(1).read_bytes()
    bad = tmp_path / "cut.png"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(HashFormatError, match=r"cut\.png: image could not be decoded"):
        hash_file(bad)


def test_pixel_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    Image.new("L", (5000, 4000)).save(path, optimize=True)
    with pytest.raises(
        HashFormatError, match=r"huge\.png: image is 5000x4000 pixels, over the limit"
    ):
        hash_file(path, HashOptions(max_pixels=10_000_000))


def test_size_limit_and_non_files(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * 1000)
    with pytest.raises(HashFormatError, match="over the limit of 100"):
        hash_file(path, HashOptions(max_bytes=100))
    with pytest.raises(HashFormatError, match="not a regular file"):
        hash_file(tmp_path)
    with pytest.raises(HashFormatError, match="cannot read file"):
        hash_file(tmp_path / "missing.png")


def test_renamed_text_file_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_text("not a photo")
    hashed = hash_file(path)
    assert hashed.content_type is ContentType.FILE and hashed.pdq is None and hashed.vpdq is None
    assert hashed.signals() == {SignalType.MD5: hashed.md5, SignalType.SHA256: hashed.sha256}


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (
            SignalType.PDQ,
            " F8F8F0CEE0F4A84F06370A22038F63F0B36E2ED596621E1D33E6B39C4E9C9B22 ",
            "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
        ),
        (SignalType.MD5, "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
    ],
)
def test_normalise_accepts_and_canonicalises(kind: SignalType, value: str, expected: str) -> None:
    assert normalise(kind, value) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (SignalType.PDQ, "f8f8"),
        (SignalType.PDQ, "z" * 64),
        (SignalType.MD5, "d41d8cd98f00b204e9800998ecf8427e00"),
        (SignalType.SHA256, "'; DROP TABLE hashes; --"),
        (SignalType.VPDQ, '["f8f8,100,0.0"]'),
        (SignalType.VPDQ, '["' + "a" * 64 + ',101,0.0"]'),
        (SignalType.VPDQ, "{}"),
        (SignalType.VPDQ, "[]"),
        (SignalType.VPDQ, "[" * 100000),
    ],
    ids=[
        "pdq-short",
        "pdq-not-hex",
        "md5-long",
        "sha256-sql",
        "vpdq-short-frame",
        "vpdq-quality",
        "vpdq-object",
        "vpdq-empty",
        "vpdq-deep",
    ],
)
def test_normalise_refuses_bad_values_naming_the_field(kind: SignalType, value: str) -> None:
    with pytest.raises(HashFormatError) as err:
        normalise(kind, value, field="signal")
    assert "signal" in str(err.value)


def test_signal_type_names_from_threatexchange() -> None:
    assert parse_signal_type("video_md5") is SignalType.MD5
    assert parse_signal_type("HASH_PDQ") is SignalType.PDQ
    assert parse_signal_type("video_sha256") is SignalType.SHA256
    with pytest.raises(HashFormatError, match="unknown signal type 'tmk'"):
        parse_signal_type("tmk")


def test_pdq_bytes_round_trip() -> None:
    values = ["f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22", "0" * 64]
    rows = pdq.to_bytes(values)
    assert rows.shape == (2, 32)
    assert [pdq.from_bytes(r) for r in rows] == values


needs_video = pytest.mark.skipif(
    not vpdq.available()[0] or shutil.which("ffmpeg") is None,
    reason="vPDQ or the ffmpeg command is not installed here (make video-hashing installs them as root)",
)


def _video(path: Path, source: str = "testsrc", seconds: int = 6) -> Path:
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"{source}=duration={seconds}:size=320x240:rate=10",
            "-pix_fmt",
            "yuv420p",
            "-y",
            str(path),
        ],
        check=True,
    )
    return path


@needs_video
def test_vpdq_equals_threatexchange(tmp_path: Path) -> None:
    from threatexchange.extensions.vpdq.vpdq import VPDQSignal

    path = _video(tmp_path / "clip.mp4")
    hashed = hash_file(path)
    assert hashed.content_type is ContentType.VIDEO
    assert hashed.vpdq is not None and len(hashed.vpdq) == 6
    assert hashed.signals()[SignalType.VPDQ] == VPDQSignal.hash_from_file(path)
    assert hash_bytes(path.read_bytes(), "clip.mp4").vpdq == hashed.vpdq  # bytes path: same frames


@needs_video
def test_vpdq_compare_equals_threatexchange_brute_force(tmp_path: Path) -> None:
    from threatexchange.extensions.vpdq.vpdq_brute_matcher import match_VPDQ_hash_brute
    from threatexchange.extensions.vpdq.vpdq_util import json_to_vpdq

    a = hash_file(_video(tmp_path / "a.mp4", "testsrc", 8))
    b = hash_file(_video(tmp_path / "b.mp4", "testsrc", 4))
    c = hash_file(_video(tmp_path / "c.mp4", "testsrc2", 4))
    for x, y in [(a, b), (b, a), (a, c)]:
        assert x.vpdq is not None and y.vpdq is not None
        ours = vpdq.compare(x.vpdq, y.vpdq)
        theirs = match_VPDQ_hash_brute(
            json_to_vpdq(x.signals()[SignalType.VPDQ]),
            json_to_vpdq(y.signals()[SignalType.VPDQ]),
            50,
            31,
        )
        assert ours == pytest.approx((theirs.query_match_percent, theirs.compared_match_percent))


def test_corrupt_video_is_refused_or_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200)
    assert content.detect(path=path) is ContentType.VIDEO
    ok, reason = vpdq.available()
    if not ok:
        hashed = hash_file(path)
        assert hashed.vpdq is None and reason in hashed.notes
        return
    with pytest.raises(HashFormatError, match=r"broken\.mp4"):
        hash_file(path)
