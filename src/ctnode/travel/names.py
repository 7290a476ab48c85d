"""Names, dates and codes as travel messages carry them (ICAO Doc 9303, IATA PNR habits).

- ``split_title``: PNR names carry the title glued on (``JOHNMR``, ``MRJONATHON``).
- ``expand_year``: birth dates with two-digit years (``DTM+329:541016``, ``12JUL64``).
- ``icao_transliterate`` / ``mrz_name``: a name in any script as a passport's MRZ
  would print it (Doc 9303 Part 3 §6; Russian via ``iuliia`` ICAO_DOC_9303).
- ``traveller_names``: the name forms a traveller is screened under.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import iuliia
from anyascii import anyascii

# Titles airlines glue to the given name, longest first so MRS wins over MR.
TITLES: tuple[str, ...] = ("MSTR", "MISS", "PROF", "MRS", "REV", "DR", "MR", "MS")
# Titles that also end ordinary names (WILLIAMS, ADAMS): both forms are screened.
_AMBIGUOUS_TITLES = {"MS", "DR"}
# Generational suffixes glued to surnames in PNRs (SMITHJR).
SUFFIXES: tuple[str, ...] = ("III", "JR", "SR", "II")

_MONTHS = {m: i + 1 for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"))}

# ICAO Doc 9303 Part 3 Latin letters that transliterate to more than their base letter.
_ICAO_LATIN = {
    "Ä": "AE", "Æ": "AE", "Å": "AA", "Ö": "OE", "Ø": "OE", "Ü": "UE", "ß": "SS", "Þ": "TH",
    "Ð": "D", "Đ": "D", "Ł": "L", "Ħ": "H", "Ĳ": "IJ", "Œ": "OE", "ı": "I",
}
# ICAO Doc 9303 Part 3 Arabic table (reversible, X-escaped; short vowels are not written).
_ICAO_ARABIC = {
    "ء": "XE", "آ": "XAA", "أ": "XAE", "ؤ": "XWE", "إ": "XI", "ئ": "XYE", "ا": "A", "ب": "B",
    "ة": "XTA", "ت": "T", "ث": "XTH", "ج": "J", "ح": "XH", "خ": "XKH", "د": "D", "ذ": "XDH",
    "ر": "R", "ز": "Z", "س": "S", "ش": "XSH", "ص": "XSS", "ض": "XDZ", "ط": "XTT", "ظ": "XZZ",
    "ع": "E", "غ": "G", "ف": "F", "ق": "Q", "ك": "K", "ل": "L", "م": "M", "ن": "N", "ه": "H",
    "و": "W", "ى": "XAY", "ي": "Y", "پ": "XPE", "چ": "XCH", "ژ": "XZH", "گ": "XGE", "ک": "K",
    "ی": "Y",
}
_PNR_DATE = re.compile(r"(\d{2})([A-Z]{3})(\d{2}|\d{4})")
# The reverse of the ICAO Arabic table, for MRZ names written with it (``MXHMD`` → ``محمد``).
_ICAO_ARABIC_REVERSE = {v: k for k, v in reversed(list(_ICAO_ARABIC.items()))}
_ICAO_ARABIC_REVERSE.update({"XTA": "\u0629", "XAH": "\u0629", "K": "\u0643", "Y": "\u064a"})
_ESCAPES = sorted((k for k in _ICAO_ARABIC_REVERSE if k.startswith("X")), key=len, reverse=True)
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_ARABIC = re.compile(r"[\u0600-\u06FF]")
# ICAO digraphs for Cyrillic letters that lists and older passports write with Y.
# Kept narrow so Western names (WILLIAM, MARIA) are left alone.
_DE_ICAO = ((re.compile(r"IEE"), "YE"), (re.compile(r"IU"), "YU"), (re.compile(r"IIA"), "IYA"),
            (re.compile(r"\bIA"), "YA"), (re.compile(r"\bIE"), "YE"), (re.compile(r"II\b"), "IY"))


def split_title(given: str) -> tuple[str, str | None]:
    """``JOHNMR`` → (``JOHN``, ``MR``); ``MRJONATHON`` → (``JONATHON``, ``MR``); else (given, None).

    A title standing alone or glued to the end of a given name (the last word
    first, then the others: ``CHARLESMR MUHAMMAD``), or glued to the front of
    the first word, is removed; at least two letters must remain of the word.
    """
    words = given.split()
    if not words:
        return given, None
    order = [len(words) - 1, *range(len(words) - 1)]
    for i in order:
        word = words[i].upper()
        for title in TITLES:
            if word == title and len(words) > 1:
                return " ".join(words[:i] + words[i + 1:]), title
            if word.endswith(title) and len(word) - len(title) >= 2:
                if i != len(words) - 1 and title in _AMBIGUOUS_TITLES:
                    continue
                return " ".join([*words[:i], words[i][: -len(title)], *words[i + 1:]]), title
    first = words[0].upper()
    for title in ("MSTR", "MISS", "MRS", "MR"):
        if first.startswith(title) and len(first) - len(title) >= 3 and first != title:
            return " ".join([words[0][len(title):], *words[1:]]), title
    return given, None


def split_suffix(surname: str) -> tuple[str, str | None]:
    """``SMITHJR`` → (``SMITH``, ``JR``) when at least three letters remain."""
    upper = surname.upper()
    for suffix in SUFFIXES:
        if upper.endswith(suffix) and len(upper) - len(suffix) >= 3:
            return surname[: -len(suffix)].rstrip(), suffix
    return surname, None


def expand_year(yy: int, *, birth: bool, today: date | None = None) -> int:
    """A two-digit year → four digits.

    Birth dates are never in the future: ``54`` → 1954, ``12`` → 2012 (in 2026).
    Other dates (expiry, travel) are taken to be within 2000-2099... unless more
    than 50 years ahead, then 19xx.
    """
    today = today or date.today()
    century = today.year // 100 * 100
    year = century + yy
    if birth:
        return year - 100 if year > today.year else year
    return year - 100 if year > today.year + 50 else year


def parse_date(value: str, *, birth: bool, fmt: str = "auto", today: date | None = None
               ) -> str | None:
    """EDIFACT/PNR/MRZ dates → ISO ``YYYY-MM-DD`` (``None`` when unreadable).

    Formats: ``YYMMDD`` (EDIFACT 101, MRZ), ``CCYYMMDD`` (102), ``DDMMMYY`` (PNR SSR
    DOCS, ``12JUL64``), ``DDMMYY`` (PNR TVL/DAT: pass ``fmt="DDMMYY"``), and the
    first 6 or 8 digits of a date-time (``0807101500`` → 2008-07-10).
    """
    v = value.strip().upper()
    try:
        m = _PNR_DATE.fullmatch(v)
        if m:
            day, month, yr = int(m[1]), _MONTHS.get(m[2], 0), m[3]
            year = int(yr) if len(yr) == 4 else expand_year(int(yr), birth=birth, today=today)
            return date(year, month, day).isoformat()
        if not v.isdigit():
            return None
        if fmt == "DDMMYY" and len(v) >= 6:
            year = expand_year(int(v[4:6]), birth=birth, today=today)
            return date(year, int(v[2:4]), int(v[0:2])).isoformat()
        if len(v) == 8 and fmt in {"auto", "CCYYMMDD"}:
            return date(int(v[:4]), int(v[4:6]), int(v[6:8])).isoformat()
        if len(v) in {6, 10, 12}:
            year = expand_year(int(v[:2]), birth=birth, today=today)
            return date(year, int(v[2:4]), int(v[4:6])).isoformat()
    except ValueError:
        return None
    return None


def parse_datetime(value: str) -> str | None:
    """EDIFACT ``YYMMDDHHMM`` (format 201) → ``YYYY-MM-DDTHH:MM``; a bare date → ISO date."""
    v = value.strip()
    day = parse_date(v, birth=False)
    if day and len(v) >= 10 and v[:10].isdigit():
        return f"{day}T{v[6:8]}:{v[8:10]}"
    return day


def _icao_latin_char(ch: str) -> str:
    if ch.upper() in _ICAO_LATIN:
        return _ICAO_LATIN[ch.upper()]
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _foreign(ch: str) -> bool:
    return ch.isalpha() and not ch.isascii() and not unicodedata.name(ch, "").startswith("LATIN")


def icao_transliterate(name: str) -> str:
    """A name as an ICAO 9303 MRZ prints it, with blanks between words (upper case, A-Z).

    Cyrillic is transliterated with ``iuliia`` ICAO_DOC_9303 (``Юлия`` → ``IULIIA``);
    Arabic with the Doc 9303 table (``محمد`` → ``MXHMD``); Latin letters with
    diacritics by the Doc 9303 table (``Ü`` → ``UE``) or their base letter.
    Other scripts get a plain romanization (``anyascii``), as issuing states
    use national tables this module does not hold. Apostrophes vanish
    (``O'Brien`` → ``OBRIEN``); hyphens and other marks become blanks (the MRZ filler).
    """
    if _CYRILLIC.search(name):
        name = iuliia.ICAO_DOC_9303.translate(name)
    if _ARABIC.search(name):
        # Teh marbuta: XAH at the end of a name component, XTA elsewhere.
        name = re.sub(r"\u0629(?![\u0621-\u064a])", "XAH", name)
        name = "".join(_ICAO_ARABIC.get(ch, "" if "\u064b" <= ch <= "\u065f" else ch)
                       for ch in name)
    # Scripts without an ICAO table here (Greek, Devanagari, CJK...): a plain romanization.
    name = " ".join(anyascii(w) if any(_foreign(c) for c in w) else w for w in name.split())
    out: list[str] = []
    for ch in name:
        if ch in "'’`ʼ":
            continue
        latin = _icao_latin_char(ch).upper()
        out.append(latin if latin.isascii() and latin.isalpha() else " ")
    return " ".join("".join(out).split())


def from_icao_arabic(name: str) -> str | None:
    """An MRZ name written with the ICAO Arabic table back in Arabic script; None if it is not one.

    ``MXHMD EBD ALLH`` → ``محمد عبد الله``. A name counts as such only when every
    word reads with the table and at least one X-escape occurs (letters the
    table never writes, such as C, O, P, U, V, rule it out).
    """
    words = name.upper().split()
    if not words or "X" not in name.upper():
        return None
    out: list[str] = []
    escaped = False
    for word in words:
        i, letters = 0, []
        while i < len(word):
            if word[i] == "X":
                esc = next((e for e in _ESCAPES if word.startswith(e, i)), None)
                if esc is None:
                    return None
                letters.append(_ICAO_ARABIC_REVERSE[esc])
                i += len(esc)
                escaped = True
                continue
            ch = _ICAO_ARABIC_REVERSE.get(word[i])
            if ch is None:
                return None
            letters.append(ch)
            i += 1
        out.append("".join(letters))
    return " ".join(out) if escaped else None


def mrz_name(surname: str, given_names: str = "", *, width: int = 39) -> str:
    """``SURNAME<<GIVEN<NAMES`` as in the MRZ name field, truncated to ``width`` (TD3: 39)."""
    primary = icao_transliterate(surname).replace(" ", "<")
    secondary = icao_transliterate(given_names).replace(" ", "<")
    field_ = f"{primary}<<{secondary}" if secondary else primary
    return field_[:width].rstrip("<")


def de_icao(name: str) -> str:
    """Rewrite ICAO Cyrillic digraphs the way older passports and most lists spell them.

    ``SHCHUKINA IULIIA`` → ``SHCHUKINA YULIYA``; ``OBIEEDKOV`` → ``OBYEDKOV``.
    """
    out = name.upper()
    if not any(d in out for d in ("IE", "IU", "IA", "II")):
        return out
    for pattern, repl in _DE_ICAO:
        out = pattern.sub(repl, out)
    return out


def traveller_names(surname: str, given: str) -> tuple[list[str], str | None]:
    """Every form a traveller's name is screened under, the most likely first; and the title.

    The declared name with a glued title removed comes first, then the name
    as declared when the title could be a name ending (``WILLIAMS``), the
    surname without a glued suffix (``SMITHJR`` → ``SMITH``), the form with
    ICAO Cyrillic digraphs rewritten (``IULIIA`` → ``YULIYA``), and an MRZ name
    written with the ICAO Arabic table back in Arabic script (``MXHMD`` → ``محمد``).
    """
    given = " ".join(given.split())
    surname = " ".join(surname.split())
    clean_given, title = split_title(given)
    names: list[str] = []

    def add(g: str, s: str) -> None:
        full = " ".join(p for p in (g, s) if p)
        if full and full not in names:
            names.append(full)

    if title in _AMBIGUOUS_TITLES:
        add(given, surname)
    add(clean_given, surname)
    base, suffix = split_suffix(surname)
    if suffix:
        add(clean_given, base)
    for n in list(names[:1]):
        alt = de_icao(n)
        if alt != n.upper():
            add(alt, "")
        arabic = from_icao_arabic(n)
        if arabic:
            add(arabic, "")
    return names[:4], title
