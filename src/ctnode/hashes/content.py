"""Content types: is a file an image, a video, or just bytes? Decided from its first bytes.

Images are whatever Pillow recognises (it reads only the header here); videos are
recognised by their container signatures (MP4/MOV/3GP, Matroska/WebM, AVI, FLV,
MPEG program and transport streams, ASF/WMV, Ogg). The file name's extension is
never trusted on its own: a renamed file is classified by what it contains.
"""

from __future__ import annotations

import io
from pathlib import Path

from ctnode.hashes.model import ContentType

HEAD = 4096

_VIDEO_BRANDS_NOT_VIDEO = {b"avif", b"avis", b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"}


def _is_video(head: bytes) -> bool:
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return head[8:12] not in _VIDEO_BRANDS_NOT_VIDEO  # ISO BMFF: MP4, MOV, 3GP, M4V
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska, WebM
        return True
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return True
    if head.startswith(b"FLV\x01"):
        return True
    if head.startswith(b"\x00\x00\x01\xba") or head.startswith(
        b"\x00\x00\x01\xb3"
    ):  # MPEG-PS / MPEG-1
        return True
    if (
        len(head) > 188 * 2 and head[0] == 0x47 and head[188] == 0x47 and head[376] == 0x47
    ):  # MPEG-TS
        return True
    if head.startswith(bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")):  # ASF / WMV
        return True
    return head.startswith(b"OggS") and b"theora" in head[:HEAD].lower()


def _is_image(head_or_path: bytes | Path) -> bool:
    from PIL import Image, UnidentifiedImageError  # only when a file is hashed

    try:
        source = io.BytesIO(head_or_path) if isinstance(head_or_path, bytes) else head_or_path
        with Image.open(source) as img:
            return bool(img.format)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return False


def detect(data: bytes | None = None, *, path: Path | None = None) -> ContentType:
    """The content type of some bytes or of a file (only its header is read)."""
    if path is not None:
        with path.open("rb") as stream:
            head = stream.read(HEAD)
    elif data is not None:
        head = data[:HEAD]
    else:
        raise ValueError("give data or path")
    if _is_video(head):
        return ContentType.VIDEO
    if _is_image(path if path is not None else (data or b"")):
        return ContentType.IMAGE
    return ContentType.FILE
