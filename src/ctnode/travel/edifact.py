"""UN/EDIFACT syntax: bytes → segments with their positions.

Handles what airline feeds really send: a ``UNA`` service string advice with
non-default separators (or none), blanks before segments and inside tags
(``UNG *PAXLST``), line breaks anywhere (CRLF, LF, lines wrapped in the middle of
a value: the break is dropped, so ``45 HIGH⏎STREET`` reads ``45 HIGHSTREET`` as
the airline's own system would), the release character (``O?'BRIEN``) and junk
after the interchange trailer ``UNZ``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ctnode.errors import MessageError
from ctnode.model.messages import Issue, decode_text
from ctnode.travel.model import Manifest

_TAG = re.compile(r"[A-Z][A-Z0-9]{2}")
# The most segments one interchange may hold (a 1,000-passenger PAXLST has ~15,000).
MAX_SEGMENTS = 500_000


@dataclass(frozen=True, slots=True)
class Separators:
    """The six service characters of an interchange (ISO 9735 defaults, level A/B)."""

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str = "?"
    repetition: str = " "
    terminator: str = "'"


DEFAULT = Separators()


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment: its tag and data elements (each a tuple of components).

    ``index`` counts segments from 1 in the interchange (UNA not counted);
    ``line`` is the line where the segment starts.
    """

    tag: str
    elements: tuple[tuple[str, ...], ...]
    index: int
    line: int

    def get(self, element: int, component: int = 0) -> str:
        """Component ``component`` (0-based) of data element ``element`` (1: first after tag)."""
        if element < 1 or element > len(self.elements):
            return ""
        comps = self.elements[element - 1]
        if component < 0 or component >= len(comps):
            return ""
        return comps[component]

    def components(self, element: int) -> tuple[str, ...]:
        if element < 1 or element > len(self.elements):
            return ()
        return self.elements[element - 1]

    def where(self, element: int | None = None) -> str:
        pos = f"segment {self.index} ({self.tag}) line {self.line}"
        return f"{pos} element {element}" if element is not None else pos


@dataclass(slots=True)
class Interchange:
    """The segments of one EDIFACT file and what the tokenizer had to skip."""

    separators: Separators
    segments: list[Segment] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    una: bool = False


def _read_una(text: str) -> tuple[Separators, int] | None:
    """The separators of a ``UNA`` service string advice at the start, and where data begins."""
    start = len(text) - len(text.lstrip())
    if not text.startswith("UNA", start):
        return None
    chars = text[start + 3 : start + 9]
    if len(chars) < 6:
        raise MessageError("UNA service string advice is truncated", "segment UNA line 1")
    seps = Separators(*chars)
    key = (seps.component, seps.element, seps.terminator)
    if len(set(key)) != 3 or any(c.isalnum() or c in "\r\n" for c in key):
        raise MessageError(
            f"UNA declares unusable separators {chars!r}: component, element and segment "
            "terminator must be three different non-alphanumeric characters",
            "segment UNA line 1",
        )
    if seps.release in key:
        seps = Separators(seps.component, seps.element, seps.decimal, "", seps.repetition,
                          seps.terminator)
    return seps, start + 9


def _split(text: str, sep: str, release: str) -> list[str]:
    """Split on ``sep`` unless it is preceded by an odd run of release characters."""
    if not release or release not in text:
        return text.split(sep)
    parts: list[str] = []
    start = 0
    pos = text.find(sep)
    while pos != -1:
        run = 0
        k = pos - 1
        while k >= start and text[k] == release:
            run += 1
            k -= 1
        if run % 2 == 0:
            parts.append(text[start:pos])
            start = pos + 1
        pos = text.find(sep, pos + 1)
    parts.append(text[start:])
    return parts


def _unescape(value: str, release: str) -> str:
    if not release or release not in value:
        return value
    out: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == release and i + 1 < len(value):
            out.append(value[i + 1])
            i += 2
            continue
        if ch != release:
            out.append(ch)
        i += 1
    return "".join(out)


def _guess_separators(text: str) -> Separators:
    """Without UNA: the defaults, unless the first tag is followed by another separator."""
    head = text.lstrip()[:4]
    if len(head) == 4 and head[:3] in {"UNB", "UNH"} and head[3] not in "+ ":
        ch = head[3]
        # A file like "UNB*UNOA:4*...$" without UNA: find its terminator after the UNB segment.
        if not ch.isalnum():
            for term in ("'", "~", "$", "\n"):
                if term != ch and term in text:
                    return Separators(":", ch, ".", "?", " ", term)
    return DEFAULT


def tokenize(data: bytes | str) -> Interchange:
    """Split an EDIFACT interchange into segments; never raises for content, only for syntax.

    Raises ``MessageError`` when the file has no segments or the separators are
    unusable; bad individual segments are skipped and reported in ``issues``.
    """
    text = decode_text(data) if isinstance(data, bytes) else data
    una = _read_una(text)
    if una is not None:
        seps, pos = una
    else:
        seps, pos = _guess_separators(text), 0
    inter = Interchange(separators=seps, una=una is not None)
    rel = seps.release
    raw = _split(text[pos:], seps.terminator, rel)
    line = text.count("\n", 0, pos) + 1
    index = 0
    ended = False
    for chunk in raw:
        leading = chunk[: len(chunk) - len(chunk.lstrip())]
        start_line = line + leading.count("\n")
        line += chunk.count("\n")
        body = chunk.replace("\r", "").replace("\n", "").strip()
        if not body:
            continue
        if ended:
            inter.issues.append(Issue.of("warning", "issue.edifact.after_unz",
                                         f"line {start_line}", text=repr(body[:40])))
            continue
        index += 1
        if index > MAX_SEGMENTS:
            raise MessageError(f"more than {MAX_SEGMENTS} segments", f"line {start_line}")
        escaped = bool(rel) and rel in body
        elements = _split(body, seps.element, rel) if escaped else body.split(seps.element)
        tag = elements[0].split(seps.component, 1)[0].replace(" ", "").upper()
        if not _TAG.fullmatch(tag):
            inter.issues.append(Issue.of("error", "issue.edifact.no_tag",
                                         f"segment {index} line {start_line}", skipped=True,
                                         text=repr(body[:30])))
            continue
        if escaped:
            data_elements = tuple(
                tuple(_unescape(c, rel) for c in _split(el, seps.component, rel))
                for el in elements[1:]
            )
        else:
            data_elements = tuple(tuple(el.split(seps.component)) for el in elements[1:])
        inter.segments.append(Segment(tag, data_elements, index, start_line))
        if tag == "UNZ":
            ended = True
    if not inter.segments:
        raise MessageError("no EDIFACT segments found (wrong separators or not EDIFACT)", "line 1")
    first = inter.segments[0].tag
    if first not in {"UNB", "UNH", "UNG"}:
        raise MessageError(
            f"an EDIFACT interchange starts with UNA, UNB or UNH, found {first!r}: "
            "not EDIFACT or wrong separators",
            inter.segments[0].where(),
        )
    if not ended and inter.segments[0].tag == "UNB":
        inter.issues.append(Issue.of("warning", "issue.edifact.no_unz",
                                     f"after segment {index} line {line}"))
    return inter


# Service segments around every message: interchange, group, message header and trailer.
FRAME_TAGS = frozenset({"UNB", "UNG", "UNH", "UNT"})


class Frame:
    """What the service segments say about a message, read into its ``Manifest``:
    ``UNB`` / ``UNG`` sender and recipient (the first one given wins), ``UNH`` message
    reference and version, ``UNT`` segment count (checked: a wrong count is a warning)."""

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self.unh_index: int | None = None

    def read(self, seg: Segment) -> None:
        manifest = self.manifest
        if seg.tag in {"UNB", "UNG"}:
            manifest.sender = manifest.sender or seg.get(2).strip() or None
            manifest.recipient = manifest.recipient or seg.get(3).strip() or None
        elif seg.tag == "UNH":
            self.unh_index = seg.index
            manifest.message_ref = seg.get(1) or None
            comps = seg.components(2)
            if comps[1:3]:
                manifest.version = ":".join(comps[1:3])
        elif seg.tag == "UNT":
            declared = seg.get(1)
            if self.unh_index is not None and declared.strip().isdigit():
                actual = seg.index - self.unh_index + 1
                if int(declared) != actual:
                    manifest.issues.append(Issue.of(
                        "warning", "issue.edifact.unt", seg.where(1), declared=int(declared),
                        actual=actual))
