"""Get a list's bytes from an http(s) URL or a local file.

Only ``http://``, ``https://``, ``file://`` and plain paths are accepted. A
download is streamed and stopped as soon as it passes ``max_bytes`` (so a
hostile or broken server cannot fill memory), redirects are followed, and
every failure is typed: :class:`~ctnode.errors.Unavailable` when the source
cannot be reached (network, timeout, HTTP error status),
:class:`~ctnode.errors.InvalidInput` when the source itself is wrong (unknown
scheme, missing file, too large).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

from ctnode.errors import InvalidInput, TooLarge, Unavailable

# Largest list accepted (the UN list is about 2 MB; OpenSanctions' full FtM export is far larger).
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
USER_AGENT = "ctnode-list-fetch/0.1"


def fetch_source(source: str, timeout: float, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Return the bytes of ``source`` (URL or path), reading at most ``max_bytes``."""
    parsed = urlparse(source)
    scheme = parsed.scheme.lower()
    if scheme in {"http", "https"}:
        return _download(source, timeout, max_bytes)
    if scheme == "file":
        return _read_file(Path(unquote(parsed.path)), source, max_bytes)
    if scheme and len(scheme) > 1:  # a one-letter "scheme" is a Windows drive letter
        raise InvalidInput(
            f"{source}: unsupported source scheme {scheme!r} (use http(s) or a file path)"
        )
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


def _download(url: str, timeout: float, max_bytes: int) -> bytes:
    try:
        with (
            httpx.Client(
                timeout=timeout,
                follow_redirects=True,
                max_redirects=5,
                headers={"User-Agent": USER_AGENT},
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise Unavailable(f"{url}: the server answered HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise TooLarge(
                    f"{url}: {declared} bytes announced, more than the limit of {max_bytes}"
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"{url}: more than the limit of {max_bytes} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.TimeoutException:
        raise Unavailable(f"{url}: no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise Unavailable(f"{url}: cannot be fetched ({type(exc).__name__}: {exc})") from None
