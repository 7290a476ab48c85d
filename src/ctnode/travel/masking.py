"""Masking a stored manifest or payment message: every value blanked, its structure kept.

What the retention policy keeps of a message once its raw form may no longer be held
(``ctnode.services.batches.retention``): EDIFACT segment tags and the code qualifiers of
the segments whose first element is a code, XML element names and namespaces, MT block
and field tags. Everything else that is a letter or a digit is blanked, wherever it
sits: a surname of two letters, an MRZ name line, an XML CDATA section or comment, a
free-text field. Shared by the travel and payment screens (payment files are masked
the same way). UTF-16 files are read as such (their masked copy is text like any other).
"""

from __future__ import annotations

import re

from ctnode.model.messages import decode_text

_XML_ATTR = re.compile(r'(\s([A-Za-z_:][\w:.-]*)\s*=\s*)(["\'])(.*?)\3', re.DOTALL)
_KEEP_ATTRS = {"version", "encoding", "standalone", "Ccy"}
_WORD = re.compile(r"[^\W_]", re.UNICODE)
# XML, token by token: comments, CDATA sections, processing instructions, declarations,
# tags, and the text between them.
_XML_TOKEN = re.compile(
    r"(?P<comment><!--.*?(?:-->|\Z))"
    r"|(?P<cdata><!\[CDATA\[.*?(?:\]\]>|\Z))"
    r"|(?P<pi><\?.*?(?:\?>|\Z))"
    r"|(?P<decl><![^>]*(?:>|\Z))"
    r"|(?P<tag></?[A-Za-z_:][^<>]*(?:>|\Z))"
    r"|(?P<text>[^<]+|<)",
    re.DOTALL,
)
_TAG_NAME = re.compile(r"^</?[A-Za-z_:][\w:.-]*")
# EDIFACT segments whose first data element is a code (a qualifier, a function code): its
# first component is kept when it is a short code. In every other segment (TIF: the
# surname; IFT, FTX free text, SSR ...) only the tag is kept.
_CODE_FIRST = frozenset({
    "ATT", "BGM", "CNT", "COM", "CPI", "DAT", "DOC", "DTM", "EMP", "FOP", "GEI", "IFT", "LOC",
    "MEA", "MON", "MSG", "NAD", "NAT", "PTK", "QTY", "RCI", "RFF", "RPI", "TDT", "TRI",
    "TXD", "UNH", "UNT", "UNE", "UNG", "UNZ",
})
# An MRZ line: 30, 36 or 44 characters of A-Z, 0-9 and '<' (ICAO Doc 9303).
_MRZ_LINE = re.compile(r"^[A-Z0-9<]{28,46}$")


def mask_message(raw: bytes) -> str:
    """The message with every value blanked: letters → ``X``, digits → ``9``; structure kept.

    EDIFACT keeps each segment tag, and the first qualifier of segments that start with
    one (``NAD+FL+++XXXXX:XXXXX``, but ``TIF+XXX:X+XXXX:X``); XML keeps element names,
    namespaces and the markers of comments and CDATA sections (their content blanked);
    MT keeps block and field tags; MRZ text keeps only its ``<`` fillers.
    """
    text = decode_text(raw)
    stripped = text.lstrip("\ufeff \r\n\t")
    if stripped.startswith("<"):
        return _mask_xml(text)
    if stripped.startswith(("{1:", ":20:")):
        return _mask_mt(text)
    if _looks_like_mrz(text) or not re.search(r"(^|\W)UN[ABGH]\W", text[:4096]):
        return _blank(text)  # MRZ text, or nothing this node knows: blank it all
    return _mask_edifact(text)


def _blank(value: str) -> str:
    return _WORD.sub(lambda m: "9" if m.group(0).isdigit() else "X", value)


def _mask_xml(text: str) -> str:
    out: list[str] = []
    for m in _XML_TOKEN.finditer(text):
        token = m.group(0)
        kind = m.lastgroup
        if kind == "comment":
            out.append("<!--" + _blank(token[4:]))
        elif kind == "cdata":
            out.append("<![CDATA[" + _blank(token[9:]))
        elif kind == "pi":
            out.append(_mask_pi(token))
        elif kind == "tag":
            name = _TAG_NAME.match(token)
            keep = name.group(0) if name else ""
            out.append(keep + _mask_attrs(token[len(keep):]))
        else:  # text, declarations (a DOCTYPE's internal subset may hold anything)
            out.append(_blank(token) if kind == "text" else _blank_decl(token))
    return "".join(out)


def _mask_pi(token: str) -> str:
    if token.startswith("<?xml") and token[5:6].isspace():
        return "<?xml" + _mask_attrs(token[5:])
    return "<?" + _blank(token[2:])


def _blank_decl(token: str) -> str:
    head = re.match(r"^<![A-Z]+", token)
    keep = head.group(0) if head else ""
    return keep + _blank(token[len(keep):])


def _mask_attrs(rest: str) -> str:
    """Blank every attribute value but namespaces and the kept ones; blank any stray text."""
    out: list[str] = []
    pos = 0
    for m in _XML_ATTR.finditer(rest):
        out.append(_blank(rest[pos:m.start()]))
        name = m.group(2)
        value = m.group(4)
        if not (name.startswith("xmlns") or name.split(":")[-1] in _KEEP_ATTRS):
            value = _blank(value)
        out.append(f"{m.group(1)}{m.group(3)}{value}{m.group(3)}")
        pos = m.end()
    out.append(_blank(rest[pos:]))
    return "".join(out)


def _mask_mt(text: str) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        m = re.match(r"^(\{[0-9A-Z]{1,3}:|:\d{2}[A-Z]?:|-\})", line)
        keep = m.group(0) if m else ""
        rest = line[len(keep):]
        # Block headers on the same line ({1:...}{2:...}{4:) keep their block numbers.
        out.append(keep + re.sub(r"\{(\d):|([^{]+)",
                                 lambda b: b.group(0) if b.group(1) else _blank(b.group(0)),
                                 rest))
    return "".join(out)


def _looks_like_mrz(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return bool(lines) and sum(bool(_MRZ_LINE.match(line)) for line in lines) * 2 >= len(lines)


def _mask_edifact(text: str) -> str:
    # Keep the tag of each segment, and the first qualifier of segments that start with a
    # code; blank everything else (names, free text, numbers, dates). The separators are
    # the UNA's when there is one; a released character (``?'``) never ends a segment.
    una = re.match(r"\s*UNA(.)(.)(.)(.)(.)(.)", text, re.DOTALL)
    comp, elem, release, term = (una.group(1), una.group(2), una.group(4), una.group(6)) \
        if una else (":", "+", "?", "'")
    out = []
    if una:
        out.append(una.group(0))
        text = text[una.end():]
    seps = re.escape(comp + elem + term)
    segment = re.compile(rf"^(\s*)([A-Z][A-Z0-9]{{2}})(?=[{seps}\s]|$)")
    qualifier = re.compile(rf"^(\s?{re.escape(elem)})([A-Z0-9]{{1,3}})(?=[{seps}]|$)")
    for seg in _segments(text, release, term):
        m = segment.match(seg)
        if m is None:
            out.append(_blank(seg))
            continue
        keep = m.group(0)
        if m.group(2) in _CODE_FIRST:
            q = qualifier.match(seg[len(keep):])
            if q:
                keep += q.group(0)
        out.append(keep + _blank(seg[len(keep):]))
    return "".join(out)


def _segments(text: str, release: str, term: str) -> list[str]:
    """The text cut after each segment terminator (or line end) that is not released."""
    parts: list[str] = []
    start = i = 0
    while i < len(text):
        ch = text[i]
        if ch == release:
            i += 2
            continue
        i += 1
        if ch == term or ch == "\n":
            parts.append(text[start:i])
            start = i
    if start < len(text):
        parts.append(text[start:])
    return parts
