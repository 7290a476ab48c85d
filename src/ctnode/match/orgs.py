"""Organisation names: legal forms, numbers, joining words and acronyms, from rigour's data.

* Legal forms in any language become rigour's generic comparison form (``Aktiengesellschaft``,
  ``AG``, ``OAO``, ``Open Joint Stock Company``, ``S.A.`` → ``jsc``; ``Limited``, ``Ltd``,
  ``ООО``, ``Sp. z o.o.``, ``LLC`` → ``llc``), the table rigour (OpenSanctions) keeps from
  ISO 20275 and its sources; such parts are marked so the scorer weighs them lightly.
* Numbers written as digits, words or ordinals in many languages (``12``, ``Twelve``,
  ``12th``, ``Twelfth``, ``XII``, ``第十二``) become digits, from rigour's ordinals table.
* Joining words (``and``, ``&``, ``of``, ``the``, ``de``, ``und`` ...: rigour's stopwords)
  and article-like prefixes (``The``) are dropped.
* Organisation-class words (company, co, corp; holding; group; trading; international ...)
  become rigour's symbol for them (``co``, ``holding``, ``grp`` ...) and, like legal forms,
  weigh little.
* The acronyms of a name are the initials of its remaining parts, with and without legal
  forms and class words (``Islamic State of Iraq and the Levant`` → ``isil``; ``Behineh
  Trading Co.`` → ``btc``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rigour._core import ordinals_dict, stopwords_list
from rigour.names import (
    NameTypeTag,
    Symbol,
    analyze_names,
    extract_org_types,
    replace_org_types_compare,
)
from rigour.text.translit import maybe_ascii

from ctnode.match import kept

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
MIN_ACRONYM_PARTS = 2  # an acronym stands for at least this many parts
MAX_ACRONYM = 8  # longest acronym looked for


_WORD_SPLIT = re.compile(r"[\s\-]+")


def _key(text: str) -> str:
    return _NON_ALNUM.sub("", maybe_ascii(text.casefold()).lower())


def _word_key(word: str) -> str:
    """:func:`_key` of a casefolded word: an ASCII word is its own transliteration (rigour's
    ``maybe_ascii`` is asked only of the others: 10 µs a word)."""
    return _NON_ALNUM.sub("", word) if word.isascii() else _key(word)


@lru_cache(maxsize=1)
def number_words() -> tuple[dict[str, str], dict[str, str]]:
    """rigour's ordinals table as (one-word form → digits, two-word form → digits): read
    from the file kept beside the name index (:mod:`ctnode.match.kept`; a few ms), else
    worked out (:func:`read_number_words`, about 0.06 s of CPU) and written there."""
    single, double = NUMBER_WORDS.get()
    return single, double


def read_number_words() -> tuple[dict[str, str], dict[str, str]]:
    """rigour's ordinals table read into (one-word form → digits, two-word form → digits),
    every word through :func:`_word_key`.

    Single letters are left out (an initial ``V.`` or ``I`` is not a number)."""
    single: dict[str, str] = {}
    double: dict[str, str] = {}
    for number, forms in ordinals_dict().items():
        digits = str(number)
        for form in forms:
            keys = [_word_key(w) for w in _WORD_SPLIT.split(form.casefold()) if w]
            if any(not k for k in keys):
                continue
            if len(keys) == 1 and len(keys[0]) >= 2:
                single.setdefault(keys[0], digits)
            elif len(keys) == 2:
                double.setdefault(" ".join(keys), digits)
    return single, double


def _number_words_shaped(plain: object) -> bool:
    return (isinstance(plain, list) and len(plain) == 2
            and all(isinstance(d, dict) and all(isinstance(k, str) and isinstance(v, str)
                                                for k, v in d.items()) for d in plain))


# (version: bump when read_number_words gives another table from the same rigour build)
NUMBER_WORDS = kept.table("number-words", 1, lambda: list(read_number_words()),
                          _number_words_shaped, lambda plain: (plain[0], plain[1]))


@lru_cache(maxsize=1)
def org_stopwords() -> frozenset[str]:
    """Joining words dropped from organisation names (rigour's stopword list, ASCII)."""
    return frozenset(k for w in stopwords_list() if (k := _key(w))) | {"the"}


_HAMZA_ALEFS = str.maketrans("أإآ", "ااا")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
_WA = "و"


def written_stopword_key(raw: str) -> str:
    """A part as :func:`written_stopwords` holds it: casefolded, an alef with hamza as the
    bare alef (``إلى`` and ``الى`` are one word as written)."""
    return raw.casefold().translate(_HAMZA_ALEFS)


@lru_cache(maxsize=1)
def written_stopwords() -> frozenset[str]:
    """rigour's joining words written in Arabic script, which ``maybe_ascii`` gives no Latin
    form (``في`` in, ``من`` of, ``و`` and, ``على``, ``إلى`` ...), as written (see
    :func:`written_stopword_key`): an organisation's part written so is dropped as the
    Latin ones are (ar4, 2026-12-07; before, ``القاعدة في العراق`` kept ``fi``, which its
    English name ``AL-QAIDA IN IRAQ`` drops as ``in``). Not ``و`` (and): Latin spellings
    keep it (``Jaysh al-Muhajirin wal-Ansar``, ``wa``), which rigour's list does not hold."""
    return frozenset(written_stopword_key(w) for w in stopwords_list()
                     if not _key(w) and _ARABIC_LETTER.search(w) and w != _WA)


def legal_form_text(name: str) -> tuple[str, frozenset[str]]:
    """The name with its legal forms replaced by rigour's generic forms, and the set of
    (ASCII) tokens those generic forms consist of."""
    folded = name.casefold()
    found = extract_org_types(folded, generic=True)
    if not found:
        return name, frozenset()
    replaced = replace_org_types_compare(folded, generic=True)
    targets = frozenset(k for _text, target in found for w in target.split() if (k := _key(w)))
    return replaced, targets


@lru_cache(maxsize=100_000)
def org_class(token: str) -> str | None:
    """The organisation-class word a token is, in rigour's organisation symbols (company,
    co, corp, corporation → ``co``; holding, holdings → ``holding``; group, grp → ``grp``;
    trading → ``trade``; international, intl → ``intl``), else None."""
    if len(token) < 2 or not token.isalpha():
        return None
    found = set()
    for name in analyze_names(NameTypeTag.ORG, [token], consolidate=False):
        for symbol in name.symbols:
            if symbol.category == Symbol.Category.SYMBOL:
                found.add(str(symbol.id).lower())
    return min(found) if found else None


def has_legal_form(name: str) -> bool:
    return bool(extract_org_types(name.casefold(), generic=True))


def numbers_to_digits(tokens: list[str]) -> list[str]:
    """Number words and ordinals (one or two words) → digits, other tokens unchanged."""
    single, double = number_words()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        pair = f"{tokens[i]} {tokens[i + 1]}" if i + 1 < len(tokens) else ""
        if pair and pair in double:
            out.append(double[pair])
            i += 2
            continue
        tok = tokens[i]
        out.append(single.get(tok, tok) if not tok.isdigit() else str(int(tok)))
        i += 1
    return out


def acronyms(tokens: tuple[str, ...], generic: tuple[bool, ...]) -> tuple[str, ...]:
    """Initials of every part, and of the parts that are not legal forms or class words
    (``Behineh Trading Co.`` → ``btc`` and ``b``; only acronyms of 2+ letters count)."""
    out: list[str] = []
    for parts in ([t for t in tokens if t.isalpha()],
                  [t for t, g in zip(tokens, generic, strict=True) if not g and t.isalpha()]):
        if MIN_ACRONYM_PARTS <= len(parts) <= MAX_ACRONYM:
            out.append("".join(p[0] for p in parts))
    return tuple(dict.fromkeys(out))


def written_acronyms(words: list[list[str]]) -> tuple[str, ...]:
    """Acronyms of an organisation's name as written, before legal forms, numbers and
    class words are normalised (KINGLY WON INTERNATIONAL CO., LTD → ``kwicl``; FIRST OIL JV
    CO LTD → ``fojcl``): per way of cutting the name into words (``words``: each a list of
    Latin words), the initials of the words that are not joining words, when there are
    MIN_ACRONYM_PARTS to MAX_ACRONYM of them."""
    stops = org_stopwords()
    out: list[str] = []
    for cut in words:
        kept = [w for w in cut if w and w not in stops and w[0].isalpha()]
        if MIN_ACRONYM_PARTS <= len(kept) <= MAX_ACRONYM:
            out.append("".join(w[0] for w in kept))
    return tuple(dict.fromkeys(out))
