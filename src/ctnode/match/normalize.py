"""Normalise what is compared: names (Latin tokens, skeletons), dates, countries, documents.

Everything here is a pure function of its input (no index statistics), cached where
the same value recurs across millions of names. The steps for a name:

1. split one raw value into names: text in brackets is a second name (the UN list puts
   Arabic-script forms in brackets inside Latin aliases), ``;`` separates names;
2. reorder ``SURNAME/GIVEN`` (airline form, ICAO 9303) and ``Surname, Given``;
3. cut into tokens, transliterate each to lower-case ASCII: Arabic script (Arabic, Persian,
   Pashto letters) by our own letter table, Cyrillic (incl. Kazakh letters) and other
   admitted scripts by rigour's ``maybe_ascii``, anything else by ICU ``Any-Latin; Latin-ASCII``;
4. drop connectors and honorifics (``al``, ``bin``, ``ibn``, ``haji``, ``mr`` ...), map the
   ``Abd al-`` family of prefixes to ``abdul``;
5. each token gets a consonant *skeleton* (``muhammad``, ``mohammed``, ``mukhammed``,
   ``محمد`` all give ``mhmd``), the phonetic key used by the index and the scorer.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

import icu
from followthemoney.types import registry
from rigour.names import NameTypeTag, Symbol, analyze_names
from rigour.text.translit import maybe_ascii

# Arabic-script letters → Latin, chosen to agree with common English-language romanisations.
# Waw and yeh are consonants at the start of a word and vowels elsewhere (see _arabic_token).
_ARABIC: dict[str, str] = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ى": "a", "ء": "", "ئ": "", "ؤ": "u",
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh",
    "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z",
    "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n",
    "ه": "h", "ة": "a", "ۀ": "a", "ھ": "h",
    # Persian / Dari
    "پ": "p", "چ": "ch", "ژ": "zh", "گ": "g", "ک": "k",
    # Pashto
    "ټ": "t", "ډ": "d", "ړ": "r", "ږ": "zh", "ښ": "sh", "ځ": "z", "څ": "ts", "ګ": "g",
    "ڼ": "n", "ې": "e", "ۍ": "ai",
    # Urdu
    "ٹ": "t", "ڈ": "d", "ڑ": "r", "ں": "n", "ے": "e",
}
_ARABIC_WAW = frozenset("و")
_ALEFS = frozenset("اآأ")
_ARABIC_YEH = frozenset("يیۍېئ")
_ARABIC_RANGE = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_ARABIC_ARTICLE = "ال"
_ALLAH = "الله"  # the article is part of the word: Abdullah, not Abdul Lah

# Tokens that carry no identity: Arabic articles and filiation words, honorifics, titles.
# "Son of" in Maghrebi and Mauritanian names (Ould, ولد read "wld"): a connector like bin
# (also when glued: ``Ouldmuhammad``).
FILIATION: frozenset[str] = frozenset({"ould", "wuld", "wld"})
STOP_TOKENS: frozenset[str] = frozenset(
    """al el ul ad ar as at az ash an ud bin ibn ben bint binti bte son of s o bn abn bnt
    mr mrs ms miss mstr dr prof haji hajji alhaj alhajj hadji mullah mulla maulavi mawlawi
    maulvi moulavi molvi sheikh shaykh shaikh sheik qari sayed sayyid""".split()
) | FILIATION

# Spellings of the "Abd al-" (servant of) prefix, mapped to one form.
ABD_FORMS: frozenset[str] = frozenset(
    {"abd", "abdul", "abdel", "abdal", "abdol", "abdu", "abdoul", "abdool", "abdil"}
)
_ABD = "abdul"

_SPLIT = re.compile(r"[^\w]+", re.UNICODE)
_APOSTROPHES = re.compile(r"[\'’‘`ʻʼʿʾ´]")
_BRACKETS = re.compile(r"[(\[{]([^)\]}]*)[)\]}]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ICU = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")

# One word in each script ICU's Any-Latin handles; transliterating them loads every
# per-script rule set up front instead of on a live request (seconds each, on first use).
_WARM_UP_SAMPLES = (
    "محمد", "Мухаммед", "Қазақ", "Μιχάλης", "משה", "王伟", "김민준", "ひらがな", "カタカナ", "मोहम्मद",
    "মোহাম্মদ", "ਸਿੰਘ", "મહમદ", "முகமது", "మహమ్మద్", "ಮಹಮ್ಮದ್", "മുഹമ്മദ്", "ศรี", "ລາວ",
    "Մուհամմադ", "მუჰამედ", "ሙሐመድ", "ܡܘܚܡܕ", "ތާނަ", "ᠮᠣᠩᠭᠣᠯ", "ᎠᏂ", "မြန်မာ", "ខ្មែរ", "සිංහල",
)


def warm_up() -> None:
    """Load ICU's transliteration rules for every script and rigour's name-part tagger now
    (called when the node starts), instead of on a live request."""
    for sample in _WARM_UP_SAMPLES:
        _ICU.transliterate(sample)
    name_symbols("muhammad")


# A name part holding more of rigour's name symbols than this is too ambiguous (a short
# Korean or Chinese syllable) for the symbol to say two spellings are one name.
MAX_NAME_SYMBOLS = 8


@lru_cache(maxsize=500_000)
def name_symbols(latin: str) -> frozenset[str]:
    """rigour's person-name symbols (Wikidata items, ``Q16428906``) of one Latin token.

    Two tokens sharing a symbol are forms of one given or family name across languages
    (Foma/Thomas, Josyp/Joseph, Mahoma/Muhammad), which no spelling rule can see. Digits,
    tokens under three letters and tokens with more than MAX_NAME_SYMBOLS symbols get none.
    """
    if len(latin) < 3 or not latin.isalpha():
        return frozenset()
    found: set[str] = set()
    for name in analyze_names(NameTypeTag.PER, [latin], consolidate=False, rewrite=False,
                              phonetics=False, numerics=False):
        for symbol in name.symbols:
            if symbol.category == Symbol.Category.NAME:
                found.add(str(symbol.id))
    if len(found) > MAX_NAME_SYMBOLS:
        return frozenset()
    return frozenset(sys.intern(f) for f in found)

# Latin digraphs reduced before vowels are dropped, in order.
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("dzh", "j"), ("tch", "c"), ("sch", "s"), ("kh", "h"), ("gh", "g"), ("ph", "f"),
    ("th", "t"), ("dh", "d"), ("sh", "s"), ("zh", "j"), ("dj", "j"), ("ck", "k"),
    ("ch", "c"), ("ts", "s"), ("tz", "s"),
)
_CONSONANT_MAP = str.maketrans({"q": "k", "c": "k", "z": "s", "x": "h"})
_SOFT_C = re.compile(r"c(?=[eiy])")  # Lounici, Francis, pinyin Cen: an s sound
_VOWELS = frozenset("aeiouy")
_SKELETON_VOWELS = frozenset("aeiouyw")  # a w after the first letter is a vowel (Chowdhary)

# Name parts so frequent world-wide that even a small list must not treat them as rare.
# Their skeletons' relative frequency is floored at COMMON_PRIOR_FREQUENCY (see score.py).
COMMON_NAMES: tuple[str, ...] = tuple(
    """mohammed muhammad mohammad ahmed ali hassan hussein husain khan abdul abdullah abu omar
    umar ibrahim ismail yusuf mustafa mahmoud rahman karim aziz hamid hamza bakr musa said saleh
    nur abbas jamal sadiq sulaiman jan gul shah mehmet amir khalid salem rashid hussain
    fatima maryam john maria wang li zhang kim lee singh kumar nguyen""".split()
)
COMMON_PRIOR_FREQUENCY = 0.02
_TITLES_AIRLINE = frozenset({"mr", "mrs", "ms", "miss", "mstr", "dr", "chd", "inf"})


def common_skeletons() -> frozenset[str]:
    """Skeletons of COMMON_NAMES."""
    return frozenset(skeleton(n) for n in COMMON_NAMES)


# Letters only Persian, Dari, Pashto and Urdu write (Farsi yeh and keheh, pe, che, zhe, gaf,
# Pashto and Urdu letters). A token holding one is read the Persian way: ث s, ذ z, ض z, ظ z
# (فیض Faiz, not Faid), with the Arabic reading as its alternative.
_PERSIAN_LETTERS = frozenset("یکپچژگټډړږښځڅګڼېۍٹڈڑںے")
_PERSIAN_READING: dict[str, str] = {"ث": "s", "ذ": "z", "ض": "z", "ظ": "z"}


def _arabic_token(token: str) -> str:
    """Romanise one Arabic-script token with our letter table (article stripped)."""
    token = "".join(ch for ch in token if unicodedata.category(ch) != "Mn")  # drop harakat
    if not _PERSIAN_LETTERS.isdisjoint(token):
        for ch, latin in _PERSIAN_READING.items():
            token = token.replace(ch, latin)
    if token == _ALLAH:
        return "allah"
    if token.startswith(_ARABIC_ARTICLE) and len(token) > 3:
        token = token[2:]
    out: list[str] = []
    for i, ch in enumerate(token):
        if ch in _ARABIC_WAW:
            out.append("w" if i == 0 else "u")
        elif ch == "ع" and i == 0:
            # a word-initial ayn is romanised with its vowel (Ali, Omar, Abd); before an alef
            # the alef is that vowel (عارف Aref, not Aaref)
            out.append("" if token[1:2] in _ALEFS else "a")
        elif ch in _ARABIC_YEH:
            out.append("y" if i == 0 else "i")
        else:
            out.append(ch if ch.isascii() else _ARABIC.get(ch, ""))
    return "".join(out)


# Arabic letters romanised two ways (Arabic vs Persian/Pashto/Urdu usage); the second forms
# become alternatives of the token (at most MAX_ALTERNATIVES per token).
# ج is also read g in Egyptian names (Ragab, Gamal).
_ARABIC_SECOND: dict[str, str] = {"ث": "s", "ذ": "z", "ض": "z", "ظ": "dh", "ق": "g",
                                  "ج": "g"}
MAX_ALTERNATIVES = 4


# Connectors and honorifics found glued to a name part (``ElMotassadeq``, ``HusseinAl``).
_GLUED = tuple(sorted((t for t in STOP_TOKENS if len(t) >= 2), key=len, reverse=True))
MIN_UNGLUED = 4  # shortest remainder kept after cutting a glued connector


_ASSIMILATED = frozenset({"ad", "ar", "as", "ash", "at", "az", "an", "ud", "ul"})


def _unglued(latin: str) -> list[str]:
    """Forms of a token without a connector glued to its start (``elmotassadeq``,
    ``assabar`` = as-Sabar) or to its end (``husseinal``, ``imedben``).

    ``ad``, ``as``, ``ash`` ... are the article assimilated to a sun letter, which doubles
    that letter: ``as`` is cut from ``assabar``, not from ``ashiani``, ``adnani``, ``ansari``;
    it is never cut from an end (``rahman``, ``hammud`` are whole names).
    """
    out: list[str] = []
    for stop in _GLUED:
        rest = latin[len(stop):]
        if (latin.startswith(stop) and len(rest) >= MIN_UNGLUED
                and (stop not in _ASSIMILATED or rest.startswith(stop[1:]))):
            out.append(rest)
    for stop in _GLUED:
        if (latin.endswith(stop) and len(latin) - len(stop) >= MIN_UNGLUED
                and stop not in _ASSIMILATED):
            out.append(latin[: -len(stop)])
    return out


@lru_cache(maxsize=200_000)
def token_alternatives(token: str) -> tuple[str, ...]:
    """Other Latin forms of a token: Arabic letters read the Persian way (``ثاقب`` →
    ``saqb`` beside ``thaqb``) or, in a Persian-read token, the Arabic way, and the name part without a glued connector
    (``elmotassadeq`` → ``motassadeq``, ``husseinal`` → ``hussein``)."""
    if not _ARABIC_RANGE.search(token):
        latin = latin_token(token)[0]
        return tuple(dict.fromkeys(a for a in _unglued(latin) if a != latin))[:MAX_ALTERNATIVES]
    primary = latin_token(token)[0]
    forms = [token]
    for ch, _second in _ARABIC_SECOND.items():
        if ch in token:
            forms += [f.replace(ch, "\x00" + ch) for f in forms]
    out: list[str] = []
    if not _PERSIAN_LETTERS.isdisjoint(token) and any(ch in token for ch in _PERSIAN_READING):
        arabic = _mixed_arabic(token)  # a Persian-read token keeps the Arabic reading
        if arabic and arabic != primary:
            out.append(arabic)
    for f in forms:
        if "\x00" not in f:
            continue
        text = f
        for ch, second in _ARABIC_SECOND.items():
            text = text.replace("\x00" + ch, second if second.isascii() else ch)
        # letters already replaced by Latin pass through the Arabic table untouched
        latin = _mixed_arabic(text)
        if latin and latin != primary and latin not in out:
            out.append(latin)
        if len(out) >= MAX_ALTERNATIVES:
            break
    return tuple(out)


def _mixed_arabic(text: str) -> str:
    """Romanise a token mixing Arabic letters and already-chosen Latin letters."""
    stripped = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    if stripped.startswith(_ARABIC_ARTICLE) and len(stripped) > 3:
        stripped = stripped[2:]
    out: list[str] = []
    for i, ch in enumerate(stripped):
        if ch.isascii():
            out.append(ch)
        elif ch in _ARABIC_WAW:
            out.append("w" if i == 0 else "u")
        elif ch == "ع" and i == 0:
            out.append("" if stripped[1:2] in _ALEFS else "a")
        elif ch in _ARABIC_YEH:
            out.append("y" if i == 0 else "i")
        else:
            out.append(_ARABIC.get(ch, ""))
    return _NON_ALNUM.sub("", "".join(out))


@lru_cache(maxsize=500_000)
def latin_token(token: str) -> tuple[str, str]:
    """One raw token → (lower-case ASCII form, rule: ``latin``, ``arabic``, ``cyrillic`` ...)."""
    if token.isascii():
        return _NON_ALNUM.sub("", token.lower()), "latin"
    if _ARABIC_RANGE.search(token):
        return _NON_ALNUM.sub("", _arabic_token(token)), "arabic"
    out = maybe_ascii(token.lower())
    rule = "cyrillic" if any("\u0400" <= ch <= "\u052f" for ch in token) else "latin-ascii"
    if not out.isascii():
        out = _ICU.transliterate(out)
        rule = "icu"
    return _NON_ALNUM.sub("", out.lower()), rule


# Vowel classes of the short vowels Arabic-script names are romanised with: fatha (a),
# kasra (i, y) and damma (u, o, w); ``e`` stands for fatha or kasra in Persian, Turkish and
# French romanisations. Bit masks: two vowels agree when their masks share a bit.
_VOWEL_CLASS: dict[str, int] = {"a": 1, "e": 3, "i": 2, "y": 2, "o": 4, "u": 4, "w": 4}


@lru_cache(maxsize=500_000)
def skeleton_parts(latin: str) -> tuple[str, tuple[int, ...]]:
    """The skeleton of a Latin token and its vowel slots (see :func:`skeleton`).

    Slot 0 holds the class mask of a first-letter vowel, slot ``i`` the vowels written after
    the skeleton's ``i``-th letter (0 when none). Equal skeletons have as many slots, so two
    spellings can be compared slot by slot (:func:`vowel_mismatches`).
    """
    if not latin:
        return "", ()
    if latin.isdigit():
        return latin, (0,) * (len(latin) + 1)
    s = latin
    if len(s) > 2 and s[-1] == "h" and s[-2] in _VOWELS:
        s = s[:-1]
    if "c" in s:
        s = _SOFT_C.sub("s", s)  # before digraphs: the c of ch, sch, tch is not soft
    for src, dst in _DIGRAPHS:
        if src in s:
            s = s.replace(src, dst)
    s = s.translate(_CONSONANT_MAP)
    vowel_first = s[0] in _VOWELS and s[0] != "y"
    first = "a" if vowel_first else ("v" if s[0] == "w" else s[0])
    out = [first]
    slots = [_VOWEL_CLASS[s[0]] if vowel_first else 0, 0]
    for ch in s[1:]:
        if ch in _SKELETON_VOWELS:
            slots[-1] |= _VOWEL_CLASS[ch]
            continue
        if ch != out[-1]:
            out.append(ch)
            slots.append(0)
    key = "".join(out)
    if key.startswith("abdl") and len(key) > 5:
        key = "abd" + key[4:]
        slots[3:5] = [slots[3] | slots[4]]
    return key, tuple(slots)


def skeleton(latin: str) -> str:
    """The consonant skeleton of a Latin token: the phonetic key shared by transliterations.

    Digraphs are reduced (``kh``→``h``, ``sh``→``s``, ``dzh``→``j``), ``c`` before ``e``,
    ``i``, ``y`` → ``s`` (Lounici, Francis), other ``q``/``c``→``k``, ``w``→``v``, ``z``→``s``;
    a final ``h`` after a vowel is dropped (Abdullah/Abdulla); vowels other than a first
    letter are dropped (a first vowel becomes ``a``); doubled letters collapse;
    ``abdl``+consonants becomes ``abd``+consonants (Abdurrahman).
    """
    return skeleton_parts(latin)[0]


def vowel_mismatches(a: str, b: str) -> int:
    """How many vowel slots of two tokens with the same skeleton hold vowels of different
    classes (``muhammad``/``mohamed``: 0; ``mohamed``/``mahmud``: 2; ``umar``/``amir``: 2).

    A slot empty on one side does not count: Arabic script leaves short vowels unwritten and
    Latin spellings drop them (``Mohmad``). Nor does a first-letter vowel: romanisations
    guess it (``Osama``/``Usama``, and ``ا``, ``أ``, ``ع`` give ``a`` whatever it is).
    """
    sa, sb = skeleton_parts(a)[1], skeleton_parts(b)[1]
    return sum(1 for x, y in zip(sa[1:], sb[1:], strict=False) if x and y and not x & y)


def split_names(raw: str) -> list[str]:
    """One raw name value → the names it holds (bracketed forms and ``;`` parts apart)."""
    raw = unicodedata.normalize("NFC", raw)
    out: list[str] = []
    for inner in _BRACKETS.findall(raw):
        if inner.strip():
            out.append(inner.strip())
    outer = _BRACKETS.sub(" ", raw)
    out[:0] = [part.strip() for part in outer.split(";") if part.strip()]
    return out


def _reorder(name: str) -> str:
    """``SURNAME/GIVEN TITLE`` and ``Surname, Given`` → ``Given Surname``."""
    if "/" in name:
        surname, _, given = name.partition("/")
        given_tokens = [t for t in given.split() if t.lower().strip(".") not in _TITLES_AIRLINE]
        return " ".join([*given_tokens, surname])
    if name.count(",") == 1:
        surname, _, given = name.partition(",")
        if surname.strip() and given.strip():
            return f"{given.strip()} {surname.strip()}"
    return name


@lru_cache(maxsize=50_000)
def name_forms(name: str) -> tuple[tuple[str, ...], dict[int, tuple[str, ...]]]:
    """One name → its normalised Latin tokens (in order, stop tokens dropped) and, by token
    position, other Latin forms of tokens written in Arabic script."""
    name = _reorder(name)
    name = _APOSTROPHES.sub("", name)
    out: list[str] = []
    alts: dict[int, tuple[str, ...]] = {}
    for raw in _SPLIT.split(name):
        if not raw or raw == "_":
            continue
        latin, rule = latin_token(raw)
        if not latin or latin in STOP_TOKENS:
            continue
        if latin in ABD_FORMS and not (rule == "arabic" and "ا" in raw):
            latin = _ABD  # عابد is Abid, not Abd
        others = token_alternatives(raw)
        if others:
            alts[len(out)] = others
        out.append(sys.intern(latin))  # one string object per distinct token, list-wide
    return tuple(out), alts


def name_tokens(name: str) -> tuple[str, ...]:
    """One name → its normalised Latin tokens, in order, stop tokens dropped."""
    return name_forms(name)[0]


@lru_cache(maxsize=20_000)
def token_rules(name: str) -> dict[str, tuple[str, str]]:
    """For explanations: normalised token → (original token, transliteration rule)."""
    out: dict[str, tuple[str, str]] = {}
    for raw in _SPLIT.split(_APOSTROPHES.sub("", _reorder(name))):
        if not raw or raw == "_":
            continue
        latin, rule = latin_token(raw)
        if latin in ABD_FORMS and not (rule == "arabic" and "ا" in raw):
            latin = _ABD
        out.setdefault(latin, (raw, rule))
    return out


def is_latin_name(name: str) -> bool:
    return all(latin_token(t)[1] == "latin" for t in _SPLIT.split(name) if t)


# ---- dates, countries, documents ---------------------------------------------------------

_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def clean_date(value: str) -> str | None:
    """An ISO prefix (``1970``, ``1970-05``, ``1970-05-12``) or ``None`` when not a date."""
    m = _DATE.match(value.strip())
    if not m:
        return None
    year, month, day = m.groups()
    if month is None or month == "00":
        return year
    if day is None or day == "00":
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


@lru_cache(maxsize=4096)
def clean_country(value: str) -> str | None:
    """ISO code or country name → lower-case ISO 3166 alpha-2 (FtM's country registry)."""
    value = value.strip()
    if not value:
        return None
    if len(value) == 2 and value.isascii() and value.isalpha():
        return value.lower()  # already a code: skip FtM's name index (slow to build once)
    code = registry.country.clean(value)
    return code.lower() if code else None


_DOC_TOKEN = re.compile(r"[A-Z0-9][A-Z0-9\-/. ]*[A-Z0-9]|[A-Z0-9]")


def clean_documents(value: str) -> tuple[str, ...]:
    """A document field → identifying numbers (upper-case alphanumerics with a digit, 5+ long).

    ``CAR diplomatic passport no. D00000897`` gives ``D00000897``; ``103-00653129-22`` gives
    ``1030065312922``.
    """
    whole = re.sub(r"[^A-Z0-9]", "", value.upper())
    if 5 <= len(whole) <= 14 and any(ch.isdigit() for ch in whole):
        return (whole,)
    out: list[str] = []
    for word in re.split(r"[\s,;:]+", value.upper()):
        token = re.sub(r"[^A-Z0-9]", "", word)
        if len(token) >= 5 and any(ch.isdigit() for ch in token):
            out.append(token)
    if not out:
        token = re.sub(r"[^A-Z0-9]", "", value.upper())
        if len(token) >= 5 and any(ch.isdigit() for ch in token):
            out.append(token)
    return tuple(out)
