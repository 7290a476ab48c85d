"""The console's languages: Babel message catalogues, the choice of language, dates and numbers.

The catalogues are ``locale/<lang>.po`` (English is the source: its catalogue maps each
msgid to itself). They are read with Babel when the console starts, compiled in memory,
and never downloaded. Every translation but English is a draft for native review (the
catalogue headers say so; ``docs/console.md`` too). A person's language is the one they
chose (stored on their account), else the best match of the browser's Accept-Language,
else English.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES: tuple[str, ...] = ("en", "ar", "zh", "fr", "ru", "es", "kk")
RTL = frozenset({"ar"})
DEFAULT = "en"


def N_(msgid: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return msgid


@cache
def translations(lang: str) -> Translations:
    """The compiled catalogue of one language (read once per process)."""
    with (LOCALE_DIR / f"{lang}.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


@cache
def language_name(lang: str) -> str:
    """A language's name in itself (Қазақ тілі, العربية, 中文 ...)."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def negotiate(chosen: str | None, accept_language: str | None) -> str:
    """The person's own choice, else the best of Accept-Language, else English."""
    if chosen in LANGUAGES:
        return chosen
    best: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        base = tag.strip().lower().replace("_", "-").split("-")[0]
        if base in LANGUAGES and q > 0:
            best.append((-q, i, base))
    return min(best)[2] if best else DEFAULT


@dataclass(frozen=True, slots=True)
class Lang:
    """One request's language: translate, direction, and local dates and numbers."""

    code: str

    @property
    def dir(self) -> str:
        return "rtl" if self.code in RTL else "ltr"

    @property
    def gettext(self) -> Callable[[str], str]:
        return translations(self.code).gettext

    def datetime(self, at: datetime | None) -> str:
        return format_datetime(at, "medium", tzinfo=UTC, locale=self.code) if at else ""

    def number(self, value: float | int, digits: int = 0) -> str:
        fmt = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=fmt, locale=self.code)
