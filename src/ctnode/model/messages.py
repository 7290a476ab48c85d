"""What the travel and payment parsers share: the problems met in a message, and its text.

A message parser never crashes on bad input: it either raises
``ctnode.errors.MessageError`` naming the position, or returns a partial result whose
``issues`` say what was skipped and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from ctnode.model.phrases import Phrase

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
    # the message as a code of ``ISSUES`` and its values (set by ``Issue.of``); empty for a
    # message written as text (a ``MessageError``'s own words)
    code: str = ""
    values: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, severity: Severity, code: str, where: str, *, skipped: bool = False,
           **values: object) -> Issue:
        """An issue written as a code of ``ISSUES`` and its values; its ``message`` is the
        code's English template filled with them."""
        text = {k: str(v) for k, v in values.items()}
        return cls(severity, ISSUES[code] % text if text else ISSUES[code], where, skipped,
                   code, tuple(text.items()))

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "message": self.message,
            "where": self.where,
            "skipped": self.skipped,
        }

    @property
    def phrase(self) -> Phrase:
        """The message as a stable code of ``ISSUES`` and its values: its own, else the first
        template that reads the message whole, else ``issue.text`` with the message as
        written."""
        if self.code:
            return Phrase(self.code, self.values)
        return issue_phrase(self.message)


# What the travel and payment parsers report, as codes and English templates: a parser writes
# ``Issue.of(severity, code, where, **values)`` and the ``message`` is the template filled in;
# the console shows the same code translated (``web/phrases.py``; ``tests/web/test_phrases.py``
# fails on a code without a translation there, and on an issue of the parsers' fixtures that
# has no code). An issue written as text (a ``MessageError``'s words, an issue stored before
# codes) takes the code of the first template that reads it whole: most specific first.
ISSUES: dict[str, str] = {
    "issue.mrz.check_digit": "%(field)s check digit wrong: mis-read MRZ or forgery",
    "issue.mrz.truncated": "truncated MRZ: %(why)s; skipped",
    "issue.mrz.incomplete": "incomplete MRZ skipped",
    "issue.paxlst.no_name": "traveller without a name skipped (NAD element 4 empty)",
    "issue.paxlst.long_part": "name part %(part)s... is %(n)s characters: probably cut by the "
                              "sender; screened as it is",
    "issue.paxlst.count_unreadable": "control count unreadable",
    "issue.paxlst.malformed_cnt": "malformed CNT (count in element 2, expected %(expected)s); "
                                  "read anyway",
    "issue.paxlst.no_unh": "no UNH message header",
    "issue.paxlst.count": "CNT %(qualifier)s declares %(declared)s %(what)s, the message holds "
                          "%(actual)s; all %(actual)s screened",
    "issue.birth_date.screened_without": "birth date %(value)s unreadable; screened without it",
    "issue.birth_date.unreadable": "birth date %(value)s unreadable",
    "issue.document.no_number": "document without a number ignored",
    "issue.pnrgov.count": "EQN declares %(declared)s PNRs, the message holds %(actual)s; all "
                          "screened",
    "issue.pnrgov.tif_no_name": "TIF without a name skipped",
    "issue.pnrgov.docs_no_traveller": "SSR DOCS without a traveller skipped",
    "issue.edifact.after_unz": "text after the interchange trailer UNZ ignored: %(text)s",
    "issue.edifact.no_tag": "malformed segment %(text)s skipped: no tag",
    "issue.edifact.no_unz": "interchange trailer UNZ missing: file truncated?",
    "issue.edifact.unt": "UNT says %(declared)s segments, the message has %(actual)s",
    "issue.mt103.other_type": "MT%(type)s is not read (MT103 is); skipped",
    "issue.mt103.block4_open": "block 4 not closed by '-}': truncated?",
    "issue.mt103.before_first": "text before the first message not read: %(text)s",
    "issue.mt103.between": "text between messages not read: %(text)s (%(n)s characters)",
    "issue.mt103.before_field": "text before the first field ignored: %(text)s",
    "issue.mt103.no_20": "mandatory field :20: missing",
    "issue.mt103.32a": ":32A: %(value)s unreadable",
    "issue.mt103.value_date": "value date %(value)s invalid",
    "issue.mt103.no_code": "line %(line)s has no number code (expected 1/ to 8/)",
    "issue.mt103.block_malformed": "block %(n)s malformed: %(text)s (FIN writes %(expected)s)",
    "issue.mt103.block2_malformed": "block %(n)s malformed: %(text)s (FIN writes %(expected)s); "
                                    "read as MT103",
    "issue.mt103.no_block2": "block 2 missing (the message type is not stated); read as MT103",
    "issue.mt103.block3_open": "block 3 not closed: expected {tag:value} sub-blocks and '}'",
    "issue.mt103.no_block4": "block 4 missing where expected: %(text)s",
    "issue.mt103.trailer_open": "block %(block)s not closed",
    "issue.iso.version": "message version unknown (namespace %(namespace)s); read as %(family)s",
    "issue.iso.other_document": "a further document that is not pacs.008 or pain.001 was "
                                "skipped",
    "issue.iso.several": "the file holds several documents; all are read",
    "issue.iso.count": "NbOfTxs declares %(declared)s transactions, the message holds "
                       "%(actual)s; all screened",
    "issue.iso.no_grphdr": "group header GrpHdr missing",
    "issue.iso.party_skipped": "party skipped: %(reason)s",
    "issue.iso.no_xsd": "no XSD for %(version)s in %(folder)s; not validated",
    "issue.iso.more_xsd": "%(n)s more XSD errors",
    "issue.iso.xsd": "XSD %(version)s: %(reason)s",
    "issue.party_not_screened": "party not screened: %(reason)s",
    "issue.traveller_not_screened": "traveller not screened: %(reason)s",
    "issue.no_name": "%(role)s without a name",
    "issue.text": "%(text)s",
}


def _template_pattern(template: str) -> re.Pattern[str]:
    """A template as a pattern that reads its values back (a value named twice must agree)."""
    out: list[str] = []
    seen: set[str] = set()
    pos = 0
    for m in re.finditer(r"%\((\w+)\)s", template):
        out.append(re.escape(template[pos:m.start()]))
        name = m.group(1)
        out.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("".join(out), re.S)


@cache
def _issue_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((code, _template_pattern(t)) for code, t in ISSUES.items()
                 if code != "issue.text")


def issue_phrase(message: str) -> Phrase:
    """A parser's issue message as the phrase of the first ``ISSUES`` template that reads it."""
    for code, pattern in _issue_patterns():
        found = pattern.fullmatch(message)
        if found:
            return Phrase(code, tuple(found.groupdict().items()))
    return Phrase.of("issue.text", text=message)


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
