"""MD5 and SHA-256 of a file's bytes: exact matching only (one changed byte, a different hash).

Computed with the standard library's ``hashlib``, streamed in blocks so a large
video is never held in memory; validated by python-threatexchange's own
``VideoMD5Signal`` / ``VideoSHA256Signal`` rules.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO

from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.sha256 import VideoSHA256Signal

from ctnode.hashes.model import HashFormatError, SignalType

BLOCK = 1 << 20


def normalise(signal_type: SignalType, value: str, *, field: str = "value") -> str:
    cls = {SignalType.MD5: VideoMD5Signal, SignalType.SHA256: VideoSHA256Signal}.get(signal_type)
    if cls is None:
        raise HashFormatError(f"{signal_type.value} is not a file hash", field=field)
    try:
        return cls.validate_signal_str(value)
    except ValueError:
        length = 32 if signal_type is SignalType.MD5 else 64
        raise HashFormatError(
            f"not a {signal_type.value} hash ({length} hexadecimal characters): {value[:80]!r}",
            field=field,
        ) from None


def digest_stream(stream: BinaryIO) -> tuple[str, str, int]:
    """(md5, sha256, size in bytes) of everything left in the stream."""
    md5 = hashlib.md5(usedforsecurity=False)
    sha = hashlib.sha256()
    size = 0
    while block := stream.read(BLOCK):
        md5.update(block)
        sha.update(block)
        size += len(block)
    return md5.hexdigest(), sha.hexdigest(), size


def digest_file(path: Path) -> tuple[str, str, int]:
    with path.open("rb") as stream:
        return digest_stream(stream)
