"""vPDQ: a PDQ hash per second of video (Meta's ``vpdq`` package, built against ffmpeg).

The value is python-threatexchange's vPDQ signal string, a JSON list of
``"<pdq hex>,<quality>,<seconds>"`` frames, so it travels to HMA unchanged.
Two videos are compared the way python-threatexchange does it: frames are
de-duplicated, frames under quality 50 dropped, and each side counts the share of
its frames that find a frame on the other side within 31 bits. A banked video
matches when the query's share reaches the bank's percentage (80% by default).

``vpdq`` is optional (the ``video`` extra): where it is not installed,
``available()`` says why and video files are hashed with MD5/SHA-256 only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ctnode.hashes.model import (
    DEFAULT_VPDQ_FRAME_THRESHOLD,
    MIN_PDQ_QUALITY,
    HashFormatError,
    VpdqFrame,
    vpdq_to_value,
)
from ctnode.hashes.signals import pdq

#: Longest vPDQ value accepted from outside (about 90,000 frames: 25 hours at one per second).
MAX_VALUE_CHARS = 8_000_000
SECONDS_PER_HASH = 1.0


def available() -> tuple[bool, str]:
    """(True, "") when video can be hashed here, else (False, the reason to print)."""
    try:
        import vpdq  # noqa: F401  # optional extra, built from source against ffmpeg
    except ImportError as exc:
        return False, (
            f"vPDQ video hashing is not installed ({exc}); run `make video-hashing` as root, "
            "or install ffmpeg's development libraries and `pip install -e .[video]`"
        )
    return True, ""


def parse(value: str, *, field: str = "value") -> list[VpdqFrame]:
    """A vPDQ signal string → frames; every frame checked (hash, quality 0-100, time >= 0)."""
    try:
        items = json.loads(value or "[]")
    except json.JSONDecodeError as exc:
        raise HashFormatError(
            f"vPDQ value is not JSON: {exc.msg} at character {exc.pos}", field=field
        ) from None
    except RecursionError:
        raise HashFormatError("vPDQ value is nested too deeply", field=field) from None
    if not isinstance(items, list):
        raise HashFormatError("vPDQ value must be a JSON list of frames", field=field)
    frames = []
    for number, item in enumerate(items):
        where = f"{field}[{number}]"
        if not isinstance(item, str):
            raise HashFormatError('frame must be a string "hex,quality,seconds"', field=where)
        parts = item.split(",")
        if len(parts) != 3:
            raise HashFormatError(
                f'frame must be "hex,quality,seconds", got {item[:100]!r}', field=where
            )
        hex_, quality_text, time_text = parts
        try:
            quality = int(quality_text)
            seconds = float(time_text)
        except ValueError:
            raise HashFormatError(
                f"frame quality or time is not a number: {item[:100]!r}", field=where
            ) from None
        if not 0 <= quality <= 100 or not seconds >= 0.0 or seconds == float("inf"):
            raise HashFormatError(
                f"frame quality must be 0-100 and time >= 0: {item[:100]!r}", field=where
            )
        frames.append(VpdqFrame(pdq.normalise(hex_, field=where), quality, seconds))
    return frames


def normalise(value: str, *, field: str = "value") -> str:
    frames = parse(value, field=field)
    if not frames:
        raise HashFormatError("vPDQ value has no frames", field=field)
    return vpdq_to_value(frames)


def usable_frames(frames: Sequence[VpdqFrame], quality: int = MIN_PDQ_QUALITY) -> list[VpdqFrame]:
    """python-threatexchange's order: drop repeated hashes (first kept), then low-quality frames."""
    seen: set[str] = set()
    unique = []
    for frame in frames:
        if frame.pdq not in seen:
            seen.add(frame.pdq)
            unique.append(frame)
    return [f for f in unique if f.quality >= quality]


def compare(
    query: Sequence[VpdqFrame],
    banked: Sequence[VpdqFrame],
    *,
    frame_threshold: int = DEFAULT_VPDQ_FRAME_THRESHOLD,
    quality: int = MIN_PDQ_QUALITY,
) -> tuple[float, float]:
    """Brute force: (% of the query's usable frames matched, % of the banked video's matched)."""
    q = usable_frames(query, quality)
    b = usable_frames(banked, quality)
    if not q or not b:
        return 0.0, 0.0
    q_hit = sum(any(pdq.distance(x.pdq, y.pdq) <= frame_threshold for y in b) for x in q)
    b_hit = sum(any(pdq.distance(y.pdq, x.pdq) <= frame_threshold for x in q) for y in b)
    return q_hit * 100.0 / len(q), b_hit * 100.0 / len(b)


def hash_video(path: Path, *, seconds_per_hash: float = SECONDS_PER_HASH) -> list[VpdqFrame]:
    """vPDQ frames of a video file. Raises ``HashFormatError`` when ffmpeg cannot decode it."""
    ok, reason = available()
    if not ok:
        raise RuntimeError(reason)
    import vpdq

    try:
        features = vpdq.computeHash(str(path), seconds_per_hash=seconds_per_hash)
    except Exception as exc:  # noqa: BLE001  # vpdq raises a bare Exception("Fail to create VPDQ hash")
        raise HashFormatError(
            f"video could not be decoded by ffmpeg: {exc}", source=path.name
        ) from None
    return [VpdqFrame(f.hex, int(f.quality), round(float(f.timestamp), 3)) for f in features]
