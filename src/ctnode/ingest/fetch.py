"""Get a list's bytes from an http(s) URL or a local file.

Only ``http://``, ``https://``, ``file://`` and plain paths are accepted. A URL is
handed to ``download`` (``ctnode.federation.transport.download``, the node's one
module that opens connections to other hosts, which streams and stops at
``max_bytes``); a file is read here. Every failure is typed:
:class:`~ctnode.errors.Unavailable` when the source cannot be reached (network,
timeout, HTTP error status), :class:`~ctnode.errors.InvalidInput` when the source
itself is wrong (unknown scheme, missing file, too large).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

from ctnode.errors import InvalidInput, TooLarge

# Largest list accepted (the UN list is about 2 MB; OpenSanctions' full FtM export is far larger).
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
# (url, timeout in seconds, largest body) -> the body.
Download = Callable[[str, float, int], bytes]


def fetch_source(source: str, timeout: float, *, download: Download,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Return the bytes of ``source`` (URL or path), reading at most ``max_bytes``."""
    parsed = urlparse(source)
    scheme = parsed.scheme.lower()
    if scheme in {"http", "https"}:
        return download(source, timeout, max_bytes)
    if scheme == "file":
        return _read_file(Path(unquote(parsed.path)), source, max_bytes)
    if scheme and len(scheme) > 1:  # a one-letter "scheme" is a Windows drive letter
        raise InvalidInput(f"{source}: unsupported source scheme {scheme!r} (use http(s) or a "
                           "file path)")
    return _read_file(Path(source), source, max_bytes)


def _read_file(path: Path, source: str, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InvalidInput(f"{source}: file not found") from None
    except OSError as exc:
        raise InvalidInput(f"{source}: cannot read file ({exc.strerror})") from None
    if not path.is_file():
        raise InvalidInput(f"{source}: not a regular file")
    if size > max_bytes:
        raise TooLarge(f"{source}: {size} bytes is more than the limit of {max_bytes}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{source}: cannot read file ({exc.strerror})") from None
