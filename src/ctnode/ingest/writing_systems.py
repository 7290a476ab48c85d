"""Tell which writing system a name is in, and guess its language tag.

Used to label original-script names (``NAME_ORIGINAL_SCRIPT``, Arabic inside
Latin aliases) with ``Statement.lang``. The guess is deliberately coarse:

* Arabic script: ``pus`` (Pashto) when a Pashto-only letter occurs, ``fas``
  (Persian/Dari) when a Persian letter occurs, else ``ara``;
* Cyrillic: ``rus``; Han: ``zho``; Hangul: ``kor``; Hebrew: ``heb``;
  Greek: ``ell``; Latin or unknown: no tag.
"""

from __future__ import annotations

import re

_ASCII_LETTER = re.compile(r"[A-Za-z]")

# (first code point, last code point, ISO 15924 script code)
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "Latn"),
    (0x1E00, 0x1EFF, "Latn"),
    (0x0370, 0x03FF, "Grek"),
    (0x0400, 0x052F, "Cyrl"),
    (0x0590, 0x05FF, "Hebr"),
    (0x0600, 0x06FF, "Arab"),
    (0x0750, 0x077F, "Arab"),
    (0x08A0, 0x08FF, "Arab"),
    (0xFB50, 0xFDFF, "Arab"),
    (0xFE70, 0xFEFF, "Arab"),
    (0x3040, 0x30FF, "Kana"),
    (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"),
    (0xF900, 0xFAFF, "Hani"),
    (0xAC00, 0xD7AF, "Hang"),
    (0x1100, 0x11FF, "Hang"),
)

_LANG_BY_SCRIPT = {
    "Cyrl": "rus",
    "Hani": "zho",
    "Hang": "kor",
    "Hebr": "heb",
    "Grek": "ell",
    "Kana": "jpn",
}
# Letters used by Pashto but not by Persian or Arabic.
_PASHTO = set("ټډړږښګڼېۍځڅ")
# Letters used by Persian/Dari (and Pashto) but not by Arabic.
_PERSIAN = set("پچژگکی")


def char_script(ch: str) -> str | None:
    """ISO 15924 code of one letter, or None for digits, punctuation and unknown scripts."""
    cp = ord(ch)
    if cp < 0x41:
        return None
    for lo, hi, script in _RANGES:
        if lo <= cp <= hi:
            if script == "Latn" and not ch.isalpha():
                return None
            return script
    return None


def scripts_of(text: str) -> dict[str, int]:
    """How many letters of each script occur in ``text``."""
    counts: dict[str, int] = {}
    if text.isascii():
        letters = sum(1 for ch in text if ch.isalpha())
        return {"Latn": letters} if letters else counts
    for ch in text:
        script = char_script(ch)
        if script is not None:
            counts[script] = counts.get(script, 0) + 1
    return counts


def main_script(text: str) -> str | None:
    """The script most letters of ``text`` are written in."""
    if text.isascii():
        return "Latn" if _ASCII_LETTER.search(text) else None
    counts = scripts_of(text)
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: kv[1])[0]


def guess_lang(text: str) -> str | None:
    """ISO 639-3 guess for a name from its script (None for Latin)."""
    script = main_script(text)
    if script == "Arab":
        letters = set(text)
        if letters & _PASHTO:
            return "pus"
        if letters & _PERSIAN:
            return "fas"
        return "ara"
    if script is None:
        return None
    return _LANG_BY_SCRIPT.get(script)


def is_non_latin(text: str) -> bool:
    script = main_script(text)
    return script is not None and script != "Latn"
