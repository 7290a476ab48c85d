"""What the travel and payment parsers share: the problems met in a message, and its text.

A message parser never crashes on bad input: it either raises
``ctnode.errors.MessageError`` naming the position, or returns a partial result whose
``issues`` say what was skipped and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found while parsing.

    ``severity`` is ``error`` when data was skipped (the part named by
    ``where`` was not screened) and ``warning`` when everything was read but
    something is off (e.g. a control count that disagrees).
    """

    severity: Severity
    message: str
    where: str  # e.g. "segment 14 (NAD) line 13 element 4", "Cdtr line 40", "field :59:"
    skipped: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "message": self.message,
            "where": self.where,
            "skipped": self.skipped,
        }


def utf16_codec(data: bytes) -> str | None:
    """``utf-16`` (with a BOM), ``utf-16-le`` or ``utf-16-be`` (without one) when the bytes
    look like UTF-16 text (a BOM, or NUL bytes beside ASCII characters at the start); else
    ``None``."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:64]
    if len(head) >= 4 and head[0] != 0 and head[1] == 0 and head[2] != 0 and head[3] == 0:
        return "utf-16-le"
    if len(head) >= 4 and head[0] == 0 and head[1] != 0 and head[2] == 0 and head[3] != 0:
        return "utf-16-be"
    return None


_XML_DECL_ENCODING = re.compile(r"""^(\s*<\?xml\b[^>]*?\sencoding\s*=\s*)(["'])[^"']*\2""")


def xml_as_utf8(data: bytes) -> bytes:
    """XML bytes in UTF-16 (with or without a BOM) re-encoded as UTF-8, the declaration's
    ``encoding`` rewritten to match; other bytes are returned as they are. Lines and
    columns stay where they were, so positions in errors still name the file's own."""
    codec = utf16_codec(data)
    if codec is None:
        return data
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return data  # not UTF-16 after all: let the XML parser name the problem
    text = _XML_DECL_ENCODING.sub(lambda m: f"{m.group(1)}{m.group(2)}UTF-8{m.group(2)}",
                                  text.lstrip("\ufeff"), count=1)
    return text.encode("utf-8")


def decode_text(data: bytes) -> str:
    """Bytes → text: UTF-16 when it has a BOM (or looks like it), UTF-8 (BOM dropped) when it
    decodes, else Latin-1 (never fails)."""
    codec = utf16_codec(data)
    if codec is not None:
        try:
            return data.decode(codec).lstrip("\ufeff")
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
