"""Best-practice documents: the topic taxonomy and the metadata every document carries."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from ctnode.errors import InvalidInput
from ctnode.model.tlp import TLP


class Topic(StrEnum):
    """The library's taxonomy (issue 17); the value is the stable key stored and exchanged."""

    FINANCING_OF_TERRORISM = "financing-of-terrorism"
    FORENSICS = "forensics"
    ONLINE_CONTENT = "online-content"
    CRITICAL_INFRASTRUCTURE = "critical-infrastructure"
    BORDER_AND_TRAVEL = "border-and-travel"
    BIOMETRICS = "biometrics"
    PREVENTION_AND_REHABILITATION = "prevention-and-rehabilitation"
    LEGAL_FRAMEWORKS = "legal-frameworks"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Topic.FINANCING_OF_TERRORISM: "Financing of terrorism",
    Topic.FORENSICS: "Forensics",
    Topic.ONLINE_CONTENT: "Online content",
    Topic.CRITICAL_INFRASTRUCTURE: "Critical infrastructure",
    Topic.BORDER_AND_TRAVEL: "Border and travel",
    Topic.BIOMETRICS: "Biometrics",
    Topic.PREVENTION_AND_REHABILITATION: "Prevention and rehabilitation programmes",
    Topic.LEGAL_FRAMEWORKS: "Legal frameworks",
}

DocumentFormat = Literal["markdown", "html", "pdf", "text"]
FORMATS: tuple[str, ...] = ("markdown", "html", "pdf", "text")
# BCP 47 language tags as documents carry them: "fr", "zh-Hant", "pt-BR".
_LANG_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
MAX_TITLE = 500
MAX_SUMMARY = 5000


def language_base(tag: str) -> str:
    """The primary language subtag, lower case: ``zh-Hant`` -> ``zh``."""
    return tag.split("-", 1)[0].lower()


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """What the library knows about a document besides its text.

    ``languages`` lists every language the document is written in, main one first.
    A document whose ``valid_until`` has passed is no longer served or searched.
    """

    id: str
    title: str
    languages: tuple[str, ...]
    topics: frozenset[Topic]
    source: str
    date: dt.date
    tlp: TLP
    summary: str = ""
    valid_until: dt.date | None = None
    format: DocumentFormat = "text"
    keywords: tuple[str, ...] = field(default_factory=tuple)

    def is_served(self, today: dt.date) -> bool:
        return self.valid_until is None or self.valid_until >= today

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "languages": list(self.languages),
            "topics": sorted(t.value for t in self.topics),
            "source": self.source,
            "date": self.date.isoformat(),
            "tlp": self.tlp.label,
            "summary": self.summary,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "format": self.format,
            "keywords": list(self.keywords),
        }


def _date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            f"document metadata: field '{name}': {value!r} is not a date (YYYY-MM-DD)"
        ) from None


def parse_meta(data: Mapping[str, Any]) -> DocumentMeta:
    """Validate metadata from an upload form, a peer or a front-matter block; errors name the field."""

    def need(name: str) -> Any:
        value = data.get(name)
        if value in (None, "", [], ()):
            raise InvalidInput(f"document metadata: field '{name}' is required")
        return value

    title = str(need("title")).strip()
    if len(title) > MAX_TITLE:
        raise InvalidInput(
            f"document metadata: field 'title' is longer than {MAX_TITLE} characters"
        )
    raw_langs = need("languages")
    langs = tuple(
        str(x).strip() for x in ([raw_langs] if isinstance(raw_langs, str) else raw_langs)
    )
    for tag in langs:
        if not _LANG_TAG.match(tag):
            raise InvalidInput(
                f"document metadata: field 'languages': {tag!r} is not a language tag (e.g. fr, zh-Hant)"
            )
    raw_topics = need("topics")
    topics: set[Topic] = set()
    for t in [raw_topics] if isinstance(raw_topics, str) else raw_topics:
        try:
            topics.add(Topic(str(t).strip().lower().replace(" ", "-").replace("_", "-")))
        except ValueError:
            keys = ", ".join(x.value for x in Topic)
            raise InvalidInput(
                f"document metadata: field 'topics': {t!r} is not in the taxonomy ({keys})"
            ) from None
    try:
        tlp = TLP.parse(str(data.get("tlp") or "TLP:GREEN"))
    except ValueError as exc:
        raise InvalidInput(f"document metadata: field 'tlp': {exc}") from None
    issued = _date(need("date"), "date")
    valid_until = _date(data["valid_until"], "valid_until") if data.get("valid_until") else None
    if valid_until is not None and valid_until < issued:
        raise InvalidInput("document metadata: field 'valid_until' is before 'date'")
    fmt = str(data.get("format") or "text")
    if fmt not in FORMATS:
        raise InvalidInput(
            f"document metadata: field 'format': {fmt!r} is not one of {', '.join(FORMATS)}"
        )
    summary = str(data.get("summary") or "").strip()
    if len(summary) > MAX_SUMMARY:
        raise InvalidInput(
            f"document metadata: field 'summary' is longer than {MAX_SUMMARY} characters"
        )
    keywords = tuple(str(k).strip() for k in data.get("keywords") or () if str(k).strip())
    return DocumentMeta(
        id=str(need("id")),
        title=title,
        languages=langs,
        topics=frozenset(topics),
        source=str(need("source")).strip(),
        date=issued,
        tlp=tlp,
        summary=summary,
        valid_until=valid_until,
        format=fmt,  # type: ignore[arg-type]
        keywords=keywords,
    )
