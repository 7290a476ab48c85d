"""Hash on the node: a file or uploaded bytes → every hash that applies, and nothing kept.

content type (``content.detect``) → signal types (MD5 and SHA-256 always; PDQ for
images; vPDQ for videos where installed) → ``FileHashes``. The bytes are read,
hashed and dropped: nothing here writes the content anywhere, except that a
*video given as bytes* is spooled to a private temporary file for ffmpeg and
deleted as soon as it is hashed (ffmpeg reads files, not memory).
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ctnode.hashes import content
from ctnode.hashes.model import ContentType, FileHashes, HashFormatError, VpdqFrame
from ctnode.hashes.signals import files, pdq, vpdq


@dataclass(frozen=True, slots=True)
class HashOptions:
    """Limits and choices for hashing (the service fills them from settings)."""

    max_bytes: int = 2 * 1024**3  # refuse files larger than this
    max_pixels: int = pdq.DEFAULT_MAX_PIXELS  # refuse images larger than this, before decoding
    video: bool = True  # compute vPDQ for videos when the package is installed
    seconds_per_hash: float = vpdq.SECONDS_PER_HASH
    # PDQ of these standard crops of an image too (signals.pdq.CROPS): banked as derived hashes
    # of the item when the file is added to a bank; the QUERY_CROPS among them join a query.
    pdq_crops: tuple[str, ...] = pdq.BANK_CROPS


def hash_file(
    path: Path, options: HashOptions | None = None, *, name: str | None = None
) -> FileHashes:
    """Every applicable hash of one file on disk."""
    opts = options or HashOptions()
    label = name or path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise HashFormatError(f"cannot read file: {exc.strerror}", source=label) from None
    if not path.is_file():
        raise HashFormatError("not a regular file", source=label)
    _check_size(size, opts, label, "file")
    md5, sha256, size = files.digest_file(path)
    kind = content.detect(path=path)
    return _perceptual(label, (size, md5, sha256), kind, path, opts)


def hash_bytes(data: bytes, name: str, options: HashOptions | None = None) -> FileHashes:
    """Every applicable hash of uploaded bytes."""
    opts = options or HashOptions()
    _check_size(len(data), opts, name, "upload")
    md5, sha256, size = files.digest_stream(io.BytesIO(data))
    return _perceptual(name, (size, md5, sha256), content.detect(data), data, opts)


def _check_size(size: int, opts: HashOptions, label: str, what: str) -> None:
    if size > opts.max_bytes:
        raise HashFormatError(
            f"{what} is {size:,} bytes, over the limit of {opts.max_bytes:,}", source=label
        )


def _perceptual(
    label: str,
    digests: tuple[int, str, str],
    kind: ContentType,
    source: Path | bytes,
    opts: HashOptions,
) -> FileHashes:
    """Add PDQ (images) or vPDQ (videos) to the file hashes; say why a signal is missing."""
    size, md5, sha256 = digests
    pdq_hash = None
    frames: list[VpdqFrame] | None = None
    note = ""
    if kind is ContentType.IMAGE:
        pdq_hash = pdq.hash_image(
            source, name=label, max_pixels=opts.max_pixels, crops=opts.pdq_crops
        )
    elif kind is ContentType.VIDEO:
        frames, note = _video_of(source, opts, label)
    return FileHashes(
        label,
        size,
        kind,
        md5,
        sha256,
        pdq_hash,
        tuple(frames) if frames else None,
        (note,) if note else (),
    )


def _video_of(
    source: Path | bytes, opts: HashOptions, label: str
) -> tuple[list[VpdqFrame] | None, str]:
    """vPDQ of a file, or of bytes spooled to a private temporary file deleted at once."""
    if isinstance(source, Path):
        return _video(source, opts, name=label)
    fd, tmp = tempfile.mkstemp(prefix="ctnode-vpdq-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(source)
        return _video(Path(tmp), opts, name=label)
    finally:
        os.unlink(tmp)


def _video(
    path: Path, opts: HashOptions, *, name: str | None = None
) -> tuple[list[VpdqFrame] | None, str]:
    if not opts.video:
        return None, "vPDQ not computed: video hashing switched off"
    ok, reason = vpdq.available()
    if not ok:
        return None, reason
    try:
        frames = vpdq.hash_video(path, seconds_per_hash=opts.seconds_per_hash)
    except HashFormatError as exc:
        raise HashFormatError(exc.reason, source=name or path.name) from None
    if not frames:
        return None, "vPDQ not computed: ffmpeg found no video frames"
    return frames, ""
