"""Normalise what is compared: names (Latin tokens, skeletons, roles), dates, countries,
documents.

Everything here is a pure function of its input (no index statistics), cached where
the same value recurs across millions of names. The steps for a name (:func:`parse_name`):

1. split one raw value into names: text in brackets is a second name (the UN list puts
   Arabic-script forms in brackets inside Latin aliases), ``;`` separates names;
2. read names written in Han, kana or Hangul (:func:`ctnode.match.transliterate.readings`):
   a name may have several readings (Mandarin and Japanese);
3. reorder ``SURNAME/GIVEN`` (airline form, ICAO 9303) and ``Surname, Given``; drop the
   titles rigour lists at the head of a person's name (``President``, ``General``, ``Dr``);
4. cut into tokens, transliterate each to lower-case ASCII (:mod:`ctnode.match.transliterate`);
5. person names: drop connectors and honorifics (``al``, ``bin``, ``haji`` ...), map the
   ``Abd al-`` family of prefixes to ``abdul``, count a repeated part once, mark initials
   and patronymics; organisation names: legal forms to rigour's generic form, number words
   to digits, joining words dropped (:mod:`ctnode.match.orgs`), the acronym noted;
6. each token gets a consonant *skeleton* (``muhammad``, ``mohammed``, ``mukhammed``,
   ``محمد`` all give ``mhmd``), the phonetic key used by the index and the scorer.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import unicodedata
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

from rigour.names import NameTypeTag, Symbol, analyze_names, remove_person_prefixes

from ctnode.match import kept, symbols
from ctnode.match.orgs import (
    acronyms,
    has_legal_form,
    legal_form_text,
    numbers_to_digits,
    org_class,
    org_stopwords,
    written_acronyms,
    written_stopword_key,
    written_stopwords,
)
from ctnode.match.symbols import symbol_cap
from ctnode.match.transliterate import (
    ABD_WRITTEN,
    MAX_ALTERNATIVES,
    PRIME,
    abjad_keys,
    abjad_readings,
    arabic_alternatives,
    arabic_letters,
    article_readings,
    construct_reading,
    french_diaeresis_reading,
    glued_bin_reading,
    greek_alternative,
    habit_readings,
    has_arabic,
    hebrew_geresh,
    indic_alternatives,
    japanese_word_alternative,
    joined_abd,
    joined_abu,
    katakana_loanword_keys,
    katakana_sound_readings,
    katakana_syllable_readings,
    korean_alternative,
    latin_token,
    maqsura_reading,
    proclitic_bare_reading,
    proclitic_reading,
    proclitic_said,
    readings,
    russian_readings,
    warm_up_scripts,
    western_alternatives,
    western_habits,
    without_marks,
)

NameKind = Literal["person", "org"]
# How a token takes part (its weight, the rules that apply): see score.py.
ROLE_NAME, ROLE_LEGAL, ROLE_PATRONYMIC, ROLE_INITIAL = "", "legal", "patronymic", "initial"
ROLE_FORM = "form"  # a legal form proper (rigour's org types: LLC, JSC, GmbH ...) or "co"

# Tokens that carry no identity: Arabic articles and filiation words, honorifics, titles.
# "Son of" in Maghrebi and Mauritanian names (Ould, ولد read "wld"): a connector like bin
# (also when glued: ``Ouldmuhammad``).
FILIATION: frozenset[str] = frozenset({"ould", "wuld", "wld"})
STOP_TOKENS: frozenset[str] = frozenset(
    """al el ul ad ar as at az ash an ud bin ibn ben bint binti bte son of s o bn abn bnt
    mr mrs ms miss mstr dr prof haji hajji alhaj alhajj hadji mullah mulla maulavi mawlawi
    maulvi moulavi molvi sheikh shaykh shaikh sheik qari sayed sayyid""".split()
) | FILIATION

# The same honorifics written in Arabic script, as their letters read (the script leaves
# short vowels out): ملا mulla, سيد/سید sayyid, شيخ/شیخ sheikh, مولوي/مولوی maulavi, حجي and
# حاج haji. Dropped from a person's name like their Latin forms (title noted).
ARABIC_TITLES: frozenset[str] = frozenset({"mla", "sid", "shikh", "mului", "hji", "haj"})
# Ayn inside a word has no Latin letter in the reading (سعيد reads ``sid``): a part that
# writes it is no title, whatever its reading (سعيد is Said, not Sayyid: سيد)
_AYN = "ع"
_ARTICLE = "ال"

# Honorifics that are family names too, where a name ends with one (Pakistani and Indian
# Sheikh and Syed, Egyptian El Sayed, Somali Haji: ANJEM CHOUDARY is not ANJEM SHEIKH, and the
# UN list writes EZATULLAH HAQQANI KHAN SAYYID, MOHAMED OMAR HAJI): a person's name keeps
# one written last, after a part that is kept; at the head or inside the name it is a title.
SURNAME_HONORIFICS: frozenset[str] = frozenset(
    "sheikh shaykh shaikh sheik sayed sayyid haji hajji hadji".split())

# Connectors only in "son of": elsewhere a name (Korean 손 Son, Vietnamese Sơn: Kim Myong Son).
_CONNECTOR_BEFORE_OF: frozenset[str] = frozenset({"son"})

# Spellings of the "Abd al-" (servant of) prefix, mapped to one form.
ABD_FORMS: frozenset[str] = frozenset(
    {"abd", "abdul", "abdel", "abdal", "abdol", "abdu", "abdoul", "abdool", "abdil"}
)
_ABD = "abdul"
# The second halves of compound names, written apart: ad-Din (Siraj ad-Din, Jalal ad-Din)
# and Allah (Abd Allah, Wali Allah). Like Abd, each name written in Arabic script keeps its
# own when two such names stand in one (سراج الدين جلال الدين: Sirajuddin Jalaluddin), so
# that both stay whole.
COMPOUND_TAILS: frozenset[str] = frozenset({"din", "allah"})

# Patronymic endings (Russian, Ukrainian, Belarusian -ovich/-ovna; Kazakh, Kyrgyz, Uzbek
# -uly/-kyzy; Turkic -oglu): such a part is a father's name, often left out or added.
_PATRONYMIC = re.compile(r"(?:[oe]vi?ch|[oe]vna|ichna|yevich|ievich|[iy]?evna|uly|ulu|"
                         r"kyzy|qyzy|gyzy|oglu|ogly)$")
MIN_PATRONYMIC = 6  # shortest token read as a patronymic

_SPLIT = re.compile(r"[^\w]+", re.UNICODE)


def raw_tokens(text: str) -> list[str]:
    """Cut a name into its written parts: at spaces, punctuation and symbols. Letters,
    digits and combining marks stay together (Khmer, Thai, Bengali vowel signs are marks,
    which a plain ``\\w`` split would cut out of their words)."""
    if text.isascii():
        return [t for t in _SPLIT.split(text) if t and t != "_"]
    out: list[str] = []
    cur: list[str] = []
    for ch in text:
        if unicodedata.category(ch)[0] in "LNM":
            cur.append(ch)
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out
def _split_joined(raws: list[str], notes: list[str] | None = None) -> list[str]:
    """Arabic-script parts written as one split where the script's usage says they are two
    (``transliterate.joined_abd``: ``عبدالحليم`` → ``عبد الحليم``; ``joined_abu``:
    ``أبواليزيد`` → ``أبو اليزيد``), each split noted."""
    out: list[str] = []
    for raw in raws:
        parts: tuple[str, ...] = (raw,)
        if has_arabic(raw):
            parts = joined_abd(raw)
            if len(parts) == 1:
                parts = joined_abu(raw)
        if len(parts) > 1 and notes is not None:
            slipped = "".join(parts) != without_marks(raw)  # (abd_al_slip: letters added)
            notes.append(f"read as two parts{', Abd al- with a letter left out' if slipped else ''}"
                         f": {raw} → {' '.join(parts)}")
        out.extend(parts)
    return out


# (with the Hebrew geresh ׳, which Hebrew writes where others write an apostrophe: עות׳מאן)
_APOSTROPHES = re.compile(r"[\'’‘`ʻʼʿʾ´\u05f3]")
_BRACKETS = re.compile(r"[(\[{]([^)\]}]*)[)\]}]")


# What a batch names the organisation tables (see warm_up): a query of any schema but
# Person reads its names as an organisation's (too), a Person query never loads them
ORG_TABLES = "org"


def warm_up(tagger: bool = True, han: bool = True, orgs: bool = True) -> None:
    """Load ICU's rules for every script, the Japanese reading tables (not without ``han``:
    see ``transliterate.warm_up_scripts``), the organisation tables (not without ``orgs``:
    rigour's organisation tagger, legal forms and number words) and (``tagger``) rigour's
    person-name tagger now (called when the node starts), instead of on a live request.

    The tagger is left out when screens do not need it (an index with its symbol table):
    rigour builds it in one call that holds the interpreter lock for seconds, so a server
    warming it up answers nothing meanwhile, not even ``/healthz``. It is then built the
    first time a list change adds a listed name (on the index's update thread)."""
    warm_up_scripts(han)
    if tagger:
        name_symbols("muhammad")
    if orgs:
        parse_name("Acme Twelve Limited", "org")
    nickname_forms("william")


def name_symbols(token: str) -> frozenset[str]:
    """rigour's person-name symbols of one token (:func:`rigour_symbols`); when screening
    with an index's symbol table (:mod:`ctnode.match.symbols`), read from rigour's
    dictionary as rigour's tagger reads it, without starting the tagger (none for a token
    that cannot share a symbol with a listed one)."""
    table = symbols.active()
    if table is not None:
        answer = table.answer(token)
        if answer is not None:
            return answer
    found = symbols.listed_answer(token)  # (an index build: from rigour's dictionary)
    if found is None:
        found = rigour_symbols(token)
    record = symbols.recording()
    if record is not None:
        record[token] = found
    return found


@lru_cache(maxsize=500_000)
def rigour_symbols(token: str) -> frozenset[str]:
    """rigour's person-name symbols (Wikidata items, ``Q16428906``) of one token, Latin or
    in its own script (``Владимир``, ``אברהם``, ``গিয়াস``).

    Two tokens sharing a symbol are forms of one given or family name across languages
    (Foma/Thomas, Josyp/Joseph, Mahoma/Muhammad), which no spelling rule can see. Digits,
    tokens under three letters (one Han or Hangul syllable counts as two) and tokens with
    more than MAX_NAME_SYMBOLS symbols get none (a word of three or more Han, kana or Hangul
    characters up to MAX_WORD_SYMBOLS: :func:`symbols.symbol_cap`).
    """
    if not symbols.asks(token):
        return frozenset()
    found: set[str] = set()
    for name in analyze_names(NameTypeTag.PER, [token], consolidate=False, rewrite=False,
                              phonetics=False, numerics=False):
        for symbol in name.symbols:
            if symbol.category == Symbol.Category.NAME:
                found.add(str(symbol.id))
    if len(found) > symbol_cap(token):
        return frozenset()
    return frozenset(sys.intern(f) for f in found)


_NICKNAMES: object | None = None


@lru_cache(maxsize=200_000)
def nickname_forms(latin: str) -> frozenset[str]:
    """Nicknames and full forms of an English given name (``bill`` ↔ ``william``, ``bob``
    ↔ ``robert``), from the hand-curated ``nicknames`` dataset (Old Dominion University)."""
    global _NICKNAMES
    if len(latin) < 2 or not latin.isalpha():
        return frozenset()
    if _NICKNAMES is None:
        from nicknames import NickNamer

        _NICKNAMES = NickNamer()
    namer = _NICKNAMES
    forms = set(namer.nicknames_of(latin)) | set(namer.canonicals_of(latin))  # type: ignore[attr-defined]
    return frozenset(f for f in forms if f != latin and f.isalpha())


# Latin digraphs reduced before vowels are dropped, in order.
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("dzh", "j"), ("tch", "c"), ("sch", "s"), ("kh", "h"), ("gh", "g"), ("ph", "f"),
    ("th", "t"), ("dh", "d"), ("sh", "s"), ("zh", "j"), ("dj", "j"), ("ck", "k"),
    ("ch", "c"), ("ts", "s"), ("tz", "s"),
)
# (the prime of an Arabic-script part's reading that keeps two letters apart is read as
# nothing, once the digraphs are reduced: ``sʹhil`` → ``shl``; see transliterate.PRIME)
_CONSONANT_MAP = str.maketrans({"q": "k", "c": "k", "z": "s", "x": "h", PRIME: None})
# the Latin digraphs, which an Arabic-script reading may write by chance (س+ه ``sh``)
DIGRAPH_SOURCES = frozenset(src for src, _dst in _DIGRAPHS)
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



# Vowel classes of the short vowels Arabic-script names are romanised with: fatha (a),
# kasra (i, y) and damma (u, o, w); ``e`` stands for fatha or kasra in Persian, Turkish and
# French romanisations. Bit masks: two vowels agree when their masks share a bit.
_VOWEL_CLASS: dict[str, int] = {"a": 1, "e": 3, "i": 2, "y": 2, "o": 4, "u": 4, "w": 4}


def _skeleton_text(latin: str) -> str:
    """A token's letters as the skeleton reads them: a final ``h`` after a vowel dropped,
    a soft ``c`` read ``s``, digraphs reduced, ``q``/``c``/``z``/``x`` mapped."""
    s = latin
    if len(s) > 2 and s[-1] == "h" and s[-2] in _VOWELS:
        s = s[:-1]
    if "c" in s:
        s = _SOFT_C.sub("s", s)  # before digraphs: the c of ch, sch, tch is not soft
    for src, dst in _DIGRAPHS:
        if src in s:
            s = s.replace(src, dst)
    return s.translate(_CONSONANT_MAP)


@lru_cache(maxsize=50_000)
def written_skeleton(latin: str) -> str:
    """The skeleton of an Arabic-script part's reading with two equal consonants written
    side by side kept as two (``ممد`` ``mmd``; :func:`skeleton` gives ``md``): Arabic
    script writes a doubled consonant once (its shadda is left out), so two letters
    written are two consonants. Equal to :func:`skeleton` when none are. Cached: the abjad
    rule asks it of the same reading for every Latin part that reading is compared with."""
    if not latin or latin.isdigit():
        return skeleton(latin)
    s = _skeleton_text(latin)
    out = ["a" if s[0] in _VOWELS and s[0] != "y" else ("v" if s[0] == "w" else s[0])]
    previous = s[0]
    for ch in s[1:]:
        if ch not in _SKELETON_VOWELS and (ch != out[-1] or previous == ch):
            out.append(ch)
        previous = ch
    key = "".join(out)
    if key.startswith("abdl") and len(key) > 5:
        key = "abd" + key[4:]
    return key


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
    s = _skeleton_text(latin)
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


# Connectors and honorifics found glued to a name part (``ElMotassadeq``, ``HusseinAl``).
_GLUED = tuple(sorted((t for t in STOP_TOKENS if len(t) >= 2), key=len, reverse=True))
MIN_UNGLUED = 4  # shortest remainder kept after cutting a glued connector


_ASSIMILATED = frozenset({"ad", "ar", "as", "ash", "at", "az", "an", "ud", "ul"})
# The article assimilated to a sun letter as French and Maghrebi spellings write it, glued:
# es-, et-, ed-, er-, ez-, en- before the doubled letter (Essabar, Essaadi, Ettayeb,
# Errahmane, Ennahdi); cut only from a start followed by that letter.
_ASSIMILATED_E: tuple[str, ...] = ("esh", "es", "et", "ed", "er", "ez", "en")
_GLUED_BY_START: dict[str, tuple[str, ...]] = {}
_GLUED_BY_END: dict[str, tuple[str, ...]] = {}
for _stop in _GLUED:
    _GLUED_BY_START[_stop[:2]] = (*_GLUED_BY_START.get(_stop[:2], ()), _stop)
    _GLUED_BY_END[_stop[-2:]] = (*_GLUED_BY_END.get(_stop[-2:], ()), _stop)


def _unglued(latin: str) -> list[str]:
    """Forms of a token without a connector glued to its start (``elmotassadeq``,
    ``assabar`` = as-Sabar) or to its end (``husseinal``, ``imedben``).

    ``ad``, ``as``, ``ash`` ... are the article assimilated to a sun letter, which doubles
    that letter: ``as`` is cut from ``assabar``, not from ``ashiani``, ``adnani``, ``ansari``;
    it is never cut from an end (``rahman``, ``hammud`` are whole names).
    """
    out: list[str] = []
    if len(latin) < MIN_UNGLUED + 2:
        return out
    for stop in _GLUED_BY_START.get(latin[:2], ()):
        rest = latin[len(stop):]
        if (latin.startswith(stop) and len(rest) >= MIN_UNGLUED
                and (stop not in _ASSIMILATED or rest.startswith(stop[1:]))):
            out.append(rest)
    if latin[0] == "e":
        for stop in _ASSIMILATED_E:
            rest = latin[len(stop):]
            if latin.startswith(stop) and len(rest) >= MIN_UNGLUED and rest.startswith(stop[1:]):
                out.append(rest)
                break
    for stop in _GLUED_BY_END.get(latin[-2:], ()):
        if (latin.endswith(stop) and len(latin) - len(stop) >= MIN_UNGLUED
                and stop not in _ASSIMILATED):
            out.append(latin[: -len(stop)])
    return out


@lru_cache(maxsize=200_000)
def token_alternatives(token: str) -> tuple[str, ...]:
    """Other Latin forms of a raw token: Arabic letters read the Persian way (``ثاقب`` →
    ``saqb`` beside ``thaqb``) or, in a Persian-read token, the Arabic way; a Hangul
    syllable's Revised Romanization (``정`` → ``jeong`` beside ``jong``); a short Han word's
    Japanese reading (``翔太`` → ``shota`` beside ``xiangtai``); the name part
    without a glued connector (``elmotassadeq`` → ``motassadeq``); the English-style
    spelling of a Cyrillic name written by German, Polish or French habits
    (``tschernow`` → ``chernov``)."""
    if has_arabic(token):
        return tuple(arabic_alternatives(token))[:MAX_ALTERNATIVES]
    indic = indic_alternatives(token)
    if indic:
        return indic
    korean = korean_alternative(token) or greek_alternative(token)
    if korean is not None:
        return (korean,)
    latin, rule = latin_token(token)
    japanese = japanese_word_alternative(token) if rule == "chinese" else None
    if japanese is not None:
        return (japanese,) if japanese != latin else ()
    out = _unglued(latin)
    if rule == "latin":
        out += western_alternatives(latin)
    elif rule == "latin-ascii" and (y := french_diaeresis_reading(token)) is not None:
        out += [y, *western_alternatives(y)]  # French ï for Russian й: Andreï → andrey
    if rule in ("latin", "cyrillic"):
        out += russian_readings(latin, cyrillic=rule == "cyrillic")
    return tuple(dict.fromkeys(a for a in out if a != latin))[:MAX_ALTERNATIVES]



def split_names(raw: str) -> list[str]:
    """One raw name value → the names it holds (bracketed forms and ``;`` parts apart)."""
    raw = arabic_letters(unicodedata.normalize("NFC", raw))
    out: list[str] = []
    for inner in _BRACKETS.findall(raw):
        if inner.strip():
            out.append(inner.strip())
    outer = _BRACKETS.sub(" ", raw)
    out[:0] = [part.strip() for part in outer.split(";") if part.strip()]
    return out


def _reorder(name: str) -> tuple[str, bool]:
    """``SURNAME/GIVEN TITLE`` and ``Surname, Given`` → ``Given Surname``; and whether the
    written last part (where a field limit cuts) is now the second last."""
    if "/" in name:
        surname, _, given = name.partition("/")
        given_tokens = [t for t in given.split() if t.lower().strip(".") not in _TITLES_AIRLINE]
        return " ".join([*given_tokens, surname]), bool(given_tokens)
    if name.count(",") == 1:
        surname, _, given = name.partition(",")
        if surname.strip() and given.strip():
            return f"{given.strip()} {surname.strip()}", True
    return name, False


# rigour's class symbol for company / corporation / co: a legal designation in registries
# that have no form of their own (ISO 20275 lists Corp., Co. and Inc. for US states)
_COMPANY = frozenset({"co"})


class ParsedName(NamedTuple):
    """One reading of one name, ready for the scorer and the index.

    ``alts`` and ``symbols`` are keyed by token position and only hold positions that have
    some (other Latin forms; rigour symbols of a token written in its own script beyond
    those of its Latin form). ``roles`` says how each token takes part (``ROLE_*``).
    ``script_key`` is the name in Han (simplified) or Hangul when written so: two such
    names are the same only when their keys are equal. ``last_written`` is the position of
    the part written last (a field limit cuts there), -1 when none. ``acronyms`` are read
    off the normalised parts; ``written_acronyms`` (others, read off the name as written,
    before legal forms, numbers and class words are normalised) count for a listed name
    only: a query's full name whose initials as written equal a listed one-part name is a
    weaker sign than a query that *is* a listed name's initials.
    """

    tokens: tuple[str, ...]
    alts: dict[int, tuple[str, ...]]
    symbols: dict[int, frozenset[str]]
    roles: tuple[str, ...]
    script_key: str
    acronyms: tuple[str, ...]
    last_written: int
    notes: tuple[str, ...]
    written_acronyms: tuple[str, ...] = ()


def name_kind(schema: str, name: str = "") -> NameKind:
    """How a name of an entity of ``schema`` is read: people's names as persons', names of
    organisations, companies, vessels and aircraft as organisations'; a LegalEntity's as an
    organisation's when it holds a legal form."""
    if schema == "Person":
        return "person"
    if schema in ("LegalEntity", "Thing", ""):
        return "org" if name and has_legal_form(name) else "person"
    return "org"


# Arabic and Persian class words rigour's organisation symbols hold only in other languages,
# each with the English word of rigour's symbol table it translates (the symbol is rigour's:
# ``written_class`` asks ``org_class`` of the English word). Meanings as an Arabic or Persian
# dictionary gives them (Hans Wehr; Steingass); only words whose English rigour files under a
# symbol. Written with the Arabic kaf and ta marbuta (``written_class`` folds the Persian
# keheh, the Farsi yeh and a final heh into them); a Persian word ending in heh is listed as
# written.
ARABIC_CLASS_WORDS: dict[str, str] = {
    "شبكة": "network",  # shabaka (Persian شبکه)
    "مكتب": "office",  # maktab
    "دفتر": "office",  # Persian daftar
    "تنظيم": "organization",  # tanzim
    "منظمة": "organization",  # munazzama
    "سازمان": "organization",  # Persian sazman
    "جماعة": "group",  # jama'a
    "گروه": "group",  # Persian goruh
    "جمعية": "association",  # jam'iyya
    "جمعيت": "association",  # Persian jam'iyat
    "شركت": "company",  # Persian sherkat (Arabic شركة is rigour's own)
}


def written_class(raw: str) -> str | None:
    """The organisation-class word a part written in a non-Latin script is, as written
    (rigour's organisation symbols hold such words in Arabic, Cyrillic, Han ...: ``شركة``,
    ``компания``, ``公司`` → ``co``; ``مؤسسة`` → ``corp``; ``Группа`` → ``grp``), its Latin
    reading being no English word; an Arabic-script part also without its article and with
    a final heh read as ta marbuta (Persian writing: ``شرکه``). An Arabic-script part rigour
    does not hold may be one of :data:`ARABIC_CLASS_WORDS` (``شبکه`` network, ``مكتب``
    office, ``تنظيم`` organization: an organisation's name written in Arabic or Persian
    translates the class word its English name writes), whose English word gives rigour's
    symbol (ar4, 2026-12-07)."""
    if raw.isascii():
        return None
    found = org_class(raw.casefold())
    if found is None and has_arabic(raw):
        bare = raw[2:] if raw.startswith(_ARTICLE) and len(raw) > 4 else raw
        bare = bare.replace("ک", "ك")  # keheh: the Persian kaf
        marbuta = bare[:-1] + "ة" if bare.endswith("ه") else bare
        found = org_class(bare) or (org_class(marbuta) if marbuta != bare else None)
        if found is None:
            bare, marbuta = bare.replace("ی", "ي"), marbuta.replace("ی", "ي")  # Farsi yeh
            english = ARABIC_CLASS_WORDS.get(bare) or ARABIC_CLASS_WORDS.get(marbuta)
            found = org_class(english) if english else None
    return found


def _written_words(text: str) -> list[list[str]]:
    """An organisation's name as written, in Latin words, cut two ways: at spaces (AL-QAIDA
    and P.L.C. are one word each) and at every mark (AL, QAIDA; P, L, C)."""
    text = _APOSTROPHES.sub("", text)
    by_space = ["".join(latin_token(r)[0] for r in raw_tokens(w)) for w in text.split()]
    return [by_space, [latin_token(r)[0] for r in raw_tokens(text)]]


@lru_cache(maxsize=50_000)
def parse_name(name: str, kind: NameKind = "person") -> tuple[ParsedName, ...]:
    """One name → its readings (one unless written in Han), each parsed (see the module)."""
    out = []
    for reading in readings(name):
        parsed = _parse_reading(reading.text, kind, reading.script_key, reading.rule,
                                reading.katakana_parts)
        if parsed.tokens:
            out.append(parsed)
        arabic_titles = [n[len("title '"):-len("' left out")] for n in parsed.notes
                         if n.startswith("title '") and has_arabic(n)]
        if kind == "person" and arabic_titles:
            # a title written in Arabic script may be a name (سيد: Sayyid, and the given
            # name Sayed, Syed, Said): also read with it kept, the better reading wins
            kept = _parse_reading(reading.text, kind, reading.script_key, reading.rule,
                                  reading.katakana_parts, arabic_titles=False)
            if kept.tokens and kept.tokens != parsed.tokens:
                out.append(kept._replace(notes=(
                    f"read as a name, not a title: {' '.join(arabic_titles)}", *kept.notes)))
        untitled = without_head_titles(reading.text) if kind == "person" else None
        if untitled is not None:
            bare, titles = untitled
            parsed = _parse_reading(bare, kind, reading.script_key, reading.rule,
                                    reading.katakana_parts)
            if parsed.tokens:
                note = f"title '{titles}' left out"
                out.append(parsed._replace(notes=(note, *parsed.notes)))
    return tuple(out)


MIN_TITLE = 3  # a shorter title (lt, ra) counts only written with a period: Ra is a surname
# words left after the titles: a title word may be a name (SULTAN TAGANDA is no title and
# one name part, which a one-part listed name would meet whole)
MIN_AFTER_TITLE = 2


@lru_cache(maxsize=1)
def _titles() -> frozenset[str]:
    """nameparser's titles (LGPL-2.1-or-later, a dependency: some 800 titles, ranks and
    offices, each vetted against given names): read from the file kept beside the name
    index (``match.kept``: 1 ms), else from nameparser on first use (its import, about
    0.03 s of CPU in each process, each batch worker) and written there."""
    titles: frozenset[str] = TITLES.get()
    return titles


def read_titles() -> list[str]:
    """nameparser's titles, sorted (importing nameparser)."""
    from nameparser.config.titles import TITLES as NAMEPARSER_TITLES

    return sorted(NAMEPARSER_TITLES)


def _titles_source() -> object:
    """What tells one nameparser's titles from another's: the CRC-32 of its titles file
    (found without importing nameparser), or None where it cannot be read."""
    try:
        spec = importlib.util.find_spec("nameparser")
        if spec is None or spec.origin is None:
            return None
        return zlib.crc32((Path(spec.origin).parent / "config" / "titles.py").read_bytes())
    except (ImportError, OSError, ValueError):
        return None


# (version: bump when read_titles gives another table from the same nameparser)
TITLES = kept.table("name-titles", 1, read_titles,
                    lambda plain: isinstance(plain, list) and all(isinstance(t, str)
                                                                  for t in plain),
                    frozenset, source=_titles_source)


def without_head_titles(text: str) -> tuple[str, str] | None:
    """A person's name without the titles at its head that rigour's prefixes and our
    honorifics leave in (``Commander``, ``Lieutenant``, ``Sergeant``, ``Capt.``), as (the
    rest, the titles left out); None when there is no such title or fewer than two words
    would be left.
    A second reading, not a replacement: a word that is a title may be a name (Sultan)."""
    words = text.split()
    head = 0
    new = False  # a title, not only our honorifics (rigour's prefixes: checked below)
    while head < len(words) - MIN_AFTER_TITLE:
        word = words[head].casefold()
        bare = word.rstrip(".")
        honorific = bare in STOP_TOKENS
        title = bare in _titles() and (len(bare) >= MIN_TITLE or word != bare)
        if not (honorific or title):
            break
        new = new or not honorific
        head += 1
    if not new:  # (the usual case: a name whose first word is no title asks no regex)
        return None
    rest = " ".join(words[head:])
    if remove_person_prefixes(text) == rest:  # the plain reading leaves them out already
        return None
    return rest, " ".join(words[:head])


def _parse_reading(text: str, kind: NameKind, script_key: str, reading_rule: str,
                   katakana: frozenset[str] = frozenset(),
                   arabic_titles: bool = True) -> ParsedName:
    notes: list[str] = []
    if reading_rule:
        notes.append(f"read as {reading_rule}: {text}")
    # "SURNAME, Given" is a person's; an organisation's comma is punctuation (CO., LTD.)
    text, swapped = _reorder(text) if kind == "person" else (text, False)
    if kind == "person":
        stripped = remove_person_prefixes(text)
        if stripped != text and stripped.strip():
            notes.append(f"title '{text[:len(text) - len(stripped)].strip()}' left out")
            text = stripped
    legal: frozenset[str] = frozenset()
    written: list[str] = []
    forms: frozenset[str] = frozenset()
    as_written = text
    if kind == "org":
        text, legal = legal_form_text(text)
        forms = legal | _COMPANY
    # Hebrew letters with a geresh: each part also read as the sounds they write (an
    # alternative: the letters as written keep their rigour symbols, עותמאן Uthman)
    geresh: dict[str, str] = {}
    if (heard := hebrew_geresh(text)) != text:
        written_parts = raw_tokens(_APOSTROPHES.sub("", text))
        heard_parts = raw_tokens(_APOSTROPHES.sub("", heard))
        if len(written_parts) == len(heard_parts):
            geresh = {w: latin_token(h)[0] for w, h in zip(written_parts, heard_parts,
                                                           strict=True) if w != h}
            notes.append(f"Hebrew letters with geresh read as the sounds they write: {text} "
                         f"→ {heard}")
    text = _APOSTROPHES.sub("", text)
    raws = raw_tokens(text)
    if kind == "person" and not text.isascii():
        raws = _split_joined(raws, notes)
    tokens: list[str] = []
    keep_raw: list[str] = []
    before: list[str] = []
    rules: list[str] = []
    for k, raw in enumerate(raws):
        latin, rule = latin_token(raw)
        if not latin:
            continue
        if kind == "person" and rule == "arabic" and latin not in STOP_TOKENS and (
                maqsura_reading(raw) in STOP_TOKENS):
            latin = maqsura_reading(raw) or latin  # حاجى: the title Haji, alef maqsura for yeh
        if (kind == "person" and rule == "arabic" and latin in ARABIC_TITLES
                and _AYN not in raw and arabic_titles):
            notes.append(f"title '{raw}' left out")
            continue
        if kind == "person" and latin in STOP_TOKENS and not (
                # الولد is al-Walid (a name with the article), not the connector ولد
                rule == "arabic" and latin in FILIATION and raw.startswith(_ARTICLE)) and (
                latin not in _CONNECTOR_BEFORE_OF
                or (k + 1 < len(raws) and raws[k + 1].lower() == "of")) and not (
                # Sheikh, Sayed, Haji written last: a family name (SURNAME_HONORIFICS)
                latin in SURNAME_HONORIFICS and rule in _LATIN_RULES and k == len(raws) - 1
                and tokens):
            continue
        if latin in ABD_FORMS and not (rule == "arabic" and "ا" in raw):
            latin = _ABD  # عابد is Abid, not Abd
        before.append(raws[k - 1] if k else "")  # (a person's: the written part before)
        tokens.append(latin)
        keep_raw.append(raw)
        rules.append(rule)
    last_written = len(tokens) - 1 - (1 if swapped and len(tokens) > 1 else 0)
    if kind == "org":
        stops, written_stops = org_stopwords(), written_stopwords()
        as_joining = [written_stopword_key(r) in written_stops for r in keep_raw]
        kept = [i for i, t in enumerate(tokens)
                if t in legal or (t not in stops and not as_joining[i])]
        if any(as_joining) and kept:
            notes.append("joining words written in Arabic script left out: " + ", ".join(
                r for r, j in zip(keep_raw, as_joining, strict=True) if j))
        if kept:
            tokens = [tokens[i] for i in kept]
            keep_raw = [keep_raw[i] for i in kept]
            rules = [rules[i] for i in kept]
        digits = numbers_to_digits(tokens)
        if digits != tokens:
            notes.append("numbers as digits: " + ", ".join(
                f"{a} → {b}" for a, b in zip(tokens, digits, strict=False) if a != b))
            # two number words may have become one number: rebuild the raw forms
            if len(digits) != len(tokens):
                keep_raw, rules = digits[:], ["latin"] * len(digits)
            tokens = digits
        written = list(tokens)  # as written: acronyms take the words' own initials
        classes = [org_class(t) for t in tokens]
        shown = list(tokens)
        for i, (c, r) in enumerate(zip(classes, keep_raw, strict=True)):
            if c is None and (c := written_class(r)) is not None:
                classes[i], shown[i] = c, r  # a class word as written (شركة → co)
        if any(classes):
            notes.append("class words: " + ", ".join(
                f"{t} → {c}" for t, c in zip(shown, classes, strict=True) if c and c != t))
            legal = legal | frozenset(c for c in classes if c)
            tokens = [c or t for t, c in zip(tokens, classes, strict=True)]
        last_written = len(tokens) - 1
    roles: list[str] = []
    alts: dict[int, tuple[str, ...]] = {}
    symbols: dict[int, frozenset[str]] = {}
    out: list[str] = []
    seen: set[str] = set()
    # an Arabic-script part written again with a consonant left out: the shorter spelling
    # counts once, beside the full one (index → the full spelling)
    shorter_twin: dict[int, str] = {}
    if kind == "person":
        arabic = [k for k, r in enumerate(rules) if r == "arabic"]
        for k in arabic:
            full = next((keep_raw[j] for j in arabic if len(keep_raw[j]) == len(keep_raw[k]) + 1
                         and j not in shorter_twin
                         and consonant_dropped_repeat(keep_raw[k], keep_raw[j])), None)
            if full is not None:
                shorter_twin[k] = full
    # a person's name written by a German, Polish or French habit (a strong telling mark in
    # one of its Latin parts: Khamidoullakh): its other parts are read by that habit too
    # (Cher → sher), since the habit is the writer's, not the part's
    habits = tuple(dict.fromkeys(
        h for latin, rule in zip(tokens, rules, strict=True) if rule in _LATIN_RULES
        for h in western_habits(latin, strong=True))) if kind == "person" else ()
    for k, (raw, latin, rule) in enumerate(zip(keep_raw, tokens, rules, strict=True)):
        # Abd is the head of each Abd- name (Abd al-Halim, Abd al-Fattah), and ad-Din and
        # Allah the tail of compound names (COMPOUND_TAILS), not names themselves: each keeps
        # its own, so that both stay whole (joined: Abdelfattah, Jalaluddin)
        if (kind == "person" and latin in seen and len(latin) > 1 and latin != _ABD
                and not (rule == "arabic" and latin in COMPOUND_TAILS)):
            notes.append(f"repeated part '{latin}' counted once")
            continue
        # (respelt_repeat asks for five letters or more: a shorter part is no retyped one)
        if kind == "person" and rule in _LATIN_RULES and len(latin) >= MIN_RESPELT_REPEAT and (
                twin := next((t for t in out if respelt_repeat(latin, t)), None)):
            notes.append(f"part '{latin}' counted once: '{twin}' written again with a typo")
            continue
        if k in shorter_twin:
            notes.append(f"part '{raw}' counted once: '{shorter_twin[k]}' written again with a "
                         f"typo")
            continue
        seen.add(latin)
        pos = len(out)
        others = token_alternatives(raw)
        if kind == "org" and latin.isdigit() and (word := latin_token(raw)[0]).isalpha():
            others = (*others, word)  # a number word as written: met by the typo rule (fihst)
        if habits and rule in _LATIN_RULES and len(latin) >= MIN_HABIT_PART:
            own = western_habits(latin)
            by_name = [h for h in habits if h not in own]
            if by_name:
                by_habit = [a for a in habit_readings(latin, by_name) if a not in others]
                if by_habit:
                    others = (*others, *by_habit)[:MAX_ALTERNATIVES + MAX_HABIT_EXTRA]
        if raw in geresh and geresh[raw] != latin and geresh[raw] not in others:
            others = (*others, geresh[raw])
        if reading_rule == "japanese" and "r" in latin:
            others = (*others, latin.replace("r", "l"))  # kana write l as r (アブダル Abdul)
        if latin in katakana:  # a foreign name in katakana: its loanword keys
            others = (*others, *katakana_syllable_readings(latin),
                      *katakana_sound_readings(latin), *katakana_loanword_keys(latin))
        if rule == "arabic":  # written in an abjad: its readings' abjad keys
            for reading, said in (*proclitic_reading(raw), *proclitic_said(raw),
                                  *(proclitic_bare_reading(raw) if kind == "org" and k else ()),
                                  *(construct_reading(raw) if k + 1 < len(keep_raw) else ())):
                if reading != latin and reading not in others:
                    others = (*others, reading)
                    notes.append(f"read as {said}: {raw} → {reading}")
            if kind == "person":
                for reading, said in (*article_readings(raw, before[k], k == len(keep_raw) - 1),
                                      *glued_bin_reading(raw)):
                    if reading != latin and reading not in others:
                        others = (*others, reading)
                        notes.append(f"read as {said}: {raw} → {reading}")
            readings = abjad_readings(raw, DIGRAPH_SOURCES)
            for reading in readings:
                if PRIME in reading:
                    notes.append(f"read as two letters, not one Latin digraph (the ALA-LC "
                                 f"prime): {raw} → {reading}")
            if kind == "person" and without_marks(before[k]) == ABD_WRITTEN:
                # after Abd: a divine name, a second prime says so (abjad_similarity)
                readings = tuple(PRIME + r if r[:1] == PRIME else r for r in readings)
            others = (*others, *abjad_keys((*readings, *others)))
        if others:
            alts[pos] = others
        if rule not in ("latin", "latin-ascii"):
            extra = name_symbols(raw.lower()) - name_symbols(latin)
            if extra:
                symbols[pos] = extra
        if kind == "org" and latin in legal:
            role = ROLE_FORM if latin in forms else ROLE_LEGAL
        elif len(latin) == 1 and latin.isalpha():
            role = ROLE_INITIAL
        elif (kind == "person" and len(latin) >= MIN_PATRONYMIC
              and _PATRONYMIC.search(latin) and pos > 0):
            role = ROLE_PATRONYMIC
        else:
            role = ROLE_NAME
        roles.append(role)
        out.append(sys.intern(latin))  # one string object per distinct token, list-wide
    if out and last_written >= len(out):
        last_written = len(out) - 1
    acr = acronyms(tuple(written), tuple(r in (ROLE_LEGAL, ROLE_FORM) for r in roles)) \
        if kind == "org" and len(written) == len(out) else ()
    more: tuple[str, ...] = ()
    if kind == "org" and len(out) > 1:
        more = tuple(a for a in written_acronyms(_written_words(as_written)) if a not in acr)
    return ParsedName(tuple(out), alts, symbols, tuple(roles), script_key, acr,
                      last_written if out else -1, tuple(notes), more)


_LATIN_RULES = frozenset({"latin", "latin-ascii"})
MIN_HABIT_PART = 2  # letters of a part read by its name's habit (Cher, Ion, Ju)
MAX_HABIT_EXTRA = 2  # forms a part may hold beyond MAX_ALTERNATIVES from its name's habit
MIN_RESPELT_REPEAT = 5  # letters of both parts for a part to be read as another respelt


def respelt_repeat(a: str, b: str) -> bool:
    """``a`` is the part ``b`` of the same name written again with a typo: one letter
    added, dropped, or two neighbours swapped, inside the word (not its first or last
    letter: ``Hassani`` is not ``Hassan`` again, a suffix makes another name), both of
    five letters or more (``MOHAMED OMAR MHAMED``, ``ABDIKADIR MOHAMED ADIKADIR``). A
    letter changed is not read so (``Karim Kasim``, ``Hamid Hamed`` may be two names). A
    part written twice counts once (above); a list writing a name's part twice is then
    met by a query that repeats it with a typo, whose second spelling found nothing."""
    if a == b or min(len(a), len(b)) < MIN_RESPELT_REPEAT or abs(len(a) - len(b)) > 1:
        return False
    if a[0] != b[0] or a[-1] != b[-1]:
        return False
    if len(a) == len(b):  # two neighbours swapped, and nothing else
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return any(longer[:i] + longer[i + 1:] == shorter for i in range(1, len(longer) - 1))


# Arabic letters that write long vowels (and hamza seats): left out or added, they change
# the name (حسن Hassan, حسين Hussein), not only its spelling
_ARABIC_VOWEL_LETTERS = frozenset("اأإآىيیوؤئءةه")
MIN_DROPPED_REPEAT = 3  # letters of the shorter Arabic-script part


def consonant_dropped_repeat(a: str, b: str) -> bool:
    """``a`` is the Arabic-script part ``b`` of the same name written again with one
    consonant left out inside the word (not its first or last letter), or the reverse
    (``محد ولی محمد``, ``نیک ممد دوست محمد``), the shorter of three letters or more. A
    long-vowel letter left out is not read so: it makes another name (حسن Hassan and حسين
    Hussein)."""
    if abs(len(a) - len(b)) != 1 or min(len(a), len(b)) < MIN_DROPPED_REPEAT:
        return False
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return any(longer[:i] + longer[i + 1:] == shorter and longer[i] not in _ARABIC_VOWEL_LETTERS
               for i in range(1, len(longer) - 1))


def name_forms(name: str) -> tuple[tuple[str, ...], dict[int, tuple[str, ...]]]:
    """A person's name → its first reading's tokens and alternative forms."""
    parsed = parse_name(name, "person")
    if not parsed:
        return (), {}
    return parsed[0].tokens, parsed[0].alts


def name_tokens(name: str) -> tuple[str, ...]:
    """One name → its normalised Latin tokens, in order, stop tokens dropped."""
    return name_forms(name)[0]


@lru_cache(maxsize=20_000)
def token_rules(name: str) -> dict[str, tuple[str, str]]:
    """For explanations: normalised token → (original token, transliteration rule)."""
    out: dict[str, tuple[str, str]] = {}
    for reading in readings(name):
        for raw in _split_joined(raw_tokens(_APOSTROPHES.sub("", _reorder(reading.text)[0]))):
            latin, rule = latin_token(raw)
            if latin in ABD_FORMS and not (rule == "arabic" and "ا" in raw):
                latin = _ABD
            if reading.rule:
                rule = reading.rule
            out.setdefault(latin, (raw, rule))
    return out


def is_latin_name(name: str) -> bool:
    return all(latin_token(t)[1] == "latin" for t in raw_tokens(name))


# ---- dates, countries, documents ---------------------------------------------------------
