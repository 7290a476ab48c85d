"""Masking a stored manifest or payment message: every value blanked, its structure kept.

What the retention policy keeps of a message once its raw form may no longer be held
(``ctnode.services.batches.retention``): EDIFACT segment tags and their first
qualifier, XML element names and namespaces, MT block and field tags. Shared by the
travel and payment screens (payment files are masked the same way).
"""

from __future__ import annotations

import re

_XML_TEXT = re.compile(r">([^<]+)<")
_XML_ATTR = re.compile(r'(\s([A-Za-z_:][\w:.-]*)=)"([^"]*)"')
_KEEP_ATTRS = {"version", "encoding", "standalone", "Ccy"}
_WORD = re.compile(r"[^\W_]", re.UNICODE)


def mask_message(raw: bytes) -> str:
    """The message with every value blanked: letters → ``X``, digits → ``9``; structure kept.

    EDIFACT keeps each segment tag and its first qualifier (``NAD+FL+++XXXXX:XXXXX``);
    XML keeps element names and namespaces; MT keeps block and field tags.
    """
    text = raw.decode("utf-8", errors="replace")
    stripped = text.lstrip("\ufeff \r\n\t")
    if stripped.startswith("<"):
        masked = _XML_TEXT.sub(lambda m: ">" + _blank(m.group(1)) + "<", text)
        return _XML_ATTR.sub(_mask_attr, masked)
    if stripped.startswith(("{1:", ":20:")):
        out = []
        for line in text.splitlines(keepends=True):
            m = re.match(r"^(\{[^{}]*?:|:\d{2}[A-Z]?:|-\})", line)
            keep = m.group(0) if m else ""
            out.append(keep + _blank(line[len(keep):]))
        return "".join(out)
    return _mask_edifact(text)


def _mask_attr(m: re.Match[str]) -> str:
    name = m.group(2)
    if name.startswith("xmlns") or name.split(":")[-1] in _KEEP_ATTRS:
        return m.group(0)
    return f'{m.group(1)}"{_blank(m.group(3))}"'


def _blank(value: str) -> str:
    return _WORD.sub(lambda m: "9" if m.group(0).isdigit() else "X", value)


def _mask_edifact(text: str) -> str:
    # Keep tag and first data element of each segment (qualifiers), blank the rest.
    out = []
    for seg in re.split(r"(['$~\n])", text):
        m = re.match(r"^(\s*UNA.{0,6}|\s*[A-Z]{3}(?:[ ]?[+*][A-Z0-9]{0,3}(?![^+*:]))?)", seg)
        keep = m.group(0) if m else ""
        out.append(keep + _blank(seg[len(keep):]))
    return "".join(out)
