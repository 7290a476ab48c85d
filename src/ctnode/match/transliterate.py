"""Transliteration: any written name part to lower-case ASCII, and script-specific readings.

* Arabic script (Arabic, Persian, Pashto, Urdu letters): our own letter table, with the
  Persian readings of four letters and the letters romanised two ways as alternatives;
* Hangul: a McCune-Reischauer reading per syllable (as DPRK and UN lists write Korean
  names: Kim Jong Un, Ri Pyong Chol) with the Revised Romanization (Gim Jeong Eun) as the
  alternative; a Korean name written without spaces is cut into surname and syllables;
* Han: Mandarin pinyin (ICU ``Han-Latin``; surname, then the given name as one part); a
  name that may be Japanese also gets its Japanese reading (cutlet with MeCab and UniDic,
  Hepburn, long vowels written short as passports do); kana: the Japanese reading only, a
  word in kana alone (a foreign name in katakana) read letter by letter as one part;
* Cyrillic (Russian, Kazakh letters), Greek, Armenian, Georgian: rigour's ``maybe_ascii``;
* every other script ICU ``Any-Latin; Latin-ASCII``, and where ICU has no rules (Khmer,
  Lao, Myanmar ...) anyascii;
* Latin names romanised from Cyrillic by German, Polish or French habits (``Tschernow``,
  ``Szewczenko``, ``Oussama``) get the English-style spelling as an alternative, and names
  romanised through Russian the letters Russian has not: kh also read h, a Cyrillic в
  also w, ks also x (``Abdul Chak``, ``Хви``, ``Maksime``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources
from typing import NamedTuple

import icu
from anyascii import anyascii
from rigour.text.translit import maybe_ascii

from ctnode.match import kept, symbols

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
_ULLAH = "ullah"
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NON_PRIMED = re.compile("[^a-z0-9\u02b9]+")  # (the prime kept: see PRIME)
_NON_ALNUM_CASED = re.compile(r"[^A-Za-z0-9]+")


@cache
def _transliterator(rules: str) -> icu.Transliterator:
    """ICU transliterators are built on first use, not at import: building Any-Latin costs
    about 0.3 s, and a Latin-script query (the usual one) never needs it."""
    return icu.Transliterator.createInstance(rules)


_ANY_LATIN = "Any-Latin; Latin-ASCII"
_ICU_ANY_LATIN = "Any-Latin"  # with diacritics: ISO 15919 tells long vowels from short
_HAN_LATIN = "Han-Latin; Latin-ASCII"
_TRAD_SIMP = "Traditional-Simplified"
# Han characters (the CJK unified ideographs, extension A, compatibility ideographs)
_HAN_CHARS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN = re.compile(rf"[{_HAN_CHARS}]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_CJK = re.compile(rf"[\u3040-\u30ff\u31f0-\u31ff{_HAN_CHARS}\uac00-\ud7a3]")

# One word in each script ICU's Any-Latin handles; transliterating them loads every
# per-script rule set up front instead of on a live request (seconds each, on first use).
_WARM_UP_SAMPLES = (
    "محمد", "Мухаммед", "Қазақ", "Μιχάλης", "משה", "王伟", "김민준", "ひらがな", "カタカナ", "मोहम्मद",
    "মোহাম্মদ", "ਸਿੰਘ", "મહમદ", "முகமது", "మహమ్మద్", "ಮಹಮ್ಮದ್", "മുഹമ്മദ്", "ศรี", "ລາວ",
    "Մուհամմադ", "მუჰამედ", "ሙሐመድ", "ܡܘܚܡܕ", "ތާނަ", "ᠮᠣᠩᠭᠣᠯ", "ᎠᏂ", "မြန်မာ", "ខ្មែរ", "සිංහල",
)


def warm_up_scripts(han: bool = True) -> None:
    """Load ICU's transliteration rules for every script and the Japanese reading tables now
    (called when the node starts), instead of on a live request; without ``han``, not the
    rules and tables of Han and kana (see :func:`first_use_table`: a batch whose names in
    Han or kana one worker matches)."""
    for sample in _WARM_UP_SAMPLES:
        if han or not _HAN_OR_KANA.search(sample):
            _transliterator(_ANY_LATIN).transliterate(sample)
    if han:
        _transliterator(_HAN_LATIN).transliterate("王")
        japanese_reading("山田")


# Letters only Persian, Dari, Pashto and Urdu write (Farsi yeh and keheh, pe, che, zhe, gaf,
# Pashto and Urdu letters). A token holding one is read the Persian way: ث s, ذ z, ض z, ظ z
# (فیض Faiz, not Faid), with the Arabic reading as its alternative.
_PERSIAN_LETTERS = frozenset("یکپچژگټډړږښځڅګڼېۍٹڈڑںے")
_PERSIAN_READING: dict[str, str] = {"ث": "s", "ذ": "z", "ض": "z", "ظ": "z"}


def without_marks(text: str) -> str:
    """``text`` without its combining marks (Arabic harakat, shadda, sukun: Unicode Mn)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def _arabic_token(token: str, apart: frozenset[str] = frozenset()) -> str:
    """Romanise one Arabic-script token with our letter table (article stripped; ``apart``:
    see :func:`_letters`)."""
    token = without_marks(token)  # drop harakat
    if not _PERSIAN_LETTERS.isdisjoint(token):
        for ch, latin in _PERSIAN_READING.items():
            token = token.replace(ch, latin)
    if token == _ALLAH:
        return "allah"
    if token.endswith(_ALLAH) and len(token) > len(_ALLAH) + 1:
        # a name glued to Allah (نورالله, خيرالله): its alef is not said, the usual
        # romanisation is -ullah (Nurullah, Khairullah)
        return _arabic_token(token[: -len(_ALLAH)], apart) + _ULLAH
    if token.startswith(_ARABIC_ARTICLE) and len(token) > 3:
        token = token[2:]
    return _letters(token, apart)


def _letters(token: str, apart: frozenset[str] = frozenset()) -> str:
    """Romanise the letters of a token (article already stripped); Latin letters pass through.
    With ``apart`` (Latin digraphs), a prime (PRIME) is written between two letters whose
    romanisations would meet as one of them (see :func:`primed_reading`)."""
    out: list[str] = []
    for i, ch in enumerate(token):
        if ch.isascii():
            out.append(ch)
        elif ch in _ARABIC_WAW:
            out.append("w" if i == 0 else "u")
        elif ch == "ع" and i == 0:
            # a word-initial ayn is romanised with its vowel (Ali, Omar, Abd); before an alef
            # the alef is that vowel (عارف Aref, not Aaref)
            out.append("" if token[1:2] in _ALEFS else "a")
        elif ch in _ARABIC_YEH:
            out.append("y" if i == 0 else "i")
        else:
            out.append(_ARABIC.get(ch, ""))
    if apart:
        pieces = [p for p in out if p]
        return "".join(p + PRIME if q and meet_as_one(p, q, apart) else p
                       for p, q in zip(pieces, [*pieces[1:], ""], strict=True))
    return "".join(out)


# ---- two letters read as one: the ALA-LC prime -------------------------------------------
# Romanised letter by letter, two Arabic letters can meet as one Latin digraph: س+ه ``sh``
# (سهيل Suhail), ك+ه ``kh`` (كهلان Kahlan), ز+ه ``zh`` (زهير Zuhair), ص+ح ``sh`` (صحراوي
# Sahraoui), د+ج ``dj``. The Library of Congress's ALA-LC romanisation of Arabic writes a
# prime between them (Adʹham, Isʹhaq) so that the two stay two. A Latin spelling mostly
# writes the short vowel the script leaves out between them (Suhail) or none (Ishaq): the
# abjad key of such a part is its reading both ways, joined and with the prime (the
# skeleton reads the prime as nothing, after the digraphs: ``sʹhil`` → ``shl``).
PRIME = "ʹ"  # MODIFIER LETTER PRIME (a letter to str.isalpha: keys stay alphabetic)


def meet_as_one(before: str, after: str, digraphs: frozenset[str]) -> bool:
    """The romanisations ``before`` and ``after`` of two letters, written together, make
    one of ``digraphs`` across their boundary."""
    return any(before.endswith(d[:k]) and after.startswith(d[k:])
               for d in digraphs for k in range(1, len(d)))


# Arabic letters romanised two ways (Arabic vs Persian/Pashto/Urdu usage); the second forms
# become alternatives of the token (at most MAX_ALTERNATIVES per token).
# ج is also read g in Egyptian names (Ragab, Gamal).
_ARABIC_SECOND: dict[str, str] = {"ث": "s", "ذ": "z", "ض": "z", "ظ": "dh", "ق": "g",
                                  "ج": "g"}
MAX_ALTERNATIVES = 4


def has_arabic(token: str) -> bool:
    return _ARABIC_RANGE.search(token) is not None


# Arabic presentation forms (contextual letter shapes and ligatures, U+FB50–FDFF,
# U+FE70–FEFF: ``ﺳﺎﻣﻲ`` for ``سامي``) are compatibility characters: Unicode NFKC maps
# each to its letter(s). Text copied from PDFs and old systems holds them.
_PRESENTATION = re.compile(r"[\uFB50-\uFDFF\uFE70-\uFEFE]+")


# Urdu writes the Arabic heh as the heh goal (ہ, with hamza ۂ) and the ta marbuta as ۃ:
# at the end of a word they are the Arabic letters (اللہ is الله, شاہ Shah, زادہ Zada), and
# ۃ is ة anywhere. A heh goal inside a word stays unread, as before: Urdu also writes the
# aspirate of a consonant with it, before that consonant (چوہدری Chaudhry, for چودھری), where
# a read h would stand between the vowel and the d. The do-chashmi heh (ھ) that marks
# aspiration after a consonant (بھ bh) stays as it is.
_URDU_FINAL_HEH = re.compile(r"[ہۂ](?!\w)")
_URDU_HEH = {"ہ": "ه", "ۂ": "ۀ"}


def arabic_letters(text: str) -> str:
    """Text with Arabic presentation forms replaced by their letters (Unicode NFKC of those
    characters only) and Urdu's final heh goal and its ta marbuta by the Arabic letters."""
    if "ۃ" in text:
        text = text.replace("ۃ", "ة")
    if "ہ" in text or "ۂ" in text:
        text = _URDU_FINAL_HEH.sub(lambda m: _URDU_HEH[m.group()], text)
    if _PRESENTATION.search(text) is None:
        return text
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


# Persian, Dari, Pashto and Urdu write a final -a/-e with heh (جمعه Juma, زاده Zada, شحاته
# Shahata: the Arabic ta marbuta without its dots) and a final alef maqsura with the Farsi
# yeh (عیسی Isa, موسی Musa, مصطفی Mustafa, یحیی Yahya). After a consonant, such a final
# letter is also read ``a``: an alternative reading (the heh stays h, the yeh i, first).
_FINAL_HEH = "ه"
_FARSI_YEH = "ی"
_LONG_VOWEL_LETTERS = frozenset("اآأإوؤيیىئ")


def final_vowel_reading(token: str) -> str | None:
    """The reading of an Arabic-script token whose final heh or Farsi yeh after a consonant
    is read ``a`` (see above), or None when it has no such ending."""
    stripped = without_marks(token)
    if (len(stripped) < 3 or stripped[-1] not in (_FINAL_HEH, _FARSI_YEH)
            or stripped[-2] in _LONG_VOWEL_LETTERS or stripped.endswith(_ALLAH)
            or not has_arabic(stripped[-2])):
        return None
    reading = _NON_ALNUM.sub("", _arabic_token(stripped[:-1] + "ة"))
    return reading or None


def arabic_alternatives(token: str) -> list[str]:
    """Other readings of an Arabic-script token: an alef maqsura read as yeh (Persian and
    Egyptian writing use ``ى`` for a final i: ``حاجى`` Haji, ``على`` Ali, beside the
    Arabic ``a`` of ``مصطفى`` Mustafa); letters read the Persian way (``ثاقب`` → ``saqb``
    beside ``thaqb``) or, in a Persian-read token, the Arabic way."""
    primary = latin_token(token)[0]
    forms = [token]
    for ch, _second in _ARABIC_SECOND.items():
        if ch in token:
            forms += [f.replace(ch, "\x00" + ch) for f in forms]
    out: list[str] = []
    yeh = maqsura_reading(token)
    if yeh is not None and yeh != primary:
        out.append(yeh)
    final = final_vowel_reading(token)
    if final is not None and final != primary and final not in out:
        out.append(final)
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
    return out


def _mixed_arabic(text: str) -> str:
    """Romanise a token mixing Arabic letters and already-chosen Latin letters."""
    stripped = without_marks(text)
    if stripped.endswith(_ALLAH) and len(stripped) > len(_ALLAH) + 1:
        # glued to Allah: -ullah, as _arabic_token reads it (ثناءالله: sanaullah)
        return _mixed_arabic(stripped[: -len(_ALLAH)]) + _ULLAH
    if stripped.startswith(_ARABIC_ARTICLE) and len(stripped) > 3:
        stripped = stripped[2:]
    return _NON_ALNUM.sub("", _letters(stripped))


# ---- Arabic script is an abjad: the abjad key -------------------------------------------
# Arabic script writes consonants and long vowels (alef, waw, yeh) and leaves short vowels
# unwritten, so a Latin spelling of an Arabic-script name adds vowels the script does not
# hold (محمد mhmd: Mohammad, Muhammad; دروكدال drukdal: Droukdel), and a long-vowel letter
# left out changes the reading only by a vowel (دروكدل drukdl). The abjad key of an
# Arabic-script part is its reading marked with ABJAD_MARK: it meets a Latin part with the
# same consonant skeleton whose vowels agree in class wherever the script writes a long
# vowel (see ``abjad_similarity`` in similarity.py; حسين husin is not Hassan).
ABJAD_MARK = "\x03"  # starts an alternative that holds an Arabic-script part's reading


_ALEF_MAQSURA = "ى"


def maqsura_reading(token: str) -> str | None:
    """The reading of an Arabic-script token with its alef maqsura read as yeh (``i``), or
    None when it has none."""
    if _ALEF_MAQSURA not in token:
        return None
    return latin_token(token.replace(_ALEF_MAQSURA, "ي"))[0]


def abjad_readings(token: str, apart: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The readings an Arabic-script part's abjad keys are made from: its reading, with the
    alef of an article glued inside the word left out (عبدالغفار ``abdlghfar``): that alef
    is not said (hamzat al-wasl), so it is no long vowel a Latin spelling must show
    (Abdul Ghafar); and with an alef maqsura read as yeh, as Persian and Egyptian writing
    use it for a final i (حقانى Haqqani, نعمانى Nomani)."""
    stripped = without_marks(token)
    if _ARABIC_ARTICLE in stripped[2:] and not stripped.endswith(_ALLAH):
        stripped = stripped[:2] + stripped[2:].replace(_ARABIC_ARTICLE, "ل")
    out = [_NON_ALNUM.sub("", _arabic_token(stripped))]
    if _ALEF_MAQSURA in stripped:
        out.append(_NON_ALNUM.sub("", _arabic_token(stripped.replace(_ALEF_MAQSURA, "ي"))))
    if apart:  # each reading with two letters that meet as one Latin digraph kept apart
        primed = (_NON_PRIMED.sub("", _arabic_token(t, apart)) for t in
                  (stripped, *((stripped.replace(_ALEF_MAQSURA, "ي"),)
                               if _ALEF_MAQSURA in stripped else ())))
        out += [r for r in primed if PRIME in r]
    if (stripped.startswith(_ARABIC_ARTICLE) and len(stripped) > len(_ARABIC_ARTICLE) + 1
            and not stripped.endswith(_ALLAH)):
        # the article glued: the name's first letter is no first letter of the word written
        # (a prime before the reading says so: see ``abjad_similarity``)
        out = [PRIME + r for r in out]
    return tuple(out)


def abjad_keys(readings: tuple[str, ...]) -> tuple[str, ...]:
    """The abjad keys (marked readings) of an Arabic-script part's Latin readings. The
    -ullah of a name glued to Allah is a short vowel the script does not write (its alef
    is not said): the key holds ``llah`` (خيرالله: Khairullah and Khairallah alike; نور الله
    read as one: Nurullah)."""
    keys = (r[: -len(_ULLAH)] + "llah" if r.endswith(_ULLAH) and len(r) > len(_ULLAH) + 1
            else "llah" if r == "allah" else r for r in readings)
    return tuple(ABJAD_MARK + r for r in dict.fromkeys(keys) if r.isalpha())


# ---- Arabic orthography: the article as said, joined Abd names ---------------------------
# The article al- assimilates to a following "sun letter" (t th d dh r z s sh ṣ ḍ ṭ ẓ l n):
# its lam is not said and the letter doubles (الدين ad-Din, الطاهر at-Tahir, اللطيف
# al-Latif). Written by ear, the lam is left out (ادين for الدين, اطاهر), and before a name
# that begins with lam itself, one lam is written for two (الطيف for اللطيف, al-Latif).
_SUN_LETTERS = frozenset("تثدذرزسشصضطظن")  # and lam (see article_readings)
_LAM = "ل"
# letters that do not join the next one: a space after them is invisible, and left out
_NON_JOINING = frozenset("اأإآٱدذرزژوؤةڈڑړږډ")
_ABD = "عبد"
ABD_WRITTEN = _ABD  # (normalise: the part after it is a divine name)
MIN_ARTICLE_REST = 3  # letters a name keeps after the article for the readings below


# the heads of a genitive construct in a name (Abd al-, Ibn al-, Bin al-, Abu al-, Ould al-):
# the name after them mostly bears the article
_CONSTRUCT_HEADS = frozenset({"عبد", "بن", "ابن", "إبن", "بنت", "ابو", "أبو", "ولد"})
# letters after an alef that leave it no article with its lam left out (the lam itself: the
# article written whole; an alef or hamza: no name of Abd's begins so)
_NOT_AFTER_ALEF = frozenset("لاأإآء")
# the laqab compounds in ad-Din (Nur ad-Din, Salah ad-Din), written apart
_DIN = frozenset({"دين", "دین"})


_NISBA_ENDS = frozenset("يیى")  # a nisba's final -i (al-Rawi, al-Samarrai, al-Drissi)
MIN_NISBA_REST = 4  # letters after the alef of a nisba read as the article without its lam


def article_readings(token: str, previous: str,
                     last: bool = False) -> tuple[tuple[str, str], ...]:
    """Readings of an Arabic-script part whose article is written as it is said (see
    above), each with the rule's name. An alef before a sun letter is the article without
    its lam (``ادين`` → ``din``, ``بن اطاهر`` → ``tahr``) only where a name bears the
    article: after the head of a genitive construct (``previous``: Abd, Bin, Abu ...) or in
    ad-Din (``ادين``, written apart); elsewhere alef and a sun letter begin names of their
    own (``اشرف`` Ashraf is not Sharif, ``انور`` Anwar not Nur). ``ال`` before any letter
    but lam may hold the lam of a name beginning with lam (``الطيف`` → ``ltif``, al-Latif),
    which is also how Maghrebi spellings write the article fused with the name
    (``الامين`` → ``lamin``, Lamine; ``العربي`` Larbi). After Abd (``عبد``, whose name is
    always one of God's with the article: Abd al-Qadir, Abd ar-Rahman) an alef before any
    other letter is that article with its lam left out, before a moon letter too, where the
    lam is said and its loss is a slip of the pen (``عبد اقادر`` → ``qadr``; ar4,
    2026-12-07)."""
    stripped = without_marks(token)
    if stripped.endswith(_ALLAH) or not has_arabic(stripped):
        return ()
    if (stripped[:1] == "ا" and stripped[1:2] in _SUN_LETTERS
            and len(stripped) > MIN_ARTICLE_REST
            and (previous in _CONSTRUCT_HEADS or stripped[1:] in _DIN
                 or (last and previous and stripped[-1] in _NISBA_ENDS
                     and len(stripped) > MIN_NISBA_REST))):
        reading = _NON_ALNUM.sub("", _arabic_token(stripped[1:]))
        return ((reading, "the article said before a sun letter"),) if reading else ()
    if (previous == _ABD and stripped[:1] == "ا" and stripped[1:2] not in _NOT_AFTER_ALEF
            and len(stripped) > MIN_ARTICLE_REST):
        reading = _NON_ALNUM.sub("", _arabic_token(stripped[1:]))
        return ((reading, "the article after Abd, its lam left out"),) if reading else ()
    if (stripped.startswith(_ARABIC_ARTICLE) and stripped[2:3] != _LAM
            and len(stripped) >= len(_ARABIC_ARTICLE) + MIN_ARTICLE_REST):
        reading = _NON_ALNUM.sub("", _arabic_token(_LAM + stripped[2:]))
        return ((reading, "the article's lam also a name's first lam"),) if reading else ()
    return ()


# Arabic writes the one-letter words wa- (and), fa- (then), bi- (with, in), ka- (like) and
# li- (for) joined to the word after them; before the article (والجهاد wal-Jihad, بالدم
# bid-dam) the article is still written, and li- + al- is written لل (للصرافة lis-sirafa).
_PROCLITICS = frozenset("وفبك")


def proclitic_reading(token: str) -> tuple[tuple[str, str], ...]:
    """The reading of an Arabic-script part without a one-letter word joined before its
    article (``والمسلمين`` → ``mslmin``, wa al-Muslimin; ``للصرافة`` → ``srafa``): the
    name keeps three letters or more after the article."""
    stripped = without_marks(token)
    if stripped.endswith(_ALLAH):
        return ()
    if (stripped[:1] in _PROCLITICS and stripped[1:3] == _ARABIC_ARTICLE
            and len(stripped) >= 3 + MIN_ARTICLE_REST):
        rest, said = stripped[1:], f"'{stripped[:1]}' joined to the article"
    elif stripped.startswith(_LAM + _LAM) and len(stripped) >= 2 + MIN_ARTICLE_REST:
        rest, said = _ARABIC_ARTICLE + stripped[2:], "'ل' (li-) joined to the article"
    else:
        return ()
    reading = _NON_ALNUM.sub("", _arabic_token(rest))
    return ((reading, said),) if reading else ()


def proclitic_said(token: str) -> tuple[tuple[str, str], ...]:
    """The reading of an Arabic-script part that holds a one-letter word joined before the
    article and a sun letter, as it is said: the article's lam is not said before a sun
    letter (the rule of :func:`article_readings`), and the one-letter word stays, joined to
    the doubled letter (``بالدم`` → ``bdm``, bid-dam, BIDDAM; ``للدعوة`` → ``ldua``,
    lid-da'wa, LIDDA'AWATI; ``والشام`` → ``wsham``, wash-Sham). A Latin spelling writes
    such a word as one, with the proclitic (ALA-LC: bi-al-dam, said biddam), where the
    reading without the proclitic (:func:`proclitic_reading`) needs three letters or more
    after the article; here the proclitic keeps the word whole, so two are enough."""
    stripped = without_marks(token)
    if stripped.endswith(_ALLAH):
        return ()
    if stripped[:1] in _PROCLITICS and stripped[1:3] == _ARABIC_ARTICLE:
        head, rest = stripped[:1], stripped[3:]
    elif stripped.startswith(_LAM + _LAM):
        head, rest = _LAM, stripped[2:]
    else:
        return ()
    if rest[:1] not in _SUN_LETTERS or len(rest) < 2:
        return ()
    reading = _NON_ALNUM.sub("", _arabic_token(head + rest))
    return ((reading, f"'{head}' joined to the article said before a sun letter"),) \
        if reading else ()


# A one-letter word joined to a word without the article (بليبيا bi-Libya, in Libya; ببلاد
# bi-bilad; لفلسطين li-Filastin; وتنمية wa-tanmiya): in an organisation's name, a part
# after the first keeps this many letters or more for the reading without it.
MIN_PROCLITIC_REST = 4
_PROCLITICS_BARE = frozenset("وفبل")


def proclitic_bare_reading(token: str) -> tuple[tuple[str, str], ...]:
    """The reading of an Arabic-script part without a one-letter word (wa-, fa-, bi-, li-)
    joined to a word that has no article (``بليبيا`` → ``libia``, bi-Libya: Ansar al-Sharia
    *in Libya*; ``ببلاد`` → ``blad``): Arabic writes these words joined to the next one,
    with or without the article (:func:`proclitic_reading` reads them before it). For the
    parts of an organisation's name after the first (no name begins with a preposition),
    the word keeping :data:`MIN_PROCLITIC_REST` letters or more: an alternative, the
    better reading wins."""
    stripped = without_marks(token)
    if (stripped[:1] not in _PROCLITICS_BARE or stripped[1:3] == _ARABIC_ARTICLE
            or stripped.startswith(_LAM + _LAM) or stripped.endswith(_ALLAH)
            or len(stripped) < 1 + MIN_PROCLITIC_REST):
        return ()
    reading = _NON_ALNUM.sub("", _arabic_token(stripped[1:]))
    return ((reading, f"'{stripped[:1]}' joined to the word"),) if reading else ()


_TA_MARBUTA = "ة"


def construct_reading(token: str) -> tuple[tuple[str, str], ...]:
    """The reading of an Arabic-script part ending in ta marbuta (``ة``) with its ``t``
    said, for a part another follows (the caller's test): the ta marbuta is said ``h`` or
    not at all only in pause, at the end; before another word it is said ``t`` (Wright's
    grammar; ALA-LC writes it ``t`` in the construct state), and Latin spellings write it
    so (``كتيبة أنصار`` Katibat Ansar, ``جماعة أهل السنة للدعوة`` Jama'atu Ahlis Sunna
    Lidda'awati, ``حركة التوحيد`` Harakat al-Tawhid, ``هبة الله`` Hibat Allah). The reading
    as written (``a``) stays; this one is an alternative, the better wins."""
    stripped = without_marks(token)
    if not stripped.endswith(_TA_MARBUTA) or len(stripped) < 3:
        return ()
    reading = _NON_ALNUM.sub("", _arabic_token(stripped[:-1])) + "at"
    return ((reading, "ta marbuta said t before another word"),)


_BIN = "بن"


def glued_bin_reading(token: str) -> tuple[tuple[str, str], ...]:
    """The reading of an Arabic-script part without ``بن`` (bin, son of) glued to its start
    (``بنحسين`` → ``hsin``, Ben Hassine), as a Latin part is read without a glued ``ben``:
    the name after it keeps three letters or more."""
    stripped = without_marks(token)
    if not stripped.startswith(_BIN) or len(stripped) < len(_BIN) + MIN_ARTICLE_REST:
        return ()
    reading = _NON_ALNUM.sub("", _arabic_token(stripped[len(_BIN):]))
    return ((reading, "'بن' (bin) glued to the name"),) if reading else ()


# ``عبدال`` with one letter after its first left out: عدال (b), عبال (d), عبدل (the
# article's alef), عبدا (its lam)
_ABD_AL_SLIPS = tuple((_ABD + _ARABIC_ARTICLE)[:i] + (_ABD + _ARABIC_ARTICLE)[i + 1:]
                      for i in range(1, len(_ABD + _ARABIC_ARTICLE)))
MIN_ABD_SLIP_REST = 3  # letters of the divine name a slipped Abd-al prefix must leave


def abd_al_slip(stripped: str) -> str | None:
    """The slipped ``عبدال`` a part written as one begins with (:data:`_ABD_AL_SLIPS`:
    ``عدالغفار``, ``عبالغفار``, ``عبدلغفار``, ``عبداغفار`` for ``عبدالغفار``, Abd al-Ghaffar,
    whose prefix is the part's longest stretch of letters the script writes alike in every
    Abd- name), or None: the divine name after it three letters or more, not Allah
    (``عبدلله`` and ``عبداله`` are Abdullah: :func:`allah_one_lam`), and not the prefix
    written whole (:func:`joined_abd` splits that as it is)."""
    if stripped.startswith(_ABD + _ARABIC_ARTICLE):
        return None
    for slip in _ABD_AL_SLIPS:
        rest = stripped[len(slip):]
        if (stripped.startswith(slip) and len(rest) >= MIN_ABD_SLIP_REST
                and not (_ARABIC_ARTICLE + rest).endswith(_ALLAH) and has_arabic(rest)):
            return slip
    return None


def joined_abd(token: str) -> tuple[str, ...]:
    """An Arabic-script part holding two written as one, split (or the part alone): an
    Abd- name is two words, ``عبد`` and the divine name with its article, written joined
    or apart (``عبدالحليم`` → ``عبد الحليم``, Abd al-Halim; not ``عبدالله``, Abdullah, one
    name); and after a letter that does not join the next, a space is invisible and often
    left out before ``عبد`` (``محمدعبد`` → ``محمد عبد``)."""
    stripped = without_marks(token)
    slip = abd_al_slip(stripped)
    if slip is not None:
        return (_ABD, *joined_abd(_ARABIC_ARTICLE + stripped[len(slip):]))
    if _ABD not in stripped:
        return (token,)
    if (stripped.startswith(_ABD + _ARABIC_ARTICLE) and not stripped.endswith(_ALLAH)
            and len(stripped) >= len(_ABD) + len(_ARABIC_ARTICLE) + 2):
        return (_ABD, *joined_abd(stripped[len(_ABD):]))
    at = stripped.find(_ABD, 2)
    if at >= 2 and stripped[at - 1] in _NON_JOINING:
        return (stripped[:at], *joined_abd(stripped[at:]))
    return (token,)


# Abu (father of) heads a kunya, mostly before a name with the article (أبو الحسن Abu
# al-Hasan); its waw joins no letter after it, so the space is invisible and often left out
# (أبوالحسن, ابواليزيد).
_ABU = ("ابو", "أبو")


def joined_abu(token: str) -> tuple[str, ...]:
    """An Arabic-script part ``ابو``/``أبو`` + the article + a name of three letters or
    more, split in two (``أبواليزيد`` → ``أبو اليزيد``, Abu al-Yazid); else the part alone."""
    stripped = without_marks(token)
    for head in _ABU:
        if (stripped.startswith(head + _ARABIC_ARTICLE) and not stripped.endswith(_ALLAH)
                and len(stripped) >= len(head) + len(_ARABIC_ARTICLE) + MIN_ARTICLE_REST):
            return (head, stripped[len(head):])
    return (token,)


_ALLAH_JOINED = "Allah joined to the name before it"


def allah_joined(name: str) -> str | None:
    """The name with ``الله`` written apart joined to the part before it, when it has such
    a part (:func:`joins_allah`): ``امین الله قدوس`` → ``امینالله قدوس`` (Aminullah), read
    ``-ullah`` as a name glued to Allah is. A second reading of the name beside the one as
    written: Latin lists write such names joined (AMINULLAH, SANAULLAH) or apart (Abd
    Allah, Amin Ullah), and a part a list writes joined weighs as one."""
    if _ALLAH not in name:
        return None
    words = name.split()
    out: list[str] = []
    for w in words:
        if out and without_marks(w) == _ALLAH \
                and joins_allah(out[-1]):
            out[-1] += w
        else:
            out.append(w)
    return " ".join(out) if len(out) < len(words) else None


_ILAH = "اله"  # Allah with one lam (allah_one_lam)
_LILLAH = "لله"  # ... with its alef left out
_DIN_SLIPS = frozenset({"الين", "الین", "الدن", "لدين", "لدین"})  # ad-Din less one letter
_DIN_WHOLE = "الدين"
_TAIL_SLIPPED = "a compound name's tail (Allah, ad-Din) written with a letter left out"


def allah_one_lam(name: str) -> str | None:
    """The name with the tail of a compound name written with one letter left out read
    whole, or None when it has no such part. Persian writing (and older or hurried Arabic)
    leaves out one of the two lams of Allah, the doubled lam Arabic marks with a shadda:
    ``عبداله`` Abdollah, ``نصراله`` Nasrollah, ``روح اله`` Ruhollah; and its alef
    (``عبدلله``); ad-Din loses a letter as any word does (``نصیر الین``, ``نورالین``,
    ``الدن``; ``ادين``, its lam left out as it is said, has its own reading:
    :func:`article_readings`). These tails end a theophoric or ad-Din name and are never
    names alone, so a slip in them is read back: glued to a name of two letters or more
    (``هاله`` Haleh and ``لاله`` Laleh are names of their own; ``عبدالاله`` Abd al-Ilah is
    another name), or written apart after ``عبد`` or a part that joins Allah
    (:func:`joins_allah`). A second reading beside the one as written (``اله`` is also
    ilah, god): the better reading wins."""
    if _ILAH not in name and _LILLAH not in name and not any(d in name for d in _DIN_SLIPS):
        return None
    words = name.split()
    out: list[str] = []
    for w in words:
        bare = without_marks(w)
        after_name = bool(out) and (without_marks(out[-1]) == _ABD or joins_allah(out[-1]))
        if bare == _ILAH and after_name:
            out.append(_ALLAH)
        elif bare in _DIN_SLIPS and after_name and without_marks(out[-1]) != _ABD:
            out.append(_DIN_WHOLE)
        elif len(bare) < len(_ILAH) + 2 or not has_arabic(bare) or bare.endswith(_ALLAH):
            out.append(w)
        elif bare.endswith(_ILAH) and not bare.endswith(_ARABIC_ARTICLE + _ILAH):
            out.append(bare[:-len(_ILAH)] + _ALLAH)
        elif bare.endswith(_LILLAH):
            out.append(bare[:-len(_LILLAH)] + _ALLAH)
        elif (len(bare) >= len(_DIN_WHOLE) + 1
              and any(bare.endswith(d) for d in _DIN_SLIPS if d[0] == _ARABIC_ARTICLE[0])):
            out.append(bare[:-len("الين")] + _DIN_WHOLE)
        else:
            out.append(w)
    return " ".join(out) if out != words else None


def joins_allah(token: str) -> bool:
    """Whether ``الله`` written after this Arabic-script part is the second half of one
    theophoric name with it (امین الله Aminullah, ثناء الله Sanaullah, نصر الله Nasrullah):
    an Arabic-script part that is not ``عبد`` (Abd Allah: two parts with their own rules,
    Abd- kept as the head of each Abd- name), not a connector (بن), and not itself ending
    in Allah."""
    stripped = without_marks(token)
    return (has_arabic(stripped) and len(stripped) >= 2 and stripped not in (_ABD, _BIN, "ابن")
            and not stripped.endswith(_ALLAH))


# ---- Hangul ------------------------------------------------------------------------------
# Per syllable: initial, medial, final jamo. McCune-Reischauer without diacritics, as DPRK
# names are written in UN and other lists (ㅈ j, ㅍ p, ㅓ o, ㅡ u: Jong, Pyong, Un), and the
# Revised Romanization (ㄱ g, ㅂ b, ㅓ eo, ㅡ eu: Gim, Bak, Jeong, Eun) as the alternative.
_KO_INITIAL_MR = ("k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj",
                  "ch", "k", "t", "p", "h")
_KO_INITIAL_RR = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj",
                  "ch", "k", "t", "p", "h")
_KO_MEDIAL_MR = ("a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo",
                 "u", "wo", "we", "wi", "yu", "u", "ui", "i")
_KO_MEDIAL_RR = ("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo",
                 "u", "wo", "we", "wi", "yu", "eu", "ui", "i")
_KO_FINAL = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l",
             "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t")


def _hangul(text: str, rr: bool) -> str:
    initial = _KO_INITIAL_RR if rr else _KO_INITIAL_MR
    medial = _KO_MEDIAL_RR if rr else _KO_MEDIAL_MR
    out = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            out.append(initial[code // 588] + medial[code % 588 // 28] + _KO_FINAL[code % 28])
        else:
            out.append(ch)
    return "".join(out)


_INDIC = re.compile(r"[\u0900-\u0dff]")
_BENGALI = re.compile(r"[\u0980-\u09ff]")
# ICU's ISO 15919 letters with diacritics → plain ASCII, long vowels kept apart (upper case)
# from the short inherent ``a`` until the schwa rule has run
_INDIC_LETTERS: tuple[tuple[str, str], ...] = (
    ("ṁ", "ng"), ("ṅ", "ng"), ("ṃ", "ng"), ("ñ", "n"), ("ś", "sh"), ("ṣ", "sh"), ("ẏ", "y"),
    ("ā", "A"), ("ī", "I"), ("ū", "U"), ("ē", "E"), ("ō", "O"), ("r̥", "ri"), ("'", ""),
)
_INDIC_VOWELS = frozenset("aeiouAEIOU")
_INDIC_INITIAL_IY = re.compile(r"^[iI]y(?=[aAeEiIoOuU])")  # ইয়া: i + ya-phala, said ya
_INDIC_MAX = 3


def _indic_units(text: str) -> list[str]:
    """ISO 15919 text cut into letters, an aspirate or sibilant digraph (``kh``, ``ph``,
    ``sh`` ...) one consonant."""
    units: list[str] = []
    for ch in text:
        if ch == "h" and units and units[-1][-1] not in _INDIC_VOWELS and len(units[-1]) == 1:
            units[-1] += ch
        else:
            units.append(ch)
    return units


def _schwa_deleted(text: str) -> str:
    """The inherent vowels speech drops (the schwa-deletion rule of Hindi and Bengali): the
    final one after a single consonant, and one between a vowel and a consonant on its left
    and a consonant and a vowel on its right (V C a C V), taken from the right."""
    units = _indic_units(text)

    def vowel(i: int) -> bool:
        return 0 <= i < len(units) and units[i] in _INDIC_VOWELS

    if (len(units) > 2 and units[-1] == "a" and not vowel(len(units) - 2)
            and vowel(len(units) - 3)):
        units.pop()
    i = len(units) - 3
    while i >= 2:
        if (units[i] == "a" and not vowel(i - 1) and vowel(i - 2) and not vowel(i + 1)
                and vowel(i + 2)):
            del units[i]
            i -= 2
        else:
            i -= 1
    return "".join(units)


def indic_alternatives(token: str) -> tuple[str, ...]:
    """A Devanagari, Bengali, Gurmukhi, Gujarati ... name part read as it is said: ICU writes
    every inherent vowel (ISO 15919: ইকবাল ``ikabala``, রহমান ``rahamana``, মোহাম্মদ
    ``mohammada``), speech drops the final one and those between a vowel-consonant and a
    consonant-vowel (Iqbal, Rahman, Mohammad); ``ṁ`` is ng (ইয়াং Yang), an initial ``iy``
    before a vowel is y (ইয়াকুব Yakub). Bengali also: ``ph`` is f (জাফর Jafar), the inherent
    vowel is said o (কণি Koni, Kony) and ``j`` also writes z (জাফর Zafar): those two as
    further alternatives. Empty when the reading equals the letter-by-letter one."""
    if not _INDIC.search(token):
        return ()
    text = unicodedata.normalize("NFC", _transliterator(_ICU_ANY_LATIN).transliterate(token.lower()))
    for src, dst in _INDIC_LETTERS:
        text = text.replace(src, dst)
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    text = _INDIC_INITIAL_IY.sub("y", _NON_ALNUM_CASED.sub("", text))
    if not text.isascii():
        return ()
    said = _schwa_deleted(text)
    out = [said]
    if _BENGALI.search(token):
        said = said.replace("ph", "f")
        out = [said, said.replace("a", "o")]
        if "j" in said:
            out.append(said.replace("j", "z"))
    latin = latin_token(token)[0]
    return tuple(dict.fromkeys(f for f in (o.lower() for o in out)
                               if f != latin and len(f) >= 2))[:_INDIC_MAX]


# ---- Greek: the letters as Modern Greek says them -------------------------------------------
# rigour's maybe_ascii spells Greek letter by letter (αμπντάλα ``ambntala``, ουίλσον
# ``ouilson``, χασάν ``chasan``), but a foreign name written in Greek is written by its sound,
# with the digraphs Modern Greek has for sounds its letters lack: μπ is b, ντ is d, γκ is g,
# τζ is j, ου is u, αι is e, ει/οι/υι are i, γ before a front vowel is y, χ is h (Abdallah
# αμπντάλα, Wilson ουίλσον, Hassan χασάν). That sound reading is the alternative.
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
_GREEK_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("μπ", "b"), ("ντ", "d"), ("γκ", "g"), ("γγ", "ng"), ("τζ", "j"), ("τσ", "ts"),
    ("ου", "u"), ("αι", "e"), ("ει", "i"), ("οι", "i"), ("υι", "i"),
)
_GREEK_FRONT_G = re.compile(r"γ(?=[ιεηυ])")
_GREEK_Y_VOWEL = re.compile(r"(?<=y)ι(?=[αεοωu])")
_GREEK_LETTERS = str.maketrans({
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "i", "φ": "f", "χ": "h", "ψ": "ps",
    "ω": "o"})


# Hebrew writes the sounds of other languages that it lacks with a letter and a geresh
# (׳, typed as an apostrophe): ג׳ j (ג׳ין Jin), צ׳ ch (צ׳וי Choe), ז׳ zh (ז׳אק Jacques), and
# for Arabic names ת׳ th (עות׳מאן Uthman), ד׳ dh, ח׳ kh, ע׳ gh (the Academy of the Hebrew
# Language's rules for transcribing Arabic and foreign sounds). ICU's Hebrew-Latin reads
# the letter alone (ג g, צ z) and the geresh cut the word in two.
_HEBREW_GERESH = re.compile("([גזצץתדחע])[\u05f3'’‘`´]")
_GERESH_SOUNDS = {"ג": "j", "ז": "zh", "צ": "ch", "ץ": "ch", "ת": "th", "ד": "dh", "ח": "kh",
                  "ע": "gh"}


def hebrew_geresh(text: str) -> str:
    """``text`` with each Hebrew letter + geresh written as the sound it stands for (see
    above; ``צ'וי ג'ין`` → ``chוי jין``, read ``chwy jyn``); the text itself when it has
    none."""
    if not _HEBREW_GERESH.search(text):
        return text
    return _HEBREW_GERESH.sub(lambda m: _GERESH_SOUNDS[m.group(1)], text)


def greek_alternative(token: str) -> str | None:
    """A Greek name part read as Modern Greek says it (see above), when that differs from
    the letter-by-letter spelling: ``αμπντάλα`` → ``abdala``, ``χασάν`` → ``hasan``."""
    if not _GREEK.search(token):
        return None
    text = "".join(ch for ch in unicodedata.normalize("NFD", token.lower())
                   if not unicodedata.combining(ch))
    for src, dst in _GREEK_DIGRAPHS:
        text = text.replace(src, dst)
    text = _GREEK_FRONT_G.sub("y", text)
    text = _GREEK_Y_VOWEL.sub("", text)
    out = _NON_ALNUM.sub("", text.translate(_GREEK_LETTERS))
    return out if out and out.isascii() and out != latin_token(token)[0] else None


def script_family(key: str) -> str:
    """Which family a Han/Hangul/kana script key belongs to (two keys are compared only
    within a family): ``hangul``, ``kana`` or ``han``."""
    if _HANGUL.search(key):
        return "hangul"
    if _KANA.search(key):
        return "kana"
    return "han"


def korean_alternative(token: str) -> str | None:
    """The Revised Romanization of a Hangul token, when it differs from its MR reading."""
    if not _HANGUL.search(token):
        return None
    rr = _NON_ALNUM.sub("", _hangul(token, rr=True).lower())
    return rr if rr != latin_token(token)[0] else None


# ---- one token -----------------------------------------------------------------------------


@lru_cache(maxsize=500_000)
def latin_token(token: str) -> tuple[str, str]:
    """One raw token → (lower-case ASCII form, rule: ``latin``, ``arabic``, ``cyrillic``,
    ``korean``, ``chinese``, ``icu``, ``anyascii`` ...)."""
    if token.isascii():
        return _NON_ALNUM.sub("", token.lower()), "latin"
    if _ARABIC_RANGE.search(token):
        return _NON_ALNUM.sub("", _arabic_token(token)), "arabic"
    if _HANGUL.search(token):
        return _NON_ALNUM.sub("", _hangul(token, rr=False).lower()), "korean"
    if _HAN.search(token) and not _KANA.search(token):
        return _NON_ALNUM.sub("", _transliterator(_HAN_LATIN).transliterate(token).lower()), "chinese"
    out = maybe_ascii(token.lower())
    rule = "cyrillic" if any("\u0400" <= ch <= "\u052f" for ch in token) else "latin-ascii"
    if not out.isascii():
        out = _transliterator(_ANY_LATIN).transliterate(out)
        rule = "icu"
    if not out.isascii():  # scripts ICU has no rules for (Khmer, Lao, Myanmar ...)
        out = anyascii(out)
        rule = "anyascii"
    return _NON_ALNUM.sub("", out.lower()), rule


# ---- Latin spellings of Cyrillic names by German, Polish and French habits ---------------
# Each table turns one habit's spelling into the English-style one (BGN/PCGN, ICAO) the
# lists mostly use: German Tschernow → chernov, Schewtschenko → shevchenko, Chabibullin →
# khabibullin, Jurij → yuriy; Polish Szewczenko → shevchenko, Rzhev; French Oussama → usama,
# Tchétchène → chechen, Djohar → johar. Applied to Latin tokens of 4+ letters holding one
# of the habit's telling marks (German sch, -ow/-ew, ch for х, initial wl/wr, j by a vowel;
# Polish cz, sz, rz; French ou, tch, dj), so English names do not all get alternatives.
_GERMAN = (("tsch", "\x01"), ("dsch", "\x02"), ("sch", "\x03"), ("ch", "kh"), ("w", "v"),
           ("\x01", "ch"), ("\x02", "dzh"), ("\x03", "sh"))
_POLISH = (("szcz", "\x04"), ("cz", "\x01"), ("sz", "\x03"), ("rz", "zh"), ("ch", "kh"),
           ("w", "v"), ("\x01", "ch"), ("\x03", "sh"), ("\x04", "shch"))
_GERMAN_W = tuple(pair for pair in _GERMAN if pair != ("w", "v"))
_POLISH_W = tuple(pair for pair in _POLISH if pair != ("w", "v"))
_FRENCH = (("tch", "\x01"), ("dj", "j"), ("ch", "sh"), ("ou", "u"), ("\x01", "ch"))
_GERMAN_MARKS = re.compile(r"sch|[oe]wa?$|(?<![st])ch|^w[lr]|[aeiou]j[aeiou]|^j[aeiou]")
_POLISH_MARKS = re.compile(r"cz|sz|rz")
_FRENCH_MARKS = re.compile(r"tch|dj|ou")
_J_VOWEL = re.compile(r"j(?=[aeiou])|(?<=[aeiou])j")


def _apply(token: str, table: tuple[tuple[str, str], ...]) -> str:
    for src, dst in table:
        token = token.replace(src, dst)
    return token


def western_alternatives(latin: str) -> list[str]:
    """English-style spellings of a Latin token written by German, Polish or French habits,
    and with every ``kh`` read h (Russian х: :func:`kh_reading`)."""
    if len(latin) < 4 or not latin.isalpha():
        return []
    habits = western_habits(latin)
    if "fr" not in habits and _FRENCH_INITIAL_I.search(latin):
        # French writes я ё ю е at a word's start ia io iou ie, where English writes ya yo
        # yu ye (Iakov, Iouri, Ievgueni; Le Monde's Ianoukovitch): read by the French
        # habit's table too, though the token holds none of its other marks (acc, 2026-12-07)
        habits = (*habits, "fr")
    return habit_readings(latin, habits)


@lru_cache(maxsize=200_000)
def western_habits(latin: str, strong: bool = False) -> tuple[str, ...]:
    """The habits (``de``, ``pl``, ``fr``) whose telling marks a Latin token holds; with
    ``strong``, only the marks English spellings do not write (German sch, -ow/-ew, initial
    wl/wr; Polish cz, sz; French ou, tch, dj; not German ch or j, which English writes for
    ч and дж: Chol, Jong), which tell the habit of a whole name."""
    if not latin.isalpha():
        return ()
    found = []
    if (_STRONG_GERMAN if strong else _GERMAN_MARKS).search(latin):
        found.append("de")
    if (_STRONG_POLISH if strong else _POLISH_MARKS).search(latin):
        found.append("pl")
    if _FRENCH_MARKS.search(latin) and "sch" not in latin:
        found.append("fr")
    return tuple(found)


_FRENCH_INITIAL_I = re.compile(r"^i(?=[aeou])")


def french_diaeresis_reading(token: str) -> str | None:
    """A name part written with ``ï`` read with that letter as ``y``, else None: French
    writes Russian й ï (Nikolaï, Andreï, Sergueï, Tolstoï), where English writes y
    (Nikolay, Andrey, Sergey), and ASCII folding reads it as a plain i (``ïadkhran`` →
    ``yadkhran``, not ``iadkhran``)."""
    low = token.lower()
    if "ï" not in low:
        return None
    out = latin_token(low.replace("ï", "y"))[0]
    return out if out and out != latin_token(token)[0] else None


_STRONG_GERMAN = re.compile(r"sch|[oe]wa?$|^w[lr]")
_STRONG_POLISH = re.compile(r"cz|sz")


def habit_readings(latin: str, habits: Iterable[str]) -> list[str]:
    """The token read by each habit's table (English-style; a German or Polish w, Russian
    в, also kept where another language's w stands), and each with every kh read h
    (:func:`kh_reading`); forms equal to the token left out."""
    out: list[str] = []
    for habit in habits:
        if habit in ("de", "pl"):
            # (their w is Russian в, which writes the w of other languages too: Хван,
            # German Chwan, is Hwang; so also read with w kept)
            table, keep_w = (_GERMAN, _GERMAN_W) if habit == "de" else (_POLISH, _POLISH_W)
            out.append(_J_VOWEL.sub("y", _apply(latin, table)))
            if "w" in latin:
                out.append(_V_BETWEEN_VOWELS.sub("v", _J_VOWEL.sub("y", _apply(latin, keep_w))))
        elif habit == "fr":  # (and я ю ё at a word's start: ia iou io, English ya yu yo)
            out.append(_FRENCH_INITIAL_I.sub("y", _apply(latin, _FRENCH)))
    out += [r for a in (latin, *out) if (r := kh_reading(a)) is not None]
    return [a for a in dict.fromkeys(out) if a != latin]


# Every kh but a Slavic patronymic's final one (-ovich, -evych: the ch of ч that German and
# Polish write, which their tables read kh)
_KH = re.compile(r"kh(?!$)|(?<![vw][iy])kh$")


def kh_reading(latin: str) -> str | None:
    """The token with every ``kh`` read ``h`` (``khasan`` → ``hasan``, ``mukhammad`` →
    ``muhammad``, ``abdullakh`` → ``abdullah``), else None. Russian has no h: its х writes
    both the h and the kh of other languages (Arabic and Persian ح ه and خ, Korean ㅎ:
    ``Хасан``, ``Хван``), and every Latin romanisation of Russian writes х kh (English,
    French) or ch (German, Polish, which their tables above read kh), so a name romanised
    through Russian writes kh where the lists write h (``Khasan``, ``Chwang``, ``Abdul
    Chak``). The skeleton reads kh as h already, but the spellings' other rules (the
    Levenshtein ratio, a typo, a romanised East Asian syllable: ``khwang`` is no syllable,
    ``hwang`` is) read the letters. Not a patronymic's ending (``-ovich``, the German ``ch`` of ч)."""
    if len(latin) < 4 or "kh" not in latin:
        return None
    out = _KH.sub("h", latin)
    return out if out != latin else None


# Where a w of other languages stands: at a word's start or after a consonant (Wazir; Hwang,
# Kwon), not between vowels, where Russian в is mostly a v (Kikava is not Kikawa)
_W_PLACE = re.compile(r"(?<![aeiouy])v")
_V_BETWEEN_VOWELS = re.compile(r"(?<=[aeiouy])w(?=[aeiouy])")

# Russian кс, which romanisations of Russian write ks, before a vowel or at a word's end
_KS = re.compile(r"ks(?=[aeiouy]|$)")


def russian_readings(latin: str, cyrillic: bool) -> list[str]:
    """Western spellings of a name part romanised from Russian: ``ks`` read ``x`` (Russian
    writes x кс, which its romanisations write ks: ``Aleksandr``, ``Maksim`` for Alexander,
    Maxim; before a vowel or at the end, not ``Bakhsh`` written ``Baksh``); a part written
    in Cyrillic also with its в read w (Russian has no w and writes the w of other
    languages в: ``Хван`` Hwang, ``Вазир`` Wazir, ``Уильям`` William), and every kh read h
    (:func:`kh_reading`; a Latin part gets that with its habit readings). Forms equal to
    the part left out."""
    if len(latin) < 3 or not latin.isalpha():
        return []
    out: list[str] = []
    for form in (latin, *((_W_PLACE.sub("w", latin),) if cyrillic else ())):
        if cyrillic and (kh := kh_reading(form)) is not None:
            out.append(kh)
        out.append(form)
        if _KS.search(form):
            out.append(_KS.sub("x", form))
    return [a for a in dict.fromkeys(out) if a != latin]


# ---- whole names in Han, kana and Hangul ------------------------------------------------------


class Reading(NamedTuple):
    """One way to read a name: text that tokenises into its Latin parts, the script key two
    names written in Han or Hangul are compared by (Han in simplified form, no spaces; empty
    for other scripts), the rule (``japanese`` for a Japanese reading) and the Latin parts
    read from words written in katakana alone (foreign names: see :func:`loanword_keys`)."""

    text: str
    script_key: str
    rule: str
    katakana_parts: frozenset[str] = frozenset()


_JAPANESE: object | None = None


def japanese_reading(text: str) -> list[str]:
    """Hepburn romaji of a Japanese name (cutlet over MeCab with the UniDic dictionary), one
    part per word, long vowels written short as passports write them (Tarou → Taro)."""
    global _JAPANESE
    if _JAPANESE is None:
        import cutlet  # loaded on first use: MeCab and its dictionary (memory-mapped)

        reader = cutlet.Cutlet()
        reader.use_foreign_spelling = False
        _JAPANESE = reader
    romaji = str(_JAPANESE.romaji(text))  # type: ignore[union-attr]
    if "?" in romaji:
        return []  # characters without a Japanese reading: not a Japanese name
    parts = []
    for word in romaji.split():
        part = _NON_ALNUM.sub("", word.lower())
        part = _short_long_vowels(part)
        if part:
            parts.append(part)
    return parts


_KANA_ONLY = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]+")
_KANA_LATIN = "Katakana-Latin; Hiragana-Latin; Latin-ASCII"
_HAN_WORD = re.compile(rf"[{_HAN_CHARS}]{{1,3}}")


def _short_long_vowels(part: str) -> str:
    return part.replace("ou", "o").replace("uu", "u").replace("oo", "o")


# The katakana of foreign sounds (the Japanese Cabinet notice on writing loanwords,
# 外来語の表記, 1991, its second table) in Hepburn, which ICU's Katakana-Latin reads as two
# syllables (ウォ ``uo``, クァ ``kua``, ヴァ ``vua``, トゥ ``to``): ウォン is Won, クァン Kwan.
_EXTENDED_KATAKANA: tuple[tuple[str, str], ...] = (
    ("ウィ", "wi"), ("ウェ", "we"), ("ウォ", "wo"), ("ウァ", "wa"), ("ヴァ", "va"),
    ("ヴィ", "vi"), ("ヴェ", "ve"), ("ヴォ", "vo"), ("ヴュ", "vyu"), ("クァ", "kwa"),
    ("クィ", "kwi"), ("クェ", "kwe"), ("クォ", "kwo"), ("グァ", "gwa"), ("ツァ", "tsa"),
    ("ツィ", "tsi"), ("ツェ", "tse"), ("ツォ", "tso"), ("トゥ", "tu"), ("ドゥ", "du"),
    ("テュ", "tyu"), ("デュ", "dyu"), ("フュ", "fyu"), ("イェ", "ye"), ("スィ", "si"),
    ("ズィ", "zi"),
)


def kana_word_reading(word: str) -> str:
    """A word written in kana alone (a foreign name in katakana, a Japanese one in hiragana)
    read letter by letter as one part (ICU's kana transliterators, Hepburn-like, with the
    katakana of foreign sounds read as the 1991 notice writes them: ウォン ``won``): the
    dictionary reader would cut ティルマンズ into words and read ヘ as the particle "e"."""
    for kana, latin in _EXTENDED_KATAKANA:
        if kana in word:
            word = word.replace(kana, latin)
    part = _NON_ALNUM.sub("", _transliterator(_KANA_LATIN).transliterate(word).lower())
    return _short_long_vowels(part)


def japanese_word_alternative(token: str) -> str | None:
    """A word of one to three Han characters read the Mandarin way may as well be a Japanese
    name part (翔太: Mandarin ``xiangtai``, Japanese ``shota``): names that mix a Japanese
    part with a Chinese transcription of a foreign one (翔太 马新德, Shōta Marhinde) are
    read whole as Chinese, so each short Han word also gets its Japanese reading, one part,
    as an alternative. None when it has no reading or one much shorter than the word (a
    Chinese-only word read badly, 王 → ``o``)."""
    if not _HAN_WORD.fullmatch(token):
        return None
    reading = "".join(japanese_reading(token))
    if len(reading) < 2 * len(token):
        return None
    return reading


# Chinese writes a foreign name by its sound, one character per syllable, from a fixed
# table (Xinhua's transcription of foreign names: 穆罕默德 Muhammad, 艾哈迈德 Ahmad, 阿卜杜勒
# Abdul), its parts joined by the middle dot ``·`` or, often, by nothing. A long word of Han
# characters is then cut into the words rigour's name dictionary holds (each a name part
# in some language), fewest words first; each word meets its Latin forms through the
# dictionary's name symbols.
MIN_HAN_WORDS = 5  # shortest Han word cut into dictionary words (up to 4: surname + given)
MAX_HAN_WORD = 8  # longest dictionary word tried
_HAN_ONLY = re.compile(rf"[{_HAN_CHARS}]+")


# Every key of rigour's name dictionary written in Han alone, two characters or more
# (symbols.read_han_keys: about 0.6 s of CPU), kept beside the name index: read from its
# file in about 15 ms. Kept as one JSON string, the words sorted and joined by spaces (a
# key holds none): read in one scan and one split, as fast as a file of lines; a list of
# 107,000 strings took 3 ms more of CPU to read and check. (version: bump when
# read_han_keys gives other keys from the same rigour build, or the table's form changes)
HAN_WORDS = kept.table("han-words", 1, lambda: " ".join(sorted(symbols.read_han_keys())),
                       lambda plain: isinstance(plain, str),
                       lambda plain: frozenset(plain.split(" ") if plain else ()))


@cache
def _han_words() -> frozenset[str]:
    """:data:`HAN_WORDS`, once per process, on the first name that needs them."""
    found: frozenset[str] = HAN_WORDS.get()
    return found


_LONG_HAN = re.compile(rf"[{_HAN_CHARS}]{{{MIN_HAN_WORDS},}}")


_HAN_OR_KANA = re.compile(rf"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f{_HAN_CHARS}]")
HAN_TABLES = "han"  # what first_use_table names for a name in Han or kana


def first_use_table(name: str) -> str | None:
    """The costly tables screening ``name`` may load on first use, or None: ``"han"``
    (:data:`HAN_TABLES`) for a name holding a Han or kana character: ICU's Han rules (about
    0.1 s of CPU), the Japanese reading (MeCab and its dictionary) and, for MIN_HAN_WORDS
    Han characters in a row, the Han name words (:func:`han_name_words`: 10 ms from the
    file kept beside the index, else about 0.6 s). A batch matches such names together, so
    that one process loads them (``services.screening.workers``), and does not load them
    before it forks (:func:`warm_up_scripts` without ``han``). Only a hint: a wrong answer
    costs time, never a hit."""
    return HAN_TABLES if _HAN_OR_KANA.search(name) else None


def han_name_words(word: str, shortest: int = 2, apart: bool = False) -> tuple[str, ...]:
    """A word of MIN_HAN_WORDS or more Han characters cut into dictionary words of
    ``shortest`` or more characters, the fewest that cover it (the first such cut), or ()
    when none does or the fewest is the word itself; with ``apart``, the fewest two or
    more (a word the dictionary holds whole cut too)."""
    if len(word) < MIN_HAN_WORDS or not _HAN_ONLY.fullmatch(word):
        return ()
    words = _han_words()
    best: list[tuple[str, ...] | None] = [None] * (len(word) + 1)
    best[0] = ()
    for i in range(len(word)):
        here = best[i]
        if here is None:
            continue
        for j in range(i + shortest, min(len(word), i + MAX_HAN_WORD) + 1):
            if word[i:j] in words and not (apart and j - i == len(word)):
                cut = best[j]
                if cut is None or len(here) + 1 < len(cut):
                    best[j] = (*here, word[i:j])
    found = best[len(word)]
    return found if found is not None and len(found) >= 2 else ()


# A word of the cut this long is two names written as one, as Latin writes Abdulhakim for
# Abdul Hakim (阿卜杜勒哈基姆 is a dictionary word): one name is mostly two to four syllables,
# one character each
TWO_NAMES_HAN = 6
SUB_NAME_HAN = 3  # shortest word such a word is cut into (two characters join by chance)


def han_name_words_finer(cut: tuple[str, ...]) -> tuple[str, ...]:
    """The words of a cut (:func:`han_name_words`) of TWO_NAMES_HAN or more characters cut
    again into the fewest dictionary words of SUB_NAME_HAN or more (``阿卜杜勒哈基姆`` →
    ``阿卜杜勒 哈基姆``), the others as they are."""
    return tuple(p for w in cut for p in (
        (han_name_words(w, SUB_NAME_HAN, apart=True) or (w,)) if len(w) >= TWO_NAMES_HAN
        else (w,)))


# Korean names are written in Han too (hanja: 金正恩 Kim Jong Un, 裴元旭 Pae Won Uk) and said
# by each character's Korean sound, which ICU's Han-Latin (Mandarin: jin, pei) does not
# give. The Unicode Han database's kHangul field holds that sound (bench/matching/
# han_hangul.py writes one per character into data/han-hangul.tsv); a name of two to four
# Han characters, in words of one or two, is also read in Hangul, then as a Hangul name is.
KOREAN_HAN = "korean"  # the reading's rule (its note: "read as korean: 김 양 교이")
_SIMP_TRAD = "Simplified-Traditional"


@cache
def _han_hangul() -> dict[str, str]:
    text = resources.files("ctnode.match").joinpath("data", "han-hangul.tsv").read_text("utf-8")
    return dict(line.split("\t", 1) for line in text.splitlines() if not line.startswith("#"))


def korean_han_reading(words: list[str]) -> str | None:
    """A Han name's words read in Hangul by each character's Korean sound (a simplified
    character by its traditional form: 赵 as 趙 조), cut as a Hangul name is (one word of
    two to four characters: the surname, then each syllable), or None when a word is longer
    than two characters (four, written alone), holds another letter or a character without
    a Korean reading."""
    longest = 4 if len(words) == 1 else 2
    if not words or any(len(w) > longest or not _HAN_ONLY.fullmatch(w) for w in words):
        return None
    table = _han_hangul()
    read: list[str] = []
    for w in words:
        syllables = ""
        for ch in w:
            hangul = table.get(ch) or table.get(_transliterator(_SIMP_TRAD).transliterate(ch))
            if hangul is None:
                return None
            syllables += hangul
        read.append(syllables)
    if len(read) == 1:  # one word: the surname (two syllables of four), then each syllable
        cut = 2 if len(read[0]) == 4 else 1
        read = [read[0][:cut], *read[0][cut:]]
    return " ".join(read)


def is_cjk(name: str) -> bool:
    return _CJK.search(name) is not None


@lru_cache(maxsize=20_000)
def readings(name: str) -> tuple[Reading, ...]:
    """The readings of a name: the name itself unless it is written in Han, kana or Hangul.

    * Hangul: each space-separated part; a part of 2–4 syllables without spaces is cut
      into its surname (one syllable, two in a four-syllable name) and given-name
      syllables, each a part (Kim Jong Un);
    * Han without kana: Mandarin (surname, then the given name as one part); a name of 2–4
      characters may as well be Japanese, so its Japanese reading is a second reading;
    * kana: the Japanese reading.
    """
    if not _CJK.search(name):
        written = [Reading(name, "", "")]
        joined = allah_joined(name)
        if joined is not None:
            written.append(Reading(joined, "", _ALLAH_JOINED))
        full = allah_one_lam(name)
        if full is not None:  # (then joined to the name before it, as written with two)
            joined = allah_joined(full)
            written.append(Reading(full if joined is None else joined, "",
                                   _TAIL_SLIPPED if joined is None
                                   else f"{_TAIL_SLIPPED}, {_ALLAH_JOINED}"))
        return tuple(written)
    key = _transliterator(_TRAD_SIMP).transliterate("".join(ch for ch in name if _CJK.match(ch)))
    words = [w for w in re.split(r"[\s·・,]+", name) if w]
    if _HANGUL.search(name):
        parts: list[str] = []
        for i, w in enumerate(words):
            syllables = [ch for ch in w if _HANGUL.match(ch)]
            if i == 0 and len(words) == 1 and 2 <= len(syllables) <= 4:
                cut = 2 if len(syllables) == 4 else 1
                parts += ["".join(syllables[:cut]), *syllables[cut:]]
            else:
                parts.append(w)
        return (Reading(" ".join(parts), key, ""),)
    out: list[Reading] = []
    if not _KANA.search(name):
        parts = []
        for i, w in enumerate(words):
            han = [ch for ch in w if _HAN.match(ch)]
            if i == 0 and len(words) == 1 and 2 <= len(han) <= 4:
                cut = 2 if len(han) == 4 else 1
                parts += ["".join(han[:cut]), "".join(han[cut:])]
            else:
                parts.append(w)
        out.append(Reading(" ".join(parts), key, ""))
        in_words = [han_name_words(w) or (w,) for w in words]
        if any(len(c) > 1 for c in in_words):
            out.append(Reading(" ".join(p for c in in_words for p in c), key, "name words"))
            finer = [han_name_words_finer(c) for c in in_words]
            if finer != in_words:  # (a name word that is two: Abdulhakim, Abdul Hakim)
                out.append(Reading(" ".join(p for c in finer for p in c), key, "name words"))
        han_count = len(_HAN.findall(name))
        korean = korean_han_reading(words) if 2 <= han_count <= 4 else None
        if korean is not None:
            out.append(Reading(korean, key, KOREAN_HAN))
        if not 2 <= han_count <= 4 or len(words) > 2:
            return tuple(out)
    japanese = [part for w in words
                for part in ([kana_word_reading(w)] if _KANA_ONLY.fullmatch(w)
                             else japanese_reading(w)) if part]
    katakana = frozenset(kana_word_reading(w) for w in words if _KATAKANA_ONLY.fullmatch(w))
    # a reading much shorter than the name is a Chinese-only name read badly (王伟 → "o")
    if japanese and len("".join(japanese)) >= 2 * len(_HAN.findall(name)):
        out.append(Reading(" ".join(japanese), key, "japanese", katakana))
    return tuple(out)


# ---- foreign names written in katakana --------------------------------------------------
# Japanese writes a foreign name by its sound in kana syllables: every consonant gets a
# vowel (Smith スミス sumisu, Victor ヴィクトル bikutoru), l and r are one letter (ル), v is
# often b (デボレ Devoret), w and v meet (イワン Iwan for Ivan), th is s or t (スミス, トーマス),
# an English r after a vowel is a long vowel (ピーター Peter, カーター Carter), x is ks.
# Such a word read letter by letter (ICU Katakana-Latin) keeps all of that; its
# *loanword key* undoes it: consonants only, in classes the katakana spelling cannot tell
# apart (l = r, v = b = w before a vowel, z = s, soft c = s), and a Latin name gets the same
# key from how its letters sound (postvocalic r silent; th as t or s, ch as ch or k, soft g
# as g or j: one key per reading). Two parts with one key are one name in two scripts.
LOANWORD_MARK = "\x02"  # starts an alternative that holds a katakana part's loanword key
MIN_LOANWORD_KEY = 3  # shortest key compared: shorter ones join too many names
_KATAKANA_ONLY = re.compile(r"[\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]+")
_LOAN_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("tch", "C"), ("dzh", "j"), ("sch", "s"), ("sh", "s"), ("zh", "j"), ("ch", "C"),
    ("ts", "s"), ("tz", "s"), ("kh", "h"), ("ph", "f"), ("ck", "k"), ("dj", "j"),
    ("gh", "g"), ("qu", "k"), ("x", "ks"),
)
_LOAN_LETTERS = str.maketrans({"l": "r", "v": "b", "z": "s", "q": "k", "c": "k"})
_LOAN_VOWELS = frozenset("aeiouy")
_SOFT_C_LOAN = re.compile(r"c(?=[eiy])")
_W_CONSONANT = re.compile(r"w(?=[aeiouy])")
_H_SILENT = re.compile(r"h(?![aeiouy])")
_H_AFTER_CONSONANT = re.compile(r"(?<=[bdfgjklmnpqrstvz])h")
_DOUBLED = re.compile(r"([b-df-hj-np-tv-z])\1")
_M_LABIAL = re.compile(r"m(?=[bp])")
_R_AFTER_VOWEL = re.compile(r"(?<=[aeiouy])r(?![aeiouy])")  # Peter, Carter: a long vowel
_RU_CLOSING = re.compile(r"ru(?![aeiouy])")  # ル closing a syllable: r or l, or silent
# ウィ, ウェ, ウォ at the start or after a vowel: wi, we, wo (ウィルソン, ダーウィン)
_KANA_W = re.compile(r"(?:^|(?<=[aeiou]))u(?=[ieo])")
# Latin letters katakana writes two ways: th as t or s (Thomas トーマス, Smith スミス), ch as
# ch or k (Charles チャールズ, Michael ミカエル; not the ch of sch, tch), g before e/i/y as g
# or j (Gerhard ゲルハルト, George ジョージ), a final v as v or f (Petrov ペトロフ)
# (osc, 2026-12-07) and as Spanish, Portuguese, French and Italian names are said and
# katakana writes them: j as the h of the jota or the y of Dutch and German (Quijano キハノ,
# Juan フアン; Johann ヨハン), an initial h silent (Hilarion イラリオン, Henri アンリ, Hugo
# ウーゴ)
_LOAN_READINGS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile("th"), ("t", "s")), (re.compile(r"(?<![st])ch"), ("ch", "k")),
    (re.compile(r"g(?=[eiy])"), ("g", "j")), (re.compile(r"v$"), ("v", "f")),
    (re.compile(r"(?<![dg])j"), ("j", "h", "y")), (re.compile(r"^h(?=[aeiouy])"), ("h", "")),
)


def _loan_key(text: str) -> str:
    """The loanword key of a lower-case ASCII spelling (see above; ``C`` stands for the
    sound of ch, kept apart from k)."""
    text = _SOFT_C_LOAN.sub("s", _DOUBLED.sub(r"\1", text))  # ッツ ttsu: one ts
    for src, dst in _LOAN_DIGRAPHS:
        if src in text:
            text = text.replace(src, dst)
    text = _H_AFTER_CONSONANT.sub("", text)  # Bhamra バムラ, Tottenham トッテナム
    text = _W_CONSONANT.sub("b", text.translate(_LOAN_LETTERS))
    text = _M_LABIAL.sub("n", _H_SILENT.sub("", text))
    if not text:
        return ""
    out = ["a" if text[0] in _LOAN_VOWELS or text[0] == "w" else text[0]]
    for ch in text[1:]:
        if ch in _LOAN_VOWELS or ch == "w" or ch == out[-1]:
            continue
        out.append(ch)
    return "".join(out)


@lru_cache(maxsize=200_000)
def loanword_keys(latin: str) -> frozenset[str]:
    """The loanword keys of a Latin name part: how it would be written in katakana, reduced
    to its consonant classes (``smith`` → ``sms`` and ``smt``, ``peter`` → ``pt``,
    ``carlos`` → ``krs``). Keys shorter than MIN_LOANWORD_KEY are left out."""
    if not latin.isalpha() or not latin.isascii():
        return frozenset()
    forms = [_R_AFTER_VOWEL.sub("", latin)]
    for pattern, choices in _LOAN_READINGS:
        if pattern.search(forms[0]):
            forms = [pattern.sub(c, f) for f in forms for c in choices]
    keys = {_loan_key(f) for f in forms}
    return frozenset(k for k in keys if len(k) >= MIN_LOANWORD_KEY)


# Korean and Chinese names in katakana. Japanese closes a syllable with one nasal, ン, for
# the n and the ng of Korean and Chinese syllables alike (강 Kang カン, 송 Song ソン, 張 Zhang
# チャン, 王 Wang ワン): a short katakana word read with a final n is also read with ng. And
# Korean drops an initial r before i and y in the South's spelling (the initial-sound rule,
# 두음법칙: 리 Ri → 이 I, 류 Ryu → 유 Yu, 룡 Ryong → 용 Yong), which katakana follows (イ, ユ,
# ヨン), while DPRK names keep it (Ri, Ryu, Ryong): a short word read with an initial i or y
# is also read with r.
MAX_EAST_ASIAN_SYLLABLE = 5  # longest reading (one or two kana syllables) given these
# the kana that close a Korean syllable on its final consonant: ㄹ ル, ㄱ ク, ㅁ ム, ㅂ プ
# (일 イル Il, 혁 ヒョク Hyok, 김 キム Kim, 합 ハプ Hap; osc added ㅁ and ㅂ, 2026-12-07)
_CLOSING_KANA = {"ru": "l", "ku": "k", "mu": "m", "pu": "p"}


def katakana_syllable_readings(reading: str) -> tuple[str, ...]:
    """A short katakana word's readings as a Korean or Chinese syllable: with ng for a
    final n (``kan`` → ``kang``), with the initial r the South drops (``yon`` → ``ryon``,
    ``ryong``; ``i`` → ``ri``), with hw or h for an initial f (``fan`` → ``hwan``,
    ``hwang``; ``fu`` → ``hu``: Japanese has no hw, and its f, a breath through the lips,
    writes the h of 화 Hwa, 황 Hwang, 후 Hu, 黄 Huang), with a final l, k, m or p for a
    closing ``ル``, ``ク``, ``ム`` or ``プ`` after a vowel (``iru`` → ``il``, ``choru`` →
    ``chol``, ``hyoku`` → ``hyok``, ``kimu`` → ``kim``: Japanese ends no syllable in these
    and writes the final ㄹ ㄱ ㅁ ㅂ of 일 Il, 철 Chol, 혁 Hyok, 김 Kim with the syllables
    ル ru, ク ku, ム mu, プ pu); () for longer words."""
    if len(reading) > MAX_EAST_ASIAN_SYLLABLE:
        return ()
    forms = [reading]
    if reading.endswith("n") and reading[-2:-1] in ("a", "e", "i", "o", "u"):
        forms.append(reading + "g")
    elif reading[-2:] in _CLOSING_KANA and reading[-3:-2] in ("a", "e", "i", "o", "u"):
        forms.append(reading[:-2] + _CLOSING_KANA[reading[-2:]])
    if reading[:1] in ("i", "y"):
        forms += ["r" + f for f in forms]
    elif reading[:2] == "fu":
        forms += ["h" + f[1:] for f in forms]
    elif reading[:1] == "f" and reading[1:2] in ("a", "e", "i", "o"):
        forms += ["hw" + f[1:] for f in forms]
    return tuple(forms[1:])


# Japanese has no syllables zi, si, hu of its own: ジ writes both ji and zi (Aziz アジーズ,
# Zidane ジダン), and フ, said with the lips, the h before u and the h that closes an
# Arabic or Persian syllable (Hussein フセイン, Mahdi メフディ, Ahmad アフマド).
_KANA_JI = re.compile("ji")
_KANA_FU = re.compile("fu")


def katakana_sound_readings(reading: str) -> tuple[str, ...]:
    """A katakana word's readings with ``ji`` as ``zi`` and ``fu`` as ``hu`` (see above):
    ``ajizu`` → ``azizu`` (Aziz), ``fusein`` → ``husein`` (Hussein), ``mefudi`` →
    ``mehudi`` (Mahdi); alternatives beside the Hepburn reading."""
    forms = [reading]
    for pattern, other in ((_KANA_JI, "zi"), (_KANA_FU, "hu")):
        if pattern.search(reading):
            forms += [pattern.sub(other, f) for f in forms]
    return tuple(forms[1:])


@lru_cache(maxsize=50_000)
def katakana_loanword_keys(reading: str) -> tuple[str, ...]:
    """The loanword keys of a katakana word's letter-by-letter reading (``sumisu`` →
    ``sms``; ``bikutoru`` → ``bktr`` and, with the closing ル silent, ``bkt``), each as an
    alternative form marked with LOANWORD_MARK (compared by the loanword rule only)."""
    base = _KANA_W.sub("w", reading)
    keys = dict.fromkeys((_loan_key(base), _loan_key(_RU_CLOSING.sub("", base))))
    return tuple(LOANWORD_MARK + k for k in keys if len(k) >= MIN_LOANWORD_KEY)
