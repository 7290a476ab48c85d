"""Bounded, safe reading of untrusted JSON and text, one way for every entry point.

Every route of the API and the peer endpoint read request text through here, so that the
same input is refused the same way everywhere:

- nesting deeper than ``max_depth`` is refused (``TooDeep``) *before* the parser runs, so a
  60,000-deep document never reaches Python's recursive decoder;
- NUL characters, lone surrogates (``\\ud800`` escaped in JSON, or encoded in a URL) and
  bytes that are not UTF-8 are refused (``UnsafeText``), in keys and values alike;
- ``NaN`` / ``Infinity`` and numbers with thousands of digits are refused as invalid JSON.

The check is linear in the size of the input (a regular expression removes the strings, then
the brackets that remain are counted), and the parsed document is walked once.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote_to_bytes

import orjson

from ctnode.errors import InvalidInput, TooDeep, UnsafeText

DEFAULT_MAX_DEPTH = 64

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth(raw: bytes, limit: int) -> int:
    """The deepest nesting of arrays and objects in ``raw`` (strings skipped); stops counting
    as soon as ``limit`` is passed and returns ``limit + 1``."""
    brackets = _STRINGS.sub(b"", raw).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for b in brackets:
        if b in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        else:
            depth -= 1
    return deepest


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def load_json(raw: bytes, *, max_depth: int = DEFAULT_MAX_DEPTH, what: str = "body") -> Any:
    """Parse untrusted JSON bytes, refusing what no route of ctnode accepts (see the module)."""
    if json_depth(raw, max_depth) > max_depth:
        raise TooDeep(f"{what}: JSON nested deeper than {max_depth} levels")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsafeText(f"{what}: not UTF-8 (byte {exc.start})") from None
    try:
        data = json.loads(text, parse_constant=_no_constants)
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise TooDeep(f"{what}: JSON nested too deeply") from None
    except ValueError as exc:
        raise InvalidInput(f"{what}: not valid JSON ({exc})") from None
    check_text(data, what)
    return data


def json_object_line(raw: str, where: str) -> dict[str, Any]:
    """One line of a JSON-lines file, which must be an object; ``where`` (file and line) starts
    the error message."""
    # orjson reads strings, integers, booleans, null, objects and arrays as the json module
    # does (a batch file's 7,492 lines before its workers start: 2-3 µs less each); a
    # document with a number it reads as a float (an integer past 64 bits among them) is
    # read again by the json module, and what orjson refuses (NaN, a lone surrogate
    # escaped, invalid JSON) the json module reads, or refuses with its message, as before
    try:
        item = orjson.loads(raw)
        if _holds_float(item):
            item = json.loads(raw)
    except orjson.JSONDecodeError:
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{where}: not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(item, dict):
        raise InvalidInput(f"{where}: expected a JSON object")
    return item


def _holds_float(value: Any) -> bool:
    """Whether a parsed document holds a float anywhere."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, float):
            return True
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def unsafe_reason(s: str) -> str | None:
    """Why ``s`` may not be stored or shown (NUL, lone surrogate), or None."""
    if "\x00" in s:
        return "a NUL character"
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return "a lone surrogate"
    return None


def check_text(value: Any, where: str = "$") -> None:
    """Refuse a NUL or a lone surrogate in any string (key or value) of a parsed document."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, str):
            reason = unsafe_reason(item)
            if reason:
                raise UnsafeText(f"{at}: text holds {reason}")
        elif isinstance(item, dict):
            for k, v in item.items():
                reason = unsafe_reason(k)
                if reason:
                    raise UnsafeText(f"{at}: a key holds {reason}")
                stack.append((v, f"{at}.{k}"))
        elif isinstance(item, list):
            stack.extend((v, f"{at}[{i}]") for i, v in enumerate(item))


def check_url_part(raw: bytes, what: str) -> None:
    """Refuse a percent-encoded NUL, lone surrogate or non-UTF-8 byte in a path or query."""
    decoded = unquote_to_bytes(raw.replace(b"+", b" "))
    if b"\x00" in decoded:
        raise UnsafeText(f"{what}: holds a NUL character")
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        raise UnsafeText(f"{what}: not UTF-8 (a lone surrogate or a stray byte)") from None


# C0 and C1 control characters but tab and newline, DEL, and the bidirectional overrides
# that can make a terminal or a page show text other than what it holds.
_CONTROL = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]"  # a CSI escape sequence, whole (colours, cursor moves)
    "|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?"  # an OSC sequence (titles, hyperlinks)
    "|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)


def printable(text: str, *, limit: int | None = None) -> str:
    """Text from a peer (or any outsider) made safe to print to a terminal or a page: escape
    sequences and control characters (but newline and tab) are shown as ``\\xNN`` / removed,
    never interpreted. ``limit`` cuts it to that many characters."""
    cleaned = _CONTROL.sub(lambda m: "".join(f"\\x{ord(c):02x}" if ord(c) < 0x100 else
                                             f"\\u{ord(c):04x}" for c in m.group(0)[:1]), text)
    return cleaned if limit is None else cleaned[:limit]
